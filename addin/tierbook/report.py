"""Plain-text tables for the terminal: the per-tier summary and problem counts."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from .engine.checks import problem_counts
from .engine.pipeline import Run
from .engine.wording import counted
from .columns import CapacityCol, CoverageCol, CsmBookCol, ProblemCol, SummaryCol


def _number_format(pattern: str, scale: float = 1.0) -> Callable[[object], str]:
    """A number formatter that leaves missing values (None, NaN) blank."""
    def show(value: object) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        return pattern.format(value * scale)  # type: ignore[operator]

    return show


_money = _number_format("{:,.0f}")
_pct = _number_format("{:.1f} %", 100)
_fte = _number_format("{:,.1f}")
_fte2 = _number_format("{:,.2f}")
_count = _number_format("{:,.0f}")


SUMMARY_FORMAT: dict[str, Callable[[object], str]] = {
    SummaryCol.ACCOUNTS: _count,
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
    currency = result.settings.currency
    lines = [
        f"Policy {result.settings.policy}; assessed value by {result.settings.margin_method} "
        f"of {result.settings.margin_pct * 100:g} %; amounts in {currency} a year.",
        text_table(table, SUMMARY_FORMAT),
        budget_line(result.budget),
    ]
    return "\n".join(lines)


def budget_line(budget: dict[str, object]) -> str:
    """The budget verdict, saying what the annual cost leaves out (Needs data accounts are not priced)."""
    share = budget["used_share"]
    used = f" ({share * 100:.1f} %)" if isinstance(share, float) and math.isfinite(share) else ""
    line = (f"CS budget {budget['budget']:,.0f}: annual cost {budget['annual_cost']:,.0f}{used}, "
            f"{budget['verdict']} by {abs(budget['remaining']):,.0f}.")  # type: ignore[arg-type]
    unpriced = int(budget["unpriced_accounts"])  # type: ignore[call-overload]
    if unpriced:
        line += (f" The annual cost leaves out {counted(unpriced, 'Needs data account')} "
                 f"holding {budget['unpriced_arr']:,.0f} ARR, which are not priced.")
    return line


def problems_text(problems: pd.DataFrame, limit: int = 0) -> str:
    """Problems counted by type, then (optionally) the first ``limit`` rows."""
    if problems.empty:
        return "No data problems found."
    counts = problem_counts(problems)
    text = [f"{len(problems):,} data problems:", text_table(counts, {"Count": _count})]
    if limit:
        shown = problems.head(limit)[[ProblemCol.ROW, ProblemCol.ACCOUNT_ID, ProblemCol.COLUMN,
                                      ProblemCol.VALUE, ProblemCol.PROBLEM, ProblemCol.SEVERITY]]
        text += [f"First {len(shown)}:", text_table(shown)]
    return "\n".join(text)


def capacity_text(result: Run) -> str:
    """FTE per tier and role, the gap per role against headcount, CSM coverage per tier, and each CSM's book."""
    plan = {CapacityCol.ACCOUNTS: _count, CapacityCol.HOURS: _money, CapacityCol.PRODUCTIVE_HOURS: _money,
            CapacityCol.FTE: _fte2, CapacityCol.LOADED_COST: _money}
    roles = {CapacityCol.HOURS: _money, CapacityCol.FTE: _fte2, CapacityCol.HEADCOUNT: _fte,
             CapacityCol.GAP: _number_format("{:+,.2f}"), CapacityCol.LOADED_COST: _money}
    coverage = {CoverageCol.ACCOUNTS: _count, CoverageCol.ARR: _money, CoverageCol.CSM_FTE: _fte2,
                CoverageCol.ACCOUNTS_PER_CSM: _fte, CoverageCol.ARR_PER_CSM: _money}
    return "\n".join([
        "FTE per tier and role:", text_table(result.capacity, plan), "",
        "Per role, against headcount (gap > 0: hire):", text_table(result.roles, roles), "",
        "CSM coverage per tier:", text_table(result.coverage, coverage), "",
        "CSM books (accounts and ARR per named CSM, from the Accounts CSM column):",
        text_table(result.csm_book_table(), {CsmBookCol.ACCOUNTS: _count, CsmBookCol.ARR: _money,
                                             CsmBookCol.ARR_SHARE: _pct}),
    ])


def summary_json(result: Run) -> dict[str, object]:
    """The summary as JSON-ready data: the per-tier records and the budget check (NaN becomes null)."""
    budget = {k: _plain(v) for k, v in result.budget.items()}
    return {"tiers": summary_records(result), "budget": budget}


def _plain(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, float):
        return round(value, 6)
    return value


def summary_records(result: Run) -> list[dict[str, object]]:
    """The per-tier table as JSON-ready records (NaN becomes null)."""
    keys = {SummaryCol.TIER: "tier", SummaryCol.ACCOUNTS: "accounts", SummaryCol.ARR: "arr",
            SummaryCol.ARR_SHARE: "arr_share", SummaryCol.ANNUAL_COST: "annual_cost",
            SummaryCol.ASSESSED_VALUE: "assessed_value", SummaryCol.CTS_PCT_ARR: "cts_pct_arr",
            SummaryCol.FTE: "fte"}
    records = []
    for _, row in result.summary.iterrows():
        record: dict[str, object] = {}
        for column, key in keys.items():
            value = row[column]
            if isinstance(value, str):
                record[key] = value
            elif value is None or (isinstance(value, float) and not math.isfinite(value)):
                record[key] = None
            elif column == SummaryCol.ACCOUNTS:
                record[key] = int(value)
            else:
                record[key] = round(float(value), 6)
        records.append(record)
    return records
