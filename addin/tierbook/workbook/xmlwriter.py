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
"""

from __future__ import annotations

import re

import numpy as np

from .cells import col_number, ref
from .layout import Sheet
from .calc import calc_on_load, drop_calc_chain
from .package import Package
from .tables import CellEdits, TableInfo, fit_table
from .plan import AssignPlan, TableFill, column_of
from .outputcells import cell_block
from .printing import with_run_stamp
from .sheetpatch import patch_rows
from .sheetxml import cell_style, read_rows, recached


def plan_parts(plan: AssignPlan, package: Package) -> dict[str, bytes | None]:
    """Every part the plan changes, with its new content (parts it leaves as they were are not listed)."""
    texts: dict[str, str] = {}
    parts: dict[str, bytes | None] = {}

    def current(sheet: str) -> tuple[str, str]:
        part = package.sheet_part(sheet)
        return part, texts[part] if part in texts else package.text(part)

    for fill in plan.tables:
        info = package.table(fill.place.table, fill.place.sheet)
        part, xml = current(info.sheet)
        if fill.fit:
            xml, table_xml = fill_table(xml, info, fill)
            if table_xml is not None:
                parts[info.part] = table_xml.encode("utf-8")
        else:
            xml = set_in_place(xml, info, fill)
        texts[part] = xml
    for cache in plan.cached:
        part, xml = current(cache.sheet)
        texts[part] = recache(xml, {k: v for k, (_, v) in cache.cells.items()}, cache.formulas_only)
    if plan.footer is not None:
        for sheet in (s for s in plan.footer.sheets if s in package.sheets):
            part, xml = current(sheet)
            texts[part] = with_run_stamp(xml, plan.footer.stamp)
    parts.update({part: xml.encode("utf-8") for part, xml in texts.items()})
    calc_on_load(package, parts)
    if any(fill.place.sheet in (Sheet.ACCOUNTS, Sheet.SUMMARY) for fill in plan.tables):
        drop_calc_chain(package, parts)
    return {part: data for part, data in parts.items() if data != package.data.get(part)}


def fill_table(xml: str, info: TableInfo, fill: TableFill) -> tuple[str, str | None]:
    """The sheet with the fill's rows in the table, and the table part's new XML (None: its range is unchanged).

    The rows' cells are built a column and a batch of rows at a time
    (:func:`~.outputcells.cell_block`) and spliced into the sheet as the
    patch reaches each row, so no cell is built one by one.
    """
    r1, _, _, _ = info.bounds
    first = r1 + 1
    cols = {h: column_of(info, h) for h in fill.headers}
    owned = set(cols.values())
    template = read_rows(xml, [first]).get(first, {})
    style = {c: cell_style(template.get(c)) for c in owned}
    n, top = fill.rows, first + fill.start
    edits: dict[int, dict[int, str | None]] = {}
    block = None
    if n:
        values = {cols[h]: np.asarray(v) for h, v in fill.columns.items()}
        shared, masters = {}, {}
        for (h, formula), si in zip(fill.formulas.items(), _free_si(xml, owned, len(fill.formulas))):
            values[cols[h]] = np.asarray(formula.results, dtype=float)
            shared[cols[h]], masters[cols[h]] = si, formula.at(top)
        block = cell_block(top, n, values, style, edits, shared=shared, masters=masters,
                           label=f"Writing the {info.sheet} sheet")
    table_xml = fit_table(info, xml, edits, fill.start + n, owned, style)
    return patch_rows(xml, edits, block), table_xml


def set_in_place(xml: str, info: TableInfo, fill: TableFill) -> str:
    """The fill's values set into the table's cells, each keeping its style (and a formula its formula)."""
    top = info.bounds[0] + 1 + fill.start
    cells = {(top + i, column_of(info, h)): value for h, values in fill.columns.items()
             for i, value in enumerate(values)}
    return recache(xml, cells, formulas_only=False)


def recache(xml: str, cells: dict[tuple[int, int], object], formulas_only: bool) -> str:
    """New values for some cells: a formula keeps its formula and gets a new cached result.

    With ``formulas_only``, a cell that holds no formula is left alone (a user
    replaced the formula with a value: it is theirs).
    """
    rows = read_rows(xml, {r for r, _ in cells})
    edits: CellEdits = {}
    for (r, c), value in cells.items():
        old = rows.get(r, {}).get(c)
        if formulas_only and (old is None or "<f" not in old):
            continue
        new = recached(old, ref(r, c), value)
        if new != old:
            edits.setdefault(r, {})[c] = new
    return patch_rows(xml, edits)


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


__all__ = ["fill_table", "plan_parts", "recache", "set_in_place"]
