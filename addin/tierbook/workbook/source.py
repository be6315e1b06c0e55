"""Where a workbook's tables and cell values come from: a file, or a workbook open in Excel.

The reader (:func:`tierbook.workbook.read.read_book`) asks a
:class:`BookSource` three things: where a table is (:meth:`~BookSource.table`),
whether there is one (:meth:`~BookSource.has_table`), and the values of a
sheet (:meth:`~BookSource.grid`). :class:`FileSource` answers from the .xlsx
package (tables from their XML, values from the cells' stored results, read
with python-calamine); :class:`tierbook.excel.source.XlwingsSource` answers
from the open workbook through xlwings. Both raise :class:`WorkbookError`
for a table or a sheet they do not have, so the reader never needs to know
which one it reads.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Protocol

from ..errors import WorkbookError
from .package import Package
from .sheetxml import error_cells, undated_out_of_range
from .tables import TableInfo, missing_table

if TYPE_CHECKING:  # python-calamine is imported only where a file is read (not inside xlwings Lite)
    from python_calamine import CalamineWorkbook

Grid = list[list[object]]
"""A sheet's values from A1, as rows ("" for an empty cell, an Excel error cell as its text, "#DIV/0!")."""


class BookSource(Protocol):
    """What the reader needs of a workbook, wherever it is."""

    @property
    def name(self) -> str:
        """The workbook's name, for messages."""
        ...

    def table(self, name: str, sheet: str | None = None) -> TableInfo:
        """An Excel table by name (case-blind); WorkbookError when there is none."""
        ...

    def has_table(self, name: str) -> bool:
        ...

    def grid(self, sheet: str) -> Grid:
        """A sheet's values (read once); WorkbookError when the source cannot give them."""
        ...


class FileSource:
    """A workbook file: its tables from the package, its values from the stored results of its cells."""

    def __init__(self, package: Package, values: CalamineWorkbook | None = None) -> None:
        self.package = package
        self._values = values
        self._grids: dict[str, Grid] = {}

    @property
    def name(self) -> str:
        return self.package.path.name

    def table(self, name: str, sheet: str | None = None) -> TableInfo:
        return self.package.table(name, sheet)

    def has_table(self, name: str) -> bool:
        return self.package.has_table(name)

    def forget(self, sheet: str) -> None:
        """Let a sheet's values go (read again if asked for): a full Accounts sheet holds a million rows of them."""
        self._grids.pop(sheet, None)

    def grid(self, sheet: str) -> Grid:
        if sheet not in self._grids:
            if self._values is None:
                self._values = open_values(self.package)
            self._grids[sheet] = load_grid(self.package, self._values, sheet)
        return self._grids[sheet]


def open_values(package: Package) -> CalamineWorkbook:
    """The stored results of the workbook's cells (python-calamine)."""
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


__all__ = ["BookSource", "FileSource", "Grid", "load_grid", "missing_table", "open_values", "sheet_grid"]
