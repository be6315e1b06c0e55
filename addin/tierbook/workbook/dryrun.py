"""What a plan would do, in words: the summary ``tierbook assign --dry-run`` prints, and nothing else.

Every number comes from the plan (:class:`~tierbook.workbook.plan.AssignPlan`),
so the counts printed are the counts a real run writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine.history import Change

if TYPE_CHECKING:
    from .plantypes import AssignPlan, FooterStamp, TableFill

MOVES = (Change.UP, Change.DOWN, Change.TO_NEEDS_DATA, Change.FROM_NEEDS_DATA, Change.RENAMED)


def describe(plan: AssignPlan) -> str:
    """Accounts tiered, tier changes (up, down, to and from Needs data), Needs data, and every table written."""
    m = plan.moves
    changes = sum(m.get(k, 0) for k in MOVES)
    moves = [f"{m.get(Change.UP, 0):,} up", f"{m.get(Change.DOWN, 0):,} down",
             f"{m.get(Change.TO_NEEDS_DATA, 0):,} to Needs data", f"{m.get(Change.FROM_NEEDS_DATA, 0):,} from Needs data"]
    if m.get(Change.RENAMED):
        moves.append(f"{m[Change.RENAMED]:,} from a tier no longer defined")
    lines = [f"{plan.accounts:,} accounts tiered; {changes:,} tier changes: " + ", ".join(moves)
             + f"; {m.get(Change.IN, 0):,} accounts get their first tier, {m.get(Change.OUT, 0):,} tiered "
             "accounts are gone.",
             f"{plan.needs_data:,} accounts need data ({plan.needs_data_arr:,.0f} ARR, not priced in the annual cost).",
             f"{plan.job} would write:"]
    lines += ["  " + table_line(fill) for fill in plan.tables]
    if plan.cached:
        lines.append("  and the cached results of the formulas on the " + ", ".join(dict.fromkeys(c.sheet for c in plan.cached))
                     + " sheets.")
    if plan.footer is not None:
        lines.append(footer_line(plan.footer))
    return "\n".join(lines)


def footer_line(footer: FooterStamp) -> str:
    """What the printed footers say of the run (the title rows and Start name it)."""
    return (f"  and the printed footers of the {', '.join(footer.sheets)} sheets saying where the run is named "
            f"({footer.stamp!r}).")


def table_line(fill: TableFill) -> str:
    """One table of the plan: where, how many rows, and which columns when it writes only some."""
    p = fill.place
    rows = f"{fill.rows:,} rows" + (f" added after the {fill.start:,} there" if fill.start else "")
    columns = f" ({', '.join(fill.headers)})" if fill.formulas or not fill.fit else ""
    return f"{p.sheet} sheet, table {p.table}: {rows}{columns}"


__all__ = ["describe", "footer_line", "table_line"]
