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
    CutoffCol,
    HistoryCol,
    ParetoCol,
    ProblemCol,
    SummaryCol,
)
from ..layout import InForceItem, ItemCol, Place, RoleCol, Sheet, Tables, TierCostCol
from .. import text
from ..formulas import SUMMARY_COLUMNS, summary_cells
from .charts import add_charts
from .style import MONEY, MONEY0, NUMBER, PCT, Formats, add_table, geometry, put, put_formula, put_title


def write_summary(wb, ws, f: Formats, tiers: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    put_title(ws, f, Sheet.SUMMARY, text.SUMMARY_HINT)
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
    add_table(ws, p, SUMMARY_COLUMNS, k + 2, header_format=f.wrap_header)
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
    # Budget check and policy in force.
    for place, items, hint in ((Tables.BUDGET, BudgetItem.ALL, "Budget check"),
                               (Tables.IN_FORCE, InForceItem.ALL, "In force")):
        ws.set_column(place.col - 1, place.col - 1, 24)
        ws.set_column(place.col, place.col, 16)
        ws.write_string(place.row - 2, place.col - 1, hint, f.heading)
        add_table(ws, place, ItemCol.ALL, len(items))
        for i, item in enumerate(items):
            ws.write_string(place.row + i, place.col - 1, item, f.get("computed"))
            num = {BudgetItem.USED_SHARE: PCT, InForceItem.MARGIN_PCT: PCT, BudgetItem.STATUS: "",
                   InForceItem.POLICY: "", InForceItem.MARGIN_METHOD: "", InForceItem.POOLED_SPLIT: "",
                   InForceItem.CURRENCY: ""}.get(item, MONEY0)
            put_formula(ws, cells, place.row + i, place.col, f.get("computed", num))
    # Pareto data (written by Assign Tiers).
    pa, cu = Tables.PARETO, Tables.CUTOFFS
    ws.write_string(pa.row - 2, pa.col - 1, text.PARETO_HINT, f.hint)
    ws.set_column(pa.col - 1, pa.col, 14)
    ws.set_column(cu.col - 1, cu.col + 1, 14)
    add_table(ws, pa, ParetoCol.ALL, PARETO_POINTS)
    for i in range(PARETO_POINTS):
        put(ws, pa.row + i, pa.col - 1, i / (PARETO_POINTS - 1), f.get("output", PCT))
        put(ws, pa.row + i, pa.col, None, f.get("output", PCT))
    add_table(ws, cu, CutoffCol.ALL, max(k - 1, 1))
    for i in range(max(k - 1, 1)):
        put(ws, cu.row + i, cu.col - 1, tiers[i] if i < k - 1 else None, f.get("output"))
        put(ws, cu.row + i, cu.col, None, f.get("output", PCT))
        put(ws, cu.row + i, cu.col + 1, None, f.get("output", PCT))
    add_charts(wb, ws, tiers)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, p.row + k + 2 + 52, p.col + len(SUMMARY_COLUMNS) - 2)


def write_owned(ws, f: Formats, title: str, hint: str, tables: tuple[tuple[Place, tuple[str, ...]], ...]) -> None:  # type: ignore[no-untyped-def]
    put_title(ws, f, title, hint)
    formats = {CapacityCol.HOURS: MONEY0, CapacityCol.PRODUCTIVE_HOURS: MONEY0, CapacityCol.FTE: "0.00",
               CapacityCol.LOADED_COST: MONEY0, CapacityCol.HEADCOUNT: NUMBER, CapacityCol.GAP: "0.00",
               CoverageCol.ARR: MONEY0, CoverageCol.CSM_FTE: "0.00", CoverageCol.ACCOUNTS_PER_CSM: "0.0",
               CoverageCol.ARR_PER_CSM: MONEY0, CapacityCol.ACCOUNTS: MONEY0}
    wide = {ProblemCol.DETAIL: 50, ProblemCol.PROBLEM: 30, HistoryCol.REASON: 60, CoverageCol.STATUS: 44,
            HistoryCol.RUN: 20, RoleCol.ROLE: 24, HistoryCol.ACCOUNT_NAME: 28, ProblemCol.VALUE: 18}
    for place, headers in tables:
        ws.freeze_panes(place.row, 0)
        add_table(ws, place, headers, 1)
        for j, h in enumerate(headers):
            ws.set_column(place.col - 1 + j, place.col - 1 + j, wide.get(h, 14))
            ws.write_blank(place.row, place.col - 1 + j, None, f.get("computed", formats.get(h, "")))
