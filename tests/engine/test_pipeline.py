"""A whole run on any account table: every column may be blank, numbers, text, dates or a mix."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tierbook.engine import POLICIES, Settings, run
from tierbook.columns import INPUT_COLUMNS, Col, ProblemCol
from tierbook.sample import sample_accounts

N = 12
KINDS = {
    "blank": lambda: [None] * N,
    "empty text": lambda: [""] * N,
    "numeric": lambda: [float(i * 1_000) for i in range(N)],
    "text": lambda: [f"value {i % 3}" for i in range(N)],
    "dates": lambda: [pd.Timestamp("2026-01-01") + pd.Timedelta(days=i) for i in range(N)],
    "mixed": lambda: [None, "", 5, 2.5, "text", "12,5", "$1,000.00", dt.date(2026, 3, 31), True, "#N/A", "n/a",
                      "x" * 500],
}


def book_with(kind: str, *columns: str) -> pd.DataFrame:
    table = sample_accounts(N, seed=3)
    for column in columns:
        table[column] = pd.Series(KINDS[kind](), dtype=object)
    return table


def assert_sound(raw: pd.DataFrame, policy: str) -> None:
    """No traceback; every row back once, in order, its input untouched; problems name real rows; cells fit Excel."""
    result = run(raw, Settings(policy=policy))
    outputs = result.annotated()
    assert len(outputs) == N and outputs[Col.TIER].notna().all()
    assert list(outputs["Account ID"]) == list(raw["Account ID"])
    for column in raw.columns:
        if column != Col.TIER:
            assert outputs[column].equals(raw[column])
    assert set(result.problems[ProblemCol.ROW]) <= set(range(1, N + 2))
    assert all(len(str(v)) <= 32_767 for v in outputs[Col.TIER_REASON])


CASES = [(column, kind) for column in INPUT_COLUMNS for kind in KINDS]


@pytest.mark.parametrize("column, kind", CASES)
def test_any_column_of_any_kind_is_read_checked_tiered_and_priced(column, kind):
    # Each case runs under one policy, in turn, so that every column meets several policies.
    assert_sound(book_with(kind, column), POLICIES[CASES.index((column, kind)) % len(POLICIES)])


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_column_of_one_kind_at_once_under_every_policy(kind, policy):
    assert_sound(book_with(kind, *[c for c in INPUT_COLUMNS if c != Col.ACCOUNT_ID]), policy)


def test_an_entirely_blank_category_column_is_no_problem():
    raw = pd.DataFrame({"Account ID": ["A1", "A2"], "Account Name": ["Acme", "Beta"], "ARR": [1_000, 2_000],
                        "CSM": [None, None]})
    result = run(raw)
    assert list(result.tiers.tier) == ["Mid-touch", "High-touch"]
    assert "same category spelled differently" not in set(result.problems[ProblemCol.PROBLEM])
    books = result.csm_books()
    assert list(books["CSM"]) == ["(unassigned)"] and list(books["Accounts"]) == [2]


def test_an_arr_beyond_any_plausible_figure_is_refused_and_the_shares_stay_right():
    arr = [1e15] * 100 + [5e14] * 100 + [1.7e308]
    raw = pd.DataFrame({"Account ID": [f"A{i}" for i in range(len(arr))], "Account Name": "x", "ARR": arr})
    result = run(raw, Settings(policy="arr-share"))
    tiers = result.tiers.tier
    assert set(tiers[:100]) == {"High-touch"} and set(tiers[100:200]) == {"Mid-touch"}
    assert tiers.iloc[-1] == "Needs data"
    problem = result.problems[result.problems[ProblemCol.ROW] == len(arr) + 1]
    assert list(problem[ProblemCol.PROBLEM]) == ["implausible number"] and list(problem[ProblemCol.SEVERITY]) == ["error"]
    assert np.isfinite(result.summary["ARR"]).all()
