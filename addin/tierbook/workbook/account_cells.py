"""The Accounts output cells Assign Tiers writes into a sheet's XML, row by row, for every account.

Segment, Tier, Tier Reason, Previous Tier and ARR Used go in as values;
Cost to Serve and CTS % ARR as one shared formula each (the first row holds
the text, every other row points at it), with the engine's figure as the
cached result. The table's range then fits the account rows
(:func:`~.tables.fit_table`).
"""

from __future__ import annotations

import re

import numpy as np

from ..engine.pipeline import Run
from ..columns import Col
from .layout import ARR_USED, WORKBOOK_OUTPUT_COLUMNS
from .cells import col_letter, col_number, f_element, formula_cell, number_text, value_cell
from .formulas import Geometry, account_formulas, arr_used
from .read import Book
from .sheetxml import cell_style, patch_rows, read_rows
from .tables import fit_table


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


def _cached_tail(value: float, f: str) -> str:
    """What follows a formula cell's address and style: type, formula, cached result."""
    if value == value and value not in (float("inf"), float("-inf")):
        return f">{f}<v>{number_text(value)}</v></c>"
    return f' t="str">{f}<v></v></c>'


def _cell_bodies(style: str | None, values: np.ndarray) -> list[str | None]:
    """Each value's cell XML after its address (``<c r="X9"`` + this); text built once per distinct value."""
    memo: dict[str, str] = {}
    out: list[str | None] = []
    for value in values:
        if isinstance(value, str) and value in memo:
            body = memo[value]
        else:
            cell = value_cell("X", style, value, shorten=True)
            body = cell[len('<c r="X"'):] if cell else ""
            if isinstance(value, str):
                memo[value] = body
        out.append(body or None)
    return out


def accounts_parts(book: Book, result: Run, geo: Geometry, previous: np.ndarray) -> dict[str, bytes]:
    """The Accounts sheet with new output cells, and the table's range fitted to the account rows."""
    package = book.package
    info = book.account_table
    part = package.sheet_part(info.sheet)
    xml = package.text(part)
    first, n = book.first_row, book.n_accounts
    cols = {h: geo.acol(h) for h in WORKBOOK_OUTPUT_COLUMNS}
    owned = set(cols.values())
    template = read_rows(xml, [first]).get(first, {})
    style = {c: cell_style(template.get(c)) for c in owned}
    out = result.outputs()
    used = arr_used(result)
    text_cols = {
        cols[Col.SEGMENT]: out[Col.SEGMENT].to_numpy(dtype=object),
        cols[Col.TIER]: out[Col.TIER].to_numpy(dtype=object),
        cols[Col.TIER_REASON]: out[Col.TIER_REASON].to_numpy(dtype=object),
        cols[Col.PREVIOUS_TIER]: previous,
        cols[ARR_USED]: used,
    }
    cts_c, pct_c = cols[Col.COST_TO_SERVE], cols[Col.CTS_PCT_ARR]
    cts, pct = result.cost_to_serve, result.cts_pct_arr
    edits: dict[int, dict[int, str | None]] = {}
    if n:
        si_cts, si_pct = _free_si(xml, owned, 2)
        last = first + n - 1
        masters = account_formulas(geo, first)
        letters = {c: col_letter(c) for c in owned}
        shared = {c: (f' s="{style[c]}"' if style[c] else "", si) for c, si in ((cts_c, si_cts), (pct_c, si_pct))}
        shared = {c: (s_attr, f'<f t="shared" si="{si}"/>') for c, (s_attr, si) in shared.items()}
        bodies = {c: _cell_bodies(style[c], values) for c, values in text_cols.items()}
        for i in range(n):
            r = first + i
            row: dict[int, str | None] = {}
            for c, body in bodies.items():
                row[c] = f'<c r="{letters[c]}{r}"{body[i]}' if body[i] is not None else None
            for c, value, si in ((cts_c, cts[i], si_cts), (pct_c, pct[i], si_pct)):
                if i == 0:
                    f = (f'<f t="shared" ref="{letters[c]}{first}:{letters[c]}{last}" si="{si}">'
                         + f_element(masters[c])[3:])
                    row[c] = formula_cell(f"{letters[c]}{r}", style[c], f, value)
                else:
                    s_attr, f = shared[c]
                    row[c] = f'<c r="{letters[c]}{r}"{s_attr}{_cached_tail(value, f)}'
            edits[r] = row
    # Table rows that no longer hold an account lose their output cells; the Total Row moves up or down.
    table_xml = fit_table(info, xml, edits, n, owned, style)
    parts = {part: patch_rows(xml, edits).encode("utf-8")}
    if table_xml is not None:
        parts[info.part] = table_xml.encode("utf-8")
    return parts
