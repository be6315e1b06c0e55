"""Cell references inside formulas, rewritten the way Excel rewrites them when cells move.

Excel keeps every formula pointing at the same cells when columns are
inserted or rows are deleted, and derives each member of a shared formula
from its first cell. Tierbook does the same when an import inserts the
export's new columns into the Accounts table or drops accounts from the
middle of it, so that a user's ``=C2*2`` still doubles the ARR of its own
account afterwards.

A formula is scanned once: string literals and bracketed parts (structured
references such as ``Accounts[[#This Row],[ARR]]``, external book numbers)
are skipped whole; every A1 reference (``B5``, ``$B$5``, ``A1:C9``,
``$Q:$Q``, ``2:5``), with its sheet if it names one, is handed to a
function that returns its new text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .cells import col_letter, col_number

MAX_ROW = 1_048_576
MAX_COL = 16_384
REF_ERROR = "#REF!"

_SHEET = r"(?:'(?:[^']|'')+'|[A-Za-z_\u00a1-\uffff][\w.\u00a1-\uffff]*)!"
_CELL = r"\$?[A-Z]{1,3}\$?\d+"
_TOKEN = re.compile(
    r'"(?:[^"]|"")*"'                                   # a string literal
    r"|\[(?:[^\[\]]|\[[^\[\]]*\])*\]"                   # [structured] or [1] external parts
    r"|(?<![A-Za-z0-9_.$!#\]'\u00a1-\uffff])"           # a reference starts here...
    rf"(?P<sheet>{_SHEET})?"
    rf"(?P<ref>{_CELL}(?::{_CELL})?|\$?[A-Z]{{1,3}}:\$?[A-Z]{{1,3}}|\$?\d+:\$?\d+)"
    r"(?![A-Za-z0-9_(!.\[\u00a1-\uffff])"                # ...and is not a name or a function
)
_PART = re.compile(r"(\$?)([A-Z]{1,3})?(\$?)(\d+)?$")


@dataclass(frozen=True)
class Ref:
    """One reference: its sheet (None: the formula's own), kind and corners.

    ``kind`` is ``cell``, ``area``, ``cols`` (``$Q:$Q``) or ``rows`` (``2:5``).
    Columns and rows are numbers (0 where the kind has none); the flags say
    which parts are absolute (``$``).
    """

    sheet: str | None
    kind: str
    c1: int
    r1: int
    c2: int
    r2: int
    abs_c1: bool
    abs_r1: bool
    abs_c2: bool
    abs_r2: bool
    prefix: str = ""

    def text(self, c1: int, r1: int, c2: int, r2: int) -> str:
        """This reference's text with new corners (its sheet and $ flags kept); #REF! off the sheet."""
        if self.kind != "rows" and not (1 <= c1 <= MAX_COL and 1 <= c2 <= MAX_COL):
            return REF_ERROR
        if self.kind != "cols" and not (1 <= r1 <= MAX_ROW and 1 <= r2 <= MAX_ROW):
            return REF_ERROR
        sheet = self.prefix

        def col(c: int, a: bool) -> str:
            return ("$" if a else "") + col_letter(c)

        def row(r: int, a: bool) -> str:
            return ("$" if a else "") + str(r)

        if self.kind == "cell":
            return f"{sheet}{col(c1, self.abs_c1)}{row(r1, self.abs_r1)}"
        if self.kind == "area":
            return f"{sheet}{col(c1, self.abs_c1)}{row(r1, self.abs_r1)}:{col(c2, self.abs_c2)}{row(r2, self.abs_r2)}"
        if self.kind == "cols":
            return f"{sheet}{col(c1, self.abs_c1)}:{col(c2, self.abs_c2)}"
        return f"{sheet}{row(r1, self.abs_r1)}:{row(r2, self.abs_r2)}"


def _unquote(prefix: str) -> str:
    name = prefix[:-1]
    if name.startswith("'"):
        return name[1:-1].replace("''", "'")
    return name


def _parse(prefix: str, text: str) -> Ref:
    sheet = _unquote(prefix) if prefix else None
    first, _, last = text.partition(":")
    a, b = _PART.match(first), _PART.match(last or first)
    assert a is not None and b is not None
    if a.group(2) and a.group(4):
        kind = "area" if last else "cell"
    elif a.group(2):
        kind = "cols"
    else:
        kind = "rows"
    if kind == "rows":  # "$2:$5": the $ before the digits was read as the column's
        return Ref(sheet, kind, 0, int(a.group(4)), 0, int(b.group(4)), False, bool(a.group(1) or a.group(3)),
                   False, bool(b.group(1) or b.group(3)), prefix)
    return Ref(sheet, kind,
               col_number(a.group(2)), int(a.group(4) or 0), col_number(b.group(2)), int(b.group(4) or 0),
               bool(a.group(1)), bool(a.group(3)), bool(b.group(1)), bool(b.group(3)), prefix)


def rewrite(formula: str, change: Callable[[Ref], str | None]) -> str:
    """The formula with each reference replaced by ``change(ref)`` (None keeps it as written)."""
    out: list[str] = []
    last = 0
    for m in _TOKEN.finditer(formula):
        if m.group("ref") is None:
            continue
        new = change(_parse(m.group("sheet") or "", m.group("ref")))
        if new is None:
            continue
        out.append(formula[last:m.start()])
        out.append(new)
        last = m.end()
    if not out:
        return formula
    out.append(formula[last:])
    return "".join(out)


def refs(formula: str) -> list[Ref]:
    """Every reference of a formula, in order."""
    found: list[Ref] = []
    rewrite(formula, lambda r: found.append(r))  # type: ignore[func-returns-value]
    return found


# ------------------------------------------------------------------ moves
def translated(formula: str, rows: int, cols: int) -> str:
    """The formula copied ``rows`` down and ``cols`` right: relative parts move, $ parts stay.

    This is how a member of a shared formula is derived from its first cell.
    """
    if not rows and not cols:
        return formula

    def change(ref: Ref) -> str:
        dc1 = 0 if ref.abs_c1 or ref.kind == "rows" else cols
        dc2 = 0 if ref.abs_c2 or ref.kind == "rows" else cols
        dr1 = 0 if ref.abs_r1 or ref.kind == "cols" else rows
        dr2 = 0 if ref.abs_r2 or ref.kind == "cols" else rows
        return ref.text(ref.c1 + dc1, ref.r1 + dr1, ref.c2 + dc2, ref.r2 + dr2)

    return rewrite(formula, change)


def _on(sheet: str, host: str) -> Callable[[Ref], bool]:
    target = sheet.casefold()
    host_is_target = host.casefold() == target
    return lambda ref: (ref.sheet is None and host_is_target) or (ref.sheet is not None and ref.sheet.casefold() == target)


def columns_inserted(formula: str, host: str, sheet: str, at: int, count: int) -> str:
    """The formula after ``count`` columns were inserted before column ``at`` of ``sheet``.

    ``host`` is the sheet the formula sits on (its unqualified references
    point there). A reference at or right of ``at`` moves right; a range
    that spans ``at`` grows.
    """
    on = _on(sheet, host)

    def change(ref: Ref) -> str | None:
        if not on(ref) or ref.kind == "rows" or max(ref.c1, ref.c2) < at:
            return None
        c1 = ref.c1 + count if ref.c1 >= at else ref.c1
        c2 = ref.c2 + count if ref.c2 >= at else ref.c2
        return ref.text(c1, ref.r1, c2, ref.r2)

    return rewrite(formula, change)


@dataclass(frozen=True)
class RowMove:
    """Rows ``first`` .. ``first + len(new) - 1`` of columns ``c1``..``c2`` move: row first+i goes to new[i] (0: deleted).

    The rows kept keep their order, as when Excel deletes table rows;
    other rows and columns do not move.
    """

    first: int
    new: np.ndarray
    c1: int
    c2: int

    def __post_init__(self) -> None:
        new = np.asarray(self.new, dtype=np.int64)
        n = len(new)
        at = np.arange(n)
        kept = new > 0
        # Per band row: the new row of the first kept row at or below it, and of the last kept row at or above it.
        below = np.minimum.accumulate(np.where(kept, at, n)[::-1])[::-1] if n else at
        above = np.maximum.accumulate(np.where(kept, at, -1)) if n else at
        object.__setattr__(self, "new", new)
        object.__setattr__(self, "_next", np.where(below < n, new[np.minimum(below, n - 1)], 0) if n else at)
        object.__setattr__(self, "_prev", np.where(above >= 0, new[np.maximum(above, 0)], 0) if n else at)

    @property
    def last(self) -> int:
        return self.first + len(self.new) - 1

    def row(self, r: int) -> int:
        """The new row of old row r (0: deleted)."""
        if self.first <= r <= self.last:
            return int(self.new[r - self.first])
        return r

    def span(self, r1: int, r2: int) -> tuple[int, int] | None:
        """The new first and last row of a range (None: every row of it was deleted)."""
        first, last = self.first, self.last
        if r1 > last or r2 < first:
            return r1, r2
        if r1 < first:
            a = r1
        else:
            a = int(self._next[r1 - first]) or (last + 1 if r2 > last else 0)  # type: ignore[attr-defined]
        if r2 > last:
            b = r2
        else:
            b = int(self._prev[r2 - first]) or (first - 1 if r1 < first else 0)  # type: ignore[attr-defined]
        if a == 0 or b == 0 or a > b:
            return None
        return a, b

    def covers(self, c1: int, c2: int) -> bool:
        return self.c1 <= c1 and c2 <= self.c2


def rows_moved(formula: str, host: str, sheet: str, move: RowMove) -> str:
    """The formula after rows of ``sheet`` moved (and some were deleted) as ``move`` says.

    A reference to a deleted cell becomes ``#REF!``, as in Excel; a range
    shrinks to the rows it still holds.
    """
    on = _on(sheet, host)

    def change(ref: Ref) -> str | None:
        if not on(ref) or ref.kind in ("cols", "rows") or not move.covers(min(ref.c1, ref.c2), max(ref.c1, ref.c2)):
            return None
        if ref.kind == "cell":
            r = move.row(ref.r1)
            if r == ref.r1:
                return None
            return REF_ERROR if r == 0 else ref.text(ref.c1, r, ref.c2, r)
        span = move.span(ref.r1, ref.r2)
        if span == (ref.r1, ref.r2):
            return None
        return REF_ERROR if span is None else ref.text(ref.c1, span[0], ref.c2, span[1])

    return rewrite(formula, change)


def range_list(sqref: str, change: Callable[[str], str]) -> str:
    """Apply ``change`` to each range of a space-separated list (``sqref``); ranges that become #REF! are dropped."""
    out = [change(part) for part in sqref.split()]
    return " ".join(p for p in out if p != REF_ERROR)


__all__ = ["REF_ERROR", "Ref", "RowMove", "columns_inserted", "range_list", "refs", "rewrite", "rows_moved",
           "translated"]
