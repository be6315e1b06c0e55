"""Copy a plan into a workbook file: the sheet XML of the parts it names, every other part as it was.

Each :class:`~tierbook.workbook.plan.TableFill` becomes cell edits of its
sheet (found by the table's name and the headers), styled like the table's
first data row; a filled-down formula becomes one shared formula with each
row's cached result. A table that ends with its rows is fitted to them
(:func:`~tierbook.workbook.tables.fit_table`: Tierbook's cells below are
cleared inside the table only, the Total Row moves along). Values set in
place, and the cached results of the template's formulas, keep each cell's
style and formula. Text goes in as inline strings, so the shared strings
are never touched. The plan's footer text (where the run is named) goes into
the printed footer of each sheet it names that the book has
(:func:`~tierbook.workbook.printing.with_run_stamp`).

Every sheet the plan changes is read once, for the rows its steps look at,
and written once (:class:`~.sheetchanges.SheetChanges`); a big one goes
into the zip as it is made, so the Accounts sheet of a full book is never
held whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from .cells import col_number, ref
from .layout import Sheet
from .calc import calc_on_load, drop_calc_chain
from .package import Package
from .tables import CellEdits, TableInfo, fit_rows, fit_table
from .plan import AssignPlan, TableFill, column_of
from .outputcells import cell_block
from .sheetchanges import SheetChanges
from .sheetxml import cell_style, read_rows, recached
from .zipio import Streamed


def plan_parts(plan: AssignPlan, package: Package) -> dict[str, bytes | Streamed | None]:
    """Every part the plan changes, with its new content (parts it leaves as they were are not listed).

    Each sheet is read once, for the rows the plan's steps look at, and
    written once; a big one is streamed into the zip as it is written.
    """
    sheets = {part: SheetChanges.of_part(package, part, rows, shared)
              for part, (rows, shared) in _rows_read(plan, package).items()}
    parts: dict[str, bytes | Streamed | None] = {}
    for fill in plan.tables:
        info = package.table(fill.place.table, fill.place.sheet)
        sheet = sheets[package.sheet_part(info.sheet)]
        if fill.fit:
            table_xml = fill_rows(sheet, info, fill)
            if table_xml is not None:
                parts[info.part] = table_xml.encode("utf-8")
        else:
            set_in_place(sheet, info, fill)
    for cache in plan.cached:
        recache(sheets[package.sheet_part(cache.sheet)], {k: v for k, (_, v) in cache.cells.items()},
                cache.formulas_only)
    if plan.footer is not None:
        for sheet in _footer_sheets(plan, package):
            sheets[package.sheet_part(sheet)].stamp = plan.footer.stamp
    parts.update({part: sheet.content() for part, sheet in sheets.items()})
    calc_on_load(package, parts)
    if any(fill.place.sheet in (Sheet.ACCOUNTS, Sheet.SUMMARY) for fill in plan.tables):
        drop_calc_chain(package, parts)
    return {part: data for part, data in parts.items()
            if isinstance(data, Streamed) or data != package.data.get(part)}


def _rows_read(plan: AssignPlan, package: Package) -> dict[str, tuple[set[int], bool]]:
    """Per sheet part the plan changes: the rows its steps read, and whether one of them writes shared formulas."""
    out: dict[str, tuple[set[int], bool]] = {}

    def add(sheet: str, rows: Iterable[int], shared: bool = False) -> None:
        part = package.sheet_part(sheet)
        known, was = out.get(part, (set(), False))
        out[part] = known | set(rows), was or shared

    for fill in plan.tables:
        info = package.table(fill.place.table, fill.place.sheet)
        add(info.sheet, fill_rows_read(info, fill), bool(fill.formulas))
    for cache in plan.cached:
        add(cache.sheet, (r for r, _ in cache.cells))
    for sheet in _footer_sheets(plan, package):
        add(sheet, ())
    return out


def _footer_sheets(plan: AssignPlan, package: Package) -> list[str]:
    """The sheets whose printed footer the plan stamps, of those the book has."""
    return [s for s in plan.footer.sheets if s in package.sheets] if plan.footer is not None else []


def fill_rows_read(info: TableInfo, fill: TableFill) -> set[int]:
    """The sheet rows writing ``fill`` reads: its first row (and the table's first, for the styles), and
    the Total Row's (:func:`~.tables.fit_rows`); filled in place, the cells it sets."""
    top = info.bounds[0] + 1 + fill.start
    if fill.fit:
        return {top, *fit_rows(info, fill.start + fill.rows)}
    return set(range(top, top + fill.rows))


def fill_table(xml: str, info: TableInfo, fill: TableFill) -> tuple[str, str | None]:
    """The sheet ``xml`` with the fill's rows in the table, and the table part's new XML (None: its range is unchanged)."""
    sheet = SheetChanges.of_text(xml, fill_rows_read(info, fill), bool(fill.formulas))
    table_xml = fill_rows(sheet, info, fill)
    return sheet.text(), table_xml


def fill_rows(sheet: SheetChanges, info: TableInfo, fill: TableFill) -> str | None:
    """Put the fill's rows into the table; returns the table part's new XML (None: its range is unchanged).

    The rows' cells are built a column and a batch of rows at a time
    (:func:`~.outputcells.cell_block`) and spliced into the sheet as the
    patch reaches each row, so no cell is built one by one.
    """
    r1, _, _, _ = info.bounds
    first = r1 + 1
    cols = {h: column_of(info, h) for h in fill.headers}
    owned = set(cols.values())
    template = read_rows(sheet.view, [first]).get(first, {})
    style = {c: cell_style(template.get(c)) for c in owned}
    n, top = fill.rows, first + fill.start
    edits: dict[int, dict[int, str | None]] = {}
    block = None
    if n:
        values = {cols[h]: np.asarray(v) for h, v in fill.columns.items()}
        shared, masters = {}, {}
        for (h, formula), si in zip(fill.formulas.items(), _free_si(sheet.view, owned, len(fill.formulas))):
            values[cols[h]] = np.asarray(formula.results, dtype=float)
            shared[cols[h]], masters[cols[h]] = si, formula.at(top)
        block = cell_block(top, n, values, style, edits, shared=shared, masters=masters,
                           label=f"Writing the {info.sheet} sheet")
    table_xml = fit_table(info, sheet.view, edits, fill.start + n, owned, style)
    sheet.add(edits, block)
    return table_xml


def set_in_place(sheet: SheetChanges, info: TableInfo, fill: TableFill) -> None:
    """The fill's values set into the table's cells, each keeping its style (and a formula its formula)."""
    top = info.bounds[0] + 1 + fill.start
    cells = {(top + i, column_of(info, h)): value for h, values in fill.columns.items()
             for i, value in enumerate(values)}
    recache(sheet, cells, formulas_only=False)


def recache(sheet: SheetChanges, cells: dict[tuple[int, int], object], formulas_only: bool) -> None:
    """New values for some cells: a formula keeps its formula and gets a new cached result.

    With ``formulas_only``, a cell that holds no formula is left alone (a user
    replaced the formula with a value: it is theirs).
    """
    rows = read_rows(sheet.view, {r for r, _ in cells})
    edits: CellEdits = {}
    for (r, c), value in cells.items():
        old = rows.get(r, {}).get(c)
        if formulas_only and (old is None or "<f" not in old):
            continue
        new = recached(old, ref(r, c), value)
        if new != old:
            edits.setdefault(r, {})[c] = new
    sheet.add(edits)


def _free_si(xml: str, owned_cols: set[int], count: int) -> list[int]:
    """Shared-formula group numbers that no other cell of the sheet uses (deterministic)."""
    used = set()
    pos = xml.find(' ref="')
    while pos >= 0:
        tag_start = xml.rfind("<", 0, pos)
        if xml.startswith("<f", tag_start) and xml[tag_start + 2] in " \t\n":
            tag = xml[tag_start: xml.index(">", pos)]
            si = re.search(r'\bsi="(\d+)"', tag)
            cell = re.match(r'<c\b[^>]*?\sr="([A-Z]+)', xml[xml.rfind("<c", 0, tag_start): tag_start])
            if si and (cell is None or col_number(cell.group(1)) not in owned_cols):  # whose it is unknown: keep it
                used.add(int(si.group(1)))
        pos = xml.find(' ref="', pos + 1)
    out, i = [], 0
    while len(out) < count:
        if i not in used:
            out.append(i)
        i += 1
    return out


__all__ = ["fill_rows", "fill_rows_read", "fill_table", "plan_parts", "recache", "set_in_place"]
