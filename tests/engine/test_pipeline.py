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


def test_the_tiers_as_they_stand_are_priced_under_new_settings_without_tiering_again():
    from dataclasses import replace

    from tierbook.engine.pipeline import price_standing

    raw = sample_accounts(200, seed=11, defects=True)
    first = run(raw, Settings())
    tiers = first.tiers.tier.to_numpy(dtype=object).copy()
    tiers[:5] = tiers[-1]  # tiers typed over: they stand as they are, not as a new run would put them
    richer = replace(Settings(), margin_pct=0.5, policy="arr-share")
    standing = price_standing(raw, richer, _catalog(), _matrix(), tiers,
                              first.tiers.reason.to_numpy(dtype=object), first.segments.to_numpy(dtype=object))
    assert standing.tiers.tier.tolist() == tiers.tolist()
    summary = standing.summary.set_index("Tier")
    assert summary.at["Total", "Assessed Value"] == pytest.approx(summary.at["Total", "Annual Cost"] * 1.5)


def test_tiers_that_are_blank_or_no_longer_tiers_cannot_be_priced_as_they_stand():
    from tierbook.engine.pipeline import price_standing

    raw = sample_accounts(20, seed=11)
    first = run(raw, Settings())
    reasons, segments = first.tiers.reason.to_numpy(dtype=object), first.segments.to_numpy(dtype=object)
    for stale in (None, pd.NA, "Gold"):
        tiers = first.tiers.tier.to_numpy(dtype=object).copy()
        tiers[3] = stale
        assert price_standing(raw, Settings(), _catalog(), _matrix(), tiers, reasons, segments) is None


def test_the_run_stamp_counts_accounts_problems_and_the_changes_it_is_given():
    from tierbook.columns import RunItem
    from tierbook.engine.pipeline import run_stamp

    result = run(sample_accounts(50, seed=2, defects=True), Settings(policy="arr-share"))
    stamp = run_stamp(result, "2026-05-01 10:00:00", 7, "9.8.7")
    assert list(stamp) == list(RunItem.ALL)
    assert stamp == {RunItem.RUN_AT: "2026-05-01 10:00:00", RunItem.ACCOUNTS: 50, RunItem.POLICY: "arr-share",
                     RunItem.PROBLEMS: len(result.problems), RunItem.CHANGES: 7, RunItem.VERSION: "9.8.7"}
    assert len(result.problems) > 0


def _catalog():
    from tierbook.engine.services import default_catalog

    return default_catalog(Settings())


def _matrix():
    from tierbook.engine.services import default_matrix

    return default_matrix(Settings().tier_names)
