"""An Excel table inside the package: its part, range, columns and Total Row, and fitting it to new rows.

:class:`TableInfo` is what :class:`~.package.Package` finds for each table;
:func:`fit_table` is what every writer calls when a table grows or shrinks:
the old data it no longer uses is cleared (only the writer's own columns),
the Total Row moves below the last data row, and the table's filter and sort
ranges follow. The sheet-XML writer (:mod:`.xmlwriter`) fills tables that way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..errors import WorkbookError
from .cells import area, ref, split_area, value_cell
from .sheetxml import has_content, read_rows


@dataclass
class TableInfo:
    """One Excel table: its part, sheet, range and column names, and its Total Row if it shows one.

    ``totals`` is the table's ``totalsRowCount``: that many rows at the
    bottom of ``ref`` are the Total Row, never data.
    """

    name: str
    part: str
    sheet: str
    ref: str
    columns: list[str]
    xml: str
    totals: int = 0

    @property
    def bounds(self) -> tuple[int, int, int, int]:
        return split_area(self.ref)

    @property
    def last_data_row(self) -> int:
        """The sheet row of the table's last data row (above its Total Row)."""
        return self.bounds[2] - self.totals

    def column(self, header: str) -> int | None:
        """Sheet column number of a table column (exact header), or None."""
        try:
            return self.bounds[1] + self.columns.index(header)
        except ValueError:
            return None

    def with_ref(self, new_ref: str) -> str:
        """The table XML with its range set to ``new_ref``, and every range inside it following.

        The filter covers the header and data rows, a sort its data rows: each
        keeps its columns (or the table's full width, if it had it) and ends
        on the new last data row, above the Total Row.
        """
        r1, c1, r2, c2 = self.bounds
        n1, m1, n2, m2 = split_area(new_ref)
        last = n2 - self.totals

        def inner(m: re.Match[str]) -> str:
            a1, b1, a2, b2 = split_area(m.group(2))
            if (b1, b2) == (c1, c2):
                b1, b2 = m1, m2
            else:
                b1, b2 = max(b1, m1), min(max(b2, b1), m2)
            top = n1 if a1 <= r1 else n1 + 1
            return m.group(1) + area(top, b1, max(last, top), b2) + '"'

        xml = re.sub(r'(<(?:\w+:)?table\b[^>]*?\sref=")[^"]+"', lambda m: m.group(1) + new_ref + '"', self.xml, count=1)
        return re.sub(r'(<(?:\w+:)?(?:autoFilter|sortState|sortCondition)\b[^>]*?\sref=")([^"]+)"', inner, xml)


def missing_table(book: str, name: str, sheet: str | None = None) -> WorkbookError:
    """The error for a table a workbook lacks (a file's or an open workbook's: the reader's sources say the same)."""
    where = f" on sheet {sheet!r}" if sheet else ""
    return WorkbookError(f"{book}: no Excel table named {name!r}{where}; was it renamed or deleted? "
                         "Tierbook finds its tables by name")


CellEdits = dict[int, dict[int, "str | None"]]
"""Pending cell edits of one sheet: row -> column -> new cell XML, or None to empty the cell."""

SHEET_ROWS = 1_048_576
"""The rows of an Excel sheet (of every program that opens .xlsx the way Excel does)."""


def table_room(info: TableInfo) -> int:
    """How many data rows a table can hold before it runs past the sheet's last row (its Total Row kept)."""
    return SHEET_ROWS - info.bounds[0] - info.totals


def check_rows_fit(info: TableInfo, rows: int) -> None:
    """Refuse, before anything is built or written, a table that would run past the sheet's last row.

    More accounts than a sheet holds are tiered outside Excel: ``tierbook
    tier`` on the export, or the tier rule run in the warehouse.

    Raises:
        WorkbookError: naming the table, the rows it would need and Excel's limit.
    """
    r1 = info.bounds[0]
    last = r1 + max(rows, 1) + info.totals
    if last > SHEET_ROWS:
        room = table_room(info)
        raise WorkbookError(
            f"{info.sheet} sheet: {rows:,} rows would run to sheet row {last:,}, past Excel's last row "
            f"({SHEET_ROWS:,}); table {info.name} holds at most {room:,} rows, so nothing was written. "
            "Tier a book this large outside Excel: tierbook tier EXPORT.csv -o TIERS.csv, or run the rule where "
            "the data lives: tierbook export BOOK --rule duckdb-live (or snowflake-live, spark-live, ...)")


def fit_table(info: TableInfo, sheet_xml: str, edits: CellEdits, rows: int, clear: Iterable[int],
              styles: Mapping[int, str | None]) -> str | None:
    """Fit a table to ``rows`` data rows: clear what is left of its old data, keep its Total Row below.

    ``edits`` (row -> column -> new cell XML, as :func:`~.sheetpatch.patch_rows`
    takes them) holds the data rows a writer puts in; this adds the rest. Of
    the old data rows that are no longer used, only the ``clear`` columns (the
    writer's own) are emptied, and only inside the table's old range: a cell a
    user typed below the table is never touched. The first data row keeps a
    styled blank (``styles``). A Total Row moves, every cell of it, to just
    below the last data row, where Excel keeps it. Returns the table part's
    new XML, or None when its range is unchanged.

    Raises:
        WorkbookError: the Total Row would land on a cell that holds something the writer does not own, or
            the rows would run past the sheet's last row (:func:`check_rows_fit`).
    """
    check_rows_fit(info, rows)
    r1, c1, r2, c2 = info.bounds
    first = r1 + 1
    last = _last_row(info, rows)
    columns = list(clear)
    for r in range(first + rows, info.last_data_row + 1):
        row = edits.setdefault(r, {})
        for c in columns:
            row[c] = (value_cell(ref(r, c), styles.get(c), None) or None) if r == first else None
    if info.totals and last != info.last_data_row:
        _move_total_row(info, sheet_xml, edits, last)
    new_ref = area(r1, c1, last + info.totals, c2)
    return info.with_ref(new_ref) if new_ref != info.ref else None


def fit_rows(info: TableInfo, rows: int) -> set[int]:
    """The sheet rows a writer reads to fit a table to ``rows`` data rows: the first data row (its styles),
    and the Total Row's rows where it is and where it goes (:func:`fit_table`)."""
    old, new = _total_rows(info, _last_row(info, rows))
    return {info.bounds[0] + 1, *old, *new}


def _last_row(info: TableInfo, rows: int) -> int:
    first = info.bounds[0] + 1
    return max(first + rows - 1, first)


def _total_rows(info: TableInfo, last: int) -> tuple[list[int], list[int]]:
    """The Total Row's sheet rows now, and below ``last`` (the new last data row)."""
    return list(range(info.last_data_row + 1, info.bounds[2] + 1)), list(range(last + 1, last + 1 + info.totals))


def total_row_blocked(info: TableInfo, r: int, c: int) -> WorkbookError:
    """The error for a Total Row that would move onto a cell someone else filled (every writer says the same)."""
    return WorkbookError(
        f"{info.sheet} sheet, cell {ref(r, c)}: table {info.name}'s Total Row moves to row {r}, where this cell "
        "holds something; move it (or turn off the Total Row under Table Design), then run again")


def _move_total_row(info: TableInfo, sheet_xml: str, edits: CellEdits, last: int) -> None:
    _, c1, _, c2 = info.bounds
    old, new = _total_rows(info, last)
    cells = read_rows(sheet_xml, set(old) | set(new))
    for r in new:
        for c in range(c1, c2 + 1):
            there = cells.get(r, {}).get(c)
            if r not in old and there and has_content(there) and c not in edits.get(r, {}):
                raise total_row_blocked(info, r, c)
    for r in old:
        if r not in new:
            row = edits.setdefault(r, {})
            for c in range(c1, c2 + 1):
                row.setdefault(c, None)  # the writer's data, where it has some, wins
    for source, r in zip(old, new):
        row = edits.setdefault(r, {})
        for c in range(c1, c2 + 1):
            cell = cells.get(source, {}).get(c)
            row[c] = _moved_cell(cell, source, r, c) if cell else None


def _moved_cell(cell: str, old_row: int, new_row: int, col: int) -> str:
    """A cell carried from one row to another: its address, and a shared formula's range, follow."""
    cell = re.sub(r'(<c\b[^>]*?\sr=")[A-Z]+\d+"', lambda m: m.group(1) + ref(new_row, col) + '"', cell, count=1)
    return re.sub(r'(<f\b[^>]*?\sref="[A-Z]+)' + str(old_row) + r'(:[A-Z]+)' + str(old_row) + '"',
                  lambda m: f'{m.group(1)}{new_row}{m.group(2)}{new_row}"', cell)
