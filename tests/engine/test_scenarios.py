"""Scenarios: changed inputs run by the one engine, laid side by side with the current run."""

import pandas as pd
import pytest

from tierbook.columns import Col, ServiceCol, SummaryCol
from tierbook.engine import Settings, run
from tierbook.engine.scenarios import (INTERVAL, TIER_NAME, UNIT_COST, Edit, Inputs, Scenario, compare,
                                       scenario_inputs)
from tierbook.engine.services import default_catalog, default_matrix
from tierbook.errors import SettingsError
from tests.conftest import arr_book

QBR = "Quarterly Business Review"


def base() -> Inputs:
    settings = Settings()
    return Inputs(settings, default_catalog(settings), default_matrix(settings.tier_names))


def ten_accounts() -> pd.DataFrame:
    return arr_book(*(float(a) for a in range(100_000, 0, -10_000)))


def scenario(name: str, *changes: Edit) -> Scenario:
    return Scenario(name, changes)


def test_a_wider_top_band_moves_the_next_largest_accounts_up_by_name():
    # Today 2 High-touch (15 % of 10, rounded up), 4 Mid-touch: a 30 % band takes A3, and Mid-touch's band
    # (40 % of accounts) then reaches one account further down.
    wider = scenario("Wider", Edit("account_bands", "High-touch", 0.3))
    result = compare(ten_accounts(), base(), [wider])
    assert result.names == ("Current", "Wider")
    assert result.moves.iloc[0].to_dict() == {"Scenario": "Wider", "up": 2, "down": 0, "into Needs data": 0,
                                               "out of Needs data": 0}
    movers = result.movers["Wider"]
    assert movers[[Col.ACCOUNT_ID, Col.ARR, "From", "To"]].values.tolist() == [
        ["A3", 80_000, "Mid-touch", "High-touch"], ["A7", 40_000, "Tech-touch", "Mid-touch"]]
    high = result.tiers[(result.tiers["Scenario"] == "Wider") & (result.tiers[SummaryCol.TIER] == "High-touch")]
    assert int(high[SummaryCol.ACCOUNTS].iloc[0]) == 3


def test_the_largest_movers_come_first():
    flip = scenario("Shares", Edit("policy", None, "arr-share"))
    movers = compare(ten_accounts(), base(), [flip]).movers["Shares"]
    assert list(movers[Col.ARR]) == sorted(movers[Col.ARR], reverse=True) and len(movers) > 0


def test_a_unit_cost_change_moves_no_account_and_prices_every_qbr_anew():
    inputs = base()
    old = float(inputs.catalog.set_index(ServiceCol.SERVICE).at[QBR, ServiceCol.UNIT_COST])
    result = compare(ten_accounts(), inputs, [scenario("Dearer QBR", Edit(UNIT_COST, QBR, old + 100))])
    assert result.movers["Dearer QBR"].empty
    now, then = (r.summary.set_index(SummaryCol.TIER) for r in result.runs)
    times = inputs.matrix.loc[QBR, "High-touch"]
    accounts = now.at["High-touch", SummaryCol.ACCOUNTS]
    assert then.at["High-touch", SummaryCol.ANNUAL_COST] - now.at["High-touch", SummaryCol.ANNUAL_COST] == \
        pytest.approx(100 * times * accounts, abs=0.005)


def test_an_interval_change_is_the_run_of_the_changed_matrix():
    inputs = base()
    changed = scenario_inputs(inputs, scenario("x", Edit(INTERVAL, ("quarterly business review", "high-touch"), 8)))
    assert changed.matrix.loc[QBR, "High-touch"] == 8
    assert inputs.matrix.loc[QBR, "High-touch"] != 8  # the current inputs stay as they were
    got = compare(ten_accounts(), inputs, [scenario("x", Edit(INTERVAL, (QBR, "High-touch"), 8))]).runs[1]
    want = run(ten_accounts(), changed.settings, changed.catalog, changed.matrix)
    pd.testing.assert_frame_equal(got.summary, want.summary)


def test_a_comparison_that_lets_the_scenario_runs_go_keeps_each_ones_figures():
    inputs = base()
    edit = scenario("x", Edit(INTERVAL, (QBR, "High-touch"), 8))
    light = compare(ten_accounts(), inputs, [edit], keep_runs=False)
    whole = compare(ten_accounts(), inputs, [edit])
    assert len(light.runs) == 1 and len(light.figures) == len(whole.runs) == 2
    for figures, result in zip(light.figures, whole.runs):
        pd.testing.assert_frame_equal(figures.summary, result.summary)
        pd.testing.assert_frame_equal(figures.roles, result.roles)
        assert figures.budget == result.budget and figures.settings == result.settings


def test_renaming_a_tier_keeps_every_account_and_figure_in_place():
    result = compare(ten_accounts(), base(), [scenario("Named", Edit(TIER_NAME, "High-touch", "Premium"))])
    current, renamed = result.runs
    assert renamed.settings.tier_names == ("Premium", "Mid-touch", "Tech-touch")
    assert result.movers["Named"].empty
    cols = [c for c in current.summary.columns if c != SummaryCol.TIER]
    pd.testing.assert_frame_equal(current.summary[cols], renamed.summary[cols])


def test_headcount_of_a_role_changes_its_gap_only():
    result = compare(ten_accounts(), base(), [scenario("Hire", Edit("headcount", "csm", 50))])
    roles = result.roles.set_index(["Scenario", "Role"])
    assert roles.at[("Hire", "CSM"), "Gap (FTE)"] == pytest.approx(roles.at[("Current", "CSM"), "Gap (FTE)"] - 10)
    assert roles.at[("Hire", "CSM"), "FTE"] == roles.at[("Current", "CSM"), "FTE"]


@pytest.mark.parametrize("change, named", [
    (Edit(UNIT_COST, "Séance", 5, "unit_cost:Séance=5"), "'Séance' is not a service"),
    (Edit(INTERVAL, (QBR, "Gold"), 5, "interval:QBR:Gold=5"), "'Gold' is not a tier"),
    (Edit("account_bands", "Tech-touch", 0.1, "account_bands:Tech-touch=10%"), "takes the rest"),
    (Edit("headcount", "Wizard", 1, "headcount:Wizard=1"), "'Wizard' is not a role"),
    (Edit("account_bands", "High-touch", 0.9, "account_bands:High-touch=90%"), "add up to"),
])
def test_a_change_the_settings_cannot_take_is_refused_naming_it(change, named):
    with pytest.raises(SettingsError, match=named):
        compare(ten_accounts(), base(), [scenario("Bad", change)])


def test_two_scenarios_may_not_share_a_name():
    same = Edit("margin_pct", None, 0.4)
    with pytest.raises(SettingsError, match="used twice"):
        compare(ten_accounts(), base(), [scenario("A", same), scenario("a", same)])
