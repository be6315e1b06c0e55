"""Build the Tierbook workbook from code (XlsxWriter), and regenerate ``workbook_template/``.

    python -m tierbook.workbook.template [PATH] [--check]

writes the template (default ``workbook_template/Tierbook.xlsx``), or with
``--check`` exits 1 when the file on disk differs from what the code builds.
The build is deterministic: fixed document dates, fixed zip timestamps.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import re
import sys
import zipfile
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol

from .. import __version__
from ..engine.services import default_catalog, default_matrix
from ..engine.facts import Facts
from ..engine.settings import RULE_OPERATORS, Settings, setting_facts, sheet_settings
from ..errors import WorkbookError
from ..layout import (
    Buttons,
    INPUT_COLUMNS,
    NEEDS_DATA,
    NUMERIC_COLUMNS,
    TEMPLATE_FILE,
    TOTAL,
    WORKBOOK_OUTPUT_COLUMNS,
    Allocation,
    BudgetItem,
    CapacityCol,
    Col,
    CoverageCol,
    CrmFieldCol,
    CutoffCol,
    Delivery,
    HistoryCol,
    InForceItem,
    ItemCol,
    MatrixCol,
    ParetoCol,
    PARETO_POINTS,
    Place,
    ProblemCol,
    RoleCol,
    RuleCol,
    RunItem,
    ScoreCol,
    SegmentGridCol,
    SegmentMapCol,
    ServiceCol,
    SettingCol,
    Sheet,
    SummaryCol,
    TierCol,
    TierCostCol,
    Tables,
    MARGIN_FACTOR,
    ARR_USED,
)
from . import text
from .cells import area, ref, sheet_ref
from .formulas import (
    SERVICE_COLUMNS,
    SUMMARY_COLUMNS,
    Geometry,
    matrix_cells,
    matrix_columns,
    services_cells,
    summary_cells,
    tiers_cells,
)

FIXED_DATE = dt.datetime(2026, 1, 1)
DESKTOP_MACRO = "SampleCall"  # the macro of xlwings' standalone VBA project that runs main()
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

ACCOUNT_FORMATS = {
    Col.ARR: MONEY0, Col.EMPLOYEES: MONEY0, Col.COMPANY_REVENUE: MONEY0, Col.NPS: "0",
    Col.USAGE_SCORE: "0", Col.EXPANSION_POTENTIAL: "0", Col.RENEWAL_DATE: DATE,
    ARR_USED: MONEY0, Col.COST_TO_SERVE: MONEY, Col.CTS_PCT_ARR: "0.00%",
}
ACCOUNT_WIDTHS = {Col.ACCOUNT_NAME: 30, Col.TIER_REASON: 60, Col.OVERRIDE_REASON: 26, Col.INDUSTRY: 20,
                  Col.CSM: 18, Col.SEGMENT: 18, Col.TIER: 14, Col.PREVIOUS_TIER: 14}


def _geometry(tiers: tuple[str, ...]) -> Geometry:
    """Where everything is in a fresh book: the Accounts table in canonical column order."""
    headers = INPUT_COLUMNS + WORKBOOK_OUTPUT_COLUMNS
    return Geometry(tiers=tiers, account_cols={h: Tables.ACCOUNTS.col + j for j, h in enumerate(headers)})


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self.cache: dict[tuple[str, str], object] = {}
        self.title = wb.add_format({"bold": True, "font_size": 18, "font_color": INPUT_FONT})
        self.subtitle = wb.add_format({"italic": True, "font_size": 12, "font_color": "#595959"})
        self.heading = wb.add_format({"bold": True, "font_size": 12, "font_color": INPUT_FONT})
        self.hint = wb.add_format({"italic": True, "font_color": "#595959"})
        self.text = wb.add_format({})
        self.wrap_header = wb.add_format({"bold": True, "text_wrap": True, "valign": "bottom"})

    def get(self, kind: str, num_format: str = "") -> object:
        key = (kind, num_format)
        if key not in self.cache:
            props: dict[str, object] = {"num_format": num_format} if num_format else {}
            if kind == "input":
                props.update({"bg_color": INPUT_FILL, "font_color": INPUT_FONT, "border": 1, "border_color": "#D9D9D9"})
            elif kind == "computed":
                props.update({"bg_color": COMPUTED_FILL, "border": 1, "border_color": "#D9D9D9"})
            elif kind == "wrap-computed":
                props.update({"bg_color": COMPUTED_FILL, "text_wrap": True, "valign": "top"})
            self.cache[key] = self.wb.add_format(props)
        return self.cache[key]


def _put(ws, r: int, c: int, value: object, fmt: object) -> None:  # type: ignore[no-untyped-def]
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


def _table(ws, place: Place, headers: tuple[str, ...], rows: int, style: str = TABLE_STYLE,  # type: ignore[no-untyped-def]
           header_format: object = None) -> None:
    """An Excel table with ``rows`` data rows (at least one) under its header."""
    r0, c0 = place.row - 1, place.col - 1
    columns = [{"header": h, **({"header_format": header_format} if header_format else {})} for h in headers]
    ws.add_table(r0, c0, r0 + max(rows, 1), c0 + len(headers) - 1, {
        "name": place.table, "style": style, "columns": columns, "autofilter": True,
    })


def _formula(ws, cells, r0: int, c0: int, fmt: object) -> None:  # type: ignore[no-untyped-def]
    """Write the formula that formulas.py defines for this (0-based) cell; its cached result comes later."""
    try:
        formula, _ = cells[(r0 + 1, c0 + 1)]
    except KeyError:
        raise AssertionError(f"no formula defined for {ws.name}!{ref(r0 + 1, c0 + 1)}") from None
    ws.write_formula(r0, c0, "=" + formula, fmt, 0)


def _title(ws, f: _Formats, title: str, hint: str) -> None:  # type: ignore[no-untyped-def]
    ws.write_string(0, 0, title, f.title)
    ws.write_string(1, 0, hint, f.hint)


def _list_validation(ws, first_row: int, col: int, last_row: int, source: object, prompt: str = "") -> None:  # type: ignore[no-untyped-def]
    options: dict[str, object] = {"validate": "list", "source": source, "error_type": "stop",
                                  "error_title": "Not in the list", "error_message": "Pick a value from the list."}
    if prompt:
        options.update({"input_title": "Tierbook", "input_message": prompt[:255]})
    ws.data_validation(first_row, col, last_row, col, options)


def _tier_list(n_tiers: int) -> str:
    p = Tables.TIERS
    c = p.col + TierCol.ALL.index(TierCol.TIER)
    return "=" + sheet_ref(Sheet.SETTINGS, area(p.row + 1, c, p.row + n_tiers, c, True))


def _role_list() -> str:
    p = Tables.ROLES
    return "=" + sheet_ref(Sheet.SETTINGS, area(p.row + 1, p.col, p.row + 20, p.col, True))


def xlsx_bytes(settings: Settings, catalog: pd.DataFrame, matrix: pd.DataFrame, vba: bytes | None = None) -> bytes:
    """The workbook as XlsxWriter writes it: every sheet, table, format, validation, formula and chart.

    Cached formula results are placeholders here; :func:`build_template`
    replaces them with the engine's figures.
    """
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                      "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": "Tierbook", "subject": "Customer Success segmentation, tiering and cost to serve",
                       "author": "Tierbook", "company": "", "comments": f"Built by tierbook {__version__} with XlsxWriter {xlsxwriter.__version__}",
                       "created": FIXED_DATE})
    wb.set_calc_mode("auto")
    if vba is not None:
        wb.add_vba_project(io.BytesIO(vba), is_stream=True)
    f = _Formats(wb)
    sheets = {name: wb.add_worksheet(name) for name in Sheet.ORDER}
    tiers = settings.tier_names
    _start(sheets[Sheet.START], f, desktop=vba is not None)
    _settings(sheets[Sheet.SETTINGS], f, settings)
    _accounts(sheets[Sheet.ACCOUNTS], f, len(tiers))
    _segments(sheets[Sheet.SEGMENTS], f, settings)
    _rules(sheets[Sheet.RULES], f, settings)
    _services(sheets[Sheet.SERVICES], f, catalog)
    _matrix(sheets[Sheet.MATRIX], f, matrix, tiers)
    _summary(wb, sheets[Sheet.SUMMARY], f, tiers)
    _owned(sheets[Sheet.CAPACITY], f, Sheet.CAPACITY, text.CAPACITY_HINT,
           ((Tables.CAPACITY, CapacityCol.ALL_PLAN), (Tables.ROLE_GAPS, CapacityCol.ALL_ROLES),
            (Tables.COVERAGE, CoverageCol.ALL)))
    _owned(sheets[Sheet.DATA_QUALITY], f, Sheet.DATA_QUALITY, text.QUALITY_HINT, ((Tables.DATA_QUALITY, ProblemCol.ALL),))
    _owned(sheets[Sheet.HISTORY], f, Sheet.HISTORY, text.HISTORY_HINT, ((Tables.HISTORY, HistoryCol.ALL),))
    sheets[Sheet.START].activate()
    wb.close()
    return buffer.getvalue()


# ------------------------------------------------------------------- sheets
def _start(ws, f: _Formats, desktop: bool = False) -> None:  # type: ignore[no-untyped-def]
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 70)
    ws.hide_gridlines(2)
    ws.set_landscape()
    ws.fit_to_pages(1, 1)  # prints, and previews, as one page
    ws.write_string(0, 0, text.START_TITLE, f.title)
    style = {"subtitle": f.subtitle, "heading": f.heading, "text": f.text, "": f.text}
    r = 1
    for kind, line in text.START_LINES:
        if line:
            ws.write_string(r, 0, line, style[kind])
        r += 1
    ws.write_string(r, 0, text.LEGEND_INPUT, f.get("input"))
    ws.write_string(r + 1, 0, text.LEGEND_COMPUTED, f.get("computed"))
    p = Tables.RUN
    if p.row - 1 <= r + 2:
        raise AssertionError("Start text runs into the last-run table; move Tables.RUN down")
    ws.write_string(p.row - 2, 0, text.RUN_HEADING, f.heading)
    _desktop_button(ws) if desktop else _buttons(ws)
    _table(ws, p, ItemCol.ALL, len(RunItem.ALL))
    for i, item in enumerate(RunItem.ALL):
        ws.write_string(p.row + i, p.col - 1, item, f.get("computed"))
        _put(ws, p.row + i, p.col, "never" if item == RunItem.RUN_AT else None, f.get("computed"))


def _buttons(ws) -> None:  # type: ignore[no-untyped-def]
    """One shape per script, linking to the cell it covers: xlwings Lite runs the script when it is clicked."""
    row, col = xl_cell_to_rowcol(Buttons.ALL[0].cell)
    ws.write_string(row - 1, col, text.BUTTONS_HEADING)
    for place in Buttons.ALL:
        ws.insert_textbox(place.cell, place.label, {
            "url": f"internal:{Sheet.START}!{place.cell}",
            "tip": text.BUTTON_TIPS[place.label],
            "width": 170, "height": 30, "object_position": 3,
            "fill": {"color": "#1F6F43"}, "line": {"none": True},
            "font": {"color": "white", "bold": True, "size": 11},
            "align": {"vertical": "middle", "horizontal": "center", "text": "center"},
        })


def _range_rule(facts: Facts) -> dict[str, object]:
    """Excel's data-validation criteria for a number setting's declared range."""
    low, high = facts.low, facts.high
    if low is not None and high is not None:
        return {"criteria": "between", "minimum": low, "maximum": high}
    if low is not None:
        return {"criteria": ">" if facts.low_open else ">=", "value": low}
    if high is not None:
        return {"criteria": "<" if facts.high_open else "<=", "value": high}
    return {"criteria": "between", "minimum": -1e300, "maximum": 1e300}


def _desktop_button(ws) -> None:  # type: ignore[no-untyped-def]
    """The desktop variant: a form button running xlwings' standalone macro, which calls main()."""
    place = Buttons.ASSIGN_TIERS
    row, col = xl_cell_to_rowcol(place.cell)
    ws.write_string(row - 1, col, text.DESKTOP_BUTTON_HEADING)
    ws.insert_button(place.cell, {"macro": DESKTOP_MACRO, "caption": place.label, "width": 170, "height": 30})


def _settings(ws, f: _Formats, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    _title(ws, f, Sheet.SETTINGS, text.SETTINGS_HINT)
    p = Tables.SETTINGS
    ws.set_column(p.col - 1, p.col - 1, 20)
    ws.set_column(p.col, p.col, 18)
    ws.set_column(p.col + 1, p.col + 1, 70)
    ws.freeze_panes(p.row, 0)
    keys = sheet_settings()
    _table(ws, p, SettingCol.ALL, len(keys))
    tiers = settings.tier_names
    for i, key in enumerate(keys):
        r = p.row + i  # 0-based row of this key
        value = getattr(settings, key)
        facts = setting_facts(key)
        num = PCT if facts.kind == "share" else (MONEY0 if facts.numeric else "")
        ws.write_string(r, p.col - 1, key, f.get("computed"))
        _put(ws, r, p.col, value, f.get("input", num))
        ws.write_string(r, p.col + 1, facts.meaning, f.get("computed"))
        if facts.kind == "choice":
            _list_validation(ws, r, p.col, r, list(facts.choices), facts.meaning)
        elif facts.kind == "tier":
            _list_validation(ws, r, p.col, r, _tier_list(len(tiers)), facts.meaning)
        elif facts.kind == "role":
            _list_validation(ws, r, p.col, r, _role_list(), facts.meaning)
        elif facts.numeric:
            ws.data_validation(r, p.col, r, p.col, {
                "validate": "decimal", **_range_rule(facts), "input_title": "Tierbook",
                "input_message": facts.meaning[:255], "error_title": "Not allowed",
                "error_message": ("Enter " + facts.expectation() + ".")[:255]})
        else:
            ws.data_validation(r, p.col, r, p.col, {"validate": "any", "input_title": "Tierbook",
                                                    "input_message": facts.meaning[:255]})
    # Tiers
    t = Tables.TIERS
    ws.write_string(t.row - 2, t.col - 1, text.TIERS_HINT, f.hint)
    widths = (16, 16, 13, 13, 22, 22)
    for j, w in enumerate(widths):
        ws.set_column(t.col - 1 + j, t.col - 1 + j, w)
    _table(ws, t, TierCol.ALL, len(tiers))
    for i, tier in enumerate(tiers):
        r = t.row + i
        last = i == len(tiers) - 1
        lo, hi = settings.coverage_ranges[i] if i < len(settings.coverage_ranges) else (None, None)
        values = (tier, None if last else settings.account_bands[i], None if last else settings.arr_bands[i],
                  None if last else settings.score_cutoffs[i], lo, hi)
        fmts = ("", PCT, PCT, "0.00", MONEY0, MONEY0)
        for j, (v, num) in enumerate(zip(values, fmts)):
            computed = last and j in (1, 2)
            if computed:
                _formula(ws, tiers_cells(tiers), r, t.col - 1 + j, f.get("computed", num))
            else:
                _put(ws, r, t.col - 1 + j, v, f.get("computed" if (last and j == 3) else "input", num))
    # Roles
    ro = Tables.ROLES
    ws.write_string(ro.row - 2, ro.col - 1, text.ROLES_HINT, f.hint)
    for j, w in enumerate((26, 16, 16, 12)):
        ws.set_column(ro.col - 1 + j, ro.col - 1 + j, w)
    roles = settings.roles()
    _table(ws, ro, RoleCol.ALL, len(roles))
    for i, role in enumerate(roles):
        r = ro.row + i
        for j, (v, num) in enumerate(((role, ""), (settings.productive_hours.get(role), MONEY0),
                                      (settings.loaded_cost.get(role), MONEY0), (settings.headcount.get(role), NUMBER))):
            _put(ws, r, ro.col - 1 + j, v, f.get("input", num))
    # Score criteria
    sc = Tables.SCORE
    ws.write_string(sc.row - 2, sc.col - 1, text.SCORE_HINT, f.hint)
    ws.set_column(sc.col - 1, sc.col - 1, 22)
    ws.set_column(sc.col, sc.col, 10)
    _table(ws, sc, ScoreCol.ALL, len(settings.score_criteria))
    for i, (column, weight) in enumerate(settings.score_criteria):
        _put(ws, sc.row + i, sc.col - 1, column, f.get("input"))
        _put(ws, sc.row + i, sc.col, weight, f.get("input", "0.00"))
    _list_validation(ws, sc.row, sc.col - 1, sc.row + LIST_ROWS, list(NUMERIC_COLUMNS))
    # CRM fields (written by import)
    cf = Tables.CRM_FIELDS
    ws.write_string(cf.row - 2, cf.col - 1, text.CRM_FIELDS_HINT, f.hint)
    ws.set_column(cf.col - 1, cf.col - 1, 20)
    ws.set_column(cf.col, cf.col, 26)
    _table(ws, cf, CrmFieldCol.ALL, 1)
    for j in range(len(CrmFieldCol.ALL)):
        ws.write_blank(cf.row, cf.col - 1 + j, None, f.get("input"))


def _accounts(ws, f: _Formats, n_tiers: int) -> None:  # type: ignore[no-untyped-def]
    p = Tables.ACCOUNTS
    headers = INPUT_COLUMNS + WORKBOOK_OUTPUT_COLUMNS
    _table(ws, p, headers, 1)
    ws.freeze_panes(p.row, 2)
    for j, header in enumerate(headers):
        kind = "computed" if header in WORKBOOK_OUTPUT_COLUMNS else "input"
        width = ACCOUNT_WIDTHS.get(header, 14)
        ws.set_column(p.col - 1 + j, p.col - 1 + j, width)
        ws.write_blank(p.row, p.col - 1 + j, None, f.get(kind, ACCOUNT_FORMATS.get(header, "")))
    override = p.col - 1 + headers.index(Col.TIER_OVERRIDE)
    ws.data_validation(p.row, override, MAX_ROW, override, {
        "validate": "list", "source": _tier_list(n_tiers), "error_type": "warning",
        "input_title": "Tier Override", "input_message": "Pin this account to a tier; say why in Override Reason. "
        "Overrides win over the policy and survive every run.",
        "error_title": "Not a tier", "error_message": "Not one of the Settings tiers: it will not be applied."})


def _segments(ws, f: _Formats, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    _title(ws, f, Sheet.SEGMENTS, text.SEGMENTS_HINT)
    g = Tables.SEGMENT_GRID
    ws.freeze_panes(g.row, 0)
    for j, w in enumerate((14, 15, 22)):
        ws.set_column(g.col - 1 + j, g.col - 1 + j, w)
    _table(ws, g, SegmentGridCol.ALL, 4)
    L, S = SegmentGridCol.LARGE, SegmentGridCol.SMALL
    for i, (size, contract) in enumerate(((L, L), (S, L), (L, S), (S, S))):
        r = g.row + i
        ws.write_string(r, g.col - 1, size, f.get("computed"))
        ws.write_string(r, g.col, contract, f.get("computed"))
        ws.write_string(r, g.col + 1, settings.segment_names[i], f.get("input"))
    m = Tables.SEGMENT_MAP
    for j, w in enumerate((22, 14, 60, 50)):
        ws.set_column(m.col - 1 + j, m.col - 1 + j, w)
    mapping = list(settings.segment_tiers.items())
    _table(ws, m, SegmentMapCol.ALL, len(mapping))
    for i, (segment, tier) in enumerate(mapping):
        r = m.row + i
        playbook, kpis = text.SEGMENT_NOTES.get(segment, ("", ""))
        for j, v in enumerate((segment, tier, playbook, kpis)):
            _put(ws, r, m.col - 1 + j, v, f.get("input"))
    _list_validation(ws, m.row, m.col, m.row + LIST_ROWS, _tier_list(len(settings.tier_names)))


def _rules(ws, f: _Formats, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    _title(ws, f, Sheet.RULES, text.RULES_HINT)
    p = Tables.RULES
    for j, w in enumerate((22, 12, 24, 16, 50)):
        ws.set_column(p.col - 1 + j, p.col - 1 + j, w)
    ws.freeze_panes(p.row, 0)
    _table(ws, p, RuleCol.ALL, len(settings.rules))
    for i, rule in enumerate(settings.rules):
        r = p.row + i
        value = ", ".join(map(str, rule.value)) if isinstance(rule.value, (list, tuple)) else rule.value
        for j, v in enumerate((rule.column, rule.op, value, rule.tier, "")):
            _put(ws, r, p.col - 1 + j, v, f.get("input", MONEY0 if j == 2 and isinstance(v, (int, float)) else ""))
    _list_validation(ws, p.row, p.col, p.row + LIST_ROWS, list(RULE_OPERATORS))
    _list_validation(ws, p.row, p.col + 2, p.row + LIST_ROWS, _tier_list(len(settings.tier_names)))


def _services(ws, f: _Formats, catalog: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    _title(ws, f, Sheet.SERVICES, text.SERVICES_HINT)
    p = Tables.SERVICES
    widths = {ServiceCol.SERVICE: 28, ServiceCol.DEFINITION: 60, ServiceCol.DELIVERY: 12, ServiceCol.OWNER_ROLE: 24,
              ServiceCol.UNIT_COST: 12, ServiceCol.HOURS: 12, ServiceCol.ALLOCATION: 12,
              ServiceCol.MARGIN_OVERRIDE: 12, MARGIN_FACTOR: 12}
    formats = {ServiceCol.UNIT_COST: MONEY, ServiceCol.HOURS: NUMBER, ServiceCol.MARGIN_OVERRIDE: PCT,
               MARGIN_FACTOR: "0.0000"}
    for j, h in enumerate(SERVICE_COLUMNS):
        ws.set_column(p.col - 1 + j, p.col - 1 + j, widths[h])
    ws.freeze_panes(p.row, 1)
    _table(ws, p, SERVICE_COLUMNS, len(catalog))
    cells = services_cells([p.row + 1 + i for i in range(len(catalog))])
    for i, row in enumerate(catalog.itertuples(index=False)):
        record = dict(zip(catalog.columns, row))
        for j, h in enumerate(SERVICE_COLUMNS):
            if h == MARGIN_FACTOR:
                _formula(ws, cells, p.row + i, p.col - 1 + j, f.get("computed", formats[h]))
            else:
                _put(ws, p.row + i, p.col - 1 + j, record.get(h), f.get("input", formats.get(h, "")))
    last = p.row + LIST_ROWS
    col = lambda h: p.col - 1 + SERVICE_COLUMNS.index(h)  # noqa: E731
    _list_validation(ws, p.row, col(ServiceCol.DELIVERY), last, list(Delivery.ALL))
    _list_validation(ws, p.row, col(ServiceCol.OWNER_ROLE), last, _role_list())
    _list_validation(ws, p.row, col(ServiceCol.ALLOCATION), last, list(Allocation.ALL))


def _matrix(ws, f: _Formats, matrix: pd.DataFrame, tiers: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    _title(ws, f, Sheet.MATRIX, text.MATRIX_HINT)
    p = Tables.MATRIX
    headers = matrix_columns(tiers)
    ws.set_column(p.col - 1, p.col - 1, 28)
    ws.set_column(p.col, p.col + len(headers) - 2, 14)
    ws.freeze_panes(p.row, 1)
    _table(ws, p, headers, len(matrix))
    cells = matrix_cells(_geometry(tiers), [(p.row + 1 + i, str(s)) for i, s in enumerate(matrix.index)])
    for i, (service, intervals) in enumerate(matrix.iterrows()):
        r = p.row + i
        ws.write_string(r, p.col - 1, str(service), f.get("input"))
        for j, h in enumerate(headers[1:], start=1):
            if h in tiers:
                _put(ws, r, p.col - 1 + j, float(intervals[h]), f.get("input", NUMBER))
            else:
                num = {MatrixCol.ALLOCATION: "", MatrixCol.MARGIN_FACTOR: "0.0000"}.get(h, MONEY)
                _formula(ws, cells, r, p.col - 1 + j, f.get("computed", num))
    s = Tables.SERVICES
    source = "=" + sheet_ref(Sheet.SERVICES, area(s.row + 1, s.col, s.row + LIST_ROWS, s.col, True))
    _list_validation(ws, p.row, p.col - 1, p.row + LIST_ROWS, source)


def _summary(wb, ws, f: _Formats, tiers: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    _title(ws, f, Sheet.SUMMARY, text.SUMMARY_HINT)
    p = Tables.SUMMARY
    k = len(tiers)
    formats = {SummaryCol.ACCOUNTS: MONEY0, SummaryCol.ACCOUNT_SHARE: PCT, SummaryCol.ARR: MONEY0,
               SummaryCol.ARR_SHARE: PCT, SummaryCol.ANNUAL_COST: MONEY0, SummaryCol.ASSESSED_VALUE: MONEY0,
               SummaryCol.MARGIN: MONEY0, SummaryCol.CTS_PCT_ARR: "0.00%", SummaryCol.FTE: "0.0",
               TierCostCol.PER_ACCOUNT_COST: MONEY, TierCostCol.POOLED_COST: MONEY0,
               TierCostCol.PER_ACCOUNT_VALUE: MONEY, TierCostCol.POOLED_VALUE: MONEY0, TierCostCol.POOLED_BASIS: MONEY0}
    ws.set_column(p.col - 1, p.col - 1, 14)
    ws.set_column(p.col, p.col + len(SUMMARY_COLUMNS) - 2, 13)
    ws.freeze_panes(p.row, 1)
    ws.set_row(p.row - 1, 32)
    _table(ws, p, SUMMARY_COLUMNS, k + 2, header_format=f.wrap_header)
    cells = summary_cells(_geometry(tiers))
    labels = list(tiers) + [NEEDS_DATA, TOTAL]
    for i, label in enumerate(labels):
        r = p.row + i
        ws.write_string(r, p.col - 1, label, f.get("computed"))
        for j, h in enumerate(SUMMARY_COLUMNS[1:], start=1):
            fmt = f.get("computed", formats.get(h, ""))
            if h == SummaryCol.FTE or (label == NEEDS_DATA and h in TierCostCol.ALL) or (label == TOTAL and h in TierCostCol.ALL):
                _put(ws, r, p.col - 1 + j, 0.0 if label == NEEDS_DATA and h != TierCostCol.POOLED_BASIS else None, fmt)
            else:
                _formula(ws, cells, r, p.col - 1 + j, fmt)
    # Budget check and policy in force.
    for place, items, hint in ((Tables.BUDGET, BudgetItem.ALL, "Budget check"),
                               (Tables.IN_FORCE, InForceItem.ALL, "In force")):
        ws.set_column(place.col - 1, place.col - 1, 24)
        ws.set_column(place.col, place.col, 16)
        ws.write_string(place.row - 2, place.col - 1, hint, f.heading)
        _table(ws, place, ItemCol.ALL, len(items))
        for i, item in enumerate(items):
            ws.write_string(place.row + i, place.col - 1, item, f.get("computed"))
            num = {BudgetItem.USED_SHARE: PCT, InForceItem.MARGIN_PCT: PCT, BudgetItem.STATUS: "",
                   InForceItem.POLICY: "", InForceItem.MARGIN_METHOD: "", InForceItem.POOLED_SPLIT: "",
                   InForceItem.CURRENCY: ""}.get(item, MONEY0)
            _formula(ws, cells, place.row + i, place.col, f.get("computed", num))
    # Pareto data (written by Assign Tiers).
    pa, cu = Tables.PARETO, Tables.CUTOFFS
    ws.write_string(pa.row - 2, pa.col - 1, text.PARETO_HINT, f.hint)
    ws.set_column(pa.col - 1, pa.col, 14)
    ws.set_column(cu.col - 1, cu.col + 1, 14)
    _table(ws, pa, ParetoCol.ALL, PARETO_POINTS)
    for i in range(PARETO_POINTS):
        _put(ws, pa.row + i, pa.col - 1, i / (PARETO_POINTS - 1), f.get("computed", PCT))
        _put(ws, pa.row + i, pa.col, None, f.get("computed", PCT))
    _table(ws, cu, CutoffCol.ALL, max(k - 1, 1))
    for i in range(max(k - 1, 1)):
        _put(ws, cu.row + i, cu.col - 1, tiers[i] if i < k - 1 else None, f.get("computed"))
        _put(ws, cu.row + i, cu.col, None, f.get("computed", PCT))
        _put(ws, cu.row + i, cu.col + 1, None, f.get("computed", PCT))
    _charts(wb, ws, tiers)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, p.row + k + 2 + 52, p.col + len(SUMMARY_COLUMNS) - 2)


def _charts(wb, ws, tiers: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    p = Tables.SUMMARY
    k = len(tiers)
    name = Sheet.SUMMARY
    r1, r2 = p.row, p.row + k - 1  # 0-based first and last tier rows
    col = lambda h: p.col - 1 + SUMMARY_COLUMNS.index(h)  # noqa: E731
    cats = [name, r1, col(SummaryCol.TIER), r2, col(SummaryCol.TIER)]
    top = p.row + k + 3  # 0-based row under the table
    size = {"x_scale": 1.35, "y_scale": 1.25}

    mix = wb.add_chart({"type": "column"})
    mix.add_series({"name": SummaryCol.ACCOUNTS, "categories": cats,
                    "values": [name, r1, col(SummaryCol.ACCOUNTS), r2, col(SummaryCol.ACCOUNTS)],
                    "fill": {"color": "#4472C4"}, "data_labels": {"value": True, "num_format": "#,##0"}})
    arr = wb.add_chart({"type": "line"})
    arr.add_series({"name": SummaryCol.ARR, "categories": cats, "y2_axis": True,
                    "values": [name, r1, col(SummaryCol.ARR), r2, col(SummaryCol.ARR)],
                    "line": {"color": "#ED7D31", "width": 2.5}, "marker": {"type": "circle", "size": 7}})
    mix.combine(arr)
    mix.set_title({"name": "Accounts and ARR by tier"})
    mix.set_y_axis({"name": "Accounts", "num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}})
    arr.set_y2_axis({"name": "ARR", "num_format": "#,##0"})
    mix.set_legend({"position": "bottom"})
    mix.set_size(size)
    ws.insert_chart(top, 0, mix)

    money = wb.add_chart({"type": "column"})
    for header, color in ((SummaryCol.ANNUAL_COST, "#A5A5A5"), (SummaryCol.ASSESSED_VALUE, "#70AD47")):
        money.add_series({"name": header, "categories": cats,
                          "values": [name, r1, col(header), r2, col(header)], "fill": {"color": color}})
    money.set_title({"name": "Annual cost and assessed value by tier"})
    money.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}})
    money.set_legend({"position": "bottom"})
    money.set_size(size)
    ws.insert_chart(top, 7, money)

    pa, cu = Tables.PARETO, Tables.CUTOFFS
    pareto = wb.add_chart({"type": "scatter", "subtype": "straight"})
    pareto.add_series({"name": "Cumulative share of ARR",
                       "categories": [name, pa.row, pa.col - 1, pa.row + PARETO_POINTS - 1, pa.col - 1],
                       "values": [name, pa.row, pa.col, pa.row + PARETO_POINTS - 1, pa.col],
                       "line": {"color": "#4472C4", "width": 2.25}, "marker": {"type": "none"}})
    n_cut = max(k - 1, 1)
    pareto.add_series({"name": "Tier cut-offs",
                       "categories": [name, cu.row, cu.col, cu.row + n_cut - 1, cu.col],
                       "values": [name, cu.row, cu.col + 1, cu.row + n_cut - 1, cu.col + 1],
                       "line": {"none": True}, "marker": {"type": "diamond", "size": 10,
                                                          "fill": {"color": "#C00000"}, "border": {"color": "#C00000"}},
                       "data_labels": {"custom": [{"value": f"={sheet_ref(name, ref(cu.row + 1 + i, cu.col, True))}"}
                                                  for i in range(n_cut)], "position": "right"}})
    pareto.set_title({"name": "Pareto: share of ARR by share of accounts"})
    pareto.set_x_axis({"name": "Share of accounts (largest first)", "min": 0, "max": 1, "num_format": "0%",
                       "major_unit": 0.1})
    pareto.set_y_axis({"name": "Cumulative share of ARR", "min": 0, "max": 1, "num_format": "0%",
                       "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}})
    pareto.set_legend({"position": "bottom"})
    pareto.set_size(size)
    ws.insert_chart(top + 20, 0, pareto)


def _owned(ws, f: _Formats, title: str, hint: str, tables: tuple[tuple[Place, tuple[str, ...]], ...]) -> None:  # type: ignore[no-untyped-def]
    _title(ws, f, title, hint)
    formats = {CapacityCol.HOURS: MONEY0, CapacityCol.PRODUCTIVE_HOURS: MONEY0, CapacityCol.FTE: "0.00",
               CapacityCol.LOADED_COST: MONEY0, CapacityCol.HEADCOUNT: NUMBER, CapacityCol.GAP: "0.00",
               CoverageCol.ARR: MONEY0, CoverageCol.CSM_FTE: "0.00", CoverageCol.ACCOUNTS_PER_CSM: "0.0",
               CoverageCol.ARR_PER_CSM: MONEY0, CapacityCol.ACCOUNTS: MONEY0}
    wide = {ProblemCol.DETAIL: 50, ProblemCol.PROBLEM: 30, HistoryCol.REASON: 60, CoverageCol.STATUS: 44,
            HistoryCol.RUN: 20, RoleCol.ROLE: 24, HistoryCol.ACCOUNT_NAME: 28, ProblemCol.VALUE: 18}
    for place, headers in tables:
        ws.freeze_panes(place.row, 0)
        _table(ws, place, headers, 1)
        for j, h in enumerate(headers):
            ws.set_column(place.col - 1 + j, place.col - 1 + j, wide.get(h, 14))
            ws.write_blank(place.row, place.col - 1 + j, None, f.get("computed", formats.get(h, "")))


# ------------------------------------------------------------------- build
def empty_accounts() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in INPUT_COLUMNS})


def build_template(settings: Settings | None = None, catalog: pd.DataFrame | None = None,
                   matrix: pd.DataFrame | None = None, desktop: bool = False) -> bytes:
    """The template's bytes: the XlsxWriter book with the engine's figures as cached results."""
    from .assign import refresh_bytes

    settings = settings or Settings()
    catalog = default_catalog(settings) if catalog is None else catalog
    matrix = default_matrix(settings.tier_names) if matrix is None else matrix
    from .addin import embed_addin

    if desktop:
        return refresh_bytes(xlsx_bytes(settings, catalog, matrix, vba=standalone_vba()), "Tierbook.xlsm")
    return embed_addin(refresh_bytes(xlsx_bytes(settings, catalog, matrix), TEMPLATE_FILE))


def standalone_vba() -> bytes:
    """xlwings' standalone VBA project (RunPython without the add-in), from the installed xlwings.

    It is taken at build time and never stored in this repository. Its
    ``SampleCall`` macro imports the module named like the workbook and runs
    its ``main()``.
    """
    try:
        import xlwings
    except ImportError:
        raise WorkbookError("the desktop variant needs xlwings: pip install 'tierbook[excel]'") from None
    source = Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"
    try:
        with zipfile.ZipFile(source) as z:
            return z.read("xl/vbaProject.bin")
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise WorkbookError(f"{source}: cannot take xlwings' standalone VBA project from it ({exc})") from exc


def default_path() -> Path:
    """workbook_template/Tierbook.xlsx of the source tree this package lives in."""
    return Path(__file__).resolve().parents[3] / "workbook_template" / TEMPLATE_FILE


def fingerprint(content: bytes) -> dict[str, object]:
    """What a user sees in a workbook, independent of the writer's version: cells, formats, tables, lists, charts."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(content))
    out: dict[str, object] = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        out[ws.title] = {
            "cells": {c.coordinate: (c.value, c.number_format, c.fill.fgColor.rgb, c.font.b)
                      for row in ws.iter_rows() for c in row if c.value is not None or c.has_style},
            "tables": sorted((t.name, t.ref, tuple(col.name for col in t.tableColumns)) for t in ws.tables.values()),
            "validation": sorted((str(v.sqref), v.type, v.formula1, v.prompt) for v in ws.data_validations.dataValidation),
            "freeze": ws.freeze_panes,
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
        }
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        out["charts"] = sorted(n for n in z.namelist() if n.startswith("xl/charts/"))
    return out


def writer_version(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        core = z.read("docProps/core.xml").decode("utf-8")
    m = re.search(r"XlsxWriter ([\w.]+)", core)
    return m.group(1) if m else ""


def _members(content: bytes) -> list[tuple[str, tuple[int, ...], bytes]]:
    """Each member's name, timestamp and content; the add-in part with the template's fixed workbook id."""
    from .addin import TEMPLATE_IDENTITY, WEBEXTENSION_PART, with_identity

    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return [(i.filename, i.date_time, with_identity(z.read(i), TEMPLATE_IDENTITY)
                 if i.filename == WEBEXTENSION_PART else z.read(i)) for i in z.infolist()]


def is_stale(path: Path) -> bool:
    """Whether the template file differs from what the code builds.

    With the XlsxWriter version that wrote it, member for member (the
    workbook id aside); with another version (whose XML may differ in
    trivia), by what a user sees.
    """
    if not path.is_file():
        return True
    committed, built = path.read_bytes(), build_template()
    if committed == built or _members(committed) == _members(built):
        return False
    if writer_version(committed) == writer_version(built):
        return True
    return fingerprint(committed) != fingerprint(built)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tierbook.workbook.template",
                                     description="Regenerate the Tierbook workbook template from code.")
    parser.add_argument("path", nargs="?", default=str(default_path()), help="where to write it")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs from what the code builds")
    args = parser.parse_args(argv)
    path = Path(args.path)
    if args.check:
        if is_stale(path):
            print(f"{path} is stale: run  python -m tierbook.workbook.template  and commit it", file=sys.stderr)
            return 1
        print(f"{path} is up to date.")
        return 0
    content = build_template()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    print(f"Wrote {path} ({len(content):,} bytes).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
