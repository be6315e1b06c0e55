"""The Scenarios sheet's Tierbook-owned tables: their headings, and how many runs its charts show.

The user's table (Scenarios: Scenario, Key, Value, Note) and the scenario to
apply are in :mod:`.layout` (:class:`~.layout.ScenarioCol`). The comparison
tables are long: one row per run (and tier, role or mover), so that any
number of scenarios fits under the same headings. Tiers go by position, as
the comparison compares them; the chart's table names its columns after the
book's tiers and is read by position too.
"""

from __future__ import annotations

from ..columns import BudgetItem, CapacityCol, Col, SummaryCol
from .layout import ScenarioCol

RUN = ScenarioCol.SCENARIO
"""First column of every comparison table: the run (Current, then each scenario's name)."""

FIGURES: tuple[str, ...] = (SummaryCol.ACCOUNTS, SummaryCol.ACCOUNT_SHARE, SummaryCol.ARR, SummaryCol.ARR_SHARE,
                            SummaryCol.ANNUAL_COST, SummaryCol.ASSESSED_VALUE, SummaryCol.CTS_PCT_ARR, SummaryCol.FTE)
TIERS: tuple[str, ...] = (RUN, SummaryCol.TIER, *FIGURES)
ROLES: tuple[str, ...] = (RUN, CapacityCol.ROLE, CapacityCol.FTE, CapacityCol.HEADCOUNT, CapacityCol.GAP)
BUDGET_KEYS: dict[str, str] = {BudgetItem.BUDGET: "budget", BudgetItem.ANNUAL_COST: "annual_cost",
                               BudgetItem.REMAINING: "remaining", BudgetItem.USED_SHARE: "used_share",
                               BudgetItem.STATUS: "status"}
BUDGET: tuple[str, ...] = (RUN, *BUDGET_KEYS)
MOVED = "Accounts Moved"
MOVE_HEADERS: dict[str, str] = {"up": "Up", "down": "Down", "into Needs data": "Into Needs data",
                                "out of Needs data": "Out of Needs data"}
MOVES: tuple[str, ...] = (RUN, *MOVE_HEADERS.values(), MOVED)
FROM, TO = "From", "To"
MOVERS: tuple[str, ...] = (RUN, Col.ACCOUNT_ID, Col.ACCOUNT_NAME, Col.ARR, FROM, TO)
MOVERS_SHOWN = 10
"""Largest ARR movers listed per scenario (as ``tierbook whatif --movers`` by default)."""
CHART_RUNS = 10
"""Runs the charts show (Current and the first nine scenarios); the chart table lists every run."""


def chart_headers(tiers: tuple[str, ...]) -> tuple[str, ...]:
    """The chart table's headings: the run, annual cost per tier, FTE per tier (tiers by position)."""
    return (RUN, *(f"{SummaryCol.ANNUAL_COST}: {t}" for t in tiers), *(f"{SummaryCol.FTE}: {t}" for t in tiers))


__all__ = ["BUDGET", "BUDGET_KEYS", "CHART_RUNS", "FIGURES", "FROM", "MOVED", "MOVERS", "MOVERS_SHOWN", "MOVES",
           "MOVE_HEADERS", "ROLES", "RUN", "TIERS", "TO", "chart_headers"]
