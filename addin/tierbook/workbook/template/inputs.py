"""The sheets users fill in: Accounts, Segments, Tier Rules, Services and Matrix."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ...engine.dates import FIRST_DATE, LAST_DATE
from ...engine.overrides import REVIEW_DAYS
from ...engine.settings import RULE_OPERATORS, Settings
from ...columns import TIERBOOK, Allocation, Col, Delivery, ServiceCol
from ..layout import (
    CHECK,
    DERIVED_UNIT_COST,
    MARGIN_FACTOR,
    WORKBOOK_ACCOUNT_COLUMNS,
    MatrixCol,
    Quadrants,
    RuleCol,
    SegmentGridCol,
    SegmentMapCol,
    Sheet,
    Tables,
)
from .. import text
from ..cells import area, col_letter, sheet_ref
from ..checkcells import matrix_check_cells, services_check_cells
from ..formulas import (SERVICE_COLUMNS, matrix_cells, matrix_columns, quadrant_cells, segment_prompt_cells,
                        services_cells)
from .style import (
    COMPUTED_FILL,
    PROMPT_FILL,
    PROMPT_FONT,
    SHOW_FORMATS,
    LIST_ROWS,
    MAX_ROW,
    MONEY,
    MONEY0,
    NUMBER,
    PCT,
    Formats,
    amount_rule,
    amount_validation,
    geometry,
    list_validation,
    merged_text,
    print_setup,
    put,
    put_formula,
    put_title,
    role_list,
    table,
    wrapped_row,
    tier_list,
)


def write_accounts(ws, f: Formats, n_tiers: int) -> None:  # type: ignore[no-untyped-def]
    p = Tables.ACCOUNTS
    headers = tuple(c.header for c in WORKBOOK_ACCOUNT_COLUMNS)
    table(ws, f, p, headers, 1, {c.header: c.width for c in WORKBOOK_ACCOUNT_COLUMNS})
    ws.freeze_panes(p.row, 2)
    for j, column in enumerate(WORKBOOK_ACCOUNT_COLUMNS):
        kind = "computed" if column.owner == TIERBOOK else "input"
        kind = "wrap-" + kind if column.header == Col.TIER_REASON else kind  # a long reason wraps, the row grows
        ws.write_blank(p.row, p.col - 1 + j, None, f.get(kind, SHOW_FORMATS[column.show]))
    print_setup(ws, f, MAX_ROW, p.col - 2 + len(headers), p.row - 1, run_footer=True,
                title_cols=headers.index(Col.ACCOUNT_NAME) + 1)  # each page names its accounts
    override = p.col - 1 + headers.index(Col.TIER_OVERRIDE)
    ws.data_validation(p.row, override, MAX_ROW, override, {
        "validate": "list", "source": tier_list(n_tiers), "error_type": "warning",
        "input_title": "Tier Override", "input_message": "Pin this account to a tier; say why in Override Reason. "
        "Overrides win over the policy and survive every run.",
        "error_title": "Not a tier", "error_message": "Not one of the Settings tiers: it will not be applied."})
    for header, prompt in OVERRIDE_DATES.items():
        c = p.col - 1 + headers.index(header)
        ws.data_validation(p.row, c, MAX_ROW, c, {
            "validate": "date", "criteria": "between", "minimum": dt.date(FIRST_DATE, 1, 1),
            "maximum": dt.date(LAST_DATE, 12, 31), "error_type": "stop", "input_title": header,
            "input_message": prompt[:255], "error_title": "Not a date",
            "error_message": "Enter a date, such as 2026-06-30."})


OVERRIDE_DATES = {
    Col.OVERRIDE_SET_ON: "The day the override was set (who set it goes in Override By).",
    Col.OVERRIDE_UNTIL: "Optional: the override applies through this day and stops the day after; "
                        f"from {REVIEW_DAYS} days before, Data Quality lists it for review. Blank: no end.",
}
"""The override's date columns: Excel refuses what is not a date, and says what each date means."""


def write_segments(ws, f: Formats, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    put_title(ws, f, Sheet.SEGMENTS, text.SEGMENTS_HINT)
    g = Tables.SEGMENT_GRID
    ws.freeze_panes(g.row, 0)
    table(ws, f, g, SegmentGridCol.ALL, 4, dict(zip(SegmentGridCol.ALL, (16, 22, 22))))
    for i, (size, contract) in enumerate(Quadrants.GRID_ORDER):
        r = g.row + i
        ws.write_string(r, g.col - 1, size, f.get("computed"))
        ws.write_string(r, g.col, contract, f.get("computed"))
        ws.write_string(r, g.col + 1, settings.segment_names[i], f.get("input"))
    m = Tables.SEGMENT_MAP
    mapping = list(settings.segment_tiers.items())
    table(ws, f, m, SegmentMapCol.ALL, len(mapping), dict(zip(SegmentMapCol.ALL, (22, 14, 11, 14, 48, 40))))
    col = {h: m.col - 1 + j for j, h in enumerate(SegmentMapCol.ALL)}
    for i, (segment, tier) in enumerate(mapping):
        r = m.row + i
        playbook, kpis = text.SEGMENT_NOTES.get(segment, ("", ""))
        for h, v in ((SegmentMapCol.SEGMENT, segment), (SegmentMapCol.TIER, tier), (SegmentMapCol.PLAYBOOK, playbook),
                     (SegmentMapCol.KPIS, kpis)):
            put(ws, r, col[h], v, f.get("wrap-input"))
        for h, num in ((SegmentMapCol.ACCOUNTS, MONEY0), (SegmentMapCol.ARR, MONEY0)):
            ws.write_blank(r, col[h], None, f.get("computed", num))  # Assign Tiers writes them
        wrapped_row(ws, f, r, [(col[SegmentMapCol.PLAYBOOK], playbook), (col[SegmentMapCol.KPIS], kpis)])
    list_validation(ws, m.row, col[SegmentMapCol.TIER], m.row + LIST_ROWS, tier_list(len(settings.tier_names)))
    segment_prompt(ws, f, col)
    quadrants(ws, f, settings.tier_names)
    print_setup(ws, f, MAX_ROW, m.col - 2 + len(SegmentMapCol.ALL), g.row - 1, run_footer=False)


def segment_prompt(ws, f: Formats, col: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    """The line above the map counting the segments with accounts and no tier, and those Tier cells highlighted.

    Both are native (a formula, a conditional format), so they hold in the
    file whichever writer listed the segments, and follow the user's typing.
    """
    m = Tables.SEGMENT_MAP
    cells = segment_prompt_cells()
    r, c = SegmentMapCol.PROMPT_ROW - 1, m.col - 1
    put_formula(ws, cells, r, c, f.wb.add_format({"bold": True, "font_color": PROMPT_FONT}))
    tier, accounts = col[SegmentMapCol.TIER], col[SegmentMapCol.ACCOUNTS]
    row = m.row + 1
    ws.conditional_format(m.row, tier, m.row + SegmentMapCol.SPAN - 1, tier, {
        "type": "formula", "criteria": f"=AND(LEN({col_letter(tier + 1)}{row})=0,${col_letter(accounts + 1)}{row}>0)",
        "format": f.wb.add_format({"bg_color": PROMPT_FILL, "border": 1, "border_color": PROMPT_FONT})})


def quadrants(ws, f: Formats, tiers: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    """The segment grid as its 2 x 2 picture: sizes down, contract values across, name, accounts and ARR in each."""
    q = Quadrants
    ws.write_string(q.ROW - 2, q.COL - 1, text.QUADRANTS_HEADING, f.heading)
    label = f.wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True})
    for j, contract in enumerate(q.CONTRACTS):
        ws.write_string(q.ROW - 1, q.COL + j, text.CONTRACT_LABELS[contract], label)
    for i, size in enumerate(q.SIZES):
        r = q.ROW + q.LINES * i
        ws.merge_range(r, q.COL - 1, r + q.LINES - 1, q.COL - 1, text.SIZE_LABELS[size], label)
    cells = quadrant_cells(geometry(tiers))
    look = {"bg_color": COMPUTED_FILL, "align": "center", "left": 1, "right": 1, "border_color": "#808080"}
    name = f.wb.add_format({**look, "bold": True, "font_size": 12, "top": 1})
    count = f.wb.add_format({**look, "num_format": '#,##0 "accounts"'})
    arr = f.wb.add_format({**look, "num_format": '"ARR "#,##0', "bottom": 1})
    for size in q.SIZES:
        for contract in q.CONTRACTS:
            r, c = q.cell(size, contract)
            for k, fmt in enumerate((name, count, arr)):
                put_formula(ws, cells, r - 1 + k, c - 1, fmt)
    # Wrapped under the picture, so that the segment map growing beside it never hides the note.
    merged_text(ws, f, q.ROW + q.LINES * len(q.SIZES), q.COL - 1, q.COL + len(q.CONTRACTS) - 1, text.QUADRANTS_NOTE,
                f.hint_format)


def write_rules(ws, f: Formats, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    put_title(ws, f, Sheet.RULES, text.RULES_HINT)
    p = Tables.RULES
    ws.freeze_panes(p.row, 0)
    table(ws, f, p, RuleCol.ALL, len(settings.rules), dict(zip(RuleCol.ALL, (22, 12, 24, 36, 16, 50))))
    print_setup(ws, f, MAX_ROW, p.col - 2 + len(RuleCol.ALL), p.row - 1, run_footer=False)
    for i, rule in enumerate(settings.rules):
        r = p.row + i
        value = ", ".join(map(str, rule.value)) if isinstance(rule.value, (list, tuple)) else rule.value
        also = " and ".join(c.written() for c in rule.also)
        for j, v in enumerate((rule.column, rule.op, value, also, rule.tier, "")):
            put(ws, r, p.col - 1 + j, v, f.get("input", MONEY0 if j == 2 and isinstance(v, (int, float)) else ""))
    list_validation(ws, p.row, p.col, p.row + LIST_ROWS, list(RULE_OPERATORS))
    list_validation(ws, p.row, p.col + RuleCol.ALL.index(RuleCol.TIER) - 1, p.row + LIST_ROWS,
                    tier_list(len(settings.tier_names)))


def write_services(ws, f: Formats, catalog: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    put_title(ws, f, Sheet.SERVICES, text.SERVICES_HINT)
    p = Tables.SERVICES
    widths = {ServiceCol.SERVICE: 28, ServiceCol.DEFINITION: 60, ServiceCol.DELIVERY: 12, ServiceCol.OWNER_ROLE: 24,
              ServiceCol.UNIT_COST: 12, ServiceCol.HOURS: 12, ServiceCol.ALLOCATION: 12,
              ServiceCol.MARGIN_OVERRIDE: 12, MARGIN_FACTOR: 12, DERIVED_UNIT_COST: 12, CHECK: 40}
    formats = {ServiceCol.UNIT_COST: MONEY, ServiceCol.HOURS: NUMBER, ServiceCol.MARGIN_OVERRIDE: PCT,
               MARGIN_FACTOR: "0.0000", DERIVED_UNIT_COST: MONEY}
    ws.freeze_panes(p.row, 1)
    table(ws, f, p, SERVICE_COLUMNS, len(catalog), widths)
    rows = [p.row + 1 + i for i in range(len(catalog))]
    cells = {**services_cells(rows), **services_check_cells(rows)}
    unit_col = p.col + SERVICE_COLUMNS.index(ServiceCol.UNIT_COST)
    for r, cost in zip(rows, catalog[ServiceCol.UNIT_COST]):
        cells[(r, unit_col)] = (cells[(r, unit_col)][0], float(cost))  # the default: the derived cost
    for i, row in enumerate(catalog.itertuples(index=False)):
        record = dict(zip(catalog.columns, row))
        for j, h in enumerate(SERVICE_COLUMNS):
            if h in (MARGIN_FACTOR, DERIVED_UNIT_COST, CHECK):
                put_formula(ws, cells, p.row + i, p.col - 1 + j, f.get("computed", formats.get(h, "")))
            elif h == ServiceCol.UNIT_COST:  # derived until someone types over it; the Check says so
                put_formula(ws, cells, p.row + i, p.col - 1 + j, f.get("input", formats[h]))
            else:
                kind = {ServiceCol.DEFINITION: "wrap-input", ServiceCol.DELIVERY: "input-center",
                        ServiceCol.ALLOCATION: "input-center"}.get(h, "input")
                put(ws, p.row + i, p.col - 1 + j, record.get(h), f.get(kind, formats.get(h, "")))
        definition = record.get(ServiceCol.DEFINITION)
        if isinstance(definition, str):
            wrapped_row(ws, f, p.row + i, [(p.col - 1 + SERVICE_COLUMNS.index(ServiceCol.DEFINITION), definition)])
    print_setup(ws, f, MAX_ROW, p.col - 2 + len(SERVICE_COLUMNS), p.row - 1, run_footer=False)
    last = p.row + LIST_ROWS
    col = lambda h: p.col - 1 + SERVICE_COLUMNS.index(h)  # noqa: E731
    list_validation(ws, p.row, col(ServiceCol.DELIVERY), last, list(Delivery.ALL))
    list_validation(ws, p.row, col(ServiceCol.OWNER_ROLE), last, role_list())
    list_validation(ws, p.row, col(ServiceCol.ALLOCATION), last, list(Allocation.ALL))
    for h in (ServiceCol.UNIT_COST, ServiceCol.HOURS):
        amount_validation(ws, p.row, col(h), last, text.AMOUNT_PROMPTS[h])
    ws.data_validation(p.row, col(ServiceCol.MARGIN_OVERRIDE), last, col(ServiceCol.MARGIN_OVERRIDE), {
        "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1, "input_title": "Margin Override",
        "input_message": text.MARGIN_OVERRIDE_PROMPT, "error_title": "Not allowed",
        "error_message": "Enter a margin from 0 % to 100 % (a gross margin must stay below 100 %), or leave it blank."})


def write_matrix(ws, f: Formats, matrix: pd.DataFrame, tiers: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    put_title(ws, f, Sheet.MATRIX, text.MATRIX_HINT)
    p = Tables.MATRIX
    headers = matrix_columns(tiers)
    ws.freeze_panes(p.row, 1)
    table(ws, f, p, headers, len(matrix), {MatrixCol.SERVICE: 28, CHECK: 40}, default=12)
    print_setup(ws, f, MAX_ROW, p.col - 2 + len(headers), p.row - 1, run_footer=False)
    services = [(p.row + 1 + i, str(s)) for i, s in enumerate(matrix.index)]
    cells = {**matrix_cells(geometry(tiers), services), **matrix_check_cells(geometry(tiers), services)}
    for i, (service, intervals) in enumerate(matrix.iterrows()):
        r = p.row + i
        ws.write_string(r, p.col - 1, str(service), f.get("input"))
        for j, h in enumerate(headers[1:], start=1):
            if h in tiers:
                put(ws, r, p.col - 1 + j, float(intervals[h]), f.get("input", NUMBER))
            else:
                num = {MatrixCol.ALLOCATION: "", MatrixCol.MARGIN_FACTOR: "0.0000", CHECK: ""}.get(h, MONEY)
                kind = "computed-center" if h == MatrixCol.ALLOCATION else "computed"
                put_formula(ws, cells, r, p.col - 1 + j, f.get(kind, num))
    first, last_tier = p.col - 1 + headers.index(tiers[0]), p.col - 1 + headers.index(tiers[-1])
    ws.data_validation(p.row, first, p.row + LIST_ROWS, last_tier, amount_rule(text.INTERVAL_PROMPT, "Interval"))
    s = Tables.SERVICES
    source = "=" + sheet_ref(Sheet.SERVICES, area(s.row + 1, s.col, s.row + LIST_ROWS, s.col, True))
    list_validation(ws, p.row, p.col - 1, p.row + LIST_ROWS, source)
