"""The Scenarios sheet's buttons: Compare Scenarios and Apply Scenario, on the open workbook.

Compare Scenarios reads the stored scenarios (the Scenarios table), runs
them with the settings in force and copies the plan ``tierbook whatif
--write`` makes (:func:`~tierbook.workbook.scenario_sheet.plan_compare`) into
the sheet: no other sheet is touched. Only the current run and each
scenario's tables are kept while it runs, not every scenario's accounts.

Apply Scenario writes the named scenario's values into the cells they come
from (as ``tierbook whatif --apply``), then goes through Assign Tiers on the
book as it now reads; Tier History's rows name the scenario.
"""

from __future__ import annotations

import xlwings as xw

from ..errors import SettingsError
from ..workbook.cells import ref
from ..workbook.plan import now_stamp, plan_assign, run_book
from ..workbook.read import read_book
from ..workbook.scenario import CellEdit, cell_edits, compare_book, with_scenario_history
from ..workbook.scenario_layout import MOVERS_SHOWN
from ..workbook.scenario_sheet import book_scenarios, picked, plan_compare
from .ranges import put_block
from .rangewriter import write_plan
from .source import XlwingsSource
from .user import excel_user


def compare_scenarios_in(book: xw.Book, sheets: tuple[str, ...]) -> str:
    """Compare Scenarios: the comparison tables of the Scenarios sheet, for the scenarios stored there."""
    source = XlwingsSource(book, sheets)
    wb = read_book(source)
    comparison = compare_book(wb, book_scenarios(wb), keep_runs=False, movers_limit=MOVERS_SHOWN)
    plan = plan_compare(wb, comparison)
    write_plan(book, source, plan)
    return plan.message


def apply_scenario_in(book: xw.Book, sheets: tuple[str, ...], stamp: str | None = None) -> str:
    """Apply Scenario: the named scenario's values into their cells, then Assign Tiers; history names it."""
    source = XlwingsSource(book, sheets)
    wb = read_book(source)
    scenario = picked(source, book_scenarios(wb))
    edits = cell_edits(wb, scenario)
    _refuse_formulas(book, edits)
    for e in edits:
        if not e.shown_only:  # a derived unit cost's formula stays; Excel shows its new figure itself
            put_block(book.sheets[e.sheet], e.row, e.col, [[e.value]])
        _as_shown(source, e)
    changed = read_book(source)
    plan = with_scenario_history(plan_assign(changed, run_book(changed), stamp or now_stamp(), excel_user(book)),
                                 scenario.name)
    write_plan(book, source, plan)
    return plan.message


def _refuse_formulas(book: xw.Book, edits: list[CellEdit]) -> None:
    """A value written over a formula would not stay in force, so such a cell is refused before anything is written.

    xlwings Lite sends no formulas with the book (its engine cannot read one
    synchronously), so there the check is left out: the template's own
    formula cells are never among the cells a scenario writes (the last
    tier's shares are refused, a derived unit cost is meant to be typed over).
    """
    for e in edits:
        if e.over_default or e.shown_only:
            continue
        try:
            formula = book.sheets[e.sheet].range((e.row, e.col)).formula
        except NotImplementedError:  # xlwings Lite
            return
        if isinstance(formula, str) and formula.startswith("="):
            raise SettingsError(f"{e.sheet} sheet, cell {ref(e.row, e.col)}: holds a formula, so a value written "
                                "there would not stay; put the value in the cell by hand, or change what the formula "
                                "reads", field="scenario", value=ref(e.row, e.col), expected="a cell holding a value")


def _as_shown(source: XlwingsSource, edit: CellEdit) -> None:
    """The sheet's values as read, with the cell showing what it now shows (its new value, or its formula's figure)."""
    grid = source.grid(edit.sheet)
    while len(grid) < edit.row:
        grid.append([])
    row = grid[edit.row - 1]
    row.extend([""] * (edit.col - len(row)))
    row[edit.col - 1] = edit.value


__all__ = ["apply_scenario_in", "compare_scenarios_in"]
