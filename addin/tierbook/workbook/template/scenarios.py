"""The Scenarios sheet: the user's scenarios, the scenario to apply, two buttons, the comparison and its charts.

The Scenarios table is the user's (yellow); the comparison tables are
Tierbook's (grey), written by Compare Scenarios and ``tierbook whatif
--write``. The charts read the chart table's first rows (Current and the
first scenarios), one series per tier.
"""

from __future__ import annotations

from xlsxwriter.utility import xl_cell_to_rowcol

from ...columns import BudgetItem, CapacityCol, Col, SummaryCol
from ...engine.settings import Settings
from ..layout import Buttons, ItemCol, ScenarioCol, Sheet, Tables
from .. import scenario_layout as sl
from .. import text
from .textwidth import width_for
from .style import (MAX_ROW, MONEY0, PCT, Formats, button_shape, figure_width, print_setup, put, put_title, table,
                    table_hint)

EXAMPLES: tuple[tuple[str, str, str, str], ...] = (
    ("Wider top band", "account_bands:{0}", "20%", "a fifth of the accounts in the first tier"),
    ("Leaner reviews", "interval:Quarterly Business Review:{0}", "2", "QBRs twice a year"),
    ("Leaner reviews", "interval:Health Check:{1}", "0", "no health checks in the second tier"),
)
"""Example scenarios of a new book ({0}, {1}: the first and second tiers); they are the user's to change or delete."""

FORMATS = {SummaryCol.ACCOUNTS: MONEY0, SummaryCol.ACCOUNT_SHARE: PCT, SummaryCol.ARR: MONEY0,
           SummaryCol.ARR_SHARE: PCT, SummaryCol.ANNUAL_COST: MONEY0, SummaryCol.ASSESSED_VALUE: MONEY0,
           SummaryCol.CTS_PCT_ARR: "0.00%", SummaryCol.FTE: "0.0", CapacityCol.HEADCOUNT: "0.0",
           CapacityCol.GAP: "0.0", BudgetItem.BUDGET: MONEY0, BudgetItem.ANNUAL_COST: MONEY0,
           BudgetItem.REMAINING: MONEY0, BudgetItem.USED_SHARE: PCT, Col.ARR: MONEY0,
           **{h: MONEY0 for h in sl.MOVES[1:]}}
WIDTHS = {sl.RUN: 18, ScenarioCol.KEY: 34, ScenarioCol.VALUE: 12, ScenarioCol.NOTE: 30, SummaryCol.TIER: 14,
          CapacityCol.ROLE: width_for("Technical Success Manager", 24),
          BudgetItem.STATUS: width_for(BudgetItem.OVER + BudgetItem.LEFT_OUT + "100000", 16),
          Col.ACCOUNT_NAME: 28, sl.FROM: 14, sl.TO: 14,
          **{h: figure_width(13) for h, num in FORMATS.items() if num == MONEY0}}
CHART_SIZE = {"x_scale": 0.9, "y_scale": 0.85}
"""432 x 245 pixels: within columns F to J, left of the comparison tables."""
CHART_ROWS = 14


def write_scenarios(wb, ws, f: Formats, settings: Settings, desktop: bool = False) -> None:  # type: ignore[no-untyped-def]
    tiers = settings.tier_names
    put_title(ws, f, Sheet.SCENARIOS, text.SCENARIOS_HINT)
    widths = {**WIDTHS, **{h: width_for(max((r[j].format(*tiers) for r in EXAMPLES), key=len), WIDTHS[h])
                           for j, h in enumerate(ScenarioCol.ALL)}}
    p = Tables.SCENARIOS
    ws.freeze_panes(p.row, 0)
    table(ws, f, p, ScenarioCol.ALL, len(EXAMPLES), widths)
    for i, row in enumerate(EXAMPLES):
        for j, value in enumerate(row):
            put(ws, p.row + i, p.col - 1 + j, value.format(*tiers) if value else None, f.get("input"))
    pick = Tables.SCENARIO_PICK
    table(ws, f, pick, ItemCol.ALL, 1, {ItemCol.ITEM: 18, ItemCol.VALUE: 18})
    ws.write_string(pick.row, pick.col - 1, ScenarioCol.PICK, f.get("computed"))
    ws.write_string(pick.row, pick.col, EXAMPLES[0][0], f.get("input"))
    owned = ((Tables.SCENARIO_TIERS, sl.TIERS), (Tables.SCENARIO_ROLES, sl.ROLES),
             (Tables.SCENARIO_BUDGET, sl.BUDGET), (Tables.SCENARIO_MOVES, sl.MOVES),
             (Tables.SCENARIO_MOVERS, sl.MOVERS), (Tables.SCENARIO_CHART, sl.chart_headers(tiers)))
    for place, headers in ((p, ScenarioCol.ALL), (pick, ItemCol.ALL), *owned):
        if place.table in text.SCENARIO_TABLE_HINTS:
            table_hint(ws, f, place, len(headers), text.SCENARIO_TABLE_HINTS[place.table])
    for place, headers in owned:
        table(ws, f, place, headers, 1, WIDTHS, default=13)
        for j, h in enumerate(headers):
            ws.write_blank(place.row, place.col - 1 + j, None, f.get("computed", FORMATS.get(h, "")))
    _desktop_macros(ws, f) if desktop else _buttons(ws)
    bottom = _charts(wb, ws, tiers)
    spans = ((0, pick.col + 3), *((q.col - 1, q.col - 2 + len(h)) for q, h in owned))
    print_setup(ws, f, max(MAX_ROW, bottom), spans[-1][1], p.row - 1, run_footer=False, spans=spans)


def _buttons(ws) -> None:  # type: ignore[no-untyped-def]
    """The Lite buttons of this sheet: shapes linked to the cells they cover (as Start's are)."""
    for place in Buttons.ON_SCENARIOS:
        button_shape(ws, place, text.SCENARIO_BUTTON_TIPS[place.label])


DESKTOP_CALLS = {"Compare Scenarios": "t.compare_scenarios()", "Apply Scenario": "t.apply_scenario()"}


def _desktop_macros(ws, f: Formats) -> None:  # type: ignore[no-untyped-def]
    """The desktop variant: the RunPython call of each button, for a form button or a macro of the user's own."""
    for place in Buttons.ON_SCENARIOS:
        row, col = xl_cell_to_rowcol(place.cell)
        ws.write_string(row, col, f'{place.label}: RunPython "import tierbook.excel.desktop as t; '
                                  f'{DESKTOP_CALLS[place.label]}"', f.hint)


def _charts(wb, ws, tiers: tuple[str, ...]) -> int:  # type: ignore[no-untyped-def]
    """Annual cost and FTE per tier for the first runs of the chart table, under the buttons; the last row they cover."""
    c = Tables.SCENARIO_CHART
    k = len(tiers)
    first, last = c.row, c.row + sl.CHART_RUNS - 1  # 0-based data rows
    cats = [Sheet.SCENARIOS, first, c.col - 1, last, c.col - 1]
    row, col = xl_cell_to_rowcol(Buttons.ON_SCENARIOS[-1].cell)
    top = row + 3
    for n, (title, offset, fmt) in enumerate((("Annual cost to serve by scenario and tier", 1, "#,##0"),
                                              ("FTE needed by scenario and tier", 1 + k, "0.0"))):
        chart = wb.add_chart({"type": "column"})
        for i in range(k):
            j = c.col - 1 + offset + i
            chart.add_series({"name": [Sheet.SCENARIOS, c.row - 1, j], "categories": cats,
                              "values": [Sheet.SCENARIOS, first, j, last, j]})
        chart.set_title({"name": title})
        chart.set_y_axis({"num_format": fmt, "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}})
        chart.set_legend({"position": "bottom"})
        chart.set_size(CHART_SIZE)
        ws.insert_chart(top + n * CHART_ROWS, col, chart)
    return top + 2 * CHART_ROWS
