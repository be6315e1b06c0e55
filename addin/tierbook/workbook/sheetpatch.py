"""Set cells in a worksheet's XML, streaming: the old sheet goes in as pieces and the new one comes out as pieces.

An Accounts sheet at Excel's last row is about 1.2 GB of XML. The patch
reads it piece by piece (as it is inflated), splices the new cells into each
row and hands the new sheet on piece by piece (to be deflated), so neither
sheet is ever held whole. Cells and rows it is not asked to change come out
byte for byte.

Two kinds of change go in together: ``edits`` (row -> column -> cell XML, a
few rows anywhere) and one :class:`RowBlock`, the same columns over a run of
consecutive rows (the output columns of every account, or the input columns
of every new account), whose XML is built in batches as the patch reaches
them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from ..engine.progress import report
from .cells import col_letter, split_area
from .sheetxml import _DIMENSION, _ROW_NUM, _SPANS, _CELL_REF, _addressed_cells, col_number, iter_rows, row_cells

CellEdits = Mapping[int, Mapping[int, "str | None"]]
PIECE = 8 << 20
"""Characters of new XML gathered before a piece is handed on."""


class RowBlock:
    """New cells for a contiguous run of columns over rows ``first`` .. ``first + count - 1``.

    ``build(start, stop)`` returns, for data rows ``start`` to ``stop - 1``
    (0 = ``first``), each row's cells of these columns as one XML string
    (with their addresses; '' for a row with none). It is called in order, a
    batch at a time, so only one batch is held. ``key``, if given, stands for
    every cell ``build`` gives (:mod:`.patchkey`): equal keys, equal cells.
    """

    def __init__(self, first: int, count: int, columns: Sequence[int],
                 build: Callable[[int, int], Sequence[str]], batch: int = 1 << 15, label: str = "",
                 key: bytes | None = None) -> None:
        cols = sorted(columns)
        if not cols or cols[-1] - cols[0] != len(cols) - 1:
            raise ValueError("a row block covers contiguous columns")
        self.first, self.count, self.columns = first, count, cols
        self.stop = first + count
        self._build, self._batch = build, batch
        self._at, self._rows = -1, [""]
        self._left, self._right = col_letter(cols[0]), col_letter(cols[-1])
        self.label, self.key = label, key

    def __contains__(self, r: int) -> bool:
        return self.first <= r < self.stop

    def xml(self, r: int) -> str:
        """Row ``r``'s new cells of the block, as one string."""
        i = r - self.first
        start = i - i % self._batch
        if start != self._at:
            if self.label:
                report(self.label, start, self.count)
            self._rows = self._build(start, min(start + self._batch, self.count))
            self._at = start
            if self.label and start + self._batch >= self.count:
                report(self.label, self.count, self.count)
        return self._rows[i - start]

    def cells(self, r: int) -> dict[int, str | None]:
        """Row ``r``'s new cells by column (None: the cell is emptied).

        A row outside the batch at hand is built alone: a look at the first
        and the last rows, before the patch, does not build their batches
        twice.
        """
        i = r - self.first
        at = i - self._at
        xml = self._rows[at] if self._at >= 0 and 0 <= at < len(self._rows) else self._build(i, i + 1)[0]
        out: dict[int, str | None] = dict.fromkeys(self.columns)
        out.update(row_cells(xml))
        return out

    def splice(self, text: str, number: str, new: str) -> str | None:
        """``text`` (one row) with the block's columns replaced by ``new``; None when the row needs a full edit."""
        open_end = text.find(">")
        if text[open_end - 1] == "/":
            return None
        start = text.find(f'<c r="{self._left}{number}"', open_end)
        if start < 0:
            return None
        last = text.find(f'<c r="{self._right}{number}"', start)
        if last < 0:
            return None
        close = text.find(">", last)
        end = close + 1 if text[close - 1] == "/" else text.find("</c>", close) + 4
        if end < 4 or text.count("<c ", start, end) > len(self.columns):
            return None  # a damaged row, or two cells in one column: the full edit sorts it out
        head = text[:open_end]
        if " spans=" in head:
            head = _SPANS.sub("", head, count=1)
        return head + text[open_end:start] + new + text[end:]


def patch_rows(xml: str, edits: CellEdits, block: RowBlock | None = None) -> str:
    """Set cells: ``edits[row][col]`` is the new cell XML, or None/'' to empty the cell; and ``block``'s rows.

    Rows and cells not named in ``edits`` are copied as they are; new rows are inserted in order. The
    <dimension> grows over what was written. The sheet goes in pieces: a large one is never copied whole.
    """
    if not edits and (block is None or not block.count):
        return xml
    pieces = (xml[i:i + PIECE] for i in range(0, len(xml), PIECE))
    return "".join(patch_pieces(pieces, edits, block))


def patch_pieces(pieces: Iterable[str], edits: CellEdits, block: RowBlock | None = None) -> Iterator[str]:
    """The sheet XML, given as pieces, with ``edits`` and ``block`` applied, as pieces.

    Raises:
        ValueError: the XML is not a worksheet (no sheetData, or foreign markup in it).
    """
    if not edits and (block is None or not block.count):
        yield from pieces
        return
    source = iter(pieces)
    buffer = ""
    for piece in source:
        buffer += piece
        start = buffer.find("<sheetData")
        if start >= 0 and buffer.find(">", start) >= 0:
            break
    else:
        raise ValueError("worksheet without <sheetData>")
    open_end = buffer.index(">", start)
    rows = _Rows(edits, block)
    yield rows.dimension(buffer[:start]) + "<sheetData>"
    if buffer[open_end - 1] == "/":
        yield from rows.rest()
        yield "</sheetData>" + buffer[open_end + 1:]
        yield from source
        return
    body = buffer[open_end + 1:]
    while True:
        close = body.find("</sheetData>")
        if close >= 0:
            yield from rows.feed(body[:close])
            yield from rows.rest()
            yield body[close:]
            yield from source
            return
        cut = body.rfind("<row")
        if cut > 0:
            yield from rows.feed(body[:cut])
            body = body[cut:]
        piece = next(source, None)
        if piece is None:
            raise ValueError("worksheet without </sheetData>")
        body += piece


class _Rows:
    """The rows of one patch: which are still to come, and how each is written."""

    def __init__(self, edits: CellEdits, block: RowBlock | None) -> None:
        self.edits, self.block = edits, block
        self.pending = sorted(edits)
        self.i = 0  # next entry of ``pending``
        self.next_block = block.first if block is not None and block.count else None
        self.previous = 0
        self.out: list[str] = []
        self.held = 0

    def dimension(self, head: str) -> str:
        """The part before sheetData, with <dimension> grown over every row and column written."""
        rows = list(self.pending[:1]) + list(self.pending[-1:])
        cols = [max(c) for c in self.edits.values() if c]
        if self.next_block is not None:
            rows += [self.block.first, self.block.stop - 1]  # type: ignore[union-attr]
            cols.append(self.block.columns[-1])  # type: ignore[union-attr]
        if not rows:
            return head
        m = _DIMENSION.search(head)
        if m is None:
            return head
        try:
            r1, c1, r2, c2 = split_area(m.group(1))
        except ValueError:
            return head
        new = f"{col_letter(c1)}{min([r1, *rows])}:{col_letter(max([c2, *cols]))}{max([r2, *rows])}"
        return head if new == m.group(1) else head[: m.start()] + f'<dimension ref="{new}"/>' + head[m.end():]

    # -------------------------------------------------------------- pending
    def _next(self) -> int | None:
        """The next row still to write (edits or block), or None."""
        e = self.pending[self.i] if self.i < len(self.pending) else None
        b = self.next_block
        if e is None:
            return b
        return e if b is None or e < b else b

    def _take(self, r: int) -> dict[int, str | None] | str | None:
        """What row ``r`` gets, and move past it: a dict of cells, the block's XML (a str), or None."""
        edit = None
        if self.i < len(self.pending) and self.pending[self.i] == r:
            edit = self.edits[r]
            self.i += 1
        block = self.block
        if self.next_block == r:
            self.next_block = r + 1 if r + 1 < block.stop else None  # type: ignore[union-attr]
            if edit is None:
                return block.xml(r)  # type: ignore[union-attr]
            return {**edit, **block.cells(r)}  # type: ignore[union-attr]
        return edit

    def _new_rows_before(self, limit: int | None) -> Iterator[str]:
        """Write the rows still to come that lie above ``limit`` (all, for None): rows the sheet does not have."""
        r = self._next()
        while r is not None and (limit is None or r < limit):
            change = self._take(r)
            if isinstance(change, str):
                if change:
                    self.out.append(f'<row r="{r}">{change}</row>')
                    self.held += len(change)
            elif change:
                cells = "".join(change[c] or "" for c in sorted(change))
                if cells:
                    self.out.append(f'<row r="{r}">{cells}</row>')
                    self.held += len(cells)
            if self.held > PIECE:
                yield from self._flush()
            r = self._next()

    def _flush(self) -> Iterator[str]:
        if self.out:
            text = "".join(self.out)
            self.out, self.held = [], 0
            yield text

    # ------------------------------------------------------------ the rows
    def feed(self, body: str) -> Iterator[str]:
        """Complete rows of the old sheet (``<row ...>...</row>`` one after another), written with their changes."""
        block = self.block
        for number, text in iter_rows(body, self.previous):
            self.previous = number
            upcoming = self._next()
            if upcoming is not None and upcoming < number:
                yield from self._new_rows_before(number)
                upcoming = self._next()
            if upcoming == number:
                change = self._take(number)
                if isinstance(change, str):
                    spliced = block.splice(text, str(number), change)  # type: ignore[union-attr]
                    text = spliced if spliced is not None else edit_row(text, block.cells(number))  # type: ignore[union-attr]
                elif change is not None:
                    text = edit_row(text, change)
            self.out.append(text)
            self.held += len(text)
            if self.held > PIECE:
                yield from self._flush()
        yield from self._flush()

    def rest(self) -> Iterator[str]:
        """The rows still to come after the sheet's last row."""
        yield from self._new_rows_before(None)
        yield from self._flush()


def edit_row(text: str, changes: Mapping[int, str | None]) -> str:
    """One row's XML with ``changes`` (column -> new cell XML, None to empty it) applied."""
    if text.count("<c") != text.count(' r="') - 1:  # some cell without its address (or rich text): write them in
        text = _addressed_cells(text, int(_ROW_NUM.match(text).group(1)))  # type: ignore[union-attr]
    fast = _edit_row_fast(text, changes)
    if fast is not None:
        return fast
    if text.endswith("/>") and "</row>" not in text:
        open_tag, cells = text[:-2], {}
    else:
        open_tag = text[: text.index(">")]
        cells = row_cells(text)
    for c, cell in changes.items():
        if cell:
            cells[c] = cell
        else:
            cells.pop(c, None)
    open_tag = _SPANS.sub("", open_tag)
    if not cells:
        return "" if open_tag.strip() == f'<row r="{_ROW_NUM.match(text).group(1)}"' else open_tag + "/>"  # type: ignore[union-attr]
    return open_tag + ">" + "".join(cells[c] for c in sorted(cells)) + "</row>"


def _edit_row_fast(text: str, changes: Mapping[int, str | None]) -> str | None:
    """Splice a contiguous block of columns without parsing the other cells; None when it cannot."""
    cols = list(changes)
    if not (cols and all(a + 1 == b for a, b in zip(cols, cols[1:]))):
        cols.sort()
        if not cols or cols[-1] - cols[0] != len(cols) - 1:
            return None
    if not text.endswith("</row>"):
        return None
    at = text.index('r="') + 3
    number = text[at: text.index('"', at)]
    open_end = text.index(">")
    first = text.find(f'<c r="{col_letter(cols[0])}{number}"', open_end)
    last = text.find(f'<c r="{col_letter(cols[-1])}{number}"', open_end)
    if first >= 0 and last >= 0:
        start = first
        close = text.index(">", last)
        end = close + 1 if text[close - 1] == "/" else text.index("</c>", close) + 4
        if text.count("<c ", start, end) > len(cols):
            return None  # another cell sits between the owned ones
    elif first < 0 and last < 0 and text.rfind("<c ") < 0:
        start = end = len(text) - len("</row>")
    else:
        tail = text.rfind("<c ")
        if tail >= 0 and _cell_col(text, tail) < cols[0]:
            start = end = len(text) - len("</row>")
        else:
            return None  # some owned cells missing, or cells to their right: take the slow path
    new = "".join(changes[c] or "" for c in cols)
    head = text[:open_end]
    if " spans=" in head:
        head = _SPANS.sub("", head, count=1)
    return head + text[open_end:start] + new + text[end:]


def _cell_col(text: str, pos: int) -> int:
    m = _CELL_REF.match(text, pos)
    if m is None:
        raise ValueError("a cell without its r= address")
    return col_number(m.group(1))


def select_rows(pieces: Iterable[str], wanted: Iterable[int], containing: str | None = None) -> str:
    """A worksheet cut down to some of its rows: those numbered in ``wanted`` and those holding ``containing``.

    What comes out is ``<sheetData>`` with those rows, as the sheet has them:
    enough for :func:`~tierbook.workbook.sheetxml.read_rows` on them, read in
    one pass over the pieces without holding the sheet. Rows are found by
    searching the text; a sheet whose rows leave out their addresses (or
    write other attributes first) is read row by row instead.
    """
    keep = set(wanted)
    ordered = sorted(keep)
    found: dict[int, str] = {}
    state = {"previous": 0}
    body = ""
    started = False
    for piece in pieces:
        body += piece
        if not started:
            start = body.find("<sheetData")
            if start < 0 or body.find(">", start) < 0:
                continue
            open_end = body.index(">", start)
            if body[open_end - 1] == "/":
                break
            body, started = body[open_end + 1:], True
        close = body.find("</sheetData>")
        cut = close if close >= 0 else body.rfind("<row")
        if cut <= 0 and close < 0:
            continue
        _select(body[:cut], keep, containing, found, state, ordered)
        if close >= 0:
            break
        body = body[cut:]
    return "<sheetData>" + "".join(found[r] for r in sorted(found)) + "</sheetData>"


_PLAIN_ROWS = re.compile(r"<row(?! r=\"\d)")
FEW_ROWS = 64
"""Up to this many wanted rows in a run of rows, each is searched for; more, and the run is split into rows."""


def _select(segment: str, keep: set[int], containing: str | None, found: dict[int, str],
            state: dict[str, int], ordered: list[int]) -> None:
    """The rows of one run of complete rows that :func:`select_rows` keeps."""
    last = segment.rfind("<row")
    targets: list[int] | None = None
    if last >= 0 and not _PLAIN_ROWS.search(segment):  # every row starts <row r="N": the numbers can be searched
        m, head = _ROW_NUM.match(segment, last), _ROW_NUM.search(segment)
        lo = int(head.group(1)) if head else 0
        hi = int(m.group(1)) if m else state["previous"]
        targets = ordered[bisect_left(ordered, lo):bisect_right(ordered, hi)]
    if targets is not None and len(targets) <= FEW_ROWS:  # a few rows wanted: search for them, do not split
        state["previous"] = hi
        spots, at = [], 0
        for r in targets:  # rows run in order: each search goes on from the last row found
            spot = segment.find(f'<row r="{r}"', at)
            if spot >= 0:
                spots.append(spot)
                at = spot + 1
        if containing is not None:
            at = segment.find(containing)
            while at >= 0:
                spots.append(segment.rfind("<row", 0, at))
                at = segment.find(containing, at + len(containing))
        for start in sorted({p for p in spots if p >= 0}):
            end = segment.find("<row", start + 4)
            text = segment[start:end if end >= 0 else len(segment)].rstrip()
            number = int(_ROW_NUM.match(text).group(1))  # type: ignore[union-attr]
            if number in keep or (containing is not None and containing in text):
                found[number] = text
        return
    for part in segment.split("<row")[1:]:
        text = "<row" + part.rstrip()
        m = _ROW_NUM.match(text)
        number = int(m.group(1)) if m else state["previous"] + 1
        if m is None:
            text = f'<row r="{number}"' + text[4:]
        state["previous"] = number
        if number in keep or (containing is not None and containing in text):
            found[number] = text
