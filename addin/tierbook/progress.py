"""Progress of long runs on a terminal: a bar with the step and the rows done.

The steps come from :func:`~tierbook.engine.progress.report`. The command
line shows them with :func:`terminal`, and only when its output is a
terminal: a pipe, a file or a CI log gets no bar.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import TextIO

from .engine.progress import Callback, report, reporting

__all__ = ["Bar", "Callback", "Steps", "report", "reporting", "terminal"]


class Bar:
    """A one-line bar on a terminal: ``Writing the Accounts sheet [#####-----] 420,000 / 1,048,575 rows``.

    Redrawn at most every ``interval`` seconds (and at each new step); the
    line is cleared when the run ends, so the command's own output starts on
    a clean line.
    """

    def __init__(self, stream: TextIO, interval: float = 0.1, width: int = 24) -> None:
        self.stream, self.interval, self.width = stream, interval, width
        self.step = ""
        self.shown = 0.0
        self.drawn = False

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if step == self.step and now - self.shown < self.interval and done < total:
            return
        self.step, self.shown = step, now
        if total:
            filled = min(self.width, self.width * done // total)
            line = f"{step} [{'#' * filled}{'-' * (self.width - filled)}] {done:,} / {total:,} rows"
        else:
            line = f"{step} ..."
        columns = _columns(self.stream)
        self.stream.write("\r" + line[: columns - 1].ljust(columns - 1))
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * (_columns(self.stream) - 1) + "\r")
            self.stream.flush()


class Steps:
    """The steps of one run with the seconds each took, for an Excel button's message.

    xlwings Lite shows nothing while a script runs, so its button lists the
    steps in the message it shows at the end; desktop Excel also shows each
    step in the status bar as it starts (``show``).
    """

    def __init__(self, show: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.show, self.clock = show, clock
        self.names: list[str] = []
        self.starts: list[float] = []

    def __call__(self, step: str, done: int, total: int) -> None:
        if self.names and self.names[-1] == step:
            return
        self.names.append(step)
        self.starts.append(self.clock())
        if self.show is not None:
            self.show(step)

    def summary(self) -> str:
        """``Steps: Reading 300 accounts 0.1 s; ...; Writing the Accounts sheet 0.4 s.`` ("" before any step)."""
        if not self.names:
            return ""
        ends = [*self.starts[1:], self.clock()]
        done = "; ".join(f"{name} {end - start:.1f} s" for name, start, end in zip(self.names, self.starts, ends))
        return f"Steps: {done}."


def _columns(stream: TextIO) -> int:
    try:
        return max(20, os.get_terminal_size(stream.fileno()).columns)
    except (OSError, ValueError, AttributeError):
        return 80


@contextlib.contextmanager
def terminal(stream: TextIO | None = None) -> Iterator[None]:
    """A progress bar on ``stream`` (standard error) while the block runs, if it is a terminal; else nothing."""
    stream = stream if stream is not None else sys.stderr
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):
        interactive = False
    if not interactive:
        yield
        return
    bar = Bar(stream)
    try:
        with reporting(bar):
            yield
    finally:
        bar.close()
