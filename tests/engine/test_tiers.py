from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from tests.conftest import accounts, arr_book
from tierbook.engine import Rule, Settings, run
from tierbook.engine.rules import Condition, parse_rule
from tierbook.engine.tiers import arr_band_codes
from tierbook.errors import SettingsError
from tierbook.columns import Col, NEEDS_DATA

H, M, T = "High-touch", "Mid-touch", "Tech-touch"


def tiers_of(raw: pd.DataFrame, **settings) -> list[str]:
    return list(run(raw, Settings(**settings)).tiers.tier)


def reasons_of(raw: pd.DataFrame, **settings) -> list[str]:
    return list(run(raw, Settings(**settings)).tiers.reason)


# ------------------------------------------------------------ arr-accounts
def test_arr_accounts_cuts_by_the_share_of_larger_accounts():
    # 20 accounts, 20k down to 1k: r/n < 0.15 for r = 0..2; < 0.55 for r = 3..10.
    tiers = tiers_of(arr_book(*range(20_000, 0, -1_000)))
    assert tiers == [H] * 3 + [M] * 8 + [T] * 9


def test_an_account_exactly_on_a_cumulative_band_edge_goes_below_it():
    # 11 of 20 larger is exactly 0.55 = 0.15 + 0.40: not below it, so the last tier.
    tiers = tiers_of(arr_book(*range(20, 0, -1)))
    assert tiers[10] == M and tiers[11] == T


def test_equal_arr_never_splits_a_tier():
    # n = 10, first band 0.2: the three accounts of 80 have r = 2, 2/10 is not < 0.2.
    tiers = tiers_of(arr_book(100, 90, 80, 80, 80, 70, 60, 50, 40, 30), account_bands=(0.2, 0.3))
    assert tiers[:5] == [H, H, M, M, M]
    assert tiers[5:] == [T] * 5


def test_four_tiers_with_the_users_own_names():
    names = ("Platinum", "Gold", "Silver", "Bronze")
    settings = Settings().with_tiers(names)
    settings = replace(settings, account_bands=(0.1, 0.2, 0.3))
    result = run(arr_book(*range(10, 0, -1)), settings)
    assert list(result.tiers.tier) == ["Platinum"] + ["Gold"] * 2 + ["Silver"] * 3 + ["Bronze"] * 4


def test_accounts_without_usable_arr_need_data_and_do_not_count_in_n():
    raw = arr_book(400, None, 300, "abc", 200, -50, 100, 0)
    result = run(raw, Settings(account_bands=(0.25, 0.5)))
    assert list(result.tiers.tier) == [H, NEEDS_DATA, M, NEEDS_DATA, M, NEEDS_DATA, T, NEEDS_DATA]
    assert result.tiers.reason[1] == "Needs data: ARR is blank"
    assert result.tiers.reason[3] == "Needs data: ARR 'abc' is not a number"
    assert result.tiers.reason[5] == "Needs data: ARR -50 is not above 0"
    assert result.tiers.reason[6] == "ARR 100: 3 of 4 accounts are larger (top 75.0 %) -> Tech-touch"


def test_the_reason_reads_as_a_cs_lead_would_say_it():
    arr = np.concatenate([np.full(41, 500_000.0), [182_000.0], np.full(4_958, 1_000.0)])
    reason = reasons_of(arr_book(*arr))[41]
    assert reason == "ARR 182,000: 41 of 5,000 accounts are larger (top 0.8 %) -> High-touch"


def test_band_cuts_are_reported_as_arr_thresholds_that_replay_the_tiers():
    raw = arr_book(*np.random.default_rng(3).integers(1, 500, 300) * 100)
    result = run(raw)
    thresholds = result.tiers.thresholds.set_index("Tier")["Min ARR"]
    arr = pd.to_numeric(raw["ARR"])
    replay = np.where(arr >= thresholds[H], H, np.where(arr >= thresholds[M], M, T))
    assert list(replay) == list(result.tiers.tier)
    assert thresholds[H] > thresholds[M] > thresholds[T]


# --------------------------------------------------------------- arr-share
def test_arr_share_cuts_by_the_share_of_arr_held_by_larger_accounts():
    # T = 100; S = 0, 40, 70, 90 -> below 0.5, below 0.5, below 0.85, rest.
    assert tiers_of(arr_book(40, 30, 20, 10), policy="arr-share") == [H, H, M, T]


def test_arr_share_gives_equal_arr_an_equal_tier_at_the_edge():
    # S/T for the two 25s is 0.5 exactly: not below the first band.
    assert tiers_of(arr_book(50, 25, 25), policy="arr-share") == [H, M, M]


def test_arr_share_puts_arrs_that_are_all_under_half_a_cent_in_one_tie_at_the_top():
    # Every ARR is 0 in cents: no larger account holds any ARR, and the share shown is 0.0 %, never nan.
    book = arr_book(0.001, 0.002, 0.004)
    assert tiers_of(book, policy="arr-share") == [H, H, H]
    assert reasons_of(book, policy="arr-share") == [f"ARR 0: larger accounts hold 0.0 % of ARR -> {H}"] * 3


def test_band_codes_are_a_pure_function_of_the_arr_column():
    # T = 60: 30 has S = 0, 20 has S = 30 (exactly half: not below 0.5), 10 has S = 50.
    codes, position, n, total = arr_band_codes(np.array([10.0, np.nan, 30.0, 20.0]), (0.5,), "share")
    assert list(codes) == [1, -1, 0, 1] and n == 3 and total == 60
    assert position[3] == pytest.approx(0.5)


# ----------------------------------------------------------------- segment
def test_segment_policy_maps_each_segment_to_its_tier():
    raw = accounts(ARR=[200_000, 200_000, 5_000, 5_000, 5_000], Employees=[5_000, 50, 5_000, 50, None])
    result = run(raw, Settings(policy="segment"))
    assert list(result.segments) == ["Enterprise", "Major", "Large Opportunity", "SMB", "Unknown"]
    assert list(result.tiers.tier) == [H, H, M, T, NEEDS_DATA]
    assert result.tiers.reason[1] == "Segment Major -> High-touch"
    assert result.tiers.reason[4] == "Needs data: no segment (Employees is missing)"


def test_an_attribute_segment_missing_from_the_map_needs_data():
    raw = accounts(ARR=[1, 2, 3], Industry=["Retail", "retail ", "Mining"])
    settings = Settings(policy="segment", segment_by="Industry", segment_tiers={"Retail": M})
    result = run(raw, settings)
    assert list(result.tiers.tier) == [M, M, NEEDS_DATA]
    assert result.tiers.reason[2] == "Needs data: segment Mining has no tier in the segment map"


# ------------------------------------------------------------------- score
def test_score_is_the_weighted_mean_of_min_max_scaled_criteria():
    # ARR scales to 0, .5, 1; NPS to 1, 0, .5: scores .5, .25, .75 with equal weights.
    raw = accounts(ARR=[100, 200, 300], NPS=[50, -50, 0])
    settings = Settings(policy="score", score_criteria=(("ARR", 1), ("NPS", 1)), score_cutoffs=(0.7, 0.5))
    result = run(raw, settings)
    assert list(result.tiers.tier) == [M, T, H]
    assert result.tiers.reason[0] == "Score 0.50 (at least 0.50) -> Mid-touch"


def test_an_account_missing_a_score_criterion_needs_data():
    raw = accounts(ARR=[100, 200, 300], NPS=[50, None, 0])
    settings = Settings(policy="score", score_criteria=(("ARR", 1), ("NPS", 1)), score_cutoffs=(0.7, 0.5))
    result = run(raw, settings)
    assert result.tiers.tier[1] == NEEDS_DATA
    assert result.tiers.reason[1] == "Needs data: no score (NPS missing)"


def test_zero_or_negative_arr_needs_data_under_an_arr_criterion_and_sets_no_scale():
    # Without the -1,000,000 and the 0, ARR scales over 100..300: the 300 scores 1 and the 100 scores 0.
    raw = accounts(ARR=[-1_000_000, 0, 100, 200, 300], NPS=[10, 10, 10, 10, 10])
    settings = Settings(policy="score", score_criteria=(("ARR", 1), ("NPS", 1)), score_cutoffs=(0.45, 0.2))
    result = run(raw, settings)
    assert list(result.tiers.tier) == [NEEDS_DATA, NEEDS_DATA, T, M, H]
    assert result.tiers.reason[0] == "Needs data: no score (ARR not above 0)"
    assert result.tiers.reason[2] == "Score 0.00 (at least 0.00) -> Tech-touch"


# ------------------------------------------------------------------- rules
def test_rules_first_match_wins_with_a_default_tier():
    rules = (Rule("ARR", ">=", 100_000, H), Rule("Region", "in", "EMEA, APAC", M), Rule("Industry", "contains", "bank", M))
    raw = accounts(ARR=[150_000, 5_000, 5_000, 5_000], Region=["NA", "emea", "NA", "LATAM"],
                   Industry=["Retail", "Retail", "Investment Banking", "Retail"])
    result = run(raw, Settings(policy="rules", rules=rules, default_tier=T))
    assert list(result.tiers.tier) == [H, M, M, T]
    assert list(result.tiers.reason) == [
        "Rule 1: ARR >= 100,000 -> High-touch",
        "Rule 2: Region in EMEA, APAC -> Mid-touch",
        "Rule 3: Industry contains bank -> Mid-touch",
        "No rule matched -> default Tech-touch",
    ]


@pytest.mark.parametrize(
    "op, value, expected",
    [("=", 20, [False, True, False]), ("<>", 20, [True, False, True]), ("<", 20, [True, False, False]),
     ("<=", 20, [True, True, False]), (">", 20, [False, False, True]), (">=", 20, [False, True, True])],
)
def test_each_comparison_operator(op, value, expected):
    raw = accounts(ARR=[10, 20, 30])
    result = run(raw, Settings(policy="rules", rules=(Rule("ARR", op, value, H),), default_tier=T))
    assert [t == H for t in result.tiers.tier] == expected


def test_a_rule_on_a_blank_value_stops_with_needs_data_and_is_blank_matches_it():
    rules = (Rule("CSM", "is blank", None, T), Rule("Employees", ">", 1000, H))
    raw = accounts(ARR=[1, 2, 3], CSM=[None, "Ann", "Ann"], Employees=[5, None, 5000])
    result = run(raw, Settings(policy="rules", rules=rules, default_tier=M))
    assert list(result.tiers.tier) == [T, NEEDS_DATA, H]
    assert result.tiers.reason[1] == "Needs data: rule 2 (Employees > 1,000) needs Employees, which is blank"


def test_a_rule_on_an_unknown_column_sends_the_accounts_it_reaches_to_needs_data():
    rules = (Rule("ARR", ">=", 2, H), Rule("Tenure", ">", 3, M))
    result = run(arr_book(1, 2), Settings(policy="rules", rules=rules))
    assert list(result.tiers.tier) == [NEEDS_DATA, H]
    assert result.tiers.reason[0] == ("Needs data: rule 2 (Tenure > 3) cannot be evaluated: "
                                      "column 'Tenure' is not an account column")


def test_rules_can_test_the_segment_and_user_columns():
    rules = (Rule("Segment", "=", "large opportunity", H), Rule("Partner", "=", "yes", M))
    raw = accounts(ARR=[5_000, 5_000, 5_000], Employees=[9_000, 10, 10], Partner=["no", "Yes", "no"])
    assert tiers_of(raw, policy="rules", rules=rules, default_tier=T) == [H, M, T]


# --------------------------------------------------------------- overrides
def test_an_override_with_a_reason_wins_and_keeps_its_reason():
    raw = accounts(ARR=[1_000, 900, None], Tier_Override=[None, "high-touch", "Mid-touch"],
                   Override_Reason=[None, "strategic logo", "board sponsor"])
    result = run(raw, Settings(account_bands=(0.5, 0.25)))
    assert list(result.tiers.tier) == [H, H, M]
    assert result.tiers.reason[1] == "Override -> High-touch: strategic logo"
    assert result.tiers.reason[2] == "Override -> Mid-touch: board sponsor"


def test_an_override_without_a_reason_is_not_applied_and_says_so():
    raw = accounts(ARR=[1_000, 900], Tier_Override=[None, "High-touch"])
    result = run(raw, Settings(account_bands=(0.5, 0.25)))
    assert result.tiers.tier[1] == M  # 1 of 2 larger: 0.5 is not below 0.5, but below 0.75
    assert result.tiers.reason[1].endswith("(override 'High-touch' not applied: has no Override Reason)")


def test_renamed_tiers_carry_the_segment_map_and_rules_along():
    settings = Settings().with_tiers(["Gold", "Silver", "Bronze"])
    assert settings.segment_tiers["SMB"] == "Bronze"
    assert settings.default_tier == "Bronze"
    assert [r.tier for r in settings.rules] == ["Gold", "Gold", "Silver", "Silver"]


def test_a_rule_value_that_reads_two_ways_is_refused_until_the_decimal_mark_is_set():
    rules = (Rule("ARR", ">=", "250,000", H),)
    raw = accounts(ARR=[300_000, 5_000])
    with pytest.raises(SettingsError, match=r"rule 1 \(ARR >= 250,000\): '250,000' reads as 250000 or as 250") as err:
        run(raw, Settings(policy="rules", rules=rules))
    assert (err.value.field, err.value.key) == ("rules", 1)
    assert tiers_of(raw, policy="rules", rules=rules, decimal_mark="point") == [H, T]


def test_conditions_of_a_rule_must_all_hold():
    rules = (Rule("ARR", ">=", 50_000, H, also=(Condition("Industry", "=", "healthcare"),)),)
    raw = accounts(ARR=[60_000, 60_000, 10_000], Industry=["Healthcare", "Retail", "Healthcare"])
    assert tiers_of(raw, policy="rules", rules=rules, default_tier=T) == [H, T, T]


def test_several_rules_to_one_tier_are_alternatives():
    rules = (parse_rule("ARR >= 50000 and Industry = Healthcare -> High-touch"),
             parse_rule("Region = EMEA -> High-touch"))
    raw = accounts(ARR=[60_000, 1_000, 1_000], Industry=["Healthcare", "Retail", "Retail"],
                   Region=["APAC", "EMEA", "APAC"])
    assert tiers_of(raw, policy="rules", rules=rules, default_tier=T) == [H, H, T]


def test_a_blank_stops_a_combined_rule_only_when_no_other_condition_is_false():
    rule = parse_rule("Industry = Healthcare and ARR >= 50000 -> High-touch")
    raw = accounts(ARR=[10_000, 60_000], Industry=[None, None])
    result = run(raw, Settings(policy="rules", rules=(rule,), default_tier=T))
    assert list(result.tiers.tier) == [T, NEEDS_DATA]  # the first fails on ARR whatever its industry
    assert result.tiers.reason[1] == ("Needs data: rule 1 (Industry = Healthcare and ARR >= 50000) needs Industry, "
                                      "which is blank")


def test_a_huge_raw_value_is_quoted_shortened_in_every_reason():
    raw = accounts(ARR=["x" * 50_000, 5], Tier_Override=["Platinum" * 10_000, None],
                   Override_Reason=["why " * 10_000, None])
    reasons = reasons_of(raw)
    assert max(len(r) for r in reasons) < 400
    assert reasons[0].startswith("Needs data: ARR '" + "x" * 40 + "\u2026' is not a number")


def test_shares_of_arr_near_the_plausible_ceiling_are_computed_exactly():
    codes, position, n, total = arr_band_codes(np.array([1e15] * 100 + [5e14] * 100), (0.5, 0.35), "share")
    assert list(np.unique(codes[:100])) == [0] and list(np.unique(codes[100:])) == [1]
    assert position[100] == pytest.approx(2 / 3) and total == 1.5e17
