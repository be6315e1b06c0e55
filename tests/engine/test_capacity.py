from dataclasses import replace

import pytest

from tests.conftest import arr_book
from tests.engine.test_services import QBR, WEBINAR, catalog, matrix
from tierbook.engine import Rule, Settings, run
from tierbook.errors import SettingsError
from tierbook.columns import CapacityCol as C, CoverageCol as V


RULES = Settings(policy="rules", rules=(Rule("ARR", ">=", 50_000, "High-touch"),), default_tier="Tech-touch")


def plan_for(n_high: int, n_tech: int, settings: Settings | None = None, cat=None):
    raw = arr_book(*([90_000] * n_high + [1_000] * n_tech))
    settings = settings or RULES
    mat = matrix({"QBR": (4, 2, 0), "Webinar": (0, 0, 12)})
    return run(raw, settings, cat if cat is not None else catalog(QBR, WEBINAR), mat)


def test_fte_is_hours_times_interval_times_accounts_over_productive_hours():
    result = plan_for(10, 30)
    plan = result.capacity.set_index([C.TIER, C.ROLE])
    qbr = plan.loc[("High-touch", "CSM")]
    assert qbr[C.HOURS] == 3 * 4 * 10
    assert qbr[C.FTE] == pytest.approx(120 / 1_560)
    assert qbr[C.LOADED_COST] == pytest.approx(120 / 1_560 * 130_000)


def test_a_pooled_programme_takes_its_hours_once_per_tier():
    plan = plan_for(10, 30).capacity.set_index([C.TIER, C.ROLE])
    assert plan.loc[("Tech-touch", "CSM"), C.HOURS] == 8 * 12


def test_the_gap_is_fte_needed_less_headcount_per_role():
    settings = replace(RULES, headcount={"CSM": 0.1})
    roles = plan_for(10, 30, settings).roles.set_index(C.ROLE)
    assert roles.loc["CSM", C.FTE] == pytest.approx((120 + 96) / 1_560)
    assert roles.loc["CSM", C.GAP] == pytest.approx((120 + 96) / 1_560 - 0.1)


def test_accounts_per_csm_are_checked_against_the_tiers_range():
    coverage = plan_for(10, 30).coverage.set_index(V.TIER)
    assert coverage.loc["High-touch", V.ACCOUNTS_PER_CSM] == pytest.approx(10 / (120 / 1_560))
    assert coverage.loc["High-touch", V.STATUS] == "above range: CSMs are stretched"
    assert coverage.loc["High-touch", V.ARR_PER_CSM] == pytest.approx(900_000 / (120 / 1_560))


def test_a_role_without_productive_hours_is_named():
    cat = catalog(QBR, WEBINAR)
    cat.loc[0, "Owner Role"] = "Solutions Architect"
    with pytest.raises(SettingsError, match="owner role 'Solutions Architect' of 'QBR' has no productive hours"):
        plan_for(2, 2, cat=cat)


def test_csm_books_count_each_named_csms_accounts_and_arr():
    raw = arr_book(100, 200, 300)
    raw["CSM"] = ["Ann", "Bo", "Ann"]
    books = run(raw).csm_books().set_index("CSM")
    assert books.loc["Ann", "Accounts"] == 2 and books.loc["Ann", "ARR"] == 400


def test_the_team_need_is_the_fte_of_every_role_and_the_gap_against_headcount():
    from tierbook.engine.capacity import team_need
    from tierbook.sample import sample_accounts

    roles = run(sample_accounts(300, seed=4), Settings()).roles
    fte, gap = team_need(roles)
    assert fte > 0 and fte == pytest.approx(sum(roles[C.FTE]))
    assert gap == pytest.approx(fte - sum(roles[C.HEADCOUNT]))


def test_the_csm_book_table_ends_with_a_total_equal_to_the_accounts_sums():
    raw = arr_book(100.10, 200.20, 300.30, 0)
    raw["CSM"] = ["Ann", "Bo", "Ann", None]
    table = run(raw).csm_book_table().set_index("CSM")
    assert list(table.index) == ["Ann", "Bo", "(unassigned)", "Total"]
    assert table.loc["Ann", "Accounts"] == 2 and round(table.loc["Ann", "ARR"], 2) == 400.40
    assert table.loc["Total", "Accounts"] == 4 and round(table.loc["Total", "ARR"], 2) == 600.60
    assert table.loc["Ann", "Share of ARR"] == pytest.approx(400.40 / 600.60)
    assert table.loc["(unassigned)", "Accounts by Tier"] == "Needs data 1"
