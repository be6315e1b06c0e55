"""The sheets whose figures come from formulas or Assign Tiers: Summary, Capacity, Data Quality, Tier History.

The Summary's tables are formulas (cached results come later, from the
engine); the Pareto data and the other sheets' tables are left blank for
Assign Tiers to fill.
"""

from __future__ import annotations

from ...columns import (
    NEEDS_DATA,
    PARETO_POINTS,
    TOTAL,
    BudgetItem,
    CapacityCol,
    CoverageCol,
    CsmBookCol,
    CutoffCol,
    HistoryCol,
    ParetoCol,
    ProblemCol,
    SummaryCol,
)
from ..layout import InForceItem, ItemCol, Place, RoleCol, Sheet, Tables, TierCostCol
from .. import text
from ..formulas import SUMMARY_COLUMNS, summary_cells
from .charts import add_charts, chart_bottom
from .textwidth import width_for
from .style import (MAX_ROW, MONEY, MONEY0, NUMBER, PCT, Formats, figure_width, geometry, merged_text, print_setup, put, put_formula,
                    put_title, table, table_hint)


def write_summary(wb, ws, f: Formats, tiers: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    put_title(ws, f, Sheet.SUMMARY, text.SUMMARY_HINT)
    p = Tables.SUMMARY
    k = len(tiers)
    formats = {SummaryCol.ACCOUNTS: MONEY0, SummaryCol.ACCOUNT_SHARE: PCT, SummaryCol.ARR: MONEY0,
               SummaryCol.ARR_SHARE: PCT, SummaryCol.ANNUAL_COST: MONEY0, SummaryCol.ASSESSED_VALUE: MONEY0,
               SummaryCol.MARGIN: MONEY0, SummaryCol.CTS_PCT_ARR: "0.00%", SummaryCol.FTE: "0.0",
               TierCostCol.PER_ACCOUNT_COST: MONEY, TierCostCol.POOLED_COST: MONEY0,
               TierCostCol.PER_ACCOUNT_VALUE: MONEY, TierCostCol.POOLED_VALUE: MONEY0, TierCostCol.POOLED_BASIS: MONEY0}
    ws.freeze_panes(p.row, 1)
    money = {h: figure_width(13) for h, num in formats.items() if num == MONEY0}
    table(ws, f, p, SUMMARY_COLUMNS, k + 2, {SummaryCol.TIER: 14, **money}, default=13)
    cells = summary_cells(geometry(tiers))
    labels = list(tiers) + [NEEDS_DATA, TOTAL]
    for i, label in enumerate(labels):
        r = p.row + i
        ws.write_string(r, p.col - 1, label, f.get("computed"))
        for j, h in enumerate(SUMMARY_COLUMNS[1:], start=1):
            fmt = f.get("computed", formats.get(h, ""))
            if h == SummaryCol.FTE or (label == NEEDS_DATA and h in TierCostCol.ALL) or (label == TOTAL and h in TierCostCol.ALL):
                fmt = f.get("output", formats.get(h, "")) if h == SummaryCol.FTE else fmt  # Assign Tiers writes it
                put(ws, r, p.col - 1 + j, 0.0 if label == NEEDS_DATA and h != TierCostCol.POOLED_BASIS else None, fmt)
            else:
                put_formula(ws, cells, r, p.col - 1 + j, fmt)
    # What the figures mean, under the table (one blank row between), above the charts.
    last_col = p.col - 2 + len(SUMMARY_COLUMNS)
    for i, note in enumerate(text.SUMMARY_NOTES):
        merged_text(ws, f, p.row + k + 3 + i, 0, last_col, note, f.hint_format)
    # Budget check and policy in force.
    value_width = width_for(BudgetItem.OVER + BudgetItem.LEFT_OUT + "100000", 16)  # the longest status
    for place, items, hint in ((Tables.BUDGET, BudgetItem.ALL, "Budget check"),
                               (Tables.IN_FORCE, InForceItem.ALL, "In force")):
        ws.write_string(place.row - 2, place.col - 1, hint, f.heading)
        table(ws, f, place, ItemCol.ALL, len(items), {ItemCol.ITEM: 28, ItemCol.VALUE: value_width})
        for i, item in enumerate(items):
            ws.write_string(place.row + i, place.col - 1, item, f.get("computed"))
            num = {BudgetItem.USED_SHARE: PCT, InForceItem.MARGIN_PCT: PCT, BudgetItem.STATUS: "",
                   InForceItem.POLICY: "", InForceItem.MARGIN_METHOD: "", InForceItem.POOLED_SPLIT: "",
                   InForceItem.CURRENCY: ""}.get(item, MONEY0)
            put_formula(ws, cells, place.row + i, place.col, f.get("computed", num))
    # Pareto data (written by Assign Tiers).
    pa, cu = Tables.PARETO, Tables.CUTOFFS
    table(ws, f, pa, ParetoCol.ALL, PARETO_POINTS)
    table(ws, f, cu, CutoffCol.ALL, max(k - 1, 1))
    merged_text(ws, f, pa.row - 2, pa.col - 1, cu.col - 2 + len(CutoffCol.ALL), text.PARETO_HINT, f.hint_format)
    for i in range(PARETO_POINTS):
        put(ws, pa.row + i, pa.col - 1, i / (PARETO_POINTS - 1), f.get("output", PCT))
        put(ws, pa.row + i, pa.col, None, f.get("output", PCT))
    for i in range(max(k - 1, 1)):
        put(ws, cu.row + i, cu.col - 1, tiers[i + 1] if i < k - 1 else None, f.get("output"))
        put(ws, cu.row + i, cu.col, None, f.get("output", PCT))
        put(ws, cu.row + i, cu.col + 1, None, f.get("output", PCT))
    add_charts(wb, ws, tiers, len(text.SUMMARY_NOTES))
    in_force = Tables.IN_FORCE
    print_setup(ws, f, chart_bottom(k, len(text.SUMMARY_NOTES)), in_force.col, p.row - 1, run_footer=True,
                one_page=True)


def write_owned(ws, f: Formats, title: str, hint: str, tables: tuple[tuple[Place, tuple[str, ...]], ...]) -> None:  # type: ignore[no-untyped-def]
    put_title(ws, f, title, hint)
    formats = {CapacityCol.HOURS: MONEY0, CapacityCol.PRODUCTIVE_HOURS: MONEY0, CapacityCol.FTE: "0.00",
               CapacityCol.LOADED_COST: MONEY0, CapacityCol.HEADCOUNT: NUMBER, CapacityCol.GAP: "0.00",
               CoverageCol.ARR: MONEY0, CoverageCol.CSM_FTE: "0.00", CoverageCol.ACCOUNTS_PER_CSM: "#,##0.0",
               CoverageCol.ARR_PER_CSM: MONEY0, CapacityCol.ACCOUNTS: MONEY0, CsmBookCol.ARR_SHARE: PCT}
    wide = {ProblemCol.DETAIL: 50, ProblemCol.PROBLEM: 30, HistoryCol.REASON: 88, CoverageCol.STATUS: 44,
            HistoryCol.RUN: 20, RoleCol.ROLE: 24, HistoryCol.ACCOUNT_NAME: 28, ProblemCol.VALUE: 18,
            CsmBookCol.CSM: 22, CsmBookCol.TIER_MIX: 44}
    wide.update({h: figure_width(14) for h, num in formats.items() if num == MONEY0 and h not in wide})
    for place, headers in tables:
        ws.freeze_panes(place.row, 0)
        table(ws, f, place, headers, 1, wide)
        if place.table in text.TABLE_HINTS:
            table_hint(ws, f, place, len(headers), text.TABLE_HINTS[place.table])
        for j, h in enumerate(headers):
            kind = {CoverageCol.RANGE: "computed-center", ProblemCol.DETAIL: "wrap-computed",
                    HistoryCol.REASON: "wrap-computed", CsmBookCol.TIER_MIX: "wrap-computed"}.get(h, "computed")
            ws.write_blank(place.row, place.col - 1 + j, None, f.get(kind, formats.get(h, "")))
    spans = tuple((place.col - 1, place.col - 2 + len(headers)) for place, headers in tables)
    print_setup(ws, f, MAX_ROW, spans[-1][1], tables[0][0].row - 1, run_footer=True, spans=spans)
