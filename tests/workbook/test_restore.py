"""``tierbook restore BOOK``: the version the last write replaced comes back, and nothing newer is lost unasked."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from tierbook.cli import main
from tierbook.workbook.edit import set_settings


def restore(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main(["restore", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_restore_brings_back_the_version_the_last_write_replaced_and_keeps_the_other(
        book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = book.read_bytes()
    set_settings(book, ["policy=arr-share"])
    after = book.read_bytes()
    assert after != before
    code, out, err = restore(capsys, book)
    assert code == 0, err
    assert book.read_bytes() == before
    backup = book.with_name("Tierbook.bak.xlsx")
    assert backup.read_bytes() == after  # the restore can itself be undone
    assert "Restored" in out and "Tierbook.bak.xlsx" in out
    code, _, err = restore(capsys, book)
    assert code == 0, err
    assert book.read_bytes() == after
    assert sorted(p.name for p in book.parent.iterdir()) == ["Tierbook.bak.xlsx", "Tierbook.xlsx"]


def test_a_backup_older_than_the_books_last_good_version_needs_force(book: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    original = book.read_bytes()
    set_settings(book, ["policy=arr-share"])
    time.sleep(0.05)
    saved = book.with_name("saved-elsewhere.xlsx")  # the book saved again outside Tierbook (as Excel does)
    shutil.copy(book, saved)
    os.replace(saved, book)
    edited = book.read_bytes()
    code, _, err = restore(capsys, book)
    assert code == 2
    line = err.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in err
    assert "Tierbook.bak.xlsx" in line and "older than Tierbook.xlsx's last good version" in line
    assert "tierbook restore Tierbook.xlsx --force" in line
    assert book.read_bytes() == edited
    code, _, err = restore(capsys, book, "--force")
    assert code == 0, err
    assert book.read_bytes() == original


def test_no_backup_gets_one_line_and_leaves_the_book(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = book.read_bytes()
    code, _, err = restore(capsys, book)
    assert code == 2
    assert "no backup to restore" in err and "Tierbook.bak.xlsx" in err
    assert book.read_bytes() == before


def test_restore_of_a_book_open_in_excel_is_refused(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_settings(book, ["policy=arr-share"])
    current = book.read_bytes()
    book.with_name("~$Tierbook.xlsx").write_bytes(b"")
    code, _, err = restore(capsys, book)
    assert code == 2 and "open in Excel or LibreOffice" in err
    assert book.read_bytes() == current
