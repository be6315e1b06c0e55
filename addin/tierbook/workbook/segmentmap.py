"""What Assign Tiers writes into the segment map: every segment found, with its accounts and ARR.

Which segments the accounts fall in, and which of them the map gives no
tier, is the engine's rule (:mod:`tierbook.engine.segments`); this module
only places it. The rows already in the map stay as the user left them
(Segment, Tier, Playbook, KPIs are never written there): they get their
segment's accounts and ARR in place. The segments no row names are added
below them, largest ARR first, with a blank Tier for the user to pick;
the sheet's prompt (a formula) and highlight (a conditional format) count
and mark them without Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..columns import SegmentBookCol
from ..engine.pipeline import Run
from ..engine.segments import segment_map_rows, unmapped_note, unmapped_segments
from .fingerprint import Written
from .formulas import segment_prompt_cells
from .layout import SegmentMapCol, Sheet, Tables
from .plantypes import CachedResults, TableFill, column_of
from .read import Book
from .tabledata import table_data

@dataclass(frozen=True)
class SegmentMapPlan:
    """The segment map's part of a plan.

    Attributes:
        fills: the accounts and ARR of the rows there, then the segments added below them.
        written: the input cells the added rows fill (the Segment names), for the inputs' checksums.
        cached: the prompt's figure above the map.
        note: what the button says of the segments still waiting for a tier ('' if none, or not the segment policy).
    """

    fills: tuple[TableFill, ...] = ()
    written: Written = field(default_factory=dict)
    cached: tuple[CachedResults, ...] = ()
    note: str = ""


def plan_segment_map(book: Book, result: Run) -> SegmentMapPlan:
    """The segment map's rows as this run found the segments (nothing for a book without the map's new columns)."""
    place = Tables.SEGMENT_MAP
    if not book.source.has_table(place.table):
        return SegmentMapPlan()
    found = result.found_segments()
    tiers = result.settings.segment_tiers
    waiting = unmapped_segments(found, tiers)
    note = unmapped_note(found, tiers) if result.settings.policy == "segment" else ""
    t = table_data(book.source, place)
    if not all(h in t.headers for h in (SegmentMapCol.SEGMENT, *SegmentMapCol.WRITTEN)):
        return SegmentMapPlan(note=note)  # a map made before it listed segments: its columns are the user's
    rows = segment_map_rows(t.column(SegmentMapCol.SEGMENT), found)
    fills = [TableFill(place, {SegmentMapCol.ACCOUNTS: rows.accounts, SegmentMapCol.ARR: rows.arr}, fit=False)]
    added = rows.added
    written: Written = {}
    if len(added):
        blank = np.full(len(added), None, dtype=object)
        fills.append(TableFill(place, {
            SegmentMapCol.SEGMENT: added[SegmentBookCol.SEGMENT].to_numpy(dtype=object),
            SegmentMapCol.TIER: blank,
            SegmentMapCol.ACCOUNTS: added[SegmentBookCol.ACCOUNTS].to_numpy(dtype=object),
            SegmentMapCol.ARR: added[SegmentBookCol.ARR].to_numpy(dtype=object),
        }, start=len(t)))
        c = column_of(t.info, SegmentMapCol.SEGMENT)
        written = {(t.info.sheet, t.first_row + len(t) + i, c): name
                   for i, name in enumerate(added[SegmentBookCol.SEGMENT])}
    figure = (len(waiting), int(waiting[SegmentBookCol.ACCOUNTS].sum()))
    cached = (CachedResults(Sheet.SEGMENTS, segment_prompt_cells(figure), True),)
    return SegmentMapPlan(tuple(fills), written, cached, note)


__all__ = ["SegmentMapPlan", "plan_segment_map"]
