"""One table's data rows, read from the values of its sheet, wherever the workbook is.

Where a table is comes from its source (:class:`~.source.BookSource`: a
file's package, or the workbook open in Excel); its values from the
source's grid of that sheet. The Settings reader (:mod:`.settings_sheet`)
and the workbook reader (:mod:`.read`) both read their tables through
:func:`table_data`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.reading import is_blank
from ..errors import WorkbookError
from .layout import Place
from .source import BookSource
from .tables import TableInfo

_blank = is_blank


@dataclass
class TableData:
    """A table's data rows as read: header -> values, and the sheet row of each."""

    info: TableInfo
    headers: list[str]
    rows: list[list[object]]
    first_row: int

    def column(self, header: str) -> list[object]:
        j = self.headers.index(header)
        return [r[j] if j < len(r) else "" for r in self.rows]

    def where(self, i: int, header: str, value: object) -> str:
        """'Settings sheet, row 7, column Value (value 'x')' for data row i."""
        shown = "blank" if _blank(value) else repr(value)
        return f"{self.info.sheet} sheet, table {self.info.name}, row {self.first_row + i}, column {header!r} ({shown})"


def table_data(source: BookSource, place: Place, extend: bool = False, ignore: tuple[str, ...] = ()) -> TableData:
    """The data rows of one table; with ``extend``, rows pasted below the table's range count too.

    A table's Total Row is never data. Below a Total Row nothing is read, so
    rows pasted right under it are refused rather than dropped.
    """
    info = source.table(place.table, place.sheet)
    grid = source.grid(info.sheet)
    r1, c1, r2, c2 = info.bounds
    width = c2 - c1 + 1
    skip = {j for j, h in enumerate(info.columns) if h in ignore}

    def cells(r: int) -> list[object]:
        row = grid[r - 1][c1 - 1:c2] if r - 1 < len(grid) else []
        return list(row) + [""] * (width - len(row))

    if extend and info.totals:
        below = cells(r2 + 1)
        if any(not _blank(v) for j, v in enumerate(below) if j not in skip):
            raise WorkbookError(
                f"{info.sheet} sheet, row {r2 + 1}: data below table {info.name}'s Total Row (row {r2}), outside "
                "the table; extend the table over it (or turn off the Total Row under Table Design), then run again")
    last = len(grid) if extend and not info.totals else min(info.last_data_row, len(grid))
    rows = [cells(r) for r in range(r1 + 1, last + 1)]
    # Trailing rows with nothing in them (outside the ignored columns) are not data.
    n = len(rows)
    while n and all(_blank(v) for j, v in enumerate(rows[n - 1]) if j not in skip):
        n -= 1
    return TableData(info, list(info.columns), rows[:n], r1 + 1)
