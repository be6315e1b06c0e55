"""Custom functions called the way Excel calls them: through xlwings' own engine."""

import asyncio

import pytest
import xlwings as xw
import xlwings.server

from tierbook.excel import functions as module
from tierbook.cellfunctions import default_catalog_grid
from tierbook.engine.services import default_matrix
from tierbook.engine import Settings, run
from tests.conftest import arr_book


def call(name: str, *args: object) -> list[list[object]]:
    """Call a custom function as xlwings Lite does: every argument a 2-D block."""
    data = {
        "func_name": name,
        "args": [a if isinstance(a, list) else [[a]] for a in args],
        "caller_address": "Sheet1!A1",
        "version": xw.__version__,
        "client": "Office.js",
        "runtime": "1.4",
        "culture_info_name": "en-US",
        "date_format": "M/d/yyyy",
    }
    return asyncio.run(xlwings.server.custom_functions_call(data, module))


def test_every_function_and_argument_is_documented_for_the_function_dialog():
    meta = xlwings.server.custom_functions_meta(module)["functions"]
    names = [f["name"] for f in meta]
    assert sorted(names) == ["TB_ANNUAL_COST", "TB_ASSESSED_VALUE", "TB_COST_TO_SERVE", "TB_SEGMENT", "TB_TIERS"]
    assert len(set(names)) == len(names)
    for function in meta:
        assert function["description"], function["name"]
        for parameter in function["parameters"]:
            assert parameter.get("description"), (function["name"], parameter["name"])


def test_tb_segment_places_an_account_on_the_two_axes():
    assert call("tb_segment", 5_000, 20_000) == [["Large Opportunity"]]
    assert call("tb_segment", 120, 250_000, None, None, None) == [["Major"]]
    assert call("tb_segment", "", 250_000) == [["Unknown"]]


def test_tb_tiers_spills_one_tier_per_row_and_matches_the_engine():
    arr = [100, 90, 80, 80, 80, 70, 60, 50, 40, 30]
    spilled = call("tb_tiers", [[a] for a in arr], "arr-accounts", "0.2,0.3")
    engine = run(arr_book(*arr), Settings(account_bands=(0.2, 0.3)))
    assert [row[0] for row in spilled] == list(engine.tiers.tier)
    assert spilled[2] == spilled[3] == spilled[4] == ["Mid-touch"]


def test_tb_tiers_takes_arr_share_and_tier_names():
    spilled = call("tb_tiers", [[40], [30], [20], [10], [""]], "arr-share", None, "Gold,Silver,Bronze")
    assert spilled == [["Gold"], ["Gold"], ["Silver"], ["Bronze"], ["Needs data"]]


def test_tb_annual_cost_and_assessed_value_to_the_cent():
    assert call("tb_annual_cost", 250.5, 4) == [[1002.0]]
    assert round(call("tb_assessed_value", 1002, 0.3, "markup")[0][0], 2) == 1302.60
    assert round(call("tb_assessed_value", 1002, 0.3, "gross-margin")[0][0], 2) == 1431.43


def test_tb_cost_to_serve_adds_per_account_services_and_a_share_of_pooled_ones():
    catalog = [["Service", "Unit Cost", "Hours per Occurrence", "Allocation", "Owner Role"],
               ["QBR", 250.5, 3, "per account", "CSM"],
               ["Webinar", 1000, 8, "pooled", "Digital CS"]]
    matrix = [["Service", "High-touch", "Mid-touch", "Tech-touch"], ["QBR", 4, 2, 0], ["Webinar", 0, 0, 12]]
    assert call("tb_cost_to_serve", "Tech-touch", catalog, matrix, 2) == [[6000.0]]
    assert call("tb_cost_to_serve", "high-touch", catalog, matrix, 10) == [[1002.0]]
    assert round(call("tb_cost_to_serve", "Mid-touch", catalog, matrix, 1, 0.3)[0][0], 2) == 651.30


def test_tb_cost_to_serve_on_the_default_catalog_equals_the_engine():
    matrix = default_matrix(("High-touch", "Mid-touch", "Tech-touch")).reset_index()
    grid = [list(matrix.columns)] + matrix.to_numpy().tolist()
    result = run(arr_book(*range(100, 0, -1)))
    tech = result.summary.set_index("Tier").loc["Tech-touch"]
    per_account = call("tb_cost_to_serve", "Tech-touch", default_catalog_grid(), grid, int(tech["Accounts"]))
    assert per_account[0][0] == pytest.approx(tech["Annual Cost"] / tech["Accounts"])


@pytest.mark.parametrize(
    "name, args, message",
    [
        ("tb_segment", (10, "lots"), "Tierbook: arr is 'lots'; expected a number"),
        ("tb_tiers", ([[1], [2]], "magic"), "Tierbook: policy is 'magic'; expected arr-accounts or arr-share"),
        ("tb_tiers", ([[1], [2]], "arr-accounts", "0.9,0.5"), "Tierbook: account_bands: the shares add up to 1.4, more than 1"),
        ("tb_annual_cost", (-5, 2), "Tierbook: unit_cost and interval must be 0 or more"),
        ("tb_assessed_value", (100, 0.3, "margin"), "Tierbook: method is 'margin'; expected markup or gross-margin"),
        ("tb_assessed_value", (100, 1.2, "gross-margin"), "Tierbook: margin_pct: a gross margin must be below 1 (100 %), got 1.2"),
    ],
)
def test_a_bad_argument_shows_a_readable_message_in_the_cell(name, args, message):
    assert call(name, *args) == [[message]]
