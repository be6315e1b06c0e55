"""The workbook file: one writer at a time, nothing left by a killed run, one clear line for a file it cannot use."""

from __future__ import annotations

import io
import os
import re
import resource
import signal
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tierbook.columns import Col, HistoryCol
from tierbook.workbook.layout import Sheet, Tables
from tierbook.workbook.edit import set_settings
from tierbook.workbook.package import Package
from tierbook.workbook.read import read_book

HOLD_LOCK = """import sys, time
from tierbook.workbook.package import book_lock
with book_lock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(120)
"""


def cli(*args: object, cwd: Path, env: dict[str, str] | None = None, preexec=None,  # type: ignore[no-untyped-def]
        background: bool = False):
    """Run ``tierbook ARGS`` in a process of its own, as a user would from a shell."""
    command = [sys.executable, "-m", "tierbook.cli", *map(str, args)]
    full_env = {**os.environ, **(env or {})}
    if background:
        return subprocess.Popen(command, cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
    return subprocess.run(command, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=300,
                          preexec_fn=preexec)


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def column(book: Path, sheet: str, table: str, header: str) -> list[object]:
    info = Package.open(book).table(table)
    grid = CalamineWorkbook.from_path(str(book)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    c = info.column(header) - 1
    return [row[c] for row in grid[info.bounds[0]:info.bounds[2]]]


# ----------------------------------------------------------------- the lock
def test_a_second_writer_waits_then_refuses_naming_the_book_and_its_holder(book: Path, tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(book)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"  # type: ignore[union-attr]
        before = book.read_bytes()
        start = time.monotonic()
        done = cli("assign", book, cwd=tmp_path, env={"TIERBOOK_LOCK_WAIT": "1"})
        waited = time.monotonic() - start
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert book.name in line and "being written by another Tierbook command" in line and f"process {holder.pid}" in line
    assert waited >= 1
    assert book.read_bytes() == before


def test_a_killed_writer_never_leaves_the_book_locked(book: Path, tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(book)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"  # type: ignore[union-attr]
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    done = cli("assign", book, cwd=tmp_path, env={"TIERBOOK_LOCK_WAIT": "1"})
    assert done.returncode == 0, done.stderr
    assert hidden(tmp_path) == []  # the dead holder's lock file went with the next write


def test_import_started_while_assign_writes_loses_neither_run(big_book: Path, tmp_path: Path) -> None:
    set_settings(big_book, ["policy=arr-share"])  # so that this assign changes tiers and logs them
    export = tmp_path / "export.csv"
    export.write_text("Account ID,Account Name,ARR\nNEW-1,Brand New Co,123456\n", encoding="utf-8")
    wait = {"TIERBOOK_LOCK_WAIT": "120"}
    assigning = cli("assign", big_book, cwd=tmp_path, env=wait, background=True)
    lock = big_book.with_name(f".{big_book.name}.tierbook-lock")
    deadline = time.monotonic() + 0.5  # until assign holds the lock, or at most while it starts reading
    while not lock.exists() and time.monotonic() < deadline and assigning.poll() is None:
        time.sleep(0.01)
    imported = cli("import", export, "--into", big_book, cwd=tmp_path, env=wait)
    out, err = assigning.communicate(timeout=300)
    assert assigning.returncode == 0 and imported.returncode == 0, err + imported.stderr
    changes = int(re.search(r"([\d,]+) tier changes logged", out).group(1).replace(",", ""))  # type: ignore[union-attr]
    stamp = re.search(r"run stamp (\S+ \S+) UTC", out).group(1)  # type: ignore[union-attr]
    assert changes > 100
    runs = column(big_book, Sheet.HISTORY, Tables.HISTORY.table, HistoryCol.RUN)
    assert runs.count(stamp) == changes  # assign's run is in Tier History
    assert "NEW-1" in column(big_book, Sheet.ACCOUNTS, Tables.ACCOUNTS.table, Col.ACCOUNT_ID)  # and import's account


# --------------------------------------------------------------- a killed run
def test_assign_killed_mid_write_leaves_the_book_whole_and_the_next_run_cleans_up(big_book: Path,
                                                                                   tmp_path: Path) -> None:
    for _attempt in range(5):
        before = big_book.read_bytes()
        proc = cli("assign", big_book, cwd=tmp_path, background=True)
        while proc.poll() is None:
            temps = [p for p in tmp_path.iterdir() if p.name.startswith(f".{big_book.stem}.") and "lock" not in p.name]
            try:
                if temps and temps[0].stat().st_size > 200_000:
                    proc.send_signal(signal.SIGKILL)
                    break
            except FileNotFoundError:
                pass
            time.sleep(0.002)
        proc.communicate()
        if proc.returncode == -signal.SIGKILL:
            break
    else:
        pytest.fail("assign always finished before it could be killed halfway through writing")
    assert [n for n in hidden(tmp_path) if "lock" not in n]  # the killed run's temporary file
    assert big_book.read_bytes() == before  # never renamed into place: the book is the old one, whole
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("Account ID,Account Name,ARR\nA1,One,100\n", encoding="utf-8")
    done = cli("tier", accounts, "-o", tmp_path / "tiers.csv", cwd=tmp_path)  # the next command writing there
    assert done.returncode == 0, done.stderr
    assert hidden(tmp_path) == []
    assert read_book(Package.open(big_book)).n_accounts == 20_000


# ---------------------------------------------------------------- zip bombs
def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _zeros(gib: int) -> bytes:
    """A raw deflate stream of ``gib`` GiB of zero bytes: about 1 MB per GiB."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\0" * (1 << 20)
    first = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    return first + block * (gib * 1024 - 1) + c.flush()


def write_bomb(source: Path, target: Path, part: str, declared: int | None = None) -> None:
    """``source`` with ``part`` replaced by 5 GiB of zeros (a ZIP64 member), declaring its size or ``declared``.

    The CRC is never reached: a reader must stop long before.
    """
    with zipfile.ZipFile(source) as z:
        members = {i.filename: (_deflate(d), zlib.crc32(d), len(d)) for i in z.infolist() for d in [z.read(i.filename)]}
    members[part] = (_zeros(5), 0, 5 << 30)
    out, central = io.BytesIO(), []
    for name, (data, crc, size) in members.items():
        raw, offset = name.encode(), out.tell()
        shown = declared if declared is not None and name == part else size
        extra = struct.pack("<HHQQ", 1, 16, shown, len(data))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                              len(raw), len(extra)) + raw + extra + data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF,
                                   0xFFFFFFFF, len(raw), len(extra), 0, 0, 0, 0, offset) + raw + extra)
    start, directory = out.tell(), b"".join(central)
    out.write(directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(directory),
                                      start, 0))
    target.write_bytes(out.getvalue())


def _memory_cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # a bomb must not take the machine down


@pytest.mark.parametrize("declared", [None, 20_000], ids=["sizes-declared", "sizes-hidden"])
def test_a_zip_bomb_is_refused_in_one_line(book: Path, tmp_path: Path, declared: int | None) -> None:
    bomb = tmp_path / "bomb.xlsx"
    write_bomb(book, bomb, Package.open(book).sheet_part(Sheet.ACCOUNTS), declared)
    assert bomb.stat().st_size < 6_000_000
    for args in (("assign", bomb), ("tier", bomb, "-o", tmp_path / "out.csv")):
        done = cli(*args, cwd=tmp_path, preexec=_memory_cap)
        assert done.returncode == 2
        line = one_line(done.stderr)
        assert str(bomb) in line
        if declared is None:
            assert "would inflate to 5.0 GiB" in line and "zip bomb" in line
    assert not (tmp_path / "out.csv").exists()


# ----------------------------------------------------------- encrypted books
def test_an_encrypted_workbook_says_so_and_how_to_fix_it(book: Path, tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    locked = tmp_path / "locked.xlsx"
    with open(book, "rb") as plain, open(locked, "wb") as out:
        OOXMLFile(plain).encrypt("secret", out)
    for args in (("assign", locked), ("tier", locked, "-o", tmp_path / "out.csv"), ("summary", locked)):
        done = cli(*args, cwd=tmp_path)
        assert done.returncode == 2
        line = one_line(done.stderr)
        assert "locked.xlsx" in line and "encrypted (password-protected)" in line and "remove the password" in line


# ---------------------------------------------------------------- full disk
@pytest.fixture
def small_disk(book: Path, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder on a real file system with room for the book once, not twice (tmpfs), when this user may
    mount one; else a folder where a file size limit stops the same write."""
    disk = tmp_path / "disk"
    disk.mkdir()
    room = book.stat().st_size // 1024 + 64  # KiB: the book, its lock file, and not a second copy
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={room}k", "tmpfs", str(disk)], capture_output=True).returncode == 0
    yield disk, "tmpfs" if mounted else "ulimit"
    if mounted:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_a_full_disk_names_the_book_and_leaves_it_untouched(book: Path, small_disk: tuple[Path, str]) -> None:
    disk, kind = small_disk
    target = disk / "Tierbook.xlsx"
    target.write_bytes(book.read_bytes())
    before = target.read_bytes()
    size = len(before)
    limit = (lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size // 2, size // 2))) if kind == "ulimit" else None
    done = cli("assign", target, cwd=disk.parent, preexec=limit)
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert line.startswith(f"tierbook: error: {target}: ") and ".tierbook-" not in line
    assert ("the disk is full" if kind == "tmpfs" else "file size limit") in line
    assert "Tierbook.xlsx is as it was" in line
    assert target.read_bytes() == before
    assert sorted(p.name for p in disk.iterdir()) == ["Tierbook.xlsx"]


def test_a_full_disk_names_the_csv_and_writes_nothing(book: Path, small_disk: tuple[Path, str]) -> None:
    disk, kind = small_disk
    accounts = disk.parent / "accounts.csv"
    rows = "".join(f"A{i},Account {i} {'x' * 200},{1000 + i}\n" for i in range(4000))  # about 1 MB
    accounts.write_text("Account ID,Account Name,ARR\n" + rows, encoding="utf-8")
    target = disk / "tiers.csv"
    limit = (lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))) if kind == "ulimit" else None
    done = cli("tier", accounts, "-o", target, cwd=disk.parent, preexec=limit)
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert line.startswith(f"tierbook: error: {target}: ") and ".tierbook-" not in line
    assert "nothing was written" in line
    assert list(disk.iterdir()) == []
