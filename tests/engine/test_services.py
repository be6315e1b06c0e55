import numpy as np
import pandas as pd
import pytest

from tests.conftest import accounts, arr_book
from tierbook.engine import Settings, run
from tierbook.engine.services import default_catalog, default_matrix
from tierbook.errors import SettingsError
from tierbook.columns import ServiceCol as S, SummaryCol as Sum

TIERS = ("High-touch", "Mid-touch", "Tech-touch")


def catalog(*rows) -> pd.DataFrame:
    return pd.DataFrame(
        [{S.SERVICE: r[0], S.UNIT_COST: r[1], S.HOURS: r[2], S.ALLOCATION: r[3], S.OWNER_ROLE: "CSM",
          S.MARGIN_OVERRIDE: r[4] if len(r) > 4 else None} for r in rows]
    )


def matrix(intervals: dict[str, tuple[float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(intervals, index=list(TIERS)).T


QBR = ("QBR", 250.50, 3, "per account")
WEBINAR = ("Webinar", 1_000.00, 8, "pooled")


def tiny_run(settings: Settings, raw: pd.DataFrame | None = None, cat=None, mat=None):
    raw = arr_book(40_000, 30_000, 20_000, 10_000) if raw is None else raw
    cat = catalog(QBR, WEBINAR) if cat is None else cat
    mat = matrix({"QBR": (4, 2, 0), "Webinar": (0, 0, 12)}) if mat is None else mat
    return run(raw, settings, cat, mat)


def test_annual_cost_is_unit_cost_times_interval_to_the_cent():
    prices = tiny_run(Settings()).prices.set_index(["Service", "Tier"])
    assert prices.loc[("QBR", "High-touch"), "Annual Cost"] == pytest.approx(1_002.00)
    assert prices.loc[("QBR", "Mid-touch"), "Annual Cost"] == pytest.approx(501.00)
    assert prices.loc[("Webinar", "Tech-touch"), "Annual Cost"] == pytest.approx(12_000.00)


def test_assessed_value_under_markup_is_cost_times_one_plus_margin():
    prices = tiny_run(Settings(margin_pct=0.30, margin_method="markup")).prices.set_index(["Service", "Tier"])
    assert round(prices.loc[("QBR", "High-touch"), "Assessed Value"], 2) == 1_302.60


def test_assessed_value_under_gross_margin_is_cost_over_one_minus_margin():
    prices = tiny_run(Settings(margin_pct=0.30, margin_method="gross-margin")).prices.set_index(["Service", "Tier"])
    assert round(prices.loc[("QBR", "High-touch"), "Assessed Value"], 2) == 1_431.43


def test_a_service_margin_override_beats_the_default_margin():
    cat = catalog(QBR + (0.5,), WEBINAR)
    prices = tiny_run(Settings(margin_pct=0.30), cat=cat).prices.set_index(["Service", "Tier"])
    assert round(prices.loc[("QBR", "High-touch"), "Assessed Value"], 2) == 1_503.00
    assert round(prices.loc[("Webinar", "Tech-touch"), "Assessed Value"], 2) == 15_600.00


def test_pooled_programmes_are_spread_equally_over_the_tiers_accounts():
    # bands put 40k in High, 30k in Mid, 20k and 10k in Tech: the webinar's 12,000 splits in two.
    result = tiny_run(Settings(account_bands=(0.25, 0.25)))
    assert list(result.tiers.tier) == list(TIERS[:2]) + ["Tech-touch"] * 2
    assert list(np.round(result.cost_to_serve, 2)) == [1_002.00, 501.00, 6_000.00, 6_000.00]
    assert list(np.round(result.cts_pct_arr, 6)) == [0.02505, 0.0167, 0.3, 0.6]


def test_pooled_programmes_can_be_spread_by_arr():
    result = tiny_run(Settings(account_bands=(0.25, 0.25), pooled_split="arr"))
    assert list(np.round(result.cost_to_serve[2:], 2)) == [8_000.00, 4_000.00]


def test_the_summary_adds_up_per_tier_with_needs_data_and_total_rows():
    raw = arr_book(40_000, 30_000, 20_000, 10_000, None)
    summary = tiny_run(Settings(account_bands=(0.25, 0.25)), raw=raw).summary.set_index(Sum.TIER)
    assert list(summary.index) == [*TIERS, "Needs data", "Total"]
    assert list(summary[Sum.ACCOUNTS]) == [1, 1, 2, 1, 5]
    assert list(summary[Sum.ARR]) == [40_000, 30_000, 30_000, 0, 100_000]
    assert list(summary[Sum.ANNUAL_COST].round(2)) == [1_002.00, 501.00, 12_000.00, 0.00, 13_503.00]
    assert round(summary.loc["Total", Sum.ASSESSED_VALUE], 2) == round(13_503 * 1.3, 2)
    assert round(summary.loc["Total", Sum.MARGIN], 2) == round(13_503 * 0.3, 2)
    assert summary.loc["Mid-touch", Sum.ARR_SHARE] == pytest.approx(0.30)
    assert summary.loc["Tech-touch", Sum.ACCOUNT_SHARE] == pytest.approx(0.40)
    assert summary.loc["Tech-touch", Sum.CTS_PCT_ARR] == pytest.approx(0.40)


def test_the_budget_check_says_what_is_left():
    result = tiny_run(Settings(account_bands=(0.25, 0.25), cs_budget=10_000))
    assert result.budget["annual_cost"] == pytest.approx(13_503.00)
    assert result.budget["remaining"] == pytest.approx(-3_503.00)


def test_the_budget_check_names_the_needs_data_accounts_it_leaves_out():
    result = tiny_run(Settings(), raw=arr_book(40_000, None, 30_000, "n/a"))
    needs = result.summary.set_index("Tier").loc["Needs data"]
    assert (result.budget["unpriced_accounts"], result.budget["unpriced_arr"]) == (2, needs["ARR"])
    assert result.budget["status"] == "within budget; unpriced accounts left out: 2"
    priced = tiny_run(Settings(), raw=arr_book(40_000, 30_000))
    assert priced.budget["status"] == "within budget" and priced.budget["unpriced_accounts"] == 0


def test_needs_data_accounts_have_no_cost_to_serve():
    result = tiny_run(Settings(), raw=arr_book(40_000, None))
    assert np.isnan(result.cost_to_serve[1]) and np.isnan(result.cts_pct_arr[1])


def test_a_bad_unit_cost_names_the_service_and_the_value():
    with pytest.raises(SettingsError, match=r"Unit Cost of 'QBR' is 'lots'; expected a number of 0 or more"):
        tiny_run(Settings(), cat=catalog(("QBR", "lots", 3, "per account"), WEBINAR))


def test_a_service_margin_above_100_percent_is_refused_like_the_default_margin():
    with pytest.raises(SettingsError, match=r"Margin Override of 'QBR' is 3; expected a share from 0 \(0 %\) to 1"):
        tiny_run(Settings(), cat=catalog(("QBR", 100, 3, "per account", 3), WEBINAR))


def test_a_bad_interval_names_the_service_and_the_tier():
    mat = matrix({"QBR": (4, -2, 0), "Webinar": (0, 0, 12)})
    with pytest.raises(SettingsError, match=r"interval of 'QBR' for 'Mid-touch' is -2"):
        tiny_run(Settings(), mat=mat)


def test_a_matrix_without_a_tier_column_is_an_error():
    mat = matrix({"QBR": (4, 2, 0), "Webinar": (0, 0, 12)}).drop(columns="Mid-touch")
    with pytest.raises(SettingsError, match="no column for tier 'Mid-touch'"):
        tiny_run(Settings(), mat=mat)


def test_the_default_catalog_holds_the_fifteen_services_and_the_long_tail():
    cat = default_catalog()
    assert len(cat) == 21
    assert {"Executive Sponsorship", "Quarterly Business Review", "Program Management", "Knowledge Base",
            "Webinars", "Digital Onboarding", "Community"} <= set(cat[S.SERVICE])
    assert set(cat[S.DELIVERY]) == {"human", "automated", "leadership"}
    qbr = cat.set_index(S.SERVICE).loc["Quarterly Business Review"]
    assert qbr[S.UNIT_COST] == pytest.approx(round(3 * 130_000 / 1_560, 2))


def test_the_default_matrix_gives_the_first_tier_most_and_the_last_the_long_tail():
    mat = default_matrix(TIERS)
    assert mat.loc["Assigned CSM", "High-touch"] == 12 and mat.loc["Assigned CSM", "Tech-touch"] == 0
    assert mat.loc["Knowledge Base", "Tech-touch"] > 0 and mat.loc["Knowledge Base", "High-touch"] == 0


def test_a_matrix_service_the_catalog_lacks_is_reported_not_fatal_and_costs_nothing():
    # "QBR" was renamed "Business Review" in the catalog: the matrix still says "QBR".
    renamed = catalog(("Business Review", 250.50, 3, "per account"), WEBINAR)
    result = tiny_run(Settings(), cat=renamed)
    problems = result.problems[result.problems["Column"] == S.SERVICE].set_index("Problem")
    assert problems.loc["Matrix service not in the catalog", "Value"] == "QBR"
    assert problems.loc["Matrix service not in the catalog", "Severity"] == "error"
    assert problems.loc["catalog service not in the Matrix", "Value"] == "Business Review"
    summary = result.summary.set_index(Sum.TIER)
    assert summary.at["Total", Sum.ANNUAL_COST] == pytest.approx(12_000.00)  # the webinars alone


def test_service_names_match_between_catalog_and_matrix_whatever_their_case():
    result = tiny_run(Settings(), mat=matrix({"qbr": (4, 2, 0), "WEBINAR ": (0, 0, 12)}))
    assert not (result.problems["Column"] == S.SERVICE).any()
    prices = result.prices.set_index(["Service", "Tier"])
    assert prices.loc[("QBR", "High-touch"), "Annual Cost"] == pytest.approx(1_002.00)


def test_a_tier_without_accounts_runs_no_pooled_programme_and_costs_nothing():
    # Every account is High-touch under rules; the Tech-touch webinars have nobody to serve.
    from tierbook.engine import Rule

    settings = Settings(policy="rules", rules=(Rule("ARR", ">=", 0, "High-touch"),), default_tier="Tech-touch")
    summary = tiny_run(settings).summary.set_index(Sum.TIER)
    assert summary.at["Tech-touch", Sum.ACCOUNTS] == 0
    assert summary.at["Tech-touch", Sum.ANNUAL_COST] == 0
    assert summary.at["Tech-touch", Sum.FTE] == 0
    assert summary.at["Total", Sum.ANNUAL_COST] == pytest.approx(4 * 1_002.00)


def test_a_gross_margin_of_100_percent_names_the_service_and_its_margin():
    cat = catalog(("QBR", 250.50, 3, "per account", 1.0), WEBINAR)
    with pytest.raises(SettingsError) as err:
        tiny_run(Settings(margin_method="gross-margin"), cat=cat)
    assert "'QBR'" in str(err.value) and "100 %" in str(err.value)
    assert err.value.key == (0, S.MARGIN_OVERRIDE)


def test_a_blank_unit_cost_is_the_hours_times_the_owner_roles_loaded_hourly_rate():
    cat = catalog(("QBR", None, 3, "per account"), WEBINAR)
    prices = tiny_run(Settings(), cat=cat).prices.set_index(["Service", "Tier"])
    assert prices.loc[("QBR", "High-touch"), "Unit Cost"] == 3 * (130_000 / 1_560)
    assert prices.loc[("QBR", "High-touch"), "Annual Cost"] == pytest.approx(4 * 3 * 130_000 / 1_560)


def test_a_blank_unit_cost_whose_role_has_no_rate_names_the_service_and_the_roles():
    cat = catalog(("QBR", None, 3, "per account"), WEBINAR)
    cat.loc[0, S.OWNER_ROLE] = "Sales Engineer"
    with pytest.raises(SettingsError) as err:
        tiny_run(Settings(), cat=cat)
    assert "'QBR'" in str(err.value) and "'Sales Engineer'" in str(err.value) and "CSM" in str(err.value)
    assert err.value.key == (0, S.UNIT_COST)


def test_a_budget_spent_to_the_cent_is_within_budget_and_a_cent_more_is_over():
    exact = tiny_run(Settings(account_bands=(0.25, 0.25), cs_budget=13_503.00))
    assert exact.budget["remaining"] == pytest.approx(0.0)
    assert exact.budget["verdict"] == "within budget" and exact.budget["status"] == "within budget"
    over = tiny_run(Settings(account_bands=(0.25, 0.25), cs_budget=13_502.99))
    assert over.budget["verdict"] == "OVER budget" and over.budget["status"] == "OVER budget"


def test_a_derived_unit_cost_follows_its_roles_new_rate_and_a_typed_one_stays() -> None:
    from dataclasses import replace

    from tierbook.engine.services import hourly_rate, rederived_unit_costs

    before = Settings()
    catalog = default_catalog(before)
    csm = catalog.index[catalog[S.OWNER_ROLE] == "CSM"]
    derived, typed = csm[0], csm[1]
    catalog.loc[typed, S.UNIT_COST] = 99.0
    after = replace(before, productive_hours={**before.productive_hours, "CSM": 1400.0})
    costs = rederived_unit_costs(catalog, before, after)
    assert costs[derived] == catalog.loc[derived, S.HOURS] * hourly_rate(after, "CSM")
    assert costs[derived] != catalog.loc[derived, S.UNIT_COST]
    assert costs[typed] == 99.0
    others = catalog.index[catalog[S.OWNER_ROLE] != "CSM"]
    assert (costs[others] == catalog.loc[others, S.UNIT_COST]).all()
