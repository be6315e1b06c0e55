"""Long runs show a bar on a terminal (step and rows done) and stay quiet in a pipe, a file or a log."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from tierbook.progress import Steps, reporting, terminal
from tierbook.engine.progress import report


def test_a_terminal_shows_each_step_and_the_rows_written(tmp_path: Path) -> None:
    book = tmp_path / "Book.xlsx"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))  # a terminal 160 columns wide
    proc = subprocess.Popen([sys.executable, "-m", "tierbook.cli", "new", str(book), "--sample", "3000"],
                            cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    out, _ = proc.communicate(timeout=300)
    os.close(master)
    assert proc.returncode == 0
    text = shown.decode("utf-8", "replace")
    assert "\r" in text
    assert "Tiering 3,000 accounts" in text
    assert "Writing the Accounts sheet [" in text and "3,000 / 3,000 rows" in text
    assert "\r" not in out.decode()  # the command's own output stays clean


def test_a_pipe_gets_no_bar(tmp_path: Path) -> None:
    book = tmp_path / "Book.xlsx"
    done = subprocess.run([sys.executable, "-m", "tierbook.cli", "new", str(book), "--sample", "3000"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr and "Tiering" not in done.stderr and "rows" not in done.stderr


def test_the_bar_names_the_step_and_counts_rows_and_clears_its_line() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    with terminal(stream):
        report("Writing the Accounts sheet", 250, 1000)
        report("Writing the Accounts sheet", 1000, 1000)
    drawn = stream.getvalue()
    assert "Writing the Accounts sheet [######------------------] 250 / 1,000 rows" in drawn
    assert "1,000 / 1,000 rows" in drawn
    assert drawn.endswith("\r")  # the line is blanked when the run ends


def test_any_front_end_can_listen_to_the_steps() -> None:
    steps: list[tuple[str, int, int]] = []
    with reporting(lambda step, done, total: steps.append((step, done, total))):
        report("Tiering 5 accounts")
    report("nobody listens now")
    assert steps == [("Tiering 5 accounts", 0, 0)]


def test_a_buttons_steps_are_listed_once_each_in_order_with_the_seconds_until_the_next() -> None:
    ticks = iter([0.0, 1.25, 1.25, 4.0])
    shown: list[str] = []
    steps = Steps(show=shown.append, clock=lambda: next(ticks))
    with reporting(steps):
        report("Reading 10 accounts")
        report("Writing the Accounts sheet", 0, 10)
        report("Writing the Accounts sheet", 10, 10)  # the same step again: not a new one
        report("Saving")
    assert shown == ["Reading 10 accounts", "Writing the Accounts sheet", "Saving"]
    assert steps.summary() == "Steps: Reading 10 accounts 1.2 s; Writing the Accounts sheet 0.0 s; Saving 2.8 s."


def test_a_run_that_reported_no_step_adds_nothing_to_the_message() -> None:
    assert Steps().summary() == ""
