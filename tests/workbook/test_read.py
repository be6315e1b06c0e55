"""Reading a workbook: bad inputs are named by sheet, row, column and value."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tierbook.columns import Problem
from tierbook.engine.settings import sheet_settings
from tierbook.errors import SettingsError, WorkbookError
from tierbook.engine.rules import Condition, Rule
from tierbook.workbook.layout import RuleCol, Sheet, Tables
from tierbook.workbook.plan import run_book
from tierbook.workbook.cells import ref, split_ref
from tierbook.workbook.package import Package, save_package
from tierbook.workbook.read import read_book
from tierbook.workbook.sheetpatch import patch_rows
from tierbook.workbook.source import FileSource, open_values
from tierbook.workbook.zipio import BIG_PART

from .helpers import set_cells


def read_error(path: Path) -> str:
    with pytest.raises(SettingsError) as err:
        read_book(Package.open(path))
    return str(err.value)


def test_reads_the_settings_catalog_and_matrix(book: Path) -> None:
    data = read_book(Package.open(book))
    assert data.settings.tier_names == ("High-touch", "Mid-touch", "Tech-touch")
    assert len(data.catalog) == 21 and list(data.matrix.columns) == list(data.settings.tier_names)
    assert data.n_accounts == 150 and data.first_row == 2


def test_rule_with_unknown_tier_names_its_row(book: Path) -> None:
    p = Tables.RULES
    set_cells(book, Sheet.RULES, {ref(p.row + 2, p.col + 3): "Gold"})
    message = read_error(book)
    assert f"Tier Rules sheet, table TierRules, row {p.row + 2}" in message and "'Gold'" in message


def test_segment_map_with_unknown_tier_names_its_row(book: Path) -> None:
    p = Tables.SEGMENT_MAP
    set_cells(book, Sheet.SEGMENTS, {ref(p.row + 4, p.col + 1): "Platinum"})
    message = read_error(book)
    assert f"row {p.row + 4}" in message and "'Platinum'" in message and "Segments sheet" in message


def test_negative_interval_names_the_matrix_cell(book: Path) -> None:
    p = Tables.MATRIX
    set_cells(book, Sheet.MATRIX, {ref(p.row + 3, p.col + 1): -2})
    message = read_error(book)
    assert "Matrix sheet" in message and f"row {p.row + 3}" in message and "'High-touch'" in message and "-2" in message


def test_bands_over_one_name_the_tiers_table(book: Path) -> None:
    p = Tables.TIERS
    set_cells(book, Sheet.SETTINGS, {ref(p.row + 1, p.col + 1): 0.8})
    message = read_error(book)
    assert "Tiers" in message and "account_bands" in message and "more than 1" in message


def test_unknown_csm_role_lists_the_roles(book: Path) -> None:
    row = Tables.SETTINGS.row + 1 + 12  # csm_role
    set_cells(book, Sheet.SETTINGS, {f"B{row}": "Account Manager"})
    message = read_error(book)
    assert f"row {row}" in message and "'Account Manager'" in message and "CSM" in message


def test_renamed_table_is_a_clear_error(book: Path) -> None:
    package = Package.open(book)
    package.tables.pop("services")
    with pytest.raises(WorkbookError, match="no Excel table named 'Services'"):
        read_book(package)


def test_not_a_workbook(tmp_path: Path) -> None:
    bad = tmp_path / "x.xlsx"
    bad.write_text("hello")
    with pytest.raises(WorkbookError, match="not an .xlsx workbook"):
        Package.open(bad)


def setting_row(key: str) -> int:
    return Tables.SETTINGS.row + 1 + sheet_settings().index(key)


def put_error(path: Path, sheet: str, address: str, formula: str, error: str) -> None:
    """A formula cell whose cached result is an Excel error, as Excel saves one."""
    package = Package.open(path)
    part = package.sheet_part(sheet)
    xml = package.text(part)
    r, c = split_ref(address)
    cell = f'<c r="{address}" t="e"><f>{formula}</f><v>{error}</v></c>'
    save_package(package, {part: patch_rows(xml, {r: {c: cell}}).encode()}, path, backup=False)


def test_an_excel_error_in_a_setting_is_reported_as_that_error(book: Path) -> None:
    put_error(book, Sheet.SETTINGS, f"B{setting_row('margin_pct')}", "1/0", "#DIV/0!")
    message = read_error(book)
    assert f"row {setting_row('margin_pct')}" in message and "#DIV/0!" in message and "blank" not in message


def test_every_bad_setting_is_reported_at_once_with_its_allowed_range(book: Path) -> None:
    roles = Tables.ROLES
    set_cells(book, Sheet.SETTINGS, {f"B{setting_row('margin_pct')}": 3, f"B{setting_row('employee_threshold')}": 0,
                                     f"B{setting_row('cs_budget')}": -5, ref(roles.row + 1, roles.col + 1): 0})
    with pytest.raises(SettingsError) as err:
        read_book(Package.open(book))
    found = {e.field: e for e in err.value.errors}
    assert set(found) == {"margin_pct", "employee_threshold", "cs_budget", "productive_hours"}
    assert "from 0 (0 %) to 1 (100 %)" in str(found["margin_pct"]) and f"row {setting_row('margin_pct')}" in str(found["margin_pct"])
    assert found["employee_threshold"].expected == "a number above 0" and found["cs_budget"].value == -5
    assert f"row {roles.row + 1}" in str(found["productive_hours"]) and found["productive_hours"].key == "CS Leadership"


def test_a_decimal_comma_typed_in_a_setting_is_a_decimal_comma(book: Path) -> None:
    set_cells(book, Sheet.SETTINGS, {f"B{setting_row('margin_pct')}": "0,3", f"B{setting_row('arr_threshold')}": "75.000,5"})
    settings = read_book(Package.open(book)).settings
    assert (settings.margin_pct, settings.arr_threshold) == (0.3, 75_000.5)


def test_a_number_that_reads_two_ways_in_a_setting_is_refused_until_decimal_mark_says(book: Path) -> None:
    set_cells(book, Sheet.SETTINGS, {f"B{setting_row('arr_threshold')}": "100,000"})
    assert "'100,000' reads as 100000 or as 100" in read_error(book)
    set_cells(book, Sheet.SETTINGS, {f"B{setting_row('decimal_mark')}": "point"})
    assert read_book(Package.open(book)).settings.arr_threshold == 100_000


def test_a_rule_on_a_column_the_accounts_lack_names_its_row(book: Path) -> None:
    p = Tables.RULES
    set_cells(book, Sheet.RULES, {ref(p.row + 2, p.col): "Tenure"})
    set_cells(book, Sheet.SETTINGS, {f"B{setting_row('policy')}": "rules"})
    problems = run_book(read_book(Package.open(book))).problems
    found = problems[problems["Problem"] == Problem.RULE_NO_COLUMN]
    assert list(zip(found["Row"], found["Column"], found["Severity"])) == [(p.row + 2, "Tier Rules", "error")]
    assert found["Detail"].iloc[0].startswith("Tenure = Enterprise: column 'Tenure' is not an account column")


def test_the_and_column_adds_conditions_the_rule_must_also_meet(book: Path) -> None:
    p = Tables.RULES
    column = p.col + RuleCol.ALL.index(RuleCol.AND)
    set_cells(book, Sheet.RULES, {ref(p.row + 3, column): "Industry = Healthcare and Region <> EMEA"})
    rule = read_book(Package.open(book)).settings.rules[2]
    assert rule == Rule("ARR", ">=", 50_000, "Mid-touch",
                        also=(Condition("Industry", "=", "Healthcare"), Condition("Region", "<>", "EMEA")))
    assert rule.row == p.row + 3


def test_a_badly_written_and_cell_names_its_cell(book: Path) -> None:
    p = Tables.RULES
    set_cells(book, Sheet.RULES, {ref(p.row + 3, p.col + RuleCol.ALL.index(RuleCol.AND)): "Industry Healthcare"})
    message = read_error(book)
    assert message.startswith(f"Tier Rules sheet, table TierRules, row {p.row + 3}, column 'And' ('Industry Healthcare')")
    assert "no operator" in message


def test_a_duplicated_service_names_its_sheet_table_and_row(book: Path) -> None:
    p = Tables.SERVICES
    set_cells(book, Sheet.SERVICES, {ref(p.row + 5, p.col): "Quarterly Business Review"})
    message = read_error(book)
    assert message.startswith(f"Services sheet, table Services, row {p.row + 5}, column 'Service'")
    assert "'Quarterly Business Review' is listed twice" in message


def test_an_excel_error_in_an_account_cell_is_reported_not_read_as_blank(book: Path) -> None:
    put_error(book, Sheet.ACCOUNTS, "I6", "1/0", "#DIV/0!")  # NPS of the account in row 6
    problems = run_book(read_book(Package.open(book))).problems
    row = problems[(problems["Row"] == 6) & (problems["Column"] == "NPS")]
    assert list(row["Value"]) == ["#DIV/0!"] and "#DIV/0!" in row["Detail"].iloc[0]


def test_a_number_no_date_can_be_in_the_renewal_date_column_is_reported(book: Path) -> None:
    set_cells(book, Sheet.ACCOUNTS, {"L4": 1.7e308, "L5": -5})  # Renewal Date cells keep their date format
    problems = run_book(read_book(Package.open(book))).problems
    dates = problems[problems["Column"] == "Renewal Date"]
    assert {4, 5} <= set(dates["Row"]) and set(dates[dates["Row"].isin([4, 5])]["Problem"]) == {"not a date"}


def test_a_big_accounts_sheet_parsed_alongside_the_rest_reads_as_the_same_book(big_book: Path) -> None:
    """Above BIG_PART the Accounts sheet is parsed on a thread of its own; what it gives is what a plain read gives."""
    package = Package.open(big_book)
    assert package.data.size(package.sheet_part(Sheet.ACCOUNTS)) > BIG_PART
    prefetched = read_book(package)
    plain = read_book(FileSource(Package.open(big_book), open_values(package)))  # a workbook given: no thread
    assert prefetched.n_accounts == plain.n_accounts == 20_000
    pd.testing.assert_frame_equal(prefetched.accounts, plain.accounts)
    assert list(prefetched.old_tier) == list(plain.old_tier) and prefetched.settings == plain.settings


def test_a_big_sheet_parsed_in_the_background_still_reports_error_cells_and_impossible_dates(big_book: Path) -> None:
    put_error(big_book, Sheet.ACCOUNTS, "I19006", "1/0", "#DIV/0!")
    set_cells(big_book, Sheet.ACCOUNTS, {"L19004": 1.7e308, "L19005": -5})
    problems = run_book(read_book(Package.open(big_book))).problems
    nps = problems[(problems["Row"] == 19006) & (problems["Column"] == "NPS")]
    dates = problems[(problems["Column"] == "Renewal Date") & problems["Row"].isin([19004, 19005])]
    assert list(nps["Value"]) == ["#DIV/0!"] and set(dates["Row"]) == {19004, 19005}
    assert set(dates["Problem"]) == {"not a date"}
