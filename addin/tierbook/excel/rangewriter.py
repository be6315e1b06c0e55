"""Copy a plan into an open workbook through xlwings: whole blocks of values and formulas, by table and header.

It does what the file writer does, in Excel's terms. A table's columns are
found by header; neighbouring columns go as one block. A table that ends
with its rows is fitted to them: below them, only inside the table and only
in the columns written, cells are cleared (a note typed below a table
stays), the table is resized, and a Total Row is turned off and on again
around the resize, so that Excel puts it, with its functions, just below
the data. The cached results of the template's formulas are not written:
Excel computes them (the title rows' run stamp too, a formula over Start).
Nor is the plan's footer text: xlwings sets no page footer, and the
template's footers already point to the last-run table on Start. Text is written with a leading apostrophe, which Excel
stores as text: a Tier Reason that begins with "=" never becomes a formula,
and "00123" never becomes 123.
"""

from __future__ import annotations

import xlwings as xw

from ..workbook.cells import area
from ..workbook.tables import TableInfo, total_row_blocked
from ..workbook.plan import AssignPlan, TableFill, column_of
from ..engine.progress import report
from ..engine.reading import is_blank
from .ranges import clear, put_columns, runs
from .source import XlwingsSource


def write_plan(book: xw.Book, source: XlwingsSource, plan: AssignPlan) -> None:
    """Every table of the plan into the open workbook (the tables as ``source`` found them).

    Everything that can refuse the plan (a column missing from a table, a
    Total Row that would land on someone's cell) is checked for every table
    before the first cell is written, so a refused plan leaves the workbook as it was.
    """
    targets = [_Target(source.table(fill.place.table, fill.place.sheet), fill) for fill in plan.tables]
    for target in targets:
        if target.fill.fit and target.moves:
            _check_landing(target.info, target.last, set(target.cols.values()), source.grid(target.info.sheet))
    for target in targets:
        report(f"Writing the {target.info.sheet} sheet")
        sheet = book.sheets[target.info.sheet]
        if target.fill.fit:
            fill_table(sheet, target)
        else:
            put_columns(sheet, target.top, {target.cols[h]: v for h, v in target.fill.columns.items()})


class _Target:
    """One fill and the table it goes into: its columns by header, its first and last rows."""

    def __init__(self, info: TableInfo, fill: TableFill) -> None:
        self.info, self.fill = info, fill
        self.cols = {h: column_of(info, h) for h in fill.headers}
        first = info.bounds[0] + 1
        self.top = first + fill.start
        self.last = max(self.top + fill.rows - 1, first)
        self.moves = bool(info.totals) and self.last != info.last_data_row


def fill_table(sheet: xw.Sheet, target: _Target) -> None:
    """The fill's rows into the table, which then ends with them (its Total Row just below)."""
    info, fill, cols, top, n = target.info, target.fill, target.cols, target.top, target.fill.rows
    r1, c1, _, c2 = info.bounds
    if target.moves:
        sheet.tables[info.name].show_totals = False  # Excel keeps the Total Row's functions and restores them
    put_columns(sheet, top, {cols[h]: v for h, v in fill.columns.items()})
    if n:
        formula_cols = {cols[h]: f for h, f in fill.formulas.items()}
        for lo, hi in runs(sorted(formula_cols)):
            block = [["=" + formula_cols[c].at(r) for c in range(lo, hi + 1)] for r in range(top, top + n)]
            sheet.range((top, lo), (top + n - 1, hi)).formula = block
    for lo, hi in runs(sorted(cols.values())):
        clear(sheet, top + n, lo, info.last_data_row, hi)
    new_ref = area(r1, c1, target.last + (0 if target.moves else info.totals), c2)
    if new_ref != info.ref:
        sheet.tables[info.name].resize(sheet.range(new_ref))
    if target.moves:
        sheet.tables[info.name].show_totals = True


def _check_landing(info: TableInfo, last: int, owned: set[int], grid: list[list[object]]) -> None:
    """Refuse, before writing anything, a Total Row that would land on cells someone else filled."""
    r1, c1, r2, c2 = info.bounds
    for r in range(last + 1, last + 1 + info.totals):
        if r > info.last_data_row and r <= r2:
            continue  # the Total Row's own row
        for c in range(c1, c2 + 1):
            if r <= info.last_data_row and c in owned:
                continue  # Tierbook's own cell, cleared or written
            value = grid[r - 1][c - 1] if r - 1 < len(grid) and c - 1 < len(grid[r - 1]) else ""
            if not is_blank(value):
                raise total_row_blocked(info, r, c)


__all__ = ["fill_table", "write_plan"]
