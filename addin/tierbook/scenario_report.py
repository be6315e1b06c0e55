"""Plain-text tables of a scenario comparison and of a sensitivity sweep, for the terminal."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from .columns import NEEDS_DATA, CapacityCol, Col, SummaryCol
from .engine.scenarios import MOVE_KINDS, Comparison
from .report import SUMMARY_FORMAT, _fte, _money, _pct, text_table

FIGURES: tuple[str, ...] = (SummaryCol.ACCOUNTS, SummaryCol.ACCOUNT_SHARE, SummaryCol.ARR, SummaryCol.ARR_SHARE,
                            SummaryCol.ANNUAL_COST, SummaryCol.ASSESSED_VALUE, SummaryCol.CTS_PCT_ARR, SummaryCol.FTE)
SWEEP_FIGURES: tuple[str, ...] = (SummaryCol.ANNUAL_COST, SummaryCol.FTE, SummaryCol.ARR_SHARE)


def _row_label(comparison: Comparison, position: int) -> str:
    """A tier row's label: the tier as every run names it at that position ("High-touch / Premium")."""
    labels: list[str] = []
    for name, result in zip(comparison.names, comparison.figures):
        tiers = result.settings.tier_names
        if position < len(tiers) and tiers[position] not in labels:
            labels.append(tiers[position])
    return " / ".join(labels)


def _summary_row(result, position: int | None, label: str):  # type: ignore[no-untyped-def]
    table = result.summary
    if position is not None:
        return table.iloc[position] if position < len(result.settings.tier_names) else None
    rows = table[table[SummaryCol.TIER] == label]
    return rows.iloc[0] if len(rows) else None


def comparison_table(comparison: Comparison) -> pd.DataFrame:
    """Per tier (by position, then Needs data and Total) and figure: one column per run, formatted."""
    k = max(len(r.settings.tier_names) for r in comparison.figures)
    groups = [(_row_label(comparison, i), i) for i in range(k)] + [(NEEDS_DATA, None), ("Total", None)]
    rows = []
    for label, position in groups:
        for j, figure in enumerate(FIGURES):
            row = {"Tier": label if j == 0 else "", "Figure": figure}
            for name, result in zip(comparison.names, comparison.figures):
                found = _summary_row(result, position, label)
                row[name] = "" if found is None else SUMMARY_FORMAT[figure](found[figure])
            rows.append(row)
    return pd.DataFrame(rows, columns=["Tier", "Figure", *comparison.names])


def roles_table(comparison: Comparison) -> pd.DataFrame:
    """Per role: FTE needed, headcount and the gap, one column per run ("FTE / headcount / gap")."""
    rows: dict[str, dict[str, str]] = {}
    for name in comparison.names:
        part = comparison.roles[comparison.roles["Scenario"] == name]
        for _, r in part.iterrows():
            rows.setdefault(str(r[CapacityCol.ROLE]), {})[name] = (
                f"{_fte(r[CapacityCol.FTE])} / {_fte(r[CapacityCol.HEADCOUNT])} / {_fte(r[CapacityCol.GAP])}")
    return pd.DataFrame([{"Role (FTE / headcount / gap)": role, **{n: v.get(n, "") for n in comparison.names}}
                         for role, v in rows.items()])


def budget_table(comparison: Comparison) -> pd.DataFrame:
    b = comparison.budget.set_index("Scenario")
    rows = [("CS budget", lambda n: _money(b.at[n, "budget"])),
            ("Annual cost (priced accounts)", lambda n: _money(b.at[n, "annual_cost"])),
            ("Remaining", lambda n: _money(b.at[n, "remaining"])),
            ("Share of budget used", lambda n: _pct(b.at[n, "used_share"])),
            ("Status", lambda n: str(b.at[n, "status"]))]
    return pd.DataFrame([{"Budget check": label, **{n: show(n) for n in comparison.names}} for label, show in rows])


def comparison_text(comparison: Comparison, movers: int = 10, leave_out: str | None = None) -> str:
    """The side-by-side table, FTE by role, the budget check, and who moves in each scenario.

    ``leave_out`` names a swept key whose runs are left to the sweep's own table.
    """
    if leave_out is not None:
        comparison = without(comparison, sweep_rows(comparison, leave_out))
    aligned = {n: str for n in comparison.names}
    parts = [text_table(comparison_table(comparison), aligned), "", text_table(roles_table(comparison), aligned), "",
             text_table(budget_table(comparison), aligned)]
    if len(comparison.names) > 1:
        parts += ["", f"Who moves, against {comparison.names[0]}:",
                  text_table(comparison.moves, {k: lambda v: f"{v:,}" for k in MOVE_KINDS})]
        for name in comparison.names[1:]:
            table = comparison.movers[name]
            if table.empty:
                parts += ["", f"{name}: no account changes tier."]
                continue
            shown = table.head(movers)
            if shown.empty:
                parts += ["", f"{name}: {len(table):,} accounts change tier."]
                continue
            parts += ["", f"{name}: largest ARR movers ({len(shown):,} of {len(table):,}):",
                      text_table(shown, {Col.ARR: _money})]
    return "\n".join(parts)


def sweep_rows(comparison: Comparison, key: str) -> list[int]:
    """The runs of a sweep of ``key``: those named ``KEY=VALUE``."""
    return [i for i, n in enumerate(comparison.names) if i and n.startswith(f"{key}=")]


def without(comparison: Comparison, leave_out: list[int]) -> Comparison:
    """The comparison less some runs (a sweep's, shown in a table of their own)."""
    keep = [i for i in range(len(comparison.names)) if i not in leave_out]
    names = tuple(comparison.names[i] for i in keep)
    runs = tuple(comparison.runs[i] for i in keep) if len(comparison.runs) == len(comparison.names) else comparison.runs
    return replace(comparison, names=names, runs=runs, figures=tuple(comparison.figures[i] for i in keep),
                   moves=comparison.moves[comparison.moves["Scenario"].isin(names)].reset_index(drop=True))


def sweep_table(comparison: Comparison, key: str) -> pd.DataFrame:
    """One row per swept value: per tier annual cost, FTE and share of ARR; total cost, budget left, FTE gap."""
    rows = []
    for i in sweep_rows(comparison, key):
        name, result = comparison.names[i], comparison.figures[i]
        row: dict[str, object] = {key: name.partition("=")[2]}
        summary = result.summary
        for i, tier in enumerate(result.settings.tier_names):
            for figure in SWEEP_FIGURES:
                row[f"{tier} {figure}"] = summary.iloc[i][figure]
        row["Total Annual Cost"] = result.budget["annual_cost"]
        row["Budget Remaining"] = result.budget["remaining"]
        row["FTE Gap"] = float(result.roles[CapacityCol.GAP].sum())
        rows.append(row)
    return pd.DataFrame(rows)


def sweep_text(comparison: Comparison, key: str) -> str:
    table = sweep_table(comparison, key)
    formats = {c: (_pct if c.endswith(SummaryCol.ARR_SHARE) else _fte if c.endswith(("FTE", "Gap")) else _money)
               for c in table.columns if c != key}
    return text_table(table, formats)
