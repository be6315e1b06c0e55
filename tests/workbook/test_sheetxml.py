"""Worksheets as other programs write them: rows and cells may leave out their r= address."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from python_calamine import CalamineWorkbook

from tierbook.workbook.layout import Sheet
from tierbook.workbook.assign import assign
from tierbook.workbook.package import Package, save_package
from tierbook.workbook.sheetpatch import patch_rows
from tierbook.workbook.cells import col_number
from tierbook.workbook.sheetxml import read_rows

STAMP = "2026-03-01 09:00:00"
SHEET = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         '<row><c><v>1</v></c><c t="inlineStr"><is><t>a</t></is></c></row>'
         '<row><c><v>2</v></c></row>'
         '<row r="5"><c r="B5"><v>3</v></c><c><v>4</v></c></row>'
         '<row><c r="C6"><v>5</v></c></row>'
         '</sheetData></worksheet>')


def grid(book: Path, sheet: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(book)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def test_rows_and_cells_without_addresses_follow_the_previous_one() -> None:
    rows = read_rows(SHEET, range(1, 8))
    assert {r: sorted(cells) for r, cells in rows.items()} == {1: [1, 2], 2: [1], 5: [2, 3], 6: [3]}


def test_patching_such_a_sheet_moves_no_other_cell() -> None:
    patched = patch_rows(SHEET, {2: {2: '<c r="B2"><v>9</v></c>'}, 3: {1: '<c r="A3"><v>7</v></c>'},
                                 1: {1: None}})
    rows = read_rows(patched, range(1, 8))
    values = {r: {c: re.search(r"<v>(.*?)</v>|<t>(.*?)</t>", x).group(0) for c, x in cells.items()}
              for r, cells in rows.items()}
    assert values == {1: {2: "<t>a</t>"}, 2: {1: "<v>2</v>", 2: "<v>9</v>"}, 3: {1: "<v>7</v>"},
                      5: {2: "<v>3</v>", 3: "<v>4</v>"}, 6: {3: "<v>5</v>"}}


def _implied_addresses_left_out(row_xml: str) -> str:
    """A row's cells without the r= that the previous cell implies (a cell after a gap keeps its own)."""
    previous = 0

    def drop(m: re.Match[str]) -> str:
        nonlocal previous
        column = col_number(m.group(2))
        implied, previous = column == previous + 1, column
        return m.group(1) if implied else m.group(0)

    return re.sub(r'(<c\b[^>]*?)\sr="([A-Z]+)\d+"', drop, row_xml)


def strip_addresses(book: Path) -> None:
    """Save the Accounts sheet as some writers do: no r= on any row, nor on a cell where the previous cell implies it."""
    package = Package.open(book)
    part = package.sheet_part(Sheet.ACCOUNTS)
    xml = package.text(part)
    head, rest = xml.split("<sheetData>", 1)
    body, tail = rest.split("</sheetData>", 1)
    body = re.sub(r'(<row\b[^>]*?)\sr="\d+"', r"\1", body)
    body = re.sub(r"<row\b.*?</row>", lambda m: _implied_addresses_left_out(m.group(0)), body, flags=re.S)
    assert not re.search(r"<row\b[^>]*\sr=", body)
    assert body.count("<c") > 10 * body.count(' r="')  # nearly every cell lost its address
    save_package(package, {part: (head + "<sheetData>" + body + "</sheetData>" + tail).encode()}, book, backup=False)


def test_a_sheet_without_addresses_is_read_and_assigned_like_any_other(book: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    shutil.copy(book, plain)
    strip_addresses(book)
    assert assign(book, stamp=STAMP).accounts == assign(plain, stamp=STAMP).accounts == 150
    assert grid(book, Sheet.ACCOUNTS) == grid(plain, Sheet.ACCOUNTS)  # every cell, inputs and outputs alike
