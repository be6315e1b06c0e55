"""Where a workbook's tables and cell values come from: a file, or a workbook open in Excel.

The reader (:func:`tierbook.workbook.read.read_book`) asks a
:class:`BookSource` three things: where a table is (:meth:`~BookSource.table`),
whether there is one (:meth:`~BookSource.has_table`), and the values of a
sheet (:meth:`~BookSource.grid`); it may say early which sheet it will want
(:meth:`~BookSource.prefetch`). :class:`FileSource` answers from the .xlsx
package (tables from their XML, values from the cells' stored results, read
with python-calamine); :class:`tierbook.excel.source.XlwingsSource` answers
from the open workbook through xlwings. Both raise :class:`WorkbookError`
for a table or a sheet they do not have, so the reader never needs to know
which one it reads.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

from ..errors import WorkbookError
from .package import Package
from .sheetxml import error_cells, undated_out_of_range
from .tables import TableInfo, missing_table
from .zipio import BIG_PART

if TYPE_CHECKING:  # python-calamine is imported only where a file is read (not inside xlwings Lite)
    from python_calamine import CalamineSheet, CalamineWorkbook

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

    def prefetch(self, sheet: str, rows: Iterable[int] = (), containing: str | None = None) -> None:
        """The reader will want this sheet's values, and a writer after it these rows of its XML (and those
        holding ``containing``): start on them now if that can go on alongside."""
        ...


class FileSource:
    """A workbook file: its tables from the package, its values from the stored results of its cells."""

    def __init__(self, package: Package, values: CalamineWorkbook | None = None) -> None:
        self.package = package
        self._values = values
        self._grids: dict[str, Grid] = {}
        self._parsing: dict[str, _Parse] = {}
        self._apart: dict[str, CalamineWorkbook] = {}
        """Sheets left out of ``_values`` (read in the background), each with the workbook that reads it."""

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
            parse = self._parsing.pop(sheet, None)
            if parse is not None:
                try:  # while the values are parsed; only a head start: the writer cuts again and says what is wrong
                    self.package.view(self.package.sheet_part(sheet), *parse.rows)
                except Exception:  # a sheet the cut cannot read: the writer meets it and reports it
                    pass
                self._grids[sheet] = load_grid(self.package, parse.workbook, sheet, parse.result)
                give_back_freed_memory()
            else:
                if self._values is None:
                    self._values = open_values(self.package)
                self._grids[sheet] = load_grid(self.package, self._apart.get(sheet, self._values), sheet)
        return self._grids[sheet]

    def prefetch(self, sheet: str, rows: Iterable[int] = (), containing: str | None = None) -> None:
        """Parse a big sheet in the background, while the small sheets are read, its error cells found and
        the rows a writer will read of its XML cut out (:meth:`Package.view`).

        python-calamine lets go of the interpreter while it parses, so on two
        cores the Accounts sheet's parse (the longest step of a read) overlaps
        the rest of the read. The parse has a workbook of its own; the other
        sheets are read from a copy of the package without that sheet, so a
        big file is never held twice. Only before the source has opened its
        workbook, and only where a thread can start (not in xlwings Lite's Pyodide).
        """
        part = self.package.sheets.get(sheet)
        if part is None or self._values is not None or self.package.data.size(part) < BIG_PART:
            return
        whole = open_values(self.package)
        try:
            parse = _Parse(whole, sheet, (frozenset(rows), containing))
        except RuntimeError:  # no threads here
            self._values = whole
            return
        self._parsing[sheet], self._apart[sheet] = parse, whole
        self._values = open_values(self.package, leave_out=part)


class _Parse:
    """One sheet parsed by python-calamine on a thread of its own (it releases the GIL while it parses)."""

    def __init__(self, workbook: CalamineWorkbook, sheet: str, rows: tuple[frozenset[int], str | None]) -> None:
        self.workbook, self.sheet = workbook, sheet
        self.rows = rows
        """The rows of the sheet's XML to cut out while it is parsed, and the text that marks more."""
        self._found: CalamineSheet | None = None
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"tierbook-read-{sheet}")
        self._thread.start()

    def _run(self) -> None:
        try:
            self._found = self.workbook.get_sheet_by_name(self.sheet)
        except BaseException as exc:  # a panic is a BaseException: handed to the reader, as if raised there
            self._failed = exc

    def result(self) -> CalamineSheet:
        """The parsed sheet, once (handed over: a full sheet's parse holds a million rows of cells)."""
        self._thread.join()
        if self._failed is not None:
            raise self._failed
        found, self._found = self._found, None
        return found  # type: ignore[return-value]


def give_back_freed_memory() -> None:
    """Return to the system the memory a parse on another thread freed (glibc's ``malloc_trim``).

    glibc gives each thread a heap of its own and keeps what is freed there
    for that thread: the cells of a million-row sheet parsed on a thread
    would stay resident (about 300 MB) while the main thread allocates
    anew. Where the C library has no ``malloc_trim`` (macOS, Windows,
    musl), nothing is done.
    """
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError, ImportError):  # pragma: no cover - another C library
        pass


def open_values(package: Package, leave_out: str | None = None) -> CalamineWorkbook:
    """The stored results of the workbook's cells (python-calamine); ``leave_out``: a sheet part not to copy."""
    from python_calamine import CalamineWorkbook

    raw = package.raw if leave_out is None else package.to_bytes({leave_out: None})
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except Exception as exc:  # calamine's own error types
        raise WorkbookError(f"{package.path.name}: cannot read the workbook's cells ({exc})") from exc


def sheet_grid(book: CalamineWorkbook, sheet: str, parsed: Callable[[], CalamineSheet] | None = None) -> Grid:
    """A sheet's values as rows; ``parsed`` gives the sheet already being parsed (:meth:`FileSource.prefetch`)."""
    try:
        return (book.get_sheet_by_name(sheet) if parsed is None else parsed()).to_python(skip_empty_area=False)
    except Exception as exc:
        raise WorkbookError(f"cannot read sheet {sheet!r} ({exc})") from exc


def load_grid(package: Package, values: CalamineWorkbook, sheet: str,
              parsed: Callable[[], CalamineSheet] | None = None) -> Grid:
    """A sheet's stored values from A1, Excel error cells as their text ("#DIV/0!").

    A number no date can be (above Excel's last day, or negative) in a cell
    formatted as a date makes python-calamine panic; such cells are read
    again as the plain numbers they hold, for the checks to report. The
    error cells are found first: while a prefetched sheet is still parsed.
    """
    part = package.sheet_part(sheet)
    errors = error_cells(package.data.chunks(part))  # in pieces: a big sheet is never held twice
    try:
        grid = sheet_grid(values, sheet, parsed)
    except BaseException as exc:  # pyo3's PanicException derives from BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        plain = undated_out_of_range(package.data[part])
        if plain is None:
            raise WorkbookError(f"cannot read sheet {sheet!r} ({exc})") from None
        grid = sheet_grid(open_values(Package.open(package.path, package.to_bytes({part: plain}))), sheet)
    for r, c, error in errors:
        if r <= len(grid) and c <= len(grid[r - 1]):
            grid[r - 1][c - 1] = error
    return grid


__all__ = ["BookSource", "FileSource", "Grid", "load_grid", "missing_table", "open_values", "sheet_grid"]
