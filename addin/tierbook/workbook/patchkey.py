"""The key of a sheet patch: everything a write would change in one worksheet, hashed.

Pressing Assign Tiers again on a book nobody has touched changes nothing in
the Accounts sheet: the same accounts get the same tiers, reasons and costs.
At Excel's last row, building seven million cells and splicing them into
1.2 GB of XML only to get the same sheet back is most of a run. So the zip
writer records, beside each big sheet it writes (:mod:`.zipio`), the key of
the patch it applied and the checksum and size of what came out. When the
next run's patch has the same key and the sheet still has that checksum and
size, the patch would give back the sheet it is given (a patch applied twice
gives what it gave once), and the sheet is copied as it is.

The key covers what decides the bytes written: the cell XML of the edits,
every argument of the row block (its rows, columns, styles, shared formulas
and each value, with its type), the printed footer's stamp, and the code
that turns them into XML (every module of Tierbook, and the Python, numpy
and pandas versions), so a changed writer never takes an old sheet for its
own. The patch must also start from the stored sheet itself: one made to an
edited copy of it (a command that edits a sheet, then plans from the edited
book) is written, never matched against the stored sheet's record.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

_DIGEST = 16


def _new_hash() -> "hashlib._Hash":
    """A hash seeded with the writer's own code: a key made by other code never matches."""
    h = hashlib.blake2b(digest_size=_DIGEST)
    h.update(_code())
    return h


@functools.cache
def _code() -> bytes:
    """The digest of the code that turns values into sheet XML: every module of Tierbook, and the versions of
    Python, numpy and pandas (which format the numbers); random when the modules cannot be read."""
    from .. import __version__

    package = Path(__file__).resolve().parents[1]
    h = hashlib.blake2b(f"{__version__} {sys.version} {np.__version__} {pd.__version__}".encode(),
                        digest_size=_DIGEST)
    try:
        sources = sorted(package.rglob("*.py"))
        for path in sources:
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    except OSError:  # pragma: no cover - unreadable sources: a random key, never matched
        sources = []
    if not sources:  # pragma: no cover - no source files (a frozen install): a random key, never matched
        h.update(os.urandom(_DIGEST))
    return h.digest()


def _add_values(h: "hashlib._Hash", values: np.ndarray) -> None:
    """One column of values into ``h``, each with its type: 1.0, 1 and '1' give different keys."""
    h.update(f"{values.dtype.str}{values.shape}".encode())
    if values.dtype != object:
        h.update(np.ascontiguousarray(values).tobytes())
        return
    pickler = pickle.Pickler(_Feed(h), protocol=5)
    pickler.fast = True  # no memo: the bytes follow the values alone, not which objects are shared
    pickler.dump(values.tolist())


def _add_parts(h: "hashlib._Hash", *parts: object) -> None:
    """Small plain arguments (numbers, text, None, tuples and dicts of them) into ``h``, by their repr."""
    for part in parts:
        h.update(repr(part).encode() + b"\0")


def _add_edits(h: "hashlib._Hash", edits: Mapping[int, Mapping[int, str | None]]) -> None:
    """Cell edits (row -> column -> cell XML, None: emptied) into ``h``, in row and column order."""
    for r in sorted(edits):
        row = edits[r]
        h.update(f"{r}:".encode())
        for c in sorted(row):
            cell = row[c]
            h.update(f"{c}=".encode() + (b"\1" + cell.encode() if cell else b"\0") + b"\0")


def block_key(first: int, n: int, values: Mapping[int, np.ndarray], *settings: Any) -> bytes:
    """The key of a row block: its rows, its columns' values and every other argument it is built from."""
    h = _new_hash()
    _add_parts(h, first, n, sorted(values), *settings)
    for c in sorted(values):
        _add_values(h, values[c])
    return h.digest()


def sheet_key(edits: Mapping[int, Mapping[int, str | None]], blocks: Iterable[bytes | None],
              *settings: object) -> bytes | None:
    """The key of a whole sheet patch (None when some block has no key: such a patch is always applied)."""
    h = _new_hash()
    for key in blocks:
        if key is None:
            return None
        h.update(key)
    _add_edits(h, edits)
    _add_parts(h, *settings)
    return h.digest()


class _Feed:
    """A file for the pickler that hashes what is written to it (nothing is held)."""

    def __init__(self, h: "hashlib._Hash") -> None:
        self.write = h.update


__all__ = ["block_key", "sheet_key"]
