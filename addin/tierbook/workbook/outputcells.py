"""The cells a writer fills into a table, built a column and a batch of rows at a time.

Assign Tiers fills every table of its plan this way, and a new book its
accounts; the largest is the output cells of every account (Segment ...
CTS % ARR): at Excel's last row, seven million cells. Each column is formatted
in one pass (:func:`~tierbook.workbook.cells.column_cells`), text once per
distinct value, and the rows are handed to the sheet patch in batches
(:class:`~tierbook.workbook.sheetpatch.RowBlock`), so only one batch of
cell XML exists at a time.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import WorkbookError
from .cells import MAX_CELL_CHARS, col_letter, column_cells, f_element, formula_column_cells, value_cell
from .patchkey import block_key
from .sheetpatch import RowBlock


def cell_block(first: int, n: int, values: Mapping[int, np.ndarray], styles: Mapping[int, str | None],
               edits: dict[int, dict[int, str | None]], *, shared: Mapping[int, int] | None = None,
               masters: Mapping[int, str] | None = None, label: str = "", shorten: bool = True) -> RowBlock | None:
    """The new cells of columns ``values`` (sheet column -> one value per row) for ``n`` rows from ``first``.

    Columns in ``shared`` (column -> group number) are one shared formula
    (``masters[column]``, written in the first row) with each value as its
    cached result; the others hold their values. With ``shorten``, text
    Tierbook composed is cut to fit a cell; without, text too long for one is
    refused. Returns the block for the sheet patch; when the columns are not
    side by side (a user moved a table column between them), the cells go
    into ``edits`` instead and None is returned (None too when ``n`` is 0).
    """
    if not n:
        return None
    shared, masters = shared or {}, masters or {}
    columns = sorted(values)
    last = first + n - 1

    def column(c: int, start: int, stop: int) -> list[str]:
        letter, style = col_letter(c), styles.get(c)
        if c in shared:
            si = shared[c]
            master = f'<f t="shared" ref="{letter}{first}:{letter}{last}" si="{si}">' + f_element(masters[c])[3:]
            cells = formula_column_cells(letter, first + start, style, values[c][start:stop], master,
                                         f'<f t="shared" si="{si}"/>')
            if start:  # the master sits in the first row only
                cells[0] = f'<c r="{letter}{first + start}"' + (f' s="{style}"' if style else "") + \
                    _tail(values[c][start], si)
            return cells
        return column_cells(letter, first + start, style, values[c][start:stop], shorten=shorten)

    def build(start: int, stop: int) -> list[str]:
        return ["".join(cells) for cells in zip(*(column(c, start, stop) for c in columns))]

    if columns and columns[-1] - columns[0] == len(columns) - 1:
        key = block_key(first, n, values, sorted(styles.items()), sorted(shared.items()), sorted(masters.items()),
                        shorten)
        return RowBlock(first, n, columns, build, label=label, key=key)
    for start in range(0, n, 1 << 15):
        stop = min(start + (1 << 15), n)
        for c in columns:
            for i, cell in enumerate(column(c, start, stop), start=first + start):
                edits.setdefault(i, {})[c] = cell or None
    return None


def check_fits(values: np.ndarray, first: int, header: str, sheet: str) -> None:
    """A clear error naming the row when a value would not fit an Excel cell (looked for column-wide).

    The block itself refuses such text too, but knows only the cell's column;
    this names the sheet row and the table's column, before anything is built.
    """
    try:
        lengths = pd.Series(values, dtype=object).str.len().to_numpy(dtype=float, na_value=0.0)
    except AttributeError:  # no text in the column
        return
    for i in np.flatnonzero(lengths > MAX_CELL_CHARS // 2):
        try:
            value_cell("X", None, values[i])
        except WorkbookError as exc:
            raise WorkbookError(f"{sheet} sheet, row {first + int(i)}, column {header!r}: "
                                f"{str(exc).removeprefix('cell X: ')}") from None


def _tail(value: float, si: int) -> str:
    """A shared formula's cell after its address and style: type, formula, cached result."""
    shared = f'<f t="shared" si="{si}"/>'
    cell = formula_column_cells("X", 1, None, np.array([value], dtype=float), shared, shared)[0]
    return cell[len('<c r="X1"'):]
