"""Write a CRM merge into a workbook's Accounts table, cell by cell.

Only what the merge changed is written: the cells that take a value from
the export, the rows of new accounts, and the export's new columns. Every
other cell keeps its XML, so a user's formula, number, date or format in a
column the export lacks comes out as it went in. When accounts are removed
from the middle (``--replace``), the accounts below close up the way Excel
deletes table rows: each row's cells move with their account, Tierbook's
output cells (Tier, Previous Tier, ...) included, and every formula that
pointed at a moved cell points at it again.

New export columns are inserted into the table as the user's own columns,
just before Tier Override and Override Reason (or before Tierbook's output
columns), the way Excel inserts table columns.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ..crm.merge import MergeResult
from ..columns import USER_OWNED_COLUMNS, header_key
from .layout import WORKBOOK_OUTPUT_COLUMNS, Tables
from ..errors import WorkbookError
from .cells import area, col_letter, value_cell
from .outputcells import cell_block, check_fits
from .package import Package
from .tables import TableInfo, fit_rows, fit_table
from .refs import RowMove
from .sheetchanges import SheetChanges
from .sheetpatch import RowBlock
from .sheetxml import cell_style, read_rows
from .rowmove import move_rows
from .structure import add_table_columns, insert_columns


@dataclass(frozen=True)
class ColumnPlan:
    """Where the export's new columns go in the Accounts table.

    Attributes:
        names: the new columns, in the export's order.
        at: the sheet column the first one takes.
        before: the header of the table column they are inserted before.
        moved: the table columns that move right to make room.
    """

    names: tuple[str, ...]
    at: int
    before: str
    moved: tuple[str, ...]

    def describe(self) -> str:
        """One line for the import report (and --dry-run)."""
        first, last = col_letter(self.at), col_letter(self.at + len(self.names) - 1)
        where = f"column {first}" if first == last else f"columns {first}:{last}"
        return (f"New columns added to the Accounts table as your own columns: {', '.join(self.names)} "
                f"({where}, before {self.before!r}; {', '.join(self.moved)} move {len(self.names)} to the right).")


def plan_columns(info: TableInfo, names: list[str]) -> ColumnPlan | None:
    """Where new columns go: before Tierbook's output columns, and before Tier Override/Override Reason next to them."""
    if not names:
        return None
    keys = [header_key(h) for h in info.columns]
    outputs = {header_key(h) for h in WORKBOOK_OUTPUT_COLUMNS}
    owned = {header_key(h) for h in USER_OWNED_COLUMNS}
    j = next((i for i, k in enumerate(keys) if k in outputs), len(keys))
    while j > 0 and keys[j - 1] in owned:
        j -= 1
    c1 = info.bounds[1]
    before = info.columns[j] if j < len(info.columns) else ""
    return ColumnPlan(tuple(names), c1 + j, before, tuple(info.columns[j:]))


def merge_parts(package: Package, result: MergeResult, typed: pd.DataFrame, book_rows: int,
                plan: ColumnPlan | None) -> dict[str, bytes | None]:
    """Every part the merge rewrites.

    Args:
        result: the merge (its table in book order, each row's origin and
            the cells the export wrote).
        typed: ``result.table`` with numbers and dates typed for the sheet.
        book_rows: how many account rows the book had (from its first data row).
        plan: where new columns go (:func:`plan_columns`), if any.
    """
    parts: dict[str, bytes | None] = {}
    info = package.table(Tables.ACCOUNTS.table, Tables.ACCOUNTS.sheet)
    sheet, part = info.sheet, package.sheet_part(info.sheet)
    r1, c1, _, c2 = info.bounds
    first = r1 + 1
    headers = list(info.columns)
    table_xml = info.xml
    if plan is not None:
        insert_columns(package, parts, sheet, plan.at, len(plan.names))
        shifted = parts.pop(info.part, None)
        table_xml = add_table_columns(shifted.decode("utf-8") if shifted is not None else table_xml,
                                      plan.at - c1, list(plan.names))
        parts[info.part] = table_xml.encode("utf-8")
        headers[plan.at - c1:plan.at - c1] = list(plan.names)
        c2 += len(plan.names)
    if result.removed:
        new = np.zeros(book_rows, dtype=np.int64)
        kept = result.origin >= 0
        new[result.origin[kept]] = first + np.flatnonzero(kept)
        move_rows(package, parts, sheet, RowMove(first, new, c1, c2))
    current = parts.pop(info.part, None)  # the table as the edits above left it
    table_xml = current.decode("utf-8") if current is not None else table_xml
    # The table's range as the column inserts left it; fit_table moves a Total Row below the last account.
    table = dataclasses.replace(info, xml=table_xml, ref=area(r1, c1, info.bounds[2], c2))
    layout = _Layout(result, headers, first, c1, plan)
    rows = layout.rows_read | fit_rows(table, len(result.table))
    moved = parts[part].decode("utf-8") if part in parts else None  # type: ignore[union-attr]
    accounts = _sheet(package, part, moved, rows)
    edits, inserts, block = _cell_edits(accounts.view, layout, typed)
    if plan is not None:
        accounts = _sheet(package, part, _insert_cells(moved or package.text(part), plan.at + len(plan.names),
                                                       inserts, edits), rows)
    fitted = fit_table(table, accounts.view, edits, len(result.table), [], {})
    accounts.add(edits, block)
    parts[part] = accounts.content()
    if fitted is not None:
        parts[info.part] = fitted.encode("utf-8")
    elif table_xml != info.xml:
        parts[info.part] = table.with_ref(table.ref).encode("utf-8")
    return parts


def _sheet(package: Package, part: str, text: str | None, rows: set[int]) -> SheetChanges:
    """The Accounts sheet to change: as the column inserts and row moves left it (``text``), else the book's."""
    return SheetChanges.of_text(text, rows) if text is not None else SheetChanges.of_part(package, part, rows)


@dataclass(frozen=True)
class _Layout:
    """Which cells a merge writes: per sheet column, the table rows that take a value (each worked out once)."""

    result: MergeResult
    headers: list[str]
    first: int
    c1: int
    plan: ColumnPlan | None

    @cached_property
    def columns(self) -> dict[int, str | None]:
        """Sheet column -> the merged table's column written there (None: the export has none)."""
        by_key = {header_key(c): c for c in self.result.table.columns}
        return {self.c1 + j: by_key.get(header_key(h)) for j, h in enumerate(self.headers)}

    @cached_property
    def fresh(self) -> set[int]:
        """The sheet columns of the export's new columns."""
        plan = self.plan
        return set(range(plan.at, plan.at + len(plan.names))) if plan is not None else set()

    @cached_property
    def changed(self) -> dict[int, np.ndarray]:
        """Sheet column -> the rows of accounts the book had whose cell there the export changed."""
        outputs = {header_key(h) for h in WORKBOOK_OUTPUT_COLUMNS}
        kept = self.result.origin >= 0
        out = {}
        for c, name in self.columns.items():
            if header_key(self.headers[c - self.c1]) in outputs or name is None:
                continue
            rows = np.flatnonzero(self.result.written[name] & kept)
            if len(rows):
                out[c] = rows
        return out

    @cached_property
    def rows_read(self) -> set[int]:
        """The sheet rows the merge looks at: the first data row (its styles), the heading row (a new column's
        style), and the cells it changes in place (their own styles)."""
        fresh = self.fresh
        touched = {self.first + int(i) for c, rows in self.changed.items() if c not in fresh for i in rows}
        return touched | {self.first, self.first - 1}


def _cell_edits(xml: str, layout: _Layout, typed: pd.DataFrame
                ) -> tuple[dict[int, dict[int, str | None]], dict[int, dict[int, str]], RowBlock | None]:
    """The cells to write: what the export changed, new accounts' rows, the new columns.

    Returns (edits for the sheet patch, the new columns' cells of existing
    rows by row, and the new accounts' rows as one block of every column).
    """
    result, headers, first, c1, plan = layout.result, layout.headers, layout.first, layout.c1, layout.plan
    columns, fresh = layout.columns, layout.fresh
    n = len(result.table)
    existing = read_rows(xml, layout.rows_read)
    base = existing.get(first, {})
    left = plan.at - 1 if plan is not None else None
    style = {c: cell_style(base.get(c)) for c in columns}
    for c in fresh:  # a new column looks like the user's column to its left, as in Excel
        style[c] = cell_style(base.get(left)) if left is not None and left >= c1 else None
    edits: dict[int, dict[int, str | None]] = {}
    inserts: dict[int, dict[int, str]] = {}
    values = {c: typed[name].to_numpy(dtype=object) for c, name in columns.items() if name is not None}
    for c, rows in layout.changed.items():
        letter = col_letter(c)
        for i in rows.tolist():
            r = first + i
            try:
                if c in fresh:
                    cell = value_cell(f"{letter}{r}", style[c], values[c][i])
                    if cell:
                        inserts.setdefault(r, {})[c] = cell
                    continue
                own = cell_style(existing.get(r, {}).get(c)) or style[c]
                edits.setdefault(r, {})[c] = value_cell(f"{letter}{r}", own, values[c][i]) or None
            except WorkbookError as exc:  # a value no Excel cell can hold
                raise WorkbookError(f"{Tables.ACCOUNTS.sheet} sheet, row {r}, column {headers[c - c1]!r}: {exc}") from None
    added = np.flatnonzero(result.origin < 0)
    block = None
    if len(added):  # new accounts follow the book's: one run of rows, every column of the table
        top = first + int(added[0])
        new = {c: values[c][added] if c in values else np.full(len(added), None, dtype=object) for c in columns}
        for c, column in new.items():
            check_fits(column, top, headers[c - c1], Tables.ACCOUNTS.sheet)
        block = cell_block(top, len(added), new, style, edits, shorten=False, label="Writing the new accounts")
    if n == 0:  # the table keeps one (empty, styled) data row
        edits[first] = {c: value_cell(f"{col_letter(c)}{first}", style[c], None) or None for c in columns}
    if plan is not None:
        header_row = first - 1
        header_style = cell_style(existing.get(header_row, {}).get(left)) if left else None
        for k, name in enumerate(plan.names):
            c = plan.at + k
            edits.setdefault(header_row, {})[c] = value_cell(f"{col_letter(c)}{header_row}", header_style, name)
    return edits, inserts, block


def _insert_cells(xml: str, before: int, inserts: dict[int, dict[int, str]],
                  edits: dict[int, dict[int, str | None]]) -> str:
    """Put new columns' cells in front of each row's cell in column ``before`` (one pass over the sheet).

    A row without a cell in that column gets its new cells through ``edits`` instead.
    """
    if not inserts:
        return xml
    pending = {r: "".join(cells[c] for c in sorted(cells)) for r, cells in inserts.items()}
    cell = re.compile(rf'<c r="{col_letter(before)}(\d+)"')

    def put(m: re.Match[str]) -> str:
        new = pending.pop(int(m.group(1)), None)
        return new + m.group(0) if new else m.group(0)

    xml = cell.sub(put, xml)
    for r in pending:
        edits.setdefault(r, {}).update(inserts[r])
    return xml


__all__ = ["ColumnPlan", "merge_parts", "plan_columns"]
