"""Plain-text tables for the terminal: the per-tier summary and problem counts."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from .engine.checks import problem_counts
from .engine.pipeline import Run
from .layout import ProblemCol, SummaryCol


def _money(v: float) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:,.0f}"


def _pct(v: float) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v * 100:.1f} %"


def _fte(v: float) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:,.1f}"


SUMMARY_FORMAT: dict[str, Callable[[float], str]] = {
    SummaryCol.ACCOUNTS: lambda v: f"{int(v):,}",
    SummaryCol.ARR: _money,
    SummaryCol.ARR_SHARE: _pct,
    SummaryCol.ACCOUNT_SHARE: _pct,
    SummaryCol.ANNUAL_COST: _money,
    SummaryCol.ASSESSED_VALUE: _money,
    SummaryCol.CTS_PCT_ARR: _pct,
    SummaryCol.FTE: _fte,
}


def text_table(table: pd.DataFrame, formats: dict[str, Callable[[object], str]] | None = None) -> str:
    """Align a small table for a terminal; text left, numbers right."""
    formats = formats or {}
    cells = [[str(c) for c in table.columns]]
    for _, row in table.iterrows():
        cells.append([formats.get(c, str)(row[c]) if c in formats else str(row[c]) for c in table.columns])
    widths = [max(len(r[i]) for r in cells) for i in range(len(table.columns))]
    numeric = [c in formats for c in table.columns]
    lines = []
    for j, row in enumerate(cells):
        parts = [v.rjust(w) if num and j else v.ljust(w) for v, w, num in zip(row, widths, numeric)]
        lines.append("  ".join(parts).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def summary_text(result: Run) -> str:
    """The per-tier table a CS lead reads first."""
    columns = [SummaryCol.TIER, SummaryCol.ACCOUNTS, SummaryCol.ARR, SummaryCol.ARR_SHARE,
               SummaryCol.ANNUAL_COST, SummaryCol.ASSESSED_VALUE, SummaryCol.CTS_PCT_ARR, SummaryCol.FTE]
    table = result.summary[columns]
    budget = result.budget
    currency = result.settings.currency
    verdict = "within budget" if budget["remaining"] >= 0 else "OVER budget"
    lines = [
        f"Policy {result.settings.policy}; assessed value by {result.settings.margin_method} "
        f"of {result.settings.margin_pct * 100:g} %; amounts in {currency} a year.",
        text_table(table, SUMMARY_FORMAT),
        f"CS budget {budget['budget']:,.0f}: annual cost {budget['annual_cost']:,.0f} "
        f"({budget['used_share'] * 100:.1f} %), {verdict} by {abs(budget['remaining']):,.0f}.",
    ]
    return "\n".join(lines)


def problems_text(problems: pd.DataFrame, limit: int = 0) -> str:
    """Problems counted by type, then (optionally) the first ``limit`` rows."""
    if problems.empty:
        return "No data problems found."
    counts = problem_counts(problems)
    text = [f"{len(problems):,} data problems:", text_table(counts, {"Count": lambda v: f"{int(v):,}"})]
    if limit:
        shown = problems.head(limit)[[ProblemCol.ROW, ProblemCol.ACCOUNT_ID, ProblemCol.COLUMN,
                                      ProblemCol.VALUE, ProblemCol.PROBLEM, ProblemCol.SEVERITY]]
        text += [f"First {len(shown)}:", text_table(shown)]
    return "\n".join(text)
