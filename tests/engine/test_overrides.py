"""Audited overrides: who set one, when, until when; expiry the day after its date, review 30 days before."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from tierbook.columns import Col, Problem, ProblemCol, Severity
from tierbook.engine import Settings, run
from tierbook.engine.overrides import override_notes

TIERS = ("High-touch", "Mid-touch", "Tech-touch")
UNTIL = "2026-06-30"


def accounts(until: object = UNTIL, n_overrides: int = 1) -> pd.DataFrame:
    """Six accounts by ARR; the smallest ones pinned to High-touch until ``until``."""
    frame = pd.DataFrame({
        Col.ACCOUNT_ID: [f"A{i}" for i in range(1, 7)],
        Col.ACCOUNT_NAME: ["Acme", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"],
        Col.ARR: [900_000, 500_000, 200_000, 90_000, 20_000, 10_000],
        Col.TIER_OVERRIDE: [""] * 6, Col.OVERRIDE_REASON: [""] * 6, Col.OVERRIDE_BY: [""] * 6,
        Col.OVERRIDE_SET_ON: [""] * 6, Col.OVERRIDE_UNTIL: [""] * 6,
    }, dtype=object)
    for i in range(6 - n_overrides, 6):
        frame.loc[i, [Col.TIER_OVERRIDE, Col.OVERRIDE_REASON, Col.OVERRIDE_BY, Col.OVERRIDE_SET_ON,
                      Col.OVERRIDE_UNTIL]] = ["High-touch", "Reference customer", "Ana Lima", "2026-01-05", until]
    return frame


SETTINGS = Settings(tier_names=TIERS)


def tier_of(result, name: str) -> str:  # type: ignore[no-untyped-def]
    names = result.accounts.frame[Col.ACCOUNT_NAME].tolist()
    return result.tiers.tier.iloc[names.index(name)]


def reason_of(result, name: str) -> str:  # type: ignore[no-untyped-def]
    names = result.accounts.frame[Col.ACCOUNT_NAME].tolist()
    return result.tiers.reason.iloc[names.index(name)]


def problems(result, problem: str) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return result.problems[result.problems[ProblemCol.PROBLEM] == problem]


def test_an_override_applies_on_the_day_of_its_until_date():
    result = run(accounts(), SETTINGS, today=dt.date(2026, 6, 30))
    assert tier_of(result, "Zeta") == "High-touch"
    assert reason_of(result, "Zeta") == ("Override -> High-touch: Reference customer "
                                         "(by Ana Lima, set 2026-01-05, until 2026-06-30)")
    assert problems(result, Problem.OVERRIDE_EXPIRED).empty


def test_an_override_stops_applying_the_day_after_its_until_date_and_is_reported():
    result = run(accounts(), SETTINGS, today=dt.date(2026, 7, 1))
    assert tier_of(result, "Zeta") == "Tech-touch"
    assert "(override 'High-touch' not applied: expired on 2026-06-30)" in reason_of(result, "Zeta")
    row = problems(result, Problem.OVERRIDE_EXPIRED).iloc[0]
    assert (row[ProblemCol.ROW], row[ProblemCol.ACCOUNT_ID], row[ProblemCol.COLUMN], row[ProblemCol.VALUE],
            row[ProblemCol.SEVERITY]) == (7, "A6", Col.OVERRIDE_UNTIL, UNTIL, Severity.WARNING)
    assert "not applied since 2026-07-01" in row[ProblemCol.DETAIL]


def test_three_expired_overrides_are_counted_in_one_sentence():
    result = run(accounts(n_overrides=3), SETTINGS, today=dt.date(2026, 8, 1))
    assert override_notes(result.tiers.overrides) == ("3 overrides expired; their accounts are back on the "
                                                      "policy tier.")
    policy = run(accounts(n_overrides=0), SETTINGS, today=dt.date(2026, 8, 1))
    assert [tier_of(result, n) for n in ("Delta", "Epsilon", "Zeta")] == ["Mid-touch", "Tech-touch", "Tech-touch"]
    assert result.tiers.tier.tolist() == policy.tiers.tier.tolist()


def test_an_override_without_an_until_date_never_expires():
    result = run(accounts(until=""), SETTINGS, today=dt.date(2099, 1, 1))
    assert tier_of(result, "Zeta") == "High-touch"
    assert override_notes(result.tiers.overrides) == ""


def test_an_override_due_within_30_days_is_listed_for_review_and_one_due_in_31_is_not():
    due = run(accounts(), SETTINGS, today=dt.date(2026, 5, 31))  # 30 days before 2026-06-30
    row = problems(due, Problem.OVERRIDE_REVIEW).iloc[0]
    assert (row[ProblemCol.ACCOUNT_ID], row[ProblemCol.COLUMN], row[ProblemCol.SEVERITY]) == (
        "A6", Col.OVERRIDE_UNTIL, Severity.INFO)
    assert "30 days from today" in row[ProblemCol.DETAIL]
    assert "1 override up for review within 30 days" in override_notes(due.tiers.overrides)
    later = run(accounts(), SETTINGS, today=dt.date(2026, 5, 30))  # 31 days before
    assert problems(later, Problem.OVERRIDE_REVIEW).empty
    assert tier_of(due, "Zeta") == tier_of(later, "Zeta") == "High-touch"


def test_an_unreadable_until_date_is_reported_by_row_column_and_value_and_the_override_still_applies():
    result = run(accounts(until="end of June"), SETTINGS, today=dt.date(2026, 7, 1))
    row = problems(result, Problem.UNPARSEABLE_DATE).iloc[0]
    assert (row[ProblemCol.ROW], row[ProblemCol.COLUMN], row[ProblemCol.VALUE], row[ProblemCol.SEVERITY]) == (
        7, Col.OVERRIDE_UNTIL, "end of June", Severity.ERROR)
    assert "as if it had no end date" in row[ProblemCol.DETAIL]
    assert tier_of(result, "Zeta") == "High-touch"


def test_an_until_date_is_read_as_every_date_is_read():
    serial = run(accounts(until=46203), SETTINGS, today=dt.date(2026, 7, 1))  # Excel's serial of 2026-06-30
    dotted = run(accounts(until="30.06.2026"), SETTINGS, today=dt.date(2026, 7, 1))
    assert tier_of(serial, "Zeta") == tier_of(dotted, "Zeta") == "Tech-touch"


def test_without_a_clock_no_override_expires():
    assert tier_of(run(accounts(until="2001-01-01"), SETTINGS), "Zeta") == "High-touch"
