"""One worksheet as a write changes it: read once for the rows its steps look at, written once with all of it.

A write makes several changes to one sheet, in order: a table's rows, the
cached results of the template's formulas, the printed footer. A step may
look at cells an earlier one set (the row a Total Row moves to, the shared
formulas already in use), so each sees the changes before it. The sheet is
read once, for the rows the steps declare they read and the rows holding a
shared formula (the *view*); each step's changes go into the view as well as
into the changes gathered, and the new sheet is made in one more pass over
the old one (:meth:`SheetChanges.pieces`). At Excel's last row the Accounts
sheet is about 1.2 GB of XML: it is never held whole, as text or as bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from .patchkey import sheet_key
from .printing import stamped_pieces
from .sheetpatch import CellEdits, RowBlock, patch_pieces, patch_rows, select_rows
from .sheetxml import iter_rows, split_sheet
from .zipio import BIG_PART, Streamed

if TYPE_CHECKING:
    from .package import Package

SHARED = ' ref="'
"""What a shared (or array) formula's first cell holds: the rows holding it are always in the view."""


ROUGH_CELL = 40
"""Bytes a written cell takes, roughly: how big a sheet's block makes it (big ones are streamed)."""


class SheetChanges:
    """The changes a write makes to one worksheet, and the rows of it those changes read.

    ``source`` gives the old sheet as text pieces (each call from the start);
    ``size`` is its size in bytes; ``rows`` are the sheet rows the steps read
    (with ``shared``, the rows holding a shared formula as well); ``view``, if
    given, cuts the sheet down to those rows (else ``source`` is read for them);
    ``member``: the CRC and size of the package's member the source is, as
    stored (None for a sheet given as text).
    """

    def __init__(self, source: Callable[[], Iterable[str]], size: int, rows: Iterable[int],
                 shared: bool = False, view: Callable[[set[int], str | None], str] | None = None,
                 member: tuple[int, int] | None = None) -> None:
        self._source, self.size, self._member = source, size, member
        wanted = set(rows)
        containing = SHARED if shared else None
        self.view = view(wanted, containing) if view is not None else select_rows(source(), wanted, containing)
        self._viewed = wanted | {r for r, _ in iter_rows(split_sheet(self.view)[1])}
        self.edits: dict[int, dict[int, str | None]] = {}
        self.block: RowBlock | None = None
        self.stamp: str | None = None

    @classmethod
    def of_part(cls, package: Package, part: str, rows: Iterable[int], shared: bool = False) -> "SheetChanges":
        """A sheet of the package, inflated in pieces each time it is read (its view cut by :meth:`Package.view`)."""
        info = package.data.info(part)
        return cls(lambda: package.pieces(part), info.file_size, rows, shared,
                   lambda wanted, containing: package.view(part, wanted, containing),
                   member=(info.CRC, info.file_size))

    @classmethod
    def of_text(cls, xml: str, rows: Iterable[int], shared: bool = False) -> "SheetChanges":
        return cls(lambda: (xml,), len(xml), rows, shared)

    def add(self, edits: CellEdits, block: RowBlock | None = None) -> None:
        """One step's changes (cell XML by row and column, and a block of rows), over those added before.

        A later step's cell wins. The patch takes one block, and gives it the
        last word in its rows; so an earlier block goes in as edits when a
        later step brings a block too, or sets a cell in its rows.
        """
        if self.block is not None and (block is not None or any(r in self.block for r in edits)):
            _merge(self.edits, {r: self.block.cells(r) for r in range(self.block.first, self.block.stop)})
            self.block = None
        _merge(self.edits, edits)
        if block is not None and block.count:
            self.block = block
        seen = {r: dict(row) for r, row in edits.items() if r in self._viewed}
        if block is not None:
            for r in (r for r in self._viewed if r in block):
                seen[r] = {**seen.get(r, {}), **block.cells(r)}
        if seen:
            self.view = patch_rows(self.view, seen)

    def pieces(self) -> Iterator[str]:
        """The new sheet, as pieces: one pass over the old one."""
        out = patch_pieces(self._source(), self.edits, self.block)
        return stamped_pieces(out, self.stamp) if self.stamp is not None else out

    def text(self) -> str:
        return "".join(self.pieces())

    def key(self) -> bytes | None:
        """What this write changes in the sheet, as a key (:mod:`.patchkey`).

        None when it cannot be told, or when the old sheet is not the
        package's member as stored (only then does the member's record speak
        of the sheet this write starts from).
        """
        if self._member is None:
            return None
        return sheet_key(self.edits, [self.block.key] if self.block is not None else [], self.stamp)

    def content(self) -> bytes | Streamed:
        """The new sheet as a zip member's content: bytes, or for a big sheet pieces made as the zip is written.

        A big sheet carries its patch's key, so a sheet the patch would give
        back unchanged is copied as it is (:func:`~.zipio.write_zip`).
        """
        estimate = self.size + (self.block.count * len(self.block.columns) * ROUGH_CELL if self.block else 0)
        if estimate > BIG_PART:
            return Streamed(self._encoded, estimate, key=self.key(), base=self._member)
        return Streamed(self._encoded, estimate).to_bytes()

    def _encoded(self) -> Iterator[bytes]:
        return (piece.encode("utf-8") for piece in self.pieces())


def _merge(into: dict[int, dict[int, str | None]], edits: CellEdits) -> None:
    for r, row in edits.items():
        into.setdefault(r, {}).update(row)


__all__ = ["SHARED", "SheetChanges"]
