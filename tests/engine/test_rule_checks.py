"""Findings about the policy itself, each on a tiny rule table: they name the rule and say what follows."""

import pandas as pd
import pytest

from tests.conftest import accounts, arr_book
from tierbook.columns import NEEDS_DATA, Problem, ProblemCol as P, Severity
from tierbook.engine import Rule, Settings, run
from tierbook.engine.pipeline import check
from tierbook.engine.accounts import prepare_accounts
from tierbook.engine.rules import parse_rule

H, M, T = "High-touch", "Mid-touch", "Tech-touch"


def findings(raw: pd.DataFrame, kind: str, **settings) -> pd.DataFrame:
    problems = run(raw, Settings(**settings)).problems
    return problems[problems[P.PROBLEM] == kind].reset_index(drop=True)


def rules(*texts: str) -> tuple[Rule, ...]:
    return tuple(parse_rule(t) for t in texts)


BOOK = accounts(ARR=[500_000, 120_000, 60_000, 5_000], Employees=[5_000, 50, 2_000, 10],
                Industry=["Healthcare", "Retail", "Healthcare", "Retail"])


def test_a_value_no_account_has_makes_a_rule_that_can_never_match():
    found = findings(BOOK, Problem.RULE_NEVER_MATCHES, policy="rules",
                     rules=rules("Segment = Enterprize -> High-touch", "Industry = Helthcare -> Mid-touch"))
    assert list(zip(found[P.ROW], found[P.COLUMN], found[P.VALUE])) == [
        (1, "rules", "rule 1: Segment = Enterprize -> High-touch"),
        (1, "rules", "rule 2: Industry = Helthcare -> Mid-touch")]  # row 1: the header row, as for a whole column
    assert found[P.DETAIL][0] == "'Enterprize' is not a segment; the segments are Enterprise, Major, Large Opportunity, SMB"
    assert found[P.DETAIL][1] == "no account has Industry 'Helthcare'"
    assert set(found[P.SEVERITY]) == {Severity.WARNING}


def test_contradictory_conditions_make_a_rule_that_can_never_match():
    found = findings(BOOK, Problem.RULE_NEVER_MATCHES, policy="rules",
                     rules=rules("ARR >= 50000 -> Mid-touch", "ARR >= 250000 and ARR < 100000 -> High-touch",
                                 "Industry = Retail and Industry = Healthcare -> High-touch"))
    assert [v[:6] for v in found[P.VALUE]] == ["rule 2", "rule 3"]
    assert found[P.DETAIL][0] == "ARR >= 250000 and ARR < 100000 cannot all hold; the rule never matches"
    assert found[P.DETAIL][1].startswith("Industry = Retail and Industry = Healthcare cannot all hold")


def test_a_rule_after_a_broader_one_to_another_tier_is_shadowed():
    found = findings(BOOK, Problem.RULE_SHADOWED, policy="rules",
                     rules=rules("ARR >= 50000 -> Mid-touch", "ARR >= 250000 -> High-touch",
                                 "ARR >= 100000 and Industry = Retail -> High-touch"))
    assert [v[:6] for v in found[P.VALUE]] == ["rule 2", "rule 3"]
    assert found[P.DETAIL][0] == ("every account it matches is matched first by rule 1: ARR >= 50000 -> Mid-touch, "
                                  "so it never gives High-touch")


def test_a_narrower_rule_first_is_not_shadowed():
    found = findings(BOOK, Problem.RULE_SHADOWED, policy="rules",
                     rules=rules("ARR >= 250000 -> High-touch", "ARR >= 50000 -> Mid-touch"))
    assert found.empty


def test_overlapping_rules_to_different_tiers_say_how_many_accounts_order_decides():
    found = findings(BOOK, Problem.RULE_OVERLAP, policy="rules",
                     rules=rules("ARR >= 100000 -> High-touch", "Industry = Healthcare -> Mid-touch"))
    assert list(zip(found[P.VALUE], found[P.SEVERITY])) == [("rule 2: Industry = Healthcare -> Mid-touch",
                                                             Severity.INFO)]
    assert found[P.DETAIL][0] == ("1 account also matches rule 1: ARR >= 100000 -> High-touch, which comes first: "
                                  "it gets High-touch, not Mid-touch")


def test_a_condition_on_a_column_that_does_not_exist_is_an_error_and_its_accounts_need_data():
    result = run(BOOK, Settings(policy="rules", rules=rules("ARR >= 250000 -> High-touch",
                                                            "Industy = Healthcare -> Mid-touch")))
    found = result.problems[result.problems[P.PROBLEM] == Problem.RULE_NO_COLUMN]
    assert list(zip(found[P.VALUE], found[P.SEVERITY])) == [("rule 2: Industy = Healthcare -> Mid-touch",
                                                             Severity.ERROR)]
    assert found[P.DETAIL].iloc[0].startswith("Industy = Healthcare: column 'Industy' is not an account column "
                                              "(the columns are Account ID, Account Name, ARR,")
    assert found[P.DETAIL].iloc[0].endswith("; the 3 accounts this rule reaches are Needs data")
    assert list(result.tiers.tier) == [H, NEEDS_DATA, NEEDS_DATA, NEEDS_DATA]


@pytest.mark.parametrize("text, says", [
    ("Industry > 5 -> High-touch", "Industry > 5: Industry holds text; > compares numbers"),
    ("ARR >= lots -> High-touch", "ARR >= lots: >= compares numbers, and 'lots' is not a number"),
    ("ARR = high -> High-touch", "ARR = high: ARR holds numbers, and 'high' is text"),
])
def test_a_condition_comparing_text_with_a_number_is_an_error(text, says):
    found = findings(BOOK, Problem.RULE_TEXT_NUMBER, policy="rules", rules=rules(text))
    assert list(zip(found[P.VALUE].str[:6], found[P.SEVERITY])) == [("rule 1", Severity.ERROR)]
    assert found[P.DETAIL][0].startswith(says)


def test_the_accounts_falling_through_to_the_default_are_counted():
    found = findings(BOOK, Problem.RULE_DEFAULT, policy="rules", rules=rules("ARR >= 100000 -> High-touch"),
                     default_tier=T)
    assert list(zip(found[P.COLUMN], found[P.VALUE], found[P.SEVERITY])) == [("default_tier", T, Severity.INFO)]
    assert found[P.DETAIL][0] == "2 accounts (50.0 %) match no rule and get the default tier Tech-touch"


def test_a_segment_the_map_gives_no_tier_is_named_with_its_accounts():
    found = findings(BOOK, Problem.SEGMENT_NOT_MAPPED, policy="segment",
                     segment_tiers={"Enterprise": H, "Large Opportunity": M, "SMB": T})
    assert list(zip(found[P.COLUMN], found[P.VALUE])) == [("segment_tiers", "Major")]
    assert found[P.DETAIL][0] == "segment 'Major' has no tier in the segment map; its 1 account is Needs data"


def test_a_tier_no_account_reaches_is_named():
    found = findings(BOOK, Problem.TIER_UNREACHED, policy="rules", rules=rules("ARR >= 100000 -> High-touch"),
                     default_tier=T)
    assert list(zip(found[P.COLUMN], found[P.VALUE])) == [("tier_names", M)]
    assert found[P.DETAIL][0] == ("no account is Mid-touch under the rules policy; no rule gives it and it is not "
                                  "the default tier")


def test_five_equal_arrs_across_a_band_cut_are_reported_with_the_share_they_give_the_band():
    # 20 accounts; the five of 100,000 have one larger (5 %), so all five are High-touch: 30 % in a 15 % band.
    raw = arr_book(500_000, *[100_000] * 5, *range(14_000, 0, -1_000))
    found = findings(raw, Problem.BAND_TIES)
    assert list(zip(found[P.COLUMN], found[P.VALUE], found[P.SEVERITY])) == [("account_bands", H, Severity.WARNING)]
    assert found[P.DETAIL][0] == ("5 accounts share ARR 100,000 across the 15 % cut: equal ARR never splits, so "
                                  "High-touch holds 30.0 % of accounts, not the 15 % of its band")


def test_distinct_arrs_never_report_a_tie():
    assert findings(arr_book(*range(20, 0, -1)), Problem.BAND_TIES).empty
    assert findings(arr_book(*range(20, 0, -1)), Problem.BAND_TIES, policy="arr-share").empty


def test_arrs_that_round_to_zero_cents_report_no_tie_under_the_arr_share_policy():
    assert findings(arr_book(0.001, 0.002, 0.004), Problem.BAND_TIES, policy="arr-share").empty


def test_a_rule_read_from_a_sheet_row_is_named_by_that_row():
    rule = Rule("Segment", "=", "Enterprize", H, row=7)
    found = findings(BOOK, Problem.RULE_NEVER_MATCHES, policy="rules", rules=(rule,))
    assert list(zip(found[P.ROW], found[P.COLUMN])) == [(7, "Tier Rules")]


def test_the_check_without_pricing_reports_the_same_findings_first():
    settings = Settings(policy="rules", rules=rules("Segment = Enterprize -> High-touch"))
    problems = check(prepare_accounts(BOOK), settings)
    assert problems[P.PROBLEM].iloc[0] == Problem.RULE_NEVER_MATCHES
    assert problems.equals(run(BOOK, settings).problems)
