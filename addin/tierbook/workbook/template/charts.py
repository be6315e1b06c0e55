"""The Summary's three charts: accounts and ARR by tier, cost and value by tier, the Pareto curve."""

from __future__ import annotations

from ...columns import PARETO_POINTS, SummaryCol
from ..layout import Sheet, Tables
from ..formulas import SUMMARY_COLUMNS


CHART_ROWS = 19
"""Rows one chart covers (its height at 1.25 x XlsxWriter's 288 pixels, in 20-pixel rows), plus a gap."""


def chart_top(k: int, notes: int) -> int:
    """0-based row of the first charts: under the Summary table of ``k`` tiers and its notes."""
    return Tables.SUMMARY.row + k + 3 + notes + (1 if notes else 0)


def chart_bottom(k: int, notes: int) -> int:
    """0-based last row the charts cover: the end of the Summary's printed page."""
    return chart_top(k, notes) + 2 * CHART_ROWS


def add_charts(wb, ws, tiers: tuple[str, ...], notes: int = 0) -> None:  # type: ignore[no-untyped-def]
    p = Tables.SUMMARY
    k = len(tiers)
    name = Sheet.SUMMARY
    r1, r2 = p.row, p.row + k - 1  # 0-based first and last tier rows
    col = lambda h: p.col - 1 + SUMMARY_COLUMNS.index(h)  # noqa: E731
    cats = [name, r1, col(SummaryCol.TIER), r2, col(SummaryCol.TIER)]
    top = chart_top(k, notes)
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
    for i in range(max(k - 1, 1)):  # one series per tier start, named by its tier: the label says which tier starts
        row = cu.row + i
        pareto.add_series({"name": [name, row, cu.col - 1],
                           "categories": [name, row, cu.col, row, cu.col],
                           "values": [name, row, cu.col + 1, row, cu.col + 1],
                           "line": {"none": True}, "marker": {"type": "diamond", "size": 10,
                                                              "fill": {"color": "#C00000"}, "border": {"color": "#C00000"}},
                           "data_labels": {"series_name": True, "position": "right"}})
    pareto.set_title({"name": "Pareto: share of ARR, and where each tier starts"})
    pareto.set_x_axis({"name": "Share of accounts (largest first)", "min": 0, "max": 1, "num_format": "0%",
                       "major_unit": 0.1})
    pareto.set_y_axis({"name": "Cumulative share of ARR", "min": 0, "max": 1, "num_format": "0%",
                       "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}})
    pareto.set_legend({"position": "bottom", "delete_series": list(range(1, max(k - 1, 1) + 1))})
    pareto.set_size(size)
    ws.insert_chart(top + CHART_ROWS, 0, pareto)
