"""What a long run is doing now: the step and the rows done, told to whoever listens.

The engine and the workbook writer call :func:`report`; by default nobody
listens and it costs nothing. A front end listens within :func:`reporting`
(the command line's terminal bar is :mod:`tierbook.progress`; an Excel button
collects the steps for the message it shows)::

    steps = []
    with reporting(lambda step, done, total: steps.append(step)):
        assign(path)

The callback gets ``(step, done, total)``: a short description ("Writing the
Accounts sheet"), rows done so far and rows in all (0 when a step has no count).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar

Callback = Callable[[str, int, int], None]
"""``(step, done, total)``: what is being done, and how many rows of how many (0, 0 when not counted)."""

_LISTENER: ContextVar[Callback | None] = ContextVar("tierbook_progress", default=None)


def report(step: str, done: int = 0, total: int = 0) -> None:
    """Say what the run is doing now (and how far it got), to whoever listens."""
    listener = _LISTENER.get()
    if listener is not None:
        listener(step, done, total)


@contextlib.contextmanager
def reporting(callback: Callback) -> Iterator[None]:
    """Within the block, :func:`report` goes to ``callback``."""
    token = _LISTENER.set(callback)
    try:
        yield
    finally:
        _LISTENER.reset(token)
