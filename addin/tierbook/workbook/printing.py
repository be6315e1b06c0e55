"""The printed page: its footer (the sheet, the file or where the run is named, the page) and the run it shows.

The template writes the footer of every sheet. A page's run can only be
named where both writers can write it: xlwings sets no page footer, so a
footer holding a run's stamp would go stale after a run from Excel. The
footers of the sheets Assign Tiers writes therefore point to the last-run
table on Start, whichever writer ran, and the title rows that Summary,
Capacity, Data Quality and Tier History repeat on every printed page name
the run with a formula over that table (:func:`run_stamp_cells`), true
after a run from the command line or from Excel. The input sheets' footers
name the file instead: their cells are the user's, not a run's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from ..columns import RunItem
from .cells import ref, sheet_ref
from .layout import RUN_STAMP_CELLS, ItemCol, Sheet, Tables

RUN_LABEL = "Assign Tiers run: "
UNSTAMPED = "see Start"
"""Where the footer says the run is named: the last-run table on Start (both writers write it)."""
NOT_RUN = "Assign Tiers has not run yet"
_RUN = re.compile(r"(<oddFooter>[^<]*?&amp;C(?:&amp;\d+)?" + re.escape(RUN_LABEL) + r")[^&<]*")


def footer(run: str | None) -> str:
    """Excel's footer codes: sheet name left, the run (or the file name) centred, page n of N right."""
    centre = f"{RUN_LABEL}{run}" if run is not None else "&F"
    return f"&L&8&A&C&8{centre}&R&8Page &P of &N"


def with_run_stamp(xml: str, stamp: str) -> str:
    """A worksheet's XML whose footer names this run; a footer without a run stamp is left as it is."""
    return _RUN.sub(lambda m: m.group(1) + escape(stamp), xml, count=1)


def stamped_pieces(pieces: Iterable[str], stamp: str) -> Iterator[str]:
    """:func:`with_run_stamp` over a worksheet given as pieces: the footer follows the rows, so only the text
    after ``</sheetData>`` is held (a sheet with no rows at all is one small piece)."""
    source = iter(pieces)
    held: str | None = None
    for piece in source:
        while len(piece) < len(_END):  # short pieces are joined, so that the mark spans two at most
            more = next(source, None)
            if more is None:
                break
            piece += more
        if held is not None and _END in held[-len(_END):] + piece[:len(_END)]:
            piece, held = held + piece, None  # the mark falls between two pieces
        at = piece.find(_END)
        if at >= 0:
            if held is not None:
                yield held
            yield piece[:at]
            yield with_run_stamp(piece[at:] + "".join(source), stamp)
            return
        if held is not None:
            yield held
        held = piece
    if held is not None:
        yield with_run_stamp(held, stamp)


_END = "</sheetData>"


def run_stamp_cells(stamp: object = None, known: bool = False) -> dict[str, dict[tuple[int, int], tuple[str, object]]]:
    """Per sheet, the title-row cell naming the last run: a formula over Start's last-run stamp.

    With ``known``, each carries the figure it shows for ``stamp`` (the
    stamp Start holds after the plan; blank: no run yet).
    """
    p = Tables.RUN
    at = sheet_ref(Sheet.START, ref(p.row + 1 + RunItem.ALL.index(RunItem.RUN_AT),
                                    p.col + ItemCol.ALL.index(ItemCol.VALUE), True))
    formula = f'IF(LEN({at})=0,"{NOT_RUN}","{RUN_LABEL}"&{at}&" UTC")'
    figure = None
    if known:
        figure = NOT_RUN if stamp is None or str(stamp) == "" else f"{RUN_LABEL}{stamp} UTC"
    out: dict[str, dict[tuple[int, int], tuple[str, object]]] = {}
    for sheet, r, c in RUN_STAMP_CELLS:
        out.setdefault(sheet, {})[(r, c)] = (formula, figure)
    return out
