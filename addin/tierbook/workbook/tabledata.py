"""One table's data rows, read from the values of its sheet, wherever the workbook is.

Where a table is comes from its source (:class:`~.source.BookSource`: a
file's package, or the workbook open in Excel); its values from the
source's grid of that sheet. The Settings reader (:mod:`.settings_sheet`)
and the workbook reader (:mod:`.read`) both read their tables through
:func:`table_data`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..engine.reading import is_blank
from ..errors import WorkbookError
from .layout import Place
from .source import BookSource
from .tables import TableInfo

_blank = is_blank


@dataclass
class TableData:
    """A table's data rows as read: header -> values, and the sheet row of each.

    ``cells`` holds them as one object array (a row per data row, a column
    per table column, "" where the sheet stops short), so a million-row table
    is taken a column at a time without a loop per cell.
    """

    info: TableInfo
    headers: list[str]
    cells: np.ndarray
    first_row: int

    @cached_property
    def rows(self) -> list[list[object]]:
        return self.cells.tolist()

    def __len__(self) -> int:
        return len(self.cells)

    def column(self, header: str) -> list[object]:
        return self.cells[:, self.headers.index(header)].tolist()

    def columns(self) -> list[np.ndarray]:
        """Every column's cells, each as an array (a view of ``cells``: a full table is not copied again)."""
        return [self.cells[:, j] for j in range(self.cells.shape[1])]

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
    skip = {j for j, h in enumerate(info.columns) if h in ignore}

    if extend and info.totals:
        below = _padded(grid[r2] if r2 < len(grid) else [], c1, c2)
        if any(not _blank(v) for j, v in enumerate(below) if j not in skip):
            raise WorkbookError(
                f"{info.sheet} sheet, row {r2 + 1}: data below table {info.name}'s Total Row (row {r2}), outside "
                "the table; extend the table over it (or turn off the Total Row under Table Design), then run again")
    last = len(grid) if extend and not info.totals else min(info.last_data_row, len(grid))
    block = _block(grid[r1:last], c1, c2)
    # Trailing rows with nothing in them (outside the ignored columns) are not data.
    n = len(block)
    while n and all(_blank(v) for j, v in enumerate(block[n - 1]) if j not in skip):
        n -= 1
    return TableData(info, list(info.columns), block[:n], r1 + 1)


def _padded(row: list[object], c1: int, c2: int) -> list[object]:
    """A grid row's cells in columns ``c1`` .. ``c2``, "" past its end."""
    cut = list(row[c1 - 1:c2])
    return cut + [""] * (c2 - c1 + 1 - len(cut))


def _block(rows: list[list[object]], c1: int, c2: int) -> np.ndarray:
    """Columns ``c1`` .. ``c2`` of a run of grid rows, as one object array (a row per grid row).

    A grid whose rows all reach ``c2`` (a file's sheet is read as a
    rectangle) is converted in one step; otherwise each row is cut and padded.
    """
    if rows and all(len(r) >= c2 for r in rows):
        whole = np.array(rows, dtype=object)
        if whole.ndim == 2:
            return whole[:, c1 - 1:c2]
    out = np.empty((len(rows), c2 - c1 + 1), dtype=object)
    for i, row in enumerate(rows):
        out[i] = _padded(row, c1, c2)
    return out
