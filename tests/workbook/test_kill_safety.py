"""A writer killed at any moment leaves the old book or the complete new one, never a mix, never a pile of files.

Each command runs on a 20,000-account book in a process of its own and is
killed (SIGKILL: no cleanup runs) at moments spread over the whole run, from
start-up to the rename, plus moments inside the write itself (after its
temporary file appears). After every kill the book must be byte for byte
what it was, or the finished result of the command: every member's CRC
right, the book read whole, and the command's change in it.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tierbook.columns import Col, HistoryCol
from tierbook.workbook.edit import list_settings, set_settings
from tierbook.columns import RunItem
from tierbook.workbook.layout import Sheet, Tables
from tierbook.workbook.package import Package
from tierbook.workbook.read import read_book

SPREAD_KILLS = 24   # at moments spread evenly (with jitter) over the whole run
WRITE_KILLS = 8     # at moments inside the write: after the temporary file appears
KILLS = 30          # at least this many runs are really killed (one that finished first is tried again)
ACCOUNTS = 20_000


def start(*args: object, cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "tierbook.cli", *map(str, args)], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def temporary_files(folder: Path, book: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{book.name}.tierbook-") and
                  not p.name.endswith("-lock"))


def writers(folder: Path, book: Path) -> set[str]:
    """The processes whose temporary files lie next to the book (``.NAME.tierbook-PID-TOKEN.tmp|bak``)."""
    return {name.split(".tierbook-")[1].split("-")[0] for name in temporary_files(folder, book)}


def stamp(book: Path) -> object:
    grid = CalamineWorkbook.from_path(str(book)).get_sheet_by_name(Sheet.START).to_python(skip_empty_area=False)
    for row in grid:
        if RunItem.RUN_AT in row:
            return row[row.index(RunItem.RUN_AT) + 1]
    raise AssertionError("no run stamp on Start")


def arr_of(book: Path, account: str) -> float:
    accounts = read_book(Package.open(book)).accounts
    return float(accounts.loc[accounts[Col.ACCOUNT_ID] == account, Col.ARR].iloc[0])


def opens_cleanly(book: Path) -> None:
    with zipfile.ZipFile(book) as z:
        assert z.testzip() is None  # every member whole, its CRC right
    assert read_book(Package.open(book)).n_accounts == ACCOUNTS


def one_run(command: list[object], cwd: Path, book: Path) -> tuple[float, float]:
    """Run the command to its end: (seconds in all, seconds from its temporary file to its end)."""
    began = time.monotonic()
    proc = start(*command, cwd=cwd)
    seen = None
    while proc.poll() is None:
        if seen is None and temporary_files(cwd, book):
            seen = time.monotonic()
        time.sleep(0.002)
    assert proc.returncode == 0, proc.stderr.read().decode()  # type: ignore[union-attr]
    end = time.monotonic()
    return end - began, end - (seen or end)


def kill_at_many_moments(book: Path, commands: Callable[[int], list[object]],
                         finished: Callable[[int, Path], bool]) -> dict[str, int]:
    """Kill ``commands(i)`` at many moments; after each, the book is the old one or ``finished(i, book)``."""
    folder = book.parent
    rng = random.Random(13)
    whole, writing = one_run(commands(0), folder, book)
    assert finished(0, book)
    moments = [("spread", (k + rng.random()) / SPREAD_KILLS * whole) for k in range(SPREAD_KILLS)]
    moments += [("write", rng.random() * max(writing, 0.01)) for _ in range(WRITE_KILLS)]
    counts = {"killed": 0, "old": 0, "new": 0, "finished first": 0}
    i = 0
    while moments:
        kind, delay = moments.pop(0)
        i += 1
        before = book.read_bytes()
        proc = start(*commands(i), cwd=folder)
        began = time.monotonic()
        if kind == "write":
            while proc.poll() is None and not temporary_files(folder, book):
                time.sleep(0.001)
            began = time.monotonic()
        while proc.poll() is None and time.monotonic() - began < delay:
            time.sleep(0.001)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        if proc.returncode == -signal.SIGKILL:
            counts["killed"] += 1
        else:
            assert proc.returncode == 0, proc.stderr.read().decode()  # type: ignore[union-attr]
            counts["finished first"] += 1
            whole = min(whole, time.monotonic() - began) if kind == "spread" else whole
            if counts["finished first"] <= 60:
                moments.append((kind, rng.random() * (whole if kind == "spread" else delay)))  # caught running
        after = book.read_bytes()
        if after == before:
            counts["old"] += 1
        else:
            opens_cleanly(book)
            assert finished(i, book), f"kill {i} ({kind}, {delay:.3f} s): the book changed but is not the new one"
            counts["new"] += 1
        # A killed run leaves at most its own temporary files (new book, kept link); the next command on the book removes them.
        assert len(writers(folder, book)) <= 1, temporary_files(folder, book)
    opens_cleanly(book)
    one_run(commands(0), folder, book)
    assert temporary_files(folder, book) == []
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []
    assert counts["killed"] >= KILLS, counts
    assert counts["old"] + counts["new"] == i
    return counts


def test_assign_killed_at_any_moment_leaves_the_old_book_or_the_new_one(big_book: Path) -> None:
    stamps: dict[int, object] = {}

    def finished(i: int, book: Path) -> bool:
        now = stamp(book)
        done = now != stamps.get("last")  # type: ignore[call-overload]
        stamps["last"] = now  # type: ignore[index]
        return done

    stamps["last"] = stamp(big_book)  # type: ignore[index]
    time.sleep(1.1)  # the stamp counts seconds: every finished run below stamps a new one
    counts = kill_at_many_moments(big_book, lambda i: ["assign", big_book], finished)
    print("assign", counts)


def test_settings_killed_at_any_moment_leave_the_old_book_or_the_new_one(big_book: Path) -> None:
    margins = {0: 0.30, 1: 0.35}

    def finished(i: int, book: Path) -> bool:
        value = dict((k, v) for k, v, _ in list_settings(book))["margin_pct"]
        return value == pytest.approx(margins[i % 2])

    set_settings(big_book, ["margin_pct=35%"])
    counts = kill_at_many_moments(big_book, lambda i: ["settings", big_book, f"margin_pct={margins[i % 2]:.0%}"],
                                  finished)
    print("settings", counts)


def test_import_killed_at_any_moment_leaves_the_old_book_or_the_new_one(big_book: Path, tmp_path: Path) -> None:
    accounts = read_book(Package.open(big_book)).accounts
    account, name = str(accounts[Col.ACCOUNT_ID].iloc[100]), str(accounts[Col.ACCOUNT_NAME].iloc[100])
    exports = tmp_path / "exports"
    exports.mkdir()
    arr = {0: 111_111.0, 1: 222_222.0}
    for k, value in arr.items():
        line = f'{account},"{name}",{value:.0f}'
        (exports / f"export{k}.csv").write_text(f"Account ID,Account Name,ARR\n{line}\n", encoding="utf-8")

    def finished(i: int, book: Path) -> bool:
        return arr_of(book, account) == arr[i % 2]

    counts = kill_at_many_moments(big_book, lambda i: ["import", exports / f"export{i % 2}.csv", "--into", big_book],
                                  finished)
    print("import", counts)


# ------------------------------------------------------------ two at once
def test_two_assigns_started_together_run_one_after_the_other(big_book: Path) -> None:
    set_settings(big_book, ["policy=arr-share"])  # the first assign changes tiers; the second, after it, none
    env = {**os.environ, "TIERBOOK_LOCK_WAIT": "300"}
    command = [sys.executable, "-m", "tierbook.cli", "assign", str(big_book)]
    runs = [subprocess.Popen(command, cwd=big_book.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in runs]
    assert [p.returncode for p in runs] == [0, 0], [err for _, err in outs]
    changes = sorted(int(re.search(r"([\d,]+) tier changes logged", out).group(1).replace(",", ""))  # type: ignore[union-attr]
                     for out, _ in outs)
    assert changes[0] == 0 and changes[1] > 100  # had both read the old book, both would have logged the changes
    grid = CalamineWorkbook.from_path(str(big_book)).get_sheet_by_name(Sheet.HISTORY).to_python(skip_empty_area=False)
    info = Package.open(big_book).table(Tables.HISTORY.table)
    logged = [row for row in grid[info.bounds[0]:info.bounds[2]] if row[info.column(HistoryCol.RUN) - 1] != ""]
    assert len(logged) == changes[1]
    opens_cleanly(big_book)
