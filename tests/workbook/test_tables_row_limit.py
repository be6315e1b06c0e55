"""More accounts than an Excel sheet holds are refused before anything is written, with the way out named."""

from __future__ import annotations

from pathlib import Path

import pytest

from tierbook.cli import main
from tierbook.workbook.package import Package
from tierbook.workbook.read import read_book
from tierbook.workbook.tables import SHEET_ROWS


def test_an_import_past_excels_last_row_is_refused_and_the_book_is_untouched(
        book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    have = read_book(Package.open(book)).n_accounts
    new = SHEET_ROWS - have  # with the header row, one account more than the sheet holds
    export = tmp_path / "exports" / "everything.csv"
    export.parent.mkdir()
    with export.open("w", encoding="utf-8") as out:
        out.write("Account ID,Account Name,ARR\n")
        out.writelines(f"NEW-{i},Company {i},{1000 + i}\n" for i in range(new))
    before = book.read_bytes()
    code = main(["import", str(export), "--into", str(book)])
    _, err = capsys.readouterr()
    assert code == 2
    line = err.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in err
    assert f"{SHEET_ROWS:,} rows would run to sheet row {SHEET_ROWS + 1:,}" in line
    assert "past Excel's last row (1,048,576)" in line and "nothing was written" in line
    assert "tierbook tier" in line and "--rule duckdb-live" in line
    assert book.read_bytes() == before
    assert sorted(p.name for p in book.parent.iterdir() if p.is_file()) == ["Tierbook.xlsx"]


def test_new_refuses_more_sample_accounts_than_a_sheet_holds(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "Huge.xlsx"
    code = main(["new", str(target), "--sample", str(SHEET_ROWS)])
    _, err = capsys.readouterr()
    assert code == 2 and "1,048,575 rows below its header" in err
    assert not target.exists()
