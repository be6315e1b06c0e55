"""Files Tierbook writes: the mode a plain write gives, a folder is not a file, a live writer's files are kept."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tierbook.atomic import atomic_write, remove_leftovers
from tierbook.errors import OutputError


def tierbook(*args: object, cwd: Path, umask: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tierbook.cli", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300, preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def accounts(tmp_path: Path) -> Path:
    path = tmp_path / "accounts.csv"
    path.write_text("Account ID,Account Name,ARR\nA1,One,1000\nA2,Two,2000\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_new_files_get_the_mode_a_plain_write_gives(tmp_path: Path, accounts: Path, umask: int) -> None:
    assert tierbook("tier", accounts, "-o", "tiers.csv", cwd=tmp_path, umask=umask).returncode == 0
    assert tierbook("new", "Book.xlsx", cwd=tmp_path, umask=umask).returncode == 0
    assert mode(tmp_path / "tiers.csv") == 0o666 & ~umask
    assert mode(tmp_path / "Book.xlsx") == 0o666 & ~umask


def test_an_existing_file_keeps_its_mode(tmp_path: Path, accounts: Path) -> None:
    out = tmp_path / "tiers.csv"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o640)
    assert tierbook("tier", accounts, "-o", out, cwd=tmp_path, umask=0o022).returncode == 0
    assert mode(out) == 0o640 and out.read_text(encoding="utf-8").startswith("Account ID")


def test_an_output_path_that_is_a_folder_gets_one_line(tmp_path: Path, accounts: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    done = tierbook("tier", accounts, "-o", folder, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"tierbook: error: {folder}: is a folder; name the file to write inside it, e.g. {folder / 'out.csv'}"]
    assert list(folder.iterdir()) == []


def test_leftovers_of_a_dead_writer_go_and_a_live_writers_stay(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(finished.stdout)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        gone = tmp_path / f".Book.xlsx.tierbook-{dead}-0a1b2c3d.tmp"
        kept = tmp_path / f".Book.xlsx.tierbook-{live.pid}-0a1b2c3d.tmp"
        user = tmp_path / ".Book.xlsx.notes.tmp"  # not Tierbook's: never touched
        for p in (gone, kept, user):
            p.write_bytes(b"x" * 1000)
        atomic_write(tmp_path / "tiers.csv", lambda temp: Path(temp).write_text("a,b\n", encoding="utf-8"))
        assert not gone.exists() and kept.exists() and user.exists()
    finally:
        live.kill()
        live.wait()
    assert remove_leftovers(tmp_path) == [kept]


def test_a_writer_holding_the_book_lock_removes_the_books_leftovers_even_under_a_reused_pid(tmp_path: Path) -> None:
    # PID 1 always runs: the operating system may hand a dead writer's PID to any new process.
    book = tmp_path / "Book.xlsx"
    book.write_bytes(b"old")
    leftover = tmp_path / ".Book.xlsx.tierbook-1-0a1b2c3d.bak"
    other = tmp_path / ".Other.xlsx.tierbook-1-0a1b2c3d.tmp"  # another book's: its own lock decides
    for p in (leftover, other):
        p.write_bytes(b"x")
    atomic_write(book, lambda temp: Path(temp).write_bytes(b"new"))
    assert book.read_bytes() == b"new"
    assert not leftover.exists() and other.exists()


def test_a_command_that_writes_nothing_still_removes_a_killed_runs_leftovers(tmp_path: Path) -> None:
    book = tmp_path / "Book.xlsx"
    assert tierbook("new", book, cwd=tmp_path).returncode == 0
    assert tierbook("settings", book, "margin_pct=35%", cwd=tmp_path).returncode == 0
    before = book.read_bytes()
    leftover = tmp_path / ".Book.xlsx.tierbook-1-0a1b2c3d.bak"  # a killed run's kept link, its PID since reused
    leftover.write_bytes(before)
    done = tierbook("settings", book, "margin_pct=35%", cwd=tmp_path)  # the value it already has: no write
    assert done.returncode == 0, done.stderr
    assert book.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_backup_left_as_the_book_itself_by_a_killed_run_is_replaced_and_leaves_no_temporary(tmp_path: Path) -> None:
    # Killed after keeping the backup and before renaming the new book in: both names are one file.
    book, backup = tmp_path / "Book.xlsx", tmp_path / "Book.bak.xlsx"
    book.write_bytes(b"old")
    os.link(book, backup)
    atomic_write(book, lambda temp: Path(temp).write_bytes(b"new"), backup=backup)
    assert book.read_bytes() == b"new" and backup.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Book.bak.xlsx", "Book.xlsx"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "tiers.csv"
    target.write_text("old", encoding="utf-8")

    def fails(temp: str) -> None:
        Path(temp).write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device", temp)

    with pytest.raises(OutputError, match=f"^{target}: the disk is full .*; tiers.csv is as it was"):
        atomic_write(target, fails)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiers.csv"]
