"""A sheet's stored values as a grid, and one table's data rows read from it.

Values come from the cells' stored results (python-calamine, fast), or from
the grids xlwings sends; where a table is comes from its own XML. The
Settings reader (:mod:`.settings_sheet`) and the workbook reader
(:mod:`.read`) both read their tables through :func:`table_data`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..engine.reading import is_blank
from ..errors import WorkbookError
from .layout import Place
from .package import Package
from .sheetxml import error_cells, undated_out_of_range
from .tables import TableInfo

Grid = list[list[object]]

if TYPE_CHECKING:  # python-calamine is imported only where a file is read (not inside xlwings Lite)
    from python_calamine import CalamineWorkbook

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


def open_values(package: Package) -> CalamineWorkbook:
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(package.raw))
    except Exception as exc:  # calamine's own error types
        raise WorkbookError(f"{package.path.name}: cannot read the workbook's cells ({exc})") from exc


def sheet_grid(book: CalamineWorkbook, sheet: str) -> Grid:
    try:
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:
        raise WorkbookError(f"cannot read sheet {sheet!r} ({exc})") from exc


def load_grid(package: Package, values: CalamineWorkbook, sheet: str) -> Grid:
    """A sheet's stored values from A1, Excel error cells as their text ("#DIV/0!").

    A number no date can be (above Excel's last day, or negative) in a cell
    formatted as a date makes python-calamine panic; such cells are read
    again as the plain numbers they hold, for the checks to report.
    """
    part = package.sheet_part(sheet)
    try:
        grid = sheet_grid(values, sheet)
    except BaseException as exc:  # pyo3's PanicException derives from BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        plain = undated_out_of_range(package.data[part])
        if plain is None:
            raise WorkbookError(f"cannot read sheet {sheet!r} ({exc})") from None
        grid = sheet_grid(open_values(Package.open(package.path, package.to_bytes({part: plain}))), sheet)
    for r, c, error in error_cells(package.data.chunks(part)):  # in pieces: a big sheet is never held twice
        if r <= len(grid) and c <= len(grid[r - 1]):
            grid[r - 1][c - 1] = error
    return grid


def table_data(package: Package, grids: dict[str, Grid], values: CalamineWorkbook | None, place: Place,
               extend: bool = False, ignore: tuple[str, ...] = ()) -> TableData:
    """The data rows of one table; with ``extend``, rows pasted below the table's range count too.

    A table's Total Row is never data. Below a Total Row nothing is read, so
    rows pasted right under it are refused rather than dropped.
    """
    info = package.table(place.table, place.sheet)
    if info.sheet not in grids:
        if values is None:
            raise WorkbookError(f"the values of sheet {info.sheet!r} were not sent; it holds table {info.name}")
        grids[info.sheet] = load_grid(package, values, info.sheet)
    grid = grids[info.sheet]
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
