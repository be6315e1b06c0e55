"""Formats, fills and number formats of the template, and the small writers every sheet uses.

Yellow input cells and grey computed cells get their formats here, once per
(kind, number format), so a book holds one XlsxWriter format for each.
Column widths, row heights and the print setup are set here too: a table's
columns are as wide as declared, or as its headers need (measured in
:mod:`.textwidth`), and every sheet prints through :func:`print_setup`.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import xlsxwriter

from ...columns import SHOW_DATE, SHOW_MONEY, SHOW_PERCENT, SHOW_SCORE, SHOW_TEXT, SHOW_WHOLE, Col, CutoffCol, HistoryCol
from ..layout import WORKBOOK_ACCOUNT_COLUMNS, ButtonPlace, Place, Sheet, Tables, TierCol
from ..cells import area, ref, sheet_ref
from ..formulas import Geometry
from ..printing import UNSTAMPED, footer, run_stamp_cells
from .textwidth import FILTER_BUTTON, lines_for, row_points, width_for


INPUT_FILL = "#FFF2CC"
INPUT_FONT = "#1F3864"
COMPUTED_FILL = "#E7E6E6"
PROMPT_FILL = "#F8CBAD"  # an input still waiting for a value (a segment with no tier)
PROMPT_FONT = "#C00000"
TABLE_STYLE = "Table Style Light 15"
MAX_ROW = 1_048_575  # 0-based last row of a sheet
MONEY = "#,##0.00"
MONEY0 = "#,##0"
PCT = "0.0%"
NUMBER = "General"  # intervals, hours, headcount: 12, 0.25, 1.5 as Excel shows them (never "12.")
DATE = "yyyy-mm-dd"
LIST_ROWS = 200  # validation lists reach this far below a small table's header

SHOW_FORMATS = {SHOW_TEXT: "", SHOW_WHOLE: MONEY0, SHOW_MONEY: MONEY, SHOW_PERCENT: "0.00%", SHOW_DATE: DATE,
                SHOW_SCORE: "0"}
"""The number format of each way a column is shown (:class:`tierbook.columns.Column`)."""


def geometry(tiers: tuple[str, ...]) -> Geometry:
    """Where everything is in a fresh book: the Accounts table in canonical column order."""
    headers = tuple(c.header for c in WORKBOOK_ACCOUNT_COLUMNS)
    return Geometry(tiers=tiers, account_cols={h: Tables.ACCOUNTS.col + j for j, h in enumerate(headers)})


class Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self.cache: dict[tuple[str, str], object] = {}
        self.title = wb.add_format({"bold": True, "font_size": 18, "font_color": INPUT_FONT})
        self.subtitle = wb.add_format({"italic": True, "font_size": 12, "font_color": "#595959"})
        self.heading = wb.add_format({"bold": True, "font_size": 12, "font_color": INPUT_FONT})
        self.hint = wb.add_format({"italic": True, "font_color": "#595959"})
        self.text = wb.add_format({})
        self.text_wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.hints: dict[str, str] = {}
        """Sheet -> the hint under its title."""
        self.wrap_header = wb.add_format({"bold": True, "text_wrap": True, "valign": "bottom"})
        self.widths: dict[tuple[str, int], float] = {}
        """(sheet, 0-based column) -> the width set, so the print setup knows how wide a sheet is."""
        self.heights: dict[tuple[str, int], float] = {}
        """(sheet, 0-based row) -> the height its texts need (points)."""
        self.hint_format = wb.add_format({"italic": True, "font_color": "#595959", "text_wrap": True,
                                          "valign": "bottom"})
        self.alert = wb.add_format({"bold": True, "font_color": "#C00000"})
        self.tier_names: tuple[str, ...] = ()
        """The book's tiers: a column holding a tier's name is as wide as the longest one needs."""

    def get(self, kind: str, num_format: str = "") -> object:
        """The format of an ``input`` or ``computed`` cell; ``wrap-`` before the kind wraps its text,
        ``-center`` after it centres it (short words beside numbers, that would run into them)."""
        key = (kind, num_format)
        if key not in self.cache:
            props: dict[str, object] = {"num_format": num_format} if num_format else {}
            base = kind.removeprefix("wrap-").removesuffix("-center")
            if base == "input":
                props.update({"bg_color": INPUT_FILL, "font_color": INPUT_FONT, "border": 1, "border_color": "#D9D9D9",
                              "valign": "top", "locked": False})
            elif base in ("computed", "output"):  # output: written by Assign Tiers, so open to it on a protected sheet
                props.update({"bg_color": COMPUTED_FILL, "border": 1, "border_color": "#D9D9D9", "valign": "top"})
                if base == "output":
                    props["locked"] = False
            if kind.startswith("wrap-"):
                props.update({"text_wrap": True})
            if kind.endswith("-center"):
                props.update({"align": "center"})
            self.cache[key] = self.wb.add_format(props)
        return self.cache[key]


def put(ws, r: int, c: int, value: object, fmt: object) -> None:  # type: ignore[no-untyped-def]
    """Write a constant (0-based r, c); blanks keep the cell's format."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fmt)
    elif isinstance(value, (dt.date, dt.datetime)):
        ws.write_datetime(r, c, value, fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


WIDEST_FIGURE = "-9,999,999,999"
"""The widest whole amount a money column of the Summary and Capacity shows whole (not as ####)."""
DEFAULT_WIDTH = 8.43
"""Width of a column no writer sets (Excel's default)."""
HEADER_LINES = 2
"""Lines a table header may wrap into before its column grows."""
PORTRAIT_PIXELS = 760
"""Widest print range (pixels at 100 %) that prints upright on A4 (about 700 pixels between its margins,
a little shrinking allowed); wider ones print landscape."""


LANDSCAPE_PIXELS = 1026
"""Pixels at 100 % between the margins of a landscape A4 page (271.6 mm at 96 dpi)."""
READABLE_SCALE = 0.75
"""The smallest print scale a sheet of many columns may print at (11 pt prints as 8 pt or more)."""


def print_scale(pixels: float, titles: float, across: int) -> float:
    """The scale a landscape print range of ``pixels`` takes on ``across`` pages, each repeating ``titles`` pixels."""
    return min(1.0, across * LANDSCAPE_PIXELS / (pixels + (across - 1) * titles))


def pages_across(pixels: float, titles: float) -> int:
    """The fewest landscape pages across that print a range of ``pixels`` at :data:`READABLE_SCALE` or more."""
    across = 1
    while print_scale(pixels, titles, across) < READABLE_SCALE and titles < LANDSCAPE_PIXELS * READABLE_SCALE:
        across += 1
    return across


def figure_width(declared: float) -> float:
    """A money column's width: the declared one, or wider where :data:`WIDEST_FIGURE` needs it."""
    return width_for(WIDEST_FIGURE, declared)


def set_width(ws, f: Formats, col: int, width: float) -> None:  # type: ignore[no-untyped-def]
    """One column's width (0-based), remembered for the print setup."""
    f.widths[(ws.name, col)] = width
    ws.set_column(col, col, width)


TIER_HEADERS: frozenset[str] = frozenset({Col.TIER, Col.PREVIOUS_TIER, Col.TIER_OVERRIDE, HistoryCol.OLD_TIER,
                                          HistoryCol.NEW_TIER, CutoffCol.TIER})
"""Headers of the columns whose cells hold a tier's name (the Tier column of every table among them)."""


def table_columns(ws, f: Formats, place: Place, headers: tuple[str, ...],  # type: ignore[no-untyped-def]
                  widths: dict[str, float] | None = None, default: float = 14) -> None:
    """Each column of a table as wide as declared for its header, or wider where the header needs it.

    A header wraps into at most :data:`HEADER_LINES` lines beside its filter
    button; a column whose header would not fit grows, and the header row is
    as tall as its longest header. So every header shows whole at 100 %.
    """
    widths = widths or {}
    lines = 1
    for j, h in enumerate(headers):
        width = width_for(h, widths.get(h, default), HEADER_LINES, bold=True, reserve=FILTER_BUTTON)
        if h in TIER_HEADERS:
            width = max([width, *(width_for(t, width) for t in f.tier_names)])
        set_width(ws, f, place.col - 1 + j, width)
        lines = max(lines, lines_for(h, width, bold=True, reserve=FILTER_BUTTON))
    grow_row(ws, f, place.row - 1, lines)


def grow_row(ws, f: Formats, r: int, lines: int) -> None:  # type: ignore[no-untyped-def]
    """Make a row (0-based) tall enough for ``lines`` lines, never lower than another text of it needs."""
    key = (ws.name, r)
    points = max(f.heights.get(key, 0), row_points(lines))
    if points > row_points(1) or key in f.heights:
        f.heights[key] = points
        ws.set_row(r, points)


def wrapped_row(ws, f: Formats, r: int, texts: list[tuple[int, str]]) -> None:  # type: ignore[no-untyped-def]
    """A row tall enough for its wrapped texts ((0-based column, text)) in their columns' widths."""
    grow_row(ws, f, r, max(lines_for(t, f.widths.get((ws.name, c), DEFAULT_WIDTH)) for c, t in texts))


def table_hint(ws, f: Formats, place: Place, n_cols: int, hint: str) -> None:  # type: ignore[no-untyped-def]
    """A table's hint two rows above its header, wrapped within the table's width so it never runs into the next table."""
    merged_text(ws, f, place.row - 2, place.col - 1, place.col - 2 + n_cols, hint, f.hint_format)


def merged_text(ws, f: Formats, r: int, c1: int, c2: int, words: str, fmt: object) -> None:  # type: ignore[no-untyped-def]
    """A text wrapped across columns c1..c2 of row r (0-based), the row as tall as the text needs."""
    width = sum(f.widths.get((ws.name, c), DEFAULT_WIDTH) for c in range(c1, c2 + 1)) + (c2 - c1) * 5 / 7
    ws.merge_range(r, c1, r, c2, words, fmt)
    grow_row(ws, f, r, lines_for(words, width))


def print_setup(ws, f: Formats, last_row: int, last_col: int, header_row: int,  # type: ignore[no-untyped-def]
                run_footer: bool, one_page: bool = False, spans: tuple[tuple[int, int], ...] = (),
                title_cols: int = 0) -> None:
    """How a sheet prints: its print area, one page wide, its title and header rows on every page.

    Landscape when the print area is wider than an upright page; the footer
    names the sheet, the run (sheets Assign Tiers writes) or the file, and
    the page. Rows are 0-based; ``last_row`` may be :data:`MAX_ROW` for a
    table that grows. ``spans`` (0-based first and last columns) split a
    sheet of tables side by side into print ranges, each on pages of its own,
    so that none is shrunk to fit the others' width. ``title_cols``: a range
    too wide for one readable page prints on as many landscape pages across
    as keep it at :data:`READABLE_SCALE` (:func:`pages_across`), its first
    ``title_cols`` columns repeated on each, the pages of the same rows in a row.
    """
    spans = spans or ((0, last_col),)
    if ws.name in f.hints:
        merged_text(ws, f, 1, 0, spans[0][1], f.hints[ws.name], f.hint_format)
    pixels = max(sum(f.widths.get((ws.name, c), DEFAULT_WIDTH) * 7 + 5 for c in range(c1, c2 + 1)) for c1, c2 in spans)
    if pixels > PORTRAIT_PIXELS:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(9)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
    across = 1
    if title_cols:
        px = [f.widths.get((ws.name, c), DEFAULT_WIDTH) * 7 + 5 for c in range(spans[0][0], spans[0][1] + 1)]
        across = pages_across(sum(px), sum(px[:title_cols]))
    ws.fit_to_pages(across, 1 if one_page else 0)
    ws.repeat_rows(0, header_row)
    if across > 1:
        ws.repeat_columns(spans[0][0], spans[0][0] + title_cols - 1)
        ws.print_across()
    # Written as a name, row numbers and all: XlsxWriter would shorten a whole-column area to $A:$V, which
    # openpyxl cannot read back.
    ranges = ",".join(sheet_ref(ws.name, area(1, c1 + 1, last_row + 1, c2 + 1, True)) for c1, c2 in spans)
    f.wb.define_name(sheet_ref(ws.name, "_xlnm.Print_Area"), "=" + ranges)
    ws.set_footer(footer(UNSTAMPED if run_footer else None))


def table(ws, f: Formats, place: Place, headers: tuple[str, ...], rows: int,  # type: ignore[no-untyped-def]
          widths: dict[str, float] | None = None, default: float = 14) -> None:
    """A table (:func:`add_table`) whose columns and header row fit its headers (:func:`table_columns`)."""
    table_columns(ws, f, place, headers, widths, default)
    add_table(ws, place, headers, rows, header_format=f.wrap_header)


def add_table(ws, place: Place, headers: tuple[str, ...], rows: int, style: str = TABLE_STYLE,  # type: ignore[no-untyped-def]
           header_format: object = None) -> None:
    """An Excel table with ``rows`` data rows (at least one) under its header."""
    r0, c0 = place.row - 1, place.col - 1
    columns = [{"header": h, **({"header_format": header_format} if header_format else {})} for h in headers]
    ws.add_table(r0, c0, r0 + max(rows, 1), c0 + len(headers) - 1, {
        "name": place.table, "style": style, "columns": columns, "autofilter": True,
    })


def put_formula(ws, cells, r0: int, c0: int, fmt: object) -> None:  # type: ignore[no-untyped-def]
    """Write the formula that formulas.py defines for this (0-based) cell; its cached result comes later.

    A figure known already (an input's default, as a unit cost) is the cached
    result from the start, so the first read of the book sees it.
    """
    try:
        formula, figure = cells[(r0 + 1, c0 + 1)]
    except KeyError:
        raise AssertionError(f"no formula defined for {ws.name}!{ref(r0 + 1, c0 + 1)}") from None
    ws.write_formula(r0, c0, "=" + formula, fmt, 0 if figure is None else figure)


def put_title(ws, f: Formats, title: str, hint: str) -> None:  # type: ignore[no-untyped-def]
    """The sheet's title and hint; :func:`print_setup` wraps the hint within the first printed columns."""
    ws.write_string(0, 0, title, f.title)
    ws.write_string(1, 0, hint, f.hint)
    f.hints[ws.name] = hint
    stamp = run_stamp_cells().get(ws.name, {})
    for r, c in stamp:  # the run these figures come from, on every printed page (the title rows repeat)
        put_formula(ws, stamp, r - 1, c - 1, f.hint)


def list_validation(ws, first_row: int, col: int, last_row: int, source: object, prompt: str = "") -> None:  # type: ignore[no-untyped-def]
    options: dict[str, object] = {"validate": "list", "source": source, "error_type": "stop",
                                  "error_title": "Not in the list", "error_message": "Pick a value from the list."}
    if prompt:
        options.update({"input_title": "Tierbook", "input_message": prompt[:255]})
    ws.data_validation(first_row, col, last_row, col, options)


def amount_rule(prompt: str, title: str = "Tierbook") -> dict[str, object]:
    """Excel's validation of a cost, hours or interval: a number of 0 or more, with what is allowed said on entry."""
    return {"validate": "decimal", "criteria": ">=", "value": 0, "input_title": title[:32],
            "input_message": prompt[:255], "error_title": "Not allowed",
            "error_message": "Enter a number of 0 or more: a negative cost, hours or interval is refused."}


def amount_validation(ws, first_row: int, col: int, last_row: int, prompt: str) -> None:  # type: ignore[no-untyped-def]
    ws.data_validation(first_row, col, last_row, col, amount_rule(prompt))


def tier_list(n_tiers: int) -> str:
    p = Tables.TIERS
    c = p.col + TierCol.ALL.index(TierCol.TIER)
    return "=" + sheet_ref(Sheet.SETTINGS, area(p.row + 1, c, p.row + n_tiers, c, True))


def role_list() -> str:
    p = Tables.ROLES
    return "=" + sheet_ref(Sheet.SETTINGS, area(p.row + 1, p.col, p.row + 20, p.col, True))


def button_shape(ws, place: ButtonPlace, tip: str) -> None:  # type: ignore[no-untyped-def]
    """A button as xlwings Lite runs it: a plain shape over its cell, linked to that cell (the script names it)."""
    ws.insert_textbox(place.cell, place.label, {
        "url": f"internal:{place.sheet}!{place.cell}",
        "tip": tip,
        "width": 170, "height": 30, "object_position": 3,
        "fill": {"color": "#1F6F43"}, "line": {"none": True},
        "font": {"color": "white", "bold": True, "size": 11},
        "align": {"vertical": "middle", "horizontal": "center", "text": "center"},
    })
