"""The formula sheets are protected against accidental typing, and everything Tierbook and its users write stays open."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tierbook.columns import PARETO_POINTS, ServiceCol, SummaryCol
from tierbook.workbook.assign import assign
from tierbook.workbook.plan import geometry
from tierbook.workbook.cells import ref
from tierbook.workbook.formulas import SERVICE_COLUMNS
from tierbook.workbook.layout import CHECK, DERIVED_UNIT_COST, MARGIN_FACTOR, MatrixCol, Sheet, Tables
from tierbook.workbook.package import Package
from tierbook.workbook.read import read_book
from tools.libreoffice import recalculate, soffice
from tools.template import default_path

PROTECTED = (Sheet.SERVICES, Sheet.MATRIX, Sheet.SUMMARY)
FIRST = Tables.SERVICES.row + 1


def services(header: str, row: int = FIRST) -> str:
    return ref(row, Tables.SERVICES.col + SERVICE_COLUMNS.index(header))


def locked(ws, cell: str) -> bool:  # type: ignore[no-untyped-def]
    return bool(ws[cell].protection.locked)


def test_formula_sheets_are_protected_without_a_password_and_their_inputs_are_open() -> None:
    wb = openpyxl.load_workbook(default_path())
    for sheet in PROTECTED:
        assert wb[sheet].protection.sheet and not wb[sheet].protection.password, sheet
    assert not any(wb[s].protection.sheet for s in (Sheet.ACCOUNTS, Sheet.CAPACITY, Sheet.DATA_QUALITY, Sheet.START))
    ws = wb[Sheet.SERVICES]
    assert not any(locked(ws, services(h)) for h in ServiceCol.ALL)  # every input, Unit Cost included
    assert all(locked(ws, services(h)) for h in (MARGIN_FACTOR, DERIVED_UNIT_COST, CHECK))
    # Below the table Excel would not grow it on a protected sheet: a new service needs the protection lifted.
    assert locked(ws, services(ServiceCol.SERVICE, FIRST + 60))
    geo = geometry(read_book(Package.open(default_path())))
    ws = wb[Sheet.MATRIX]
    assert not locked(ws, ref(FIRST, geo.mcol(geo.tiers[0]))) and not locked(ws, ref(FIRST, geo.mcol(MatrixCol.SERVICE)))
    assert locked(ws, ref(FIRST, geo.mcol(MatrixCol.annual_cost(geo.tiers[0])))) and locked(ws, ref(FIRST, geo.mcol(CHECK)))
    ws = wb[Sheet.SUMMARY]
    assert locked(ws, ref(geo.summary_row(0), geo.scol(SummaryCol.ANNUAL_COST)))
    assert not locked(ws, ref(geo.summary_row(0), geo.scol(SummaryCol.FTE)))  # Assign Tiers writes FTE here
    assert not locked(ws, ref(Tables.PARETO.row + PARETO_POINTS, Tables.PARETO.col + 1))


def test_assign_tiers_writes_through_protection_and_keeps_it(book: Path, tmp_path: Path) -> None:
    result = assign(book, stamp="2026-05-01 00:00:00")
    assert result.accounts == 150
    wb = openpyxl.load_workbook(book, data_only=True)
    assert all(wb[s].protection.sheet for s in PROTECTED)
    geo = geometry(read_book(Package.open(book)))
    assert wb[Sheet.SUMMARY][ref(geo.total_row, geo.scol(SummaryCol.FTE))].value > 0
    if soffice() is None:
        pytest.skip("LibreOffice is not installed")
    saved = openpyxl.load_workbook(recalculate(book, tmp_path / "lo"))
    assert all(saved[s].protection.sheet and not saved[s].protection.password for s in PROTECTED)
