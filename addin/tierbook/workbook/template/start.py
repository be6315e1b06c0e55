"""The Start sheet: what the workbook is, the order of work, the legend, the buttons and the last run."""

from __future__ import annotations

from xlsxwriter.utility import xl_cell_to_rowcol

from ...columns import RunItem
from ..layout import Buttons, ItemCol, Tables
from .. import text
from .style import Formats, add_table, button_shape, merged_text, print_setup, put, set_width


DESKTOP_MACRO = "SampleCall"  # the macro of xlwings' standalone VBA project that runs main()


def write_start(ws, f: Formats, desktop: bool = False) -> None:  # type: ignore[no-untyped-def]
    set_width(ws, f, 0, 34)
    set_width(ws, f, 1, 70)
    ws.hide_gridlines(2)
    ws.write_string(0, 0, text.START_TITLE, f.title)
    style = {"subtitle": f.subtitle, "heading": f.heading, "": f.text}
    r = 1
    for kind, line in text.START_LINES:
        if kind == "text":
            merged_text(ws, f, r, 0, 1, line, f.text_wrap)
        elif line:
            ws.write_string(r, 0, line, style[kind])
        r += 1
    ws.write_string(r, 0, text.LEGEND_INPUT, f.get("input"))
    ws.write_string(r + 1, 0, text.LEGEND_COMPUTED, f.get("computed"))
    p = Tables.RUN
    if p.row - 1 <= r + 2:
        raise AssertionError("Start text runs into the last-run table; move Tables.RUN down")
    ws.write_string(p.row - 2, 0, text.RUN_HEADING, f.heading)
    _desktop_button(ws) if desktop else _buttons(ws)
    add_table(ws, p, ItemCol.ALL, len(RunItem.ALL))
    for i, item in enumerate(RunItem.ALL):
        ws.write_string(p.row + i, p.col - 1, item, f.get("computed"))
        put(ws, p.row + i, p.col, "never" if item == RunItem.RUN_AT else None, f.get("computed"))
    button = xl_cell_to_rowcol(Buttons.ALL[-1].cell)
    print_setup(ws, f, max(p.row + len(RunItem.ALL), button[0] + 2), button[1] + 3, 0, run_footer=True,
                one_page=True)


def _buttons(ws) -> None:  # type: ignore[no-untyped-def]
    """One shape per script, linking to the cell it covers: xlwings Lite runs the script when it is clicked."""
    row, col = xl_cell_to_rowcol(Buttons.ALL[0].cell)
    ws.write_string(row - 1, col, text.BUTTONS_HEADING)
    for place in Buttons.ALL:
        button_shape(ws, place, text.BUTTON_TIPS[place.label])


def _desktop_button(ws) -> None:  # type: ignore[no-untyped-def]
    """The desktop variant: a form button running xlwings' standalone macro, which calls main()."""
    place = Buttons.ASSIGN_TIERS
    row, col = xl_cell_to_rowcol(place.cell)
    ws.write_string(row - 1, col, text.DESKTOP_BUTTON_HEADING)
    ws.insert_button(place.cell, {"macro": DESKTOP_MACRO, "caption": place.label, "width": 170, "height": 30})
