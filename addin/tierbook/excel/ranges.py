"""Sheets and tables through xlwings, as whole blocks: read a sheet from A1, write columns, cells and tables.

Every write goes through :func:`cell_value`, which stores a value as the
file writer does: text with a leading apostrophe (so "=1+1" and "00123"
stay text), NaN as an empty cell.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
import xlwings as xw

from ..errors import TierbookError
from ..workbook.layout import Place
from ..workbook.cells import area, split_area
from ..workbook.read import Book, read_book
from ..workbook.tables import TableInfo


# --------------------------------------------------------------------- reading
class XlwingsTables:
    """Where the tables are, as the open workbook reports them (a file's zip is not at hand)."""

    def __init__(self, book: xw.Book, sheets: Iterable[str]) -> None:
        self.name = book.name
        self.tables: dict[str, TableInfo] = {}
        for sheet_name in sheets:
            sheet = book.sheets[sheet_name]
            for table in sheet.tables:
                ref = table.range.address.replace("$", "")
                header = table.header_row_range.options(ndim=1).value
                columns = ["" if h is None else str(h) for h in header]
                self.tables[table.name.casefold()] = TableInfo(table.name, "", sheet.name, ref, columns, "")

    def table(self, name: str, sheet: str | None = None) -> TableInfo:
        info = self.tables.get(name.casefold())
        if info is None:
            where = f" on sheet {sheet!r}" if sheet else ""
            raise TierbookError(f"{self.name}: no Excel table named {name!r}{where}; "
                                "Tierbook finds its tables by name, was it renamed or deleted?")
        return info

    def has_table(self, name: str) -> bool:
        return name.casefold() in self.tables


def sheet_grid(sheet: xw.Sheet) -> list[list[object]]:
    """A sheet's values from A1 to the end of its used range, as rows ("" for empty)."""
    last = sheet.used_range.last_cell
    # err_to_str: a cell reading "#N/A" is data to report, not a blank.
    values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=True).value
    return [["" if v is None else v for v in row] for row in values]


def read_xlwings_book(book: xw.Book, sheets: tuple[str, ...]) -> Book:
    """The workbook's inputs, read from the open workbook as whole blocks."""
    grids = {name: sheet_grid(book.sheets[name]) for name in sheets}
    tables = XlwingsTables(book, sheets)
    return read_book(tables, grids=grids)  # type: ignore[arg-type]


# --------------------------------------------------------------------- writing
def cell_value(value: object) -> object:
    """A value as the file writer stores it: text stays text, NaN is an empty cell."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        return "'" + value if value else None
    return value


def put_column(sheet: xw.Sheet, row: int, col: int, values: Iterable[object]) -> None:
    block = [[cell_value(v)] for v in values]
    if block:
        sheet.range((row, col), (row + len(block) - 1, col)).value = block


def put_block(sheet: xw.Sheet, row: int, col: int, rows: list[list[object]]) -> None:
    if rows and rows[0]:
        block = [[cell_value(v) for v in r] for r in rows]
        sheet.range((row, col), (row + len(block) - 1, col + len(block[0]) - 1)).value = block


def runs(columns: list[int]) -> list[tuple[int, int]]:
    """Consecutive column numbers grouped: [3, 4, 5, 9] -> [(3, 5), (9, 9)]."""
    runs: list[tuple[int, int]] = []
    for c in columns:
        if runs and c == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], c)
        else:
            runs.append((c, c))
    return runs


def put_columns(sheet: xw.Sheet, row: int, columns: dict[int, Iterable[object]]) -> None:
    """Several columns from the same row; neighbouring ones go as one block."""
    arrays = {c: list(v) for c, v in columns.items()}
    for lo, hi in runs(sorted(arrays)):
        put_block(sheet, row, lo, [list(r) for r in zip(*(arrays[c] for c in range(lo, hi + 1)))])


def put_cells(sheet: xw.Sheet, cells: dict[tuple[int, int], object]) -> None:
    """Scattered cells, written as few vertical runs as possible."""
    by_col: dict[int, list[int]] = {}
    for r, c in cells:
        by_col.setdefault(c, []).append(r)
    for c, rows in by_col.items():
        rows.sort()
        start = prev = rows[0]
        for r in rows[1:] + [None]:  # type: ignore[list-item]
            if r is not None and r == prev + 1:
                prev = r
                continue
            put_column(sheet, start, c, [cells[(x, c)] for x in range(start, prev + 1)])
            if r is not None:
                start = prev = r


def clear(sheet: xw.Sheet, r1: int, c1: int, r2: int, c2: int) -> None:
    if r2 >= r1 and c2 >= c1:
        sheet.range((r1, c1), (r2, c2)).clear_contents()


def resize_table(sheet: xw.Sheet, info: TableInfo, new_ref: str) -> None:
    if new_ref != info.ref:
        sheet.tables[info.name].resize(sheet.range(new_ref))


def write_table(book: xw.Book, tables: XlwingsTables, place: Place, headers: tuple[str, ...],
                frame: pd.DataFrame, start: int = 0) -> None:
    """Rows of ``frame`` into a table from data row ``start``; what is left of the old rows is cleared."""
    info = tables.table(place.table, place.sheet)
    sheet = book.sheets[place.sheet]
    r1, c1, r2, c2 = split_area(info.ref)
    first = r1 + 1
    columns = [frame[h].to_numpy(dtype=object) if h in frame.columns else [None] * len(frame) for h in headers]
    put_block(sheet, first + start, c1, [list(r) for r in zip(*columns)])
    end = first + start + len(frame) - 1
    clear(sheet, end + 1, c1, r2, c1 + len(headers) - 1)
    resize_table(sheet, info, area(r1, c1, max(end, first), c2))
