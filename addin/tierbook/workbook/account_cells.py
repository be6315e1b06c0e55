"""The Accounts output cells Assign Tiers writes into a sheet's XML, row by row, for every account.

Segment, Tier, Tier Reason, Previous Tier and ARR Used go in as values;
Cost to Serve and CTS % ARR as one shared formula each (the first row holds
the text, every other row points at it), with the engine's figure as the
cached result. The cells are built a column and a batch of rows at a time
(:mod:`.outputcells`) and spliced into the sheet as it is written. The
table's range then fits the account rows (:func:`~.tables.fit_table`).
"""

from __future__ import annotations

import re

import numpy as np

from ..engine.pipeline import Run
from ..columns import Col
from .layout import ARR_USED, WORKBOOK_OUTPUT_COLUMNS
from .cells import col_number
from .formulas import Geometry, account_formulas
from .outputcells import output_block
from .read import Book
from .sheetxml import cell_style, read_rows
from .tables import fit_table
from .zipio import Streamed


def _free_si(xml: str, owned_cols: set[int], count: int) -> list[int]:
    """Shared-formula group numbers that no other cell of the sheet uses (deterministic)."""
    used = set()
    pos = xml.find(' ref="')
    while pos >= 0:
        tag_start = xml.rfind("<", 0, pos)
        if xml.startswith("<f", tag_start) and xml[tag_start + 2] in " \t\n":
            tag = xml[tag_start: xml.index(">", pos)]
            si = re.search(r'\bsi="(\d+)"', tag)
            cell = re.match(r'<c\b[^>]*?\sr="([A-Z]+)', xml[xml.rfind("<c", 0, tag_start): tag_start])
            if si and (cell is None or col_number(cell.group(1)) not in owned_cols):  # whose it is unknown: keep it
                used.add(int(si.group(1)))
        pos = xml.find(' ref="', pos + 1)
    out, i = [], 0
    while len(out) < count:
        if i not in used:
            out.append(i)
        i += 1
    return out


def accounts_parts(book: Book, result: Run, geo: Geometry, previous: np.ndarray) -> dict[str, bytes | Streamed]:
    """The Accounts sheet with new output cells, and the table's range fitted to the account rows.

    The sheet is patched as it is written (:meth:`Package.patched`): the
    output cells of every account are built a batch of rows at a time.
    """
    package = book.package
    info = book.account_table
    part = package.sheet_part(info.sheet)
    first, n = book.first_row, book.n_accounts
    r1, _, r2, _ = info.bounds
    near = {first, *range(info.last_data_row + 1, r2 + 1), *range(first + n, first + n + info.totals)}
    xml = package.sheet_view(part, near, containing=' ref="')  # the rows read here, and the shared-formula masters
    cols = {h: geo.acol(h) for h in WORKBOOK_OUTPUT_COLUMNS}
    owned = set(cols.values())
    template = read_rows(xml, [first]).get(first, {})
    style = {c: cell_style(template.get(c)) for c in owned}
    out = result.outputs()
    arr = result.accounts.numbers[Col.ARR].values
    used = np.where(np.isfinite(arr) & (arr > 0), arr, np.nan)
    values = {
        cols[Col.SEGMENT]: out[Col.SEGMENT].to_numpy(dtype=object),
        cols[Col.TIER]: out[Col.TIER].to_numpy(dtype=object),
        cols[Col.TIER_REASON]: out[Col.TIER_REASON].to_numpy(dtype=object),
        cols[Col.PREVIOUS_TIER]: previous,
        cols[ARR_USED]: used,
        cols[Col.COST_TO_SERVE]: np.asarray(result.cost_to_serve, dtype=float),
        cols[Col.CTS_PCT_ARR]: np.asarray(result.cts_pct_arr, dtype=float),
    }
    edits: dict[int, dict[int, str | None]] = {}
    block = None
    if n:
        si = dict(zip((cols[Col.COST_TO_SERVE], cols[Col.CTS_PCT_ARR]), _free_si(xml, owned, 2)))
        block = output_block(first, n, values, style, si, account_formulas(geo, first), edits)
    # Table rows that no longer hold an account lose their output cells; the Total Row moves up or down.
    table_xml = fit_table(info, xml, edits, n, owned, style)
    parts: dict[str, bytes | Streamed] = {part: package.patched(part, edits, block)}
    if table_xml is not None:
        parts[info.part] = table_xml.encode("utf-8")
    return parts
