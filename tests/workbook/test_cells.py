"""Cells as Excel reads them: text that looks like an escape stays text, no cell beyond Excel's 32,767 characters."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from tierbook.columns import Col
from tierbook.workbook.layout import Sheet, Tables
from tierbook.workbook.assign import assign
from tierbook.workbook.cells import MAX_CELL_CHARS, col_letter, column_cells, value_cell
from tierbook.workbook.package import Package, save_package
from tierbook.workbook.read import read_book

from .helpers import set_cells

STAMP = "2026-03-01 09:00:00"
LOOKALIKES = ["Acme_x0041_Corp", "_x000D_", "a_x005F_b", "Line_x000a_two", "_xABCD_ and _x00e9_"]


def grid(book: Path, sheet: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(book)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def test_text_that_looks_like_an_escape_reads_back_as_typed(book: Path) -> None:
    info = Package.open(book).table(Tables.ACCOUNTS.table)
    name = col_letter(info.column(Col.ACCOUNT_NAME))
    set_cells(book, Sheet.ACCOUNTS, {f"{name}{2 + i}": text for i, text in enumerate(LOOKALIKES)})
    assign(book, stamp=STAMP)
    names = [row[info.column(Col.ACCOUNT_NAME) - 1] for row in grid(book, Sheet.ACCOUNTS)[1:1 + len(LOOKALIKES)]]
    assert names == LOOKALIKES
    assert read_book(Package.open(book)).accounts[Col.ACCOUNT_NAME].tolist()[:len(LOOKALIKES)] == LOOKALIKES


def test_table_column_names_are_read_with_the_full_unescape(book: Path) -> None:
    package = Package.open(book)
    info = package.table(Tables.ACCOUNTS.table)
    last = info.columns[-1]
    xml = info.xml.replace(f'name="{last}"/>', 'name="Contract_x000D__x000A_Notes"/>', 1)
    xml = xml.replace(f'name="{info.columns[-2]}"/>', 'name="Tag _x005F_x0041_"/>', 1)
    save_package(package, {info.part: xml.encode()}, book, backup=False)
    columns = Package.open(book).table(Tables.ACCOUNTS.table).columns
    assert columns[-1] == "Contract\r\nNotes" and columns[-2] == "Tag _x0041_"


def test_no_cell_tierbook_writes_exceeds_excels_limit(book: Path) -> None:
    info = Package.open(book).table(Tables.ACCOUNTS.table)
    arr = col_letter(info.column(Col.ARR))
    huge = "9" * 100 + "x" * (MAX_CELL_CHARS - 107)  # a legal cell, yet quoted in a reason it would not fit
    set_cells(book, Sheet.ACCOUNTS, {f"{arr}2": huge})
    assign(book, stamp=STAMP)
    with zipfile.ZipFile(book) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                text = z.read(name).decode("utf-8")
                found = re.findall(r"<t[^>]*>([^<]*)</t>|<v>([^<]*)</v>", text)
                assert max((max(len(a), len(b)) for a, b in found), default=0) <= MAX_CELL_CHARS, name
    reason = grid(book, Sheet.ACCOUNTS)[1][info.column(Col.TIER_REASON) - 1]
    assert reason.startswith("Needs data") and len(reason) <= MAX_CELL_CHARS


def test_composed_text_is_shortened_with_a_visible_marker() -> None:
    cell = value_cell("C7", None, "Reason " + "y" * 40_000, shorten=True)
    text = re.search(r"<t>(.*)</t>", cell).group(1)  # type: ignore[union-attr]
    assert len(text) == MAX_CELL_CHARS and text.startswith("Reason yyy")
    assert text.endswith("[... shortened by Tierbook: 40,007 characters in all]")


def test_emoji_count_twice_toward_the_limit() -> None:
    cell = value_cell("C7", None, "\U0001F600" * 20_000, shorten=True)
    text = re.search(r"<t>(.*)</t>", cell).group(1)  # type: ignore[union-attr]
    assert len(text.encode("utf-16-le")) // 2 <= MAX_CELL_CHARS and "shortened by Tierbook: 40,000" in text


def test_a_users_value_beyond_the_limit_is_refused_with_its_row_and_column(book: Path, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text(f"Account ID,Account Name,ARR\nNEW-1,{'N' * 40_000},5000\n", encoding="utf-8")
    before = book.read_bytes()
    done = subprocess.run([sys.executable, "-m", "tierbook.cli", "import", str(export), "--into", str(book)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 2
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert re.search(r"Accounts sheet, row \d+, column 'Account Name'", line) and "40,000 characters" in line
    assert "32,767" in line
    assert book.read_bytes() == before


@pytest.mark.parametrize("text", LOOKALIKES)
def test_cached_formula_text_is_escaped_too(text: str) -> None:
    from tierbook.workbook.cells import cached_xml

    assert "_x005F_" in cached_xml(text)[1] or "_x" not in text


CELL_VALUES = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(LOOKALIKES + ["", " ", "1", "High-touch"]),
                        st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                        st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)))


@settings(max_examples=300, deadline=None)
@given(values=st.lists(CELL_VALUES, max_size=30), style=st.sampled_from([None, "6"]), texts_only=st.booleans())
def test_a_column_built_at_once_is_the_same_cells_as_built_one_by_one(values: list[object], style: str | None,
                                                                     texts_only: bool) -> None:
    if texts_only:  # the path for tiers and reasons: text and blanks only
        values = [v if v is None or isinstance(v, str) else str(v) for v in values]
    column = np.empty(len(values), dtype=object)
    column[:] = values
    one_by_one = [value_cell(f"T{7 + i}", style, v, shorten=True) for i, v in enumerate(values)]
    assert column_cells("T", 7, style, column, shorten=True) == one_by_one
