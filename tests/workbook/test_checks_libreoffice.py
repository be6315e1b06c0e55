"""The workbook's traps, sprung in a real spreadsheet: each one is flagged where it happens and counted on Summary.

LibreOffice recalculates every formula from scratch (no Python), as a
finance analyst's copy of the book would.
"""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

from tierbook.columns import Problem, ProblemCol, ServiceCol, SummaryCol
from tierbook.errors import SettingsError
from tierbook.workbook import checkcells as chk
from tierbook.workbook.assign import assign
from tierbook.workbook.plan import geometry
from tierbook.workbook.cells import ref
from tierbook.workbook.edit import set_settings
from tierbook.workbook.fingerprint import STALE, labels
from tierbook.workbook.formulas import SERVICE_COLUMNS
from tierbook.workbook.layout import (
    CHECK,
    DERIVED_UNIT_COST,
    MARGIN_FACTOR,
    STALE_CELLS,
    CheckItem,
    InputCol,
    MatrixCol,
    Sheet,
    Tables,
)
from tierbook.workbook.package import Package
from tierbook.workbook.read import read_book
from tools.libreoffice import recalculate, soffice
from tools.template import default_path

from .helpers import set_cells

if soffice() is None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("LibreOffice (soffice) is required in CI: apt-get install libreoffice-calc-nogui", pytrace=False)
    pytest.skip("LibreOffice is not installed", allow_module_level=True)

FIRST = Tables.SERVICES.row + 1  # Executive Sponsorship: first row of Services and of Matrix


def services_cell(header: str, row: int = FIRST) -> str:
    return ref(row, Tables.SERVICES.col + SERVICE_COLUMNS.index(header))


def matrix_cell(path: Path, header: str, row: int = FIRST) -> str:
    return ref(row, geometry(read_book(Package.open(path))).mcol(header))


def check(item: str) -> str:
    return ref(Tables.CHECKS.row + 1 + CheckItem.ALL.index(item), Tables.CHECKS.col + 1)


def in_libreoffice(path: Path, out: Path) -> openpyxl.Workbook:
    """The book as LibreOffice computes it, every formula recalculated."""
    return openpyxl.load_workbook(recalculate(path, out), data_only=True)


def stale_notices(wb: openpyxl.Workbook) -> list[object]:
    return [wb[sheet][ref(r, c)].value for sheet, r, c in STALE_CELLS]


def test_a_renamed_service_is_flagged_on_both_sheets_counted_on_summary_and_listed_by_assign(book: Path, tmp_path: Path) -> None:
    matrix_check = matrix_cell(book, CHECK)
    set_cells(book, Sheet.SERVICES, {services_cell(ServiceCol.SERVICE): "Executive Sponsor Programme"})
    wb = in_libreoffice(book, tmp_path / "lo")
    assert wb[Sheet.MATRIX][matrix_check].value == chk.NOT_IN_CATALOG
    assert wb[Sheet.SERVICES][services_cell(CHECK)].value == chk.NOT_IN_MATRIX
    summary = wb[Sheet.SUMMARY]
    assert summary[check(CheckItem.NOT_IN_CATALOG)].value == 1
    assert summary[check(CheckItem.NOT_IN_MATRIX)].value == 1
    assert summary[check(CheckItem.STATUS)].value == chk.PROBLEMS_FOUND
    assert wb[Sheet.SERVICES][services_cell(CHECK, FIRST + 1)].value in (None, "")  # the others stay clean

    result = assign(book, stamp="2026-04-01 00:00:00")
    problems = result.run.problems
    services = problems[problems[ProblemCol.COLUMN] == ServiceCol.SERVICE]
    assert list(zip(services[ProblemCol.ROW], services[ProblemCol.VALUE], services[ProblemCol.PROBLEM])) == [
        (FIRST, "Executive Sponsorship", Problem.SERVICE_NOT_IN_CATALOG),
        (FIRST, "Executive Sponsor Programme", Problem.SERVICE_NOT_IN_MATRIX)]
    quality = openpyxl.load_workbook(book, data_only=True)[Sheet.DATA_QUALITY]
    written = {quality.cell(r, Tables.DATA_QUALITY.col + 3).value for r in range(1, quality.max_row + 1)}
    assert {"Executive Sponsorship", "Executive Sponsor Programme"} <= written


def test_a_100_percent_gross_margin_shows_the_error_where_it_arises_and_is_counted(book: Path, tmp_path: Path) -> None:
    set_settings(book, ["margin_method=gross-margin"])
    set_cells(book, Sheet.SERVICES, {services_cell(ServiceCol.MARGIN_OVERRIDE, FIRST + 1): 1})
    wb = in_libreoffice(book, tmp_path / "lo")
    assert wb[Sheet.SERVICES][services_cell(MARGIN_FACTOR, FIRST + 1)].value == "#DIV/0!"
    assert wb[Sheet.MATRIX][matrix_cell(book, MatrixCol.MARGIN_FACTOR, FIRST + 1)].value == "#DIV/0!"
    assert wb[Sheet.MATRIX][matrix_cell(book, CHECK, FIRST + 1)].value == chk.COST_ERROR
    summary = wb[Sheet.SUMMARY]
    assert summary[check(CheckItem.MARGIN_ERRORS)].value == 1
    assert summary[check(CheckItem.STATUS)].value == chk.PROBLEMS_FOUND
    geo = geometry(read_book(Package.open(book)))
    # The cost is still known; the value cannot be, and says so instead of equalling the cost.
    assert isinstance(summary[ref(geo.total_row, geo.scol(SummaryCol.ANNUAL_COST))].value, float)
    assert summary[ref(geo.total_row, geo.scol(SummaryCol.ASSESSED_VALUE))].value == "#DIV/0!"
    with pytest.raises(SettingsError, match=r"Services sheet, table Services, row 6, column 'Margin Override'"):
        assign(book)


def test_a_pasted_negative_interval_or_unit_cost_is_flagged_and_counted(book: Path, tmp_path: Path) -> None:
    tier = geometry(read_book(Package.open(book))).tiers[1]
    interval, flag = matrix_cell(book, tier, FIRST + 2), matrix_cell(book, CHECK, FIRST + 2)
    set_cells(book, Sheet.MATRIX, {interval: -2})
    set_cells(book, Sheet.SERVICES, {services_cell(ServiceCol.UNIT_COST, FIRST + 3): -5})
    wb = in_libreoffice(book, tmp_path / "lo")
    assert wb[Sheet.MATRIX][flag].value == chk.NEGATIVE_INTERVAL
    assert wb[Sheet.SERVICES][services_cell(CHECK, FIRST + 3)].value == chk.NEGATIVE
    assert wb[Sheet.SUMMARY][check(CheckItem.NEGATIVES)].value == 2


def test_validation_refuses_negative_intervals_unit_costs_and_hours_and_says_what_is_allowed() -> None:
    wb = openpyxl.load_workbook(default_path())
    book = read_book(Package.open(default_path()))
    geo = geometry(book)
    wanted = {(Sheet.SERVICES, services_cell(ServiceCol.UNIT_COST)), (Sheet.SERVICES, services_cell(ServiceCol.HOURS)),
              (Sheet.MATRIX, ref(FIRST, geo.mcol(geo.tiers[0]))), (Sheet.MATRIX, ref(FIRST + 9, geo.mcol(geo.tiers[-1])))}
    for sheet, cell in wanted:
        rules = [v for v in wb[sheet].data_validations.dataValidation if cell in v.sqref]
        assert any(v.type == "decimal" and v.operator == "greaterThanOrEqual" and float(v.formula1) == 0
                   and v.showErrorMessage and "0 or more" in (v.prompt or "") for v in rules), (sheet, cell)


def test_an_interval_edit_says_out_of_date_on_start_summary_and_capacity_until_assign(book: Path, tmp_path: Path) -> None:
    geo = geometry(read_book(Package.open(book)))
    wb = in_libreoffice(book, tmp_path / "fresh")
    assert stale_notices(wb) == [None, None, None]
    summary = wb[Sheet.SUMMARY]
    assert summary[check(CheckItem.STATUS)].value == chk.ALL_PASS
    # The reconciliation closes: capacity's hours x rate equals the Summary's unit cost x interval.
    annual = summary[ref(geo.total_row, geo.scol(SummaryCol.ANNUAL_COST))].value
    assert summary[check(CheckItem.LOADED_COST)].value == pytest.approx(annual, abs=0.005)
    assert abs(summary[check(CheckItem.DIFFERENCE)].value) < 0.005

    old = wb[Sheet.MATRIX][matrix_cell(book, geo.tiers[1], FIRST + 2)].value
    set_cells(book, Sheet.MATRIX, {matrix_cell(book, geo.tiers[1], FIRST + 2): old + 6})
    wb = in_libreoffice(book, tmp_path / "edited")
    assert stale_notices(wb) == [STALE, STALE, STALE]
    start = wb[Sheet.START]
    changed = {label: start.cell(Tables.RUN_INPUTS.row + 1 + i,
                                 Tables.RUN_INPUTS.col + InputCol.ALL.index(InputCol.CHANGED)).value
               for i, label in enumerate(labels(geo))}
    assert [k for k, v in changed.items() if v] == ["Matrix intervals"]
    # The live cost moved; the capacity plan has not, and the line says by how much.
    assert wb[Sheet.SUMMARY][check(CheckItem.DIFFERENCE)].value < -0.005
    assert wb[Sheet.SUMMARY][check(CheckItem.STATUS)].value == chk.COSTS_DIFFER

    assign(book, stamp="2026-04-02 00:00:00")
    wb = in_libreoffice(book, tmp_path / "assigned")
    assert stale_notices(wb) == [None, None, None]
    assert abs(wb[Sheet.SUMMARY][check(CheckItem.DIFFERENCE)].value) < 0.005


def test_a_settings_change_the_tiers_depend_on_makes_the_book_out_of_date(book: Path, tmp_path: Path) -> None:
    set_settings(book, ["cs_budget=123456"])  # a figure of the live formulas only
    assert stale_notices(in_libreoffice(book, tmp_path / "budget")) == [None, None, None]
    set_settings(book, ["policy=arr-share"])
    wb = openpyxl.load_workbook(book, data_only=True)  # the cached results say so too, before any recalculation
    assert stale_notices(wb) == [STALE, STALE, STALE]
    assert stale_notices(in_libreoffice(book, tmp_path / "policy")) == [STALE, STALE, STALE]


def test_unit_cost_is_hours_times_the_roles_rate_and_a_typed_one_shows_and_explains_the_gap(book: Path, tmp_path: Path) -> None:
    row = FIRST + 1  # Quarterly Business Review: 3 hours of a CSM, per account
    wb = in_libreoffice(book, tmp_path / "derived")
    services = wb[Sheet.SERVICES]
    assert services[services_cell(DERIVED_UNIT_COST, row)].value == pytest.approx(3 * 130_000 / 1_560)
    assert services[services_cell(ServiceCol.UNIT_COST, row)].value == services[services_cell(DERIVED_UNIT_COST, row)].value

    set_cells(book, Sheet.SERVICES, {services_cell(ServiceCol.UNIT_COST, row): 200})
    assign(book, stamp="2026-04-03 00:00:00")
    wb = in_libreoffice(book, tmp_path / "typed")
    assert wb[Sheet.SERVICES][services_cell(CHECK, row)].value == chk.TYPED_OVER
    summary, matrix = wb[Sheet.SUMMARY], wb[Sheet.MATRIX]
    assert summary[check(CheckItem.TYPED_OVER)].value == 1
    geo = geometry(read_book(Package.open(book)))
    # Loaded cost less annual cost = (derived - typed) x times a year x accounts, summed over the tiers.
    gap = sum((3 * 130_000 / 1_560 - 200) * (matrix[ref(row, geo.mcol(t))].value or 0)
              * summary[ref(geo.summary_row(k), geo.scol(SummaryCol.ACCOUNTS))].value
              for k, t in enumerate(geo.tiers))
    assert summary[check(CheckItem.DIFFERENCE)].value == pytest.approx(gap, abs=0.005)
    assert summary[check(CheckItem.STATUS)].value == chk.COSTS_DIFFER


def test_an_empty_book_runs_no_pooled_programme_and_costs_nothing(tmp_path: Path) -> None:
    wb = in_libreoffice(default_path(), tmp_path / "lo")
    geo = geometry(read_book(Package.open(default_path())))
    summary = wb[Sheet.SUMMARY]
    assert summary[ref(geo.total_row, geo.scol(SummaryCol.ANNUAL_COST))].value == 0
    assert summary[ref(geo.total_row, geo.scol(SummaryCol.FTE))].value == 0
    assert stale_notices(wb) == [None, None, None]
