"""The file writer copies a plan into the sheet XML by table and heading, or refuses before writing anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from tierbook.columns import ProblemCol
from tierbook.errors import WorkbookError
from tierbook.workbook.assign import assign
from tierbook.workbook.cells import ref, value_cell
from tierbook.workbook.layout import Sheet, Tables
from tierbook.workbook.package import Package, save_package
from tierbook.workbook.sheetpatch import patch_rows

from .helpers import members


def rename_heading(path: Path, place, old: str, new: str) -> None:  # type: ignore[no-untyped-def]
    """Type a new heading over a table's column, as Excel does (the cell and the table's column name)."""
    package = Package.open(path)
    info = package.table(place.table)
    col = info.column(old)
    part = package.sheet_part(info.sheet)
    r1 = info.bounds[0]
    sheet = patch_rows(package.text(part), {r1: {col: value_cell(ref(r1, col), None, new)}})
    table = info.xml.replace(f'name="{old}"', f'name="{new}"', 1)
    save_package(package, {part: sheet.encode(), info.part: table.encode()}, path, backup=False)


def test_a_heading_renamed_in_a_tierbook_table_stops_the_run_naming_it_and_the_file_stays(book: Path) -> None:
    rename_heading(book, Tables.DATA_QUALITY, ProblemCol.SEVERITY, "How bad")
    before = members(book)
    with pytest.raises(WorkbookError) as caught:
        assign(book, backup=False)
    assert str(caught.value) == (
        f"{Sheet.DATA_QUALITY} sheet, table {Tables.DATA_QUALITY.table}, heading row {Tables.DATA_QUALITY.row}: "
        f"no column '{ProblemCol.SEVERITY}' (the headings are 'Row', 'Account ID', 'Column', 'Value', 'Problem', "
        "'How bad', 'Detail'); Tierbook writes its results under that heading: name the column so again, or add it "
        "back to the table")
    assert members(book) == before
