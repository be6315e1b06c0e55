"""Writing through xlwings as whole blocks: values, neighbouring columns as one block, clearing a range.

Every write goes through :func:`cell_value`, which stores a value as the
file writer does: text with a leading apostrophe (so "=1+1" and "00123"
stay text), NaN as an empty cell. Reading an open workbook is
:class:`~.source.XlwingsSource`'s; copying a plan into it, :mod:`.rangewriter`'s.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
import xlwings as xw


def cell_value(value: object) -> object:
    """A value as the file writer stores it: text stays text, NaN is an empty cell."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, str):
        return "'" + value if value else None
    return value


def put_block(sheet: xw.Sheet, row: int, col: int, rows: list[list[object]]) -> None:
    """Rows of values from (row, col), in one write."""
    if rows and rows[0]:
        block = [[cell_value(v) for v in r] for r in rows]
        sheet.range((row, col), (row + len(block) - 1, col + len(block[0]) - 1)).value = block


def runs(columns: list[int]) -> list[tuple[int, int]]:
    """Consecutive column numbers grouped: [3, 4, 5, 9] -> [(3, 5), (9, 9)]."""
    out: list[tuple[int, int]] = []
    for c in columns:
        if out and c == out[-1][1] + 1:
            out[-1] = (out[-1][0], c)
        else:
            out.append((c, c))
    return out


def put_columns(sheet: xw.Sheet, row: int, columns: dict[int, Iterable[object]]) -> None:
    """Several columns from the same row; neighbouring ones go as one block."""
    arrays = {c: list(v) for c, v in columns.items()}
    for lo, hi in runs(sorted(arrays)):
        put_block(sheet, row, lo, [list(r) for r in zip(*(arrays[c] for c in range(lo, hi + 1)))])


def clear(sheet: xw.Sheet, r1: int, c1: int, r2: int, c2: int) -> None:
    """Empty a range's cells (their formats stay); nothing when the range is empty."""
    if r2 >= r1 and c2 >= c1:
        sheet.range((r1, c1), (r2, c2)).clear_contents()


__all__ = ["cell_value", "clear", "put_block", "put_columns", "runs"]
