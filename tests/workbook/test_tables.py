"""Excel tables as a user leaves them: a Total Row, a sort, notes typed below. Each stays where Excel expects it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tierbook.errors import WorkbookError
from tierbook.columns import Col, ProblemCol
from tierbook.workbook.layout import Sheet, Tables
from tierbook.sample import sample_accounts
from tierbook.workbook.assign import assign
from tierbook.workbook.cells import col_letter, split_area
from tierbook.workbook.create import accounts_input_parts
from tierbook.workbook.package import Package, save_package

from .helpers import add_total_row, set_cells, sort_table

STAMP = "2026-03-01 09:00:00"


def paste(book: Path, n: int, seed: int, defects: bool = False) -> list[str]:
    """Paste an export of ``n`` accounts over the Accounts table, as a user pastes a new CRM export."""
    raw = sample_accounts(n, seed=seed, defects=defects)
    package = Package.open(book)
    save_package(package, accounts_input_parts(package, raw), book, backup=False)
    return [str(v) for v in raw[Col.ACCOUNT_ID]]


def values(book: Path, sheet: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(book)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def cell(grid: list[list[object]], row: int, col: int) -> object:
    return grid[row - 1][col - 1] if row - 1 < len(grid) and col - 1 < len(grid[row - 1]) else ""


def tiers_by_id(book: Path) -> dict[str, str]:
    info = Package.open(book).table(Tables.ACCOUNTS.table)
    grid = values(book, Sheet.ACCOUNTS)
    id_c, tier_c = info.column(Col.ACCOUNT_ID), info.column(Col.TIER)
    return {str(cell(grid, r, id_c)): cell(grid, r, tier_c) for r in range(2, info.last_data_row + 1)}


def inner_ranges(xml: str) -> dict[str, list[str]]:
    return {tag: re.findall(rf'<{tag}\b[^>]*?\sref="([^"]+)"', xml) for tag in ("autoFilter", "sortState", "sortCondition")}


# ------------------------------------------------------------------ Total Row
def test_total_row_is_never_tiered_as_an_account(book: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    shutil.copy(book, plain)
    assign(plain, stamp=STAMP)
    total = add_total_row(book, Tables.ACCOUNTS.table, Col.ACCOUNT_ID, (Col.ARR,))
    result = assign(book, stamp=STAMP)
    assert result.accounts == 150
    assert tiers_by_id(book) == tiers_by_id(plain)  # the total's ARR (all accounts together) moved no tier
    info = Package.open(book).table(Tables.ACCOUNTS.table)
    grid = values(book, Sheet.ACCOUNTS)
    assert cell(grid, total, info.column(Col.ACCOUNT_ID)) == "Total"
    assert cell(grid, total, info.column(Col.TIER)) == ""
    ws = openpyxl.load_workbook(book)[Sheet.ACCOUNTS]
    assert ws.cell(total, info.column(Col.ARR)).value == "=SUBTOTAL(109,Accounts[ARR])"


@pytest.mark.parametrize("n", [100, 170])
def test_total_row_stays_the_last_row_when_the_table_shrinks_or_grows(book: Path, n: int) -> None:
    old_total = add_total_row(book, Tables.ACCOUNTS.table, Col.ACCOUNT_ID, (Col.ARR,))
    ids = paste(book, n, seed=n)
    result = assign(book, stamp=STAMP)
    assert result.accounts == n
    wb = openpyxl.load_workbook(book)
    ws = wb[Sheet.ACCOUNTS]
    table = ws.tables[Tables.ACCOUNTS.table]
    total = n + 2
    assert table.ref == f"A1:Y{total}" and table.totalsRowCount == 1
    info = Package.open(book).table(Tables.ACCOUNTS.table)
    assert ws.cell(total, info.column(Col.ACCOUNT_ID)).value == "Total"
    assert ws.cell(total, info.column(Col.ARR)).value == "=SUBTOTAL(109,Accounts[ARR])"
    grid = values(book, Sheet.ACCOUNTS)
    assert cell(grid, n + 1, info.column(Col.ACCOUNT_ID)) == ids[-1]  # the last account is an account
    assert cell(grid, n + 1, info.column(Col.TIER)) != ""
    for r in range(total + 1, max(old_total, total) + 2):
        assert all(cell(grid, r, c) == "" for c in range(1, 23)), f"leftovers in row {r}"


def test_rows_pasted_below_a_total_row_are_refused_not_dropped(book: Path) -> None:
    total = add_total_row(book, Tables.ACCOUNTS.table, Col.ACCOUNT_ID, (Col.ARR,))
    set_cells(book, Sheet.ACCOUNTS, {f"A{total + 1}": "NEW-1", f"B{total + 1}": "New Account", f"C{total + 1}": 5000})
    before = book.read_bytes()
    with pytest.raises(WorkbookError, match=rf"Accounts sheet, row {total + 1}: data below table Accounts's Total Row"):
        assign(book, stamp=STAMP)
    assert book.read_bytes() == before


def test_total_row_of_an_owned_table_stays_below_its_rows(book: Path) -> None:
    info = Package.open(book).table(Tables.DATA_QUALITY.table)
    add_total_row(book, Tables.DATA_QUALITY.table, ProblemCol.ROW)
    sizes = []
    for n in (40, 150, 10):
        paste(book, n, seed=3, defects=True)
        problems = len(assign(book, stamp=STAMP).run.problems)
        sizes.append(problems)
        grid = values(book, Sheet.DATA_QUALITY)
        total = info.bounds[0] + 1 + problems
        table = openpyxl.load_workbook(book)[Sheet.DATA_QUALITY].tables[Tables.DATA_QUALITY.table]
        assert split_area(table.ref)[2] == total
        assert cell(grid, total, info.column(ProblemCol.ROW)) == "Total"
        assert cell(grid, total - 1, info.column(ProblemCol.PROBLEM)) != ""  # the last problem is a problem
    assert len(set(sizes)) == 3 and min(sizes) > 0


# ------------------------------------------------------------------- sorting
@pytest.mark.parametrize("in_filter", [True, False], ids=["sort-in-filter", "sort-at-table-level"])
def test_a_sort_follows_the_table_when_it_shrinks(book: Path, in_filter: bool) -> None:
    sort_table(book, Tables.ACCOUNTS.table, Col.ARR, in_filter=in_filter)
    paste(book, 60, seed=4)
    assign(book, stamp=STAMP)
    info = Package.open(book).table(Tables.ACCOUNTS.table)
    arr = col_letter(info.column(Col.ARR))
    assert info.ref == "A1:Y61"
    assert inner_ranges(info.xml) == {"autoFilter": ["A1:Y61"], "sortState": ["A2:Y61"], "sortCondition": [f"{arr}2:{arr}61"]}


def test_a_sort_ends_above_the_total_row(book: Path) -> None:
    add_total_row(book, Tables.ACCOUNTS.table, Col.ACCOUNT_ID, (Col.ARR,))
    sort_table(book, Tables.ACCOUNTS.table, Col.ARR)
    paste(book, 80, seed=5)
    assign(book, stamp=STAMP)
    info = Package.open(book).table(Tables.ACCOUNTS.table)
    arr = col_letter(info.column(Col.ARR))
    assert info.ref == "A1:Y82"
    assert inner_ranges(info.xml) == {"autoFilter": ["A1:Y81"], "sortState": ["A2:Y81"], "sortCondition": [f"{arr}2:{arr}81"]}


# ------------------------------------------------------- cells below a table
def test_notes_typed_below_the_accounts_table_survive_assign(book: Path) -> None:
    info = Package.open(book).table(Tables.ACCOUNTS.table)
    tier, cts = col_letter(info.column(Col.TIER)), col_letter(info.column(Col.COST_TO_SERVE))
    set_cells(book, Sheet.ACCOUNTS, {f"{tier}155": "checked by Ann", f"{cts}156": 1234.5})
    assign(book, stamp=STAMP)
    paste(book, 100, seed=6)
    assign(book, stamp=STAMP)
    grid = values(book, Sheet.ACCOUNTS)
    assert cell(grid, 155, info.column(Col.TIER)) == "checked by Ann"
    assert cell(grid, 156, info.column(Col.COST_TO_SERVE)) == 1234.5
    assert all(cell(grid, r, info.column(Col.TIER)) == "" for r in range(102, 152))  # Tierbook's own, cleared


def test_notes_typed_below_an_owned_table_survive_assign(book: Path) -> None:
    info = Package.open(book).table(Tables.DATA_QUALITY.table)
    below = info.bounds[2] + 3
    set_cells(book, Sheet.DATA_QUALITY, {f"A{below}": "reviewed", f"B{below}": 7})
    paste(book, 20, seed=8)
    assign(book, stamp=STAMP)
    grid = values(book, Sheet.DATA_QUALITY)
    assert cell(grid, below, 1) == "reviewed" and cell(grid, below, 2) == 7
