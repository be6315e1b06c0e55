"""The template's checks: the Summary's Checks table, Start's RunInputs table and the out-of-date notices."""

from __future__ import annotations

from ..checkcells import summary_check_cells
from ..fingerprint import input_cells, labels, stale_cells
from ..layout import CheckItem, InputCol, ItemCol, Tables
from .style import DEFAULT_WIDTH, MONEY0, Formats, geometry, put, put_formula, table
from .textwidth import width_for

CHECKS_HEADING = "Checks"
INPUTS_HEADING = "Inputs of tiers and capacity at the last run (a checksum each)"
WIDEST_CHECKSUM = "9999999999999.99"
"""A checksum as wide as a million accounts' ARR makes it, in the 0.00 format."""


def _widths(ws, f: Formats, place, headers: tuple[str, ...], texts: dict[str, list[str]]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Each column as wide as another table on it made it, or as its longest text needs (tables share columns)."""
    return {h: max([f.widths.get((ws.name, place.col - 1 + j), DEFAULT_WIDTH)]
                   + [width_for(t, DEFAULT_WIDTH) for t in texts.get(h, [])])
            for j, h in enumerate(headers)}


def write_summary_checks(ws, f: Formats, tiers: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    p = Tables.CHECKS
    cells = summary_check_cells(geometry(tiers))
    ws.write_string(p.row - 2, p.col - 1, CHECKS_HEADING, f.heading)
    table(ws, f, p, ItemCol.ALL, len(CheckItem.ALL), _widths(ws, f, p, ItemCol.ALL, {ItemCol.ITEM: list(CheckItem.ALL)}))
    for i, item in enumerate(CheckItem.ALL):
        ws.write_string(p.row + i, p.col - 1, item, f.get("computed"))
        num = {CheckItem.LOADED_COST: MONEY0, CheckItem.DIFFERENCE: "#,##0.00", CheckItem.STATUS: ""}.get(item, "0")
        put_formula(ws, cells, p.row + i, p.col, f.get("computed", num))


def write_run_inputs(ws, f: Formats, tiers: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    p = Tables.RUN_INPUTS
    geo = geometry(tiers)
    cells = input_cells(geo)
    ws.write_string(p.row - 2, p.col - 1, INPUTS_HEADING, f.heading)
    figures = [WIDEST_CHECKSUM]
    table(ws, f, p, InputCol.ALL, len(labels(geo)),
          _widths(ws, f, p, InputCol.ALL, {InputCol.INPUT: labels(geo), InputCol.LAST_RUN: figures, InputCol.NOW: figures}))
    for i, label in enumerate(labels(geo)):
        r = p.row + i
        ws.write_string(r, p.col - 1, label, f.get("computed"))
        put(ws, r, p.col, None, f.get("computed", "0.00"))  # At Last Run: written by Assign Tiers
        for header in (InputCol.NOW, InputCol.CHANGED):
            put_formula(ws, cells, r, p.col - 1 + InputCol.ALL.index(header), f.get("computed", "0.00"))


def write_stale(sheets: dict, f: Formats, tiers: tuple[str, ...]) -> None:  # type: ignore[type-arg]
    """The out-of-date notice on Start, Summary and Capacity (blank while tiers and capacity are current)."""
    for sheet, cells in stale_cells(geometry(tiers)).items():
        for (r, c) in cells:
            put_formula(sheets[sheet], cells, r - 1, c - 1, f.alert)


__all__ = ["write_run_inputs", "write_stale", "write_summary_checks"]
