"""An open workbook as the reader sees it: a :class:`~tierbook.workbook.source.BookSource` through xlwings.

Tables come from the workbook's own table objects (range, headers, whether
a Total Row shows); values from whole blocks of each sheet, read once. Only
the sheets a button names are read: xlwings Lite sends Python no others.
"""

from __future__ import annotations

from collections.abc import Iterable

import xlwings as xw

from ..errors import WorkbookError
from ..workbook.tables import TableInfo, missing_table
from ..workbook.source import Grid


class XlwingsSource:
    """The tables and values of the sheets ``sheets`` of an open workbook."""

    def __init__(self, book: xw.Book, sheets: Iterable[str]) -> None:
        self.book = book
        self.sheets = tuple(sheets)
        self._grids: dict[str, Grid] = {}
        self._tables: dict[str, TableInfo] = {}
        for sheet_name in self.sheets:
            sheet = book.sheets[sheet_name]
            for table in sheet.tables:
                ref = table.range.address.replace("$", "")
                header = table.header_row_range.options(ndim=1).value
                columns = ["" if h is None else str(h) for h in header]
                totals = 1 if table.show_totals else 0
                self._tables[table.name.casefold()] = TableInfo(table.name, "", sheet.name, ref, columns, "", totals)

    @property
    def name(self) -> str:
        return self.book.name

    def table(self, name: str, sheet: str | None = None) -> TableInfo:
        info = self._tables.get(name.casefold())
        if info is None:
            raise missing_table(self.name, name, sheet)
        return info

    def has_table(self, name: str) -> bool:
        return name.casefold() in self._tables

    def grid(self, sheet: str) -> Grid:
        """A sheet's values from A1 to the end of its used range, as rows ("" for empty)."""
        if sheet not in self.sheets:
            raise WorkbookError(f"{self.name}: the values of sheet {sheet!r} were not sent to Python")
        if sheet not in self._grids:
            last = self.book.sheets[sheet].used_range.last_cell
            # err_to_str: a cell reading "#N/A" is data to report, not a blank.
            block = self.book.sheets[sheet].range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=True)
            self._grids[sheet] = [["" if v is None else v for v in row] for row in block.value]
        return self._grids[sheet]

    def prefetch(self, sheet: str, rows: Iterable[int] = (), containing: str | None = None) -> None:
        """Nothing to start early: xlwings reads a sheet's values in one call, when they are asked for."""


__all__ = ["XlwingsSource"]
