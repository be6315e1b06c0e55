"""Formats, fills and number formats of the template, and the small writers every sheet uses.

Yellow input cells and grey computed cells get their formats here, once per
(kind, number format), so a book holds one XlsxWriter format for each.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import xlsxwriter

from ...columns import SHOW_DATE, SHOW_MONEY, SHOW_PERCENT, SHOW_SCORE, SHOW_TEXT, SHOW_WHOLE
from ..layout import WORKBOOK_ACCOUNT_COLUMNS, Place, Sheet, Tables, TierCol
from ..cells import area, ref, sheet_ref
from ..formulas import Geometry


INPUT_FILL = "#FFF2CC"
INPUT_FONT = "#1F3864"
COMPUTED_FILL = "#E7E6E6"
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
        self.wrap_header = wb.add_format({"bold": True, "text_wrap": True, "valign": "bottom"})
        self.alert = wb.add_format({"bold": True, "font_color": "#C00000"})

    def get(self, kind: str, num_format: str = "") -> object:
        key = (kind, num_format)
        if key not in self.cache:
            props: dict[str, object] = {"num_format": num_format} if num_format else {}
            if kind == "input":
                props.update({"bg_color": INPUT_FILL, "font_color": INPUT_FONT, "border": 1, "border_color": "#D9D9D9",
                              "locked": False})
            elif kind in ("computed", "output"):  # output: written by Assign Tiers, so open to it on a protected sheet
                props.update({"bg_color": COMPUTED_FILL, "border": 1, "border_color": "#D9D9D9"})
                if kind == "output":
                    props["locked"] = False
            elif kind == "wrap-computed":
                props.update({"bg_color": COMPUTED_FILL, "text_wrap": True, "valign": "top"})
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
    ws.write_string(0, 0, title, f.title)
    ws.write_string(1, 0, hint, f.hint)


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
