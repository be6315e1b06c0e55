"""The Scenarios sheet: the scenarios a user stores there, the one to apply, and the comparison Tierbook writes.

Stored scenarios are rows of the Scenarios table (Scenario, Key, Value):
each row is one ``KEY=VALUE`` change, read by the same parser as ``tierbook
whatif`` reads the command line (:func:`~.scenario.parse_change`), and a bad
one is reported by its row. The comparison is a plan
(:class:`~.plantypes.AssignPlan`) of the sheet's Tierbook-owned tables, so
``tierbook whatif --write`` (the file writer) and the Compare Scenarios button
(the range writer) write the same cells; it fills no table of another sheet.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..columns import SummaryCol, header_key
from ..engine.reading import is_blank
from ..engine.scenarios import Comparison, Scenario, scenario_inputs
from ..engine.wording import counted
from ..errors import SettingsError, WorkbookError
from . import scenario_layout as sl
from .layout import ItemCol, ScenarioCol, Tables
from .plan import frame_fill, located
from .plantypes import AssignPlan, TableFill
from .read import Book
from .scenario import book_inputs, parse_change
from .source import BookSource
from .tabledata import TableData, table_data


def _cell_text(value: object) -> tuple[str, str | None]:
    """A Value cell as the text of ``KEY=VALUE``, and the decimal mark it is written with (None: the book's)."""
    if isinstance(value, bool):
        return str(value).upper(), None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return repr(float(value)) if not float(value).is_integer() else str(int(value)), "point"
    return str(value).strip(), None


def _rows(source: BookSource) -> TableData | None:
    return table_data(source, Tables.SCENARIOS) if source.has_table(Tables.SCENARIOS.table) else None


def stored_scenarios(source: BookSource, decimal: str = "auto") -> list[Scenario]:
    """The Scenarios table's scenarios, in the order their names first appear; every bad row is reported by its row.

    A row with nothing in Scenario, Key and Value is skipped; a row with a
    change but no name, or a name but no key, is refused (never given to the
    scenario above it).
    """
    scenarios, _, problems = _read_stored(source, decimal)
    if problems:
        raise SettingsError.combine(problems)
    return scenarios


def _read_stored(source: BookSource, decimal: str) -> tuple[list[Scenario], dict[int, str], list[SettingsError]]:
    """The stored scenarios that read, where each change was read (by the change's identity), and the bad rows."""
    t = _rows(source)
    if t is None:
        return [], {}, []
    missing = [h for h in (ScenarioCol.SCENARIO, ScenarioCol.KEY, ScenarioCol.VALUE) if h not in t.headers]
    if missing:
        raise WorkbookError(f"{t.info.sheet} sheet, table {t.info.name}: no column {missing[0]!r}; the table needs "
                            "Scenario, Key and Value")
    by_name: dict[str, tuple[str, list]] = {}
    problems: list[SettingsError] = []
    for i, (name, key, value) in enumerate(zip(t.column(ScenarioCol.SCENARIO), t.column(ScenarioCol.KEY),
                                               t.column(ScenarioCol.VALUE))):
        if all(is_blank(v) for v in (name, key, value)):
            continue
        if is_blank(name) or is_blank(key):
            header = ScenarioCol.SCENARIO if is_blank(name) else ScenarioCol.KEY
            problems.append(SettingsError(f"{t.where(i, header, '')}: expected a scenario's name and a key on every "
                                          "row (one change per row, each row naming its scenario)",
                                          field="scenario", value=None, expected="Scenario, Key and Value"))
            continue
        text, mark = _cell_text(value)
        try:
            change = parse_change(f"{str(key).strip()}={text}", mark or decimal)
        except SettingsError as exc:
            header = ScenarioCol.KEY if exc.field == "scenario" else ScenarioCol.VALUE
            shown = key if header == ScenarioCol.KEY else value
            problems.extend(e.located(t.where(i, header, shown)) for e in exc.errors)
            continue
        entry = by_name.setdefault(header_key(name), (str(name).strip(), []))
        entry[1].append((i, change))
    scenarios = [Scenario(name, tuple(c for _, c in changes)) for name, changes in by_name.values()]
    where = {id(c): t.where(i, ScenarioCol.KEY, str(c.text).partition("=")[0])
             for _, changes in by_name.values() for i, c in changes}
    return scenarios, where, problems


def check_stored(book: Book, scenarios: Sequence[Scenario], where: dict[int, str],
                 problems: list[SettingsError] | None = None) -> None:
    """Each stored change tried on the book's inputs alone, so one naming no tier, service or role of the book
    is reported by its row on the Scenarios sheet (not by the Settings cell it would change); ``problems``
    (rows that did not read) are reported with them, in one message."""
    problems = list(problems or [])
    base = book_inputs(book)
    for s in scenarios:
        for change in s.changes:
            try:
                scenario_inputs(base, Scenario(s.name, (change,)))
            except SettingsError as exc:
                problems.extend(e.located(where.get(id(change))) for e in exc.errors)
    if problems:
        raise SettingsError.combine(problems)


def book_scenarios(book: Book) -> list[Scenario]:
    """The scenarios stored on the book's Scenarios sheet, read and checked against the book."""
    scenarios, where, problems = _read_stored(book.source, book.settings.decimal_mark)
    check_stored(book, scenarios, where, problems)
    return scenarios


def picked(source: BookSource, scenarios: Sequence[Scenario]) -> Scenario:
    """The scenario the ScenarioToApply table names (case and spaces ignored)."""
    t = table_data(source, Tables.SCENARIO_PICK)
    items = [header_key(v) for v in t.column(ItemCol.ITEM)]
    if header_key(ScenarioCol.PICK) not in items:
        raise WorkbookError(f"{t.info.sheet} sheet, table {t.info.name}: no row {ScenarioCol.PICK!r}; add it, with "
                            "the scenario's name in Value")
    i = items.index(header_key(ScenarioCol.PICK))
    name = t.column(ItemCol.VALUE)[i]
    found = {header_key(s.name): s for s in scenarios}
    names = ", ".join(s.name for s in scenarios) or "none (add rows to the Scenarios table)"
    if is_blank(name) or header_key(name) not in found:
        raise SettingsError(f"{t.where(i, ItemCol.VALUE, name)}: expected the name of a scenario of the Scenarios "
                            f"table: {names}", field="scenario", value=name, expected="a stored scenario's name")
    return found[header_key(name)]


# ------------------------------------------------------------------ the comparison as a plan
def comparison_fills(book: Book, comparison: Comparison) -> tuple[TableFill, ...]:
    """The sheet's comparison tables: per tier, per role, the budget, who moves, the movers, the charts' data."""
    tiers = comparison.tiers.rename(columns={"Scenario": sl.RUN})
    roles = comparison.roles.rename(columns={"Scenario": sl.RUN})
    budget = comparison.budget.rename(columns={"Scenario": sl.RUN, **{v: k for k, v in sl.BUDGET_KEYS.items()}})
    moves = comparison.moves.rename(columns={"Scenario": sl.RUN, **sl.MOVE_HEADERS})
    moves[sl.MOVED] = comparison.moves[list(sl.MOVE_HEADERS)].sum(axis=1).astype(np.int64)
    shown = [m.head(sl.MOVERS_SHOWN).assign(**{sl.RUN: n}) for n, m in comparison.movers.items()]
    movers = pd.concat(shown, ignore_index=True) if shown else pd.DataFrame(columns=list(sl.MOVERS))
    movers = movers.rename(columns={"From": sl.FROM, "To": sl.TO})
    return (frame_fill(Tables.SCENARIO_TIERS, sl.TIERS, tiers), frame_fill(Tables.SCENARIO_ROLES, sl.ROLES, roles),
            frame_fill(Tables.SCENARIO_BUDGET, sl.BUDGET, budget), frame_fill(Tables.SCENARIO_MOVES, sl.MOVES, moves),
            frame_fill(Tables.SCENARIO_MOVERS, sl.MOVERS, movers), chart_fill(book, comparison))


def chart_fill(book: Book, comparison: Comparison) -> TableFill:
    """One row per run: annual cost, then FTE, per tier by position, under the chart table's own headings."""
    info = book.source.table(Tables.SCENARIO_CHART.table, Tables.SCENARIO_CHART.sheet)
    k = len(book.settings.tier_names)
    if len(info.columns) < 1 + 2 * k:
        raise WorkbookError(f"{info.sheet} sheet, table {info.name}: {len(info.columns)} columns; expected "
                            f"{1 + 2 * k} (Scenario, then annual cost and FTE for each of the {k} tiers)")
    t = comparison.tiers
    tiered = t[t["Position"] < k]
    cost = tiered.pivot(index="Scenario", columns="Position", values=SummaryCol.ANNUAL_COST)
    fte = tiered.pivot(index="Scenario", columns="Position", values=SummaryCol.FTE)
    names = list(comparison.names)
    columns: dict[str, np.ndarray] = {info.columns[0]: np.array(names, dtype=object)}
    for i in range(k):
        columns[info.columns[1 + i]] = cost.reindex(names)[i].to_numpy(dtype=float)
        columns[info.columns[1 + k + i]] = fte.reindex(names)[i].to_numpy(dtype=float)
    return TableFill(Tables.SCENARIO_CHART, columns)


def plan_compare(book: Book, comparison: Comparison) -> AssignPlan:
    """What Compare Scenarios writes: the comparison tables of the Scenarios sheet, nothing else."""
    n = len(comparison.names) - 1
    counts = comparison.moves.set_index("Scenario")[list(sl.MOVE_HEADERS)].sum(axis=1)
    moved = ", ".join(f"{name}: {int(counts[name]):,} change tier" for name in comparison.names[1:])
    message = (f"Compared {counted(n, 'scenario')} with the current settings on "
               f"{book.n_accounts:,} accounts" + (f" ({moved})" if moved else "") + "; see the Scenarios sheet.")
    return AssignPlan("Compare Scenarios", located(book, lambda: comparison_fills(book, comparison)),
                      message=message, accounts=book.n_accounts)


def save_fill(book: Book, scenarios: Sequence[Scenario]) -> TableFill:
    """The scenarios as new rows after the Scenarios table's rows; a name already stored is refused."""
    t = _rows(book.source)
    if t is None:
        raise WorkbookError(f"{book.source.name}: no Scenarios table to store scenarios in (a book made before it); "
                            "make a new book with tierbook new and import the accounts into it")
    stored = {header_key(v) for v in t.column(ScenarioCol.SCENARIO) if not is_blank(v)}
    taken = [s.name for s in scenarios if header_key(s.name) in stored]
    if taken:
        raise SettingsError(f"{t.info.sheet} sheet, table {t.info.name}: a scenario {taken[0]!r} is stored already; "
                            "delete its rows there first, or give the new one another name",
                            field="scenario", value=taken[0], expected="a new name")
    rows = [(s.name, *c.text.partition("=")[::2]) for s in scenarios for c in s.changes]
    frame = pd.DataFrame(rows, columns=[ScenarioCol.SCENARIO, ScenarioCol.KEY, ScenarioCol.VALUE])
    frame[ScenarioCol.KEY] = frame[ScenarioCol.KEY].str.strip()
    frame[ScenarioCol.VALUE] = frame[ScenarioCol.VALUE].str.strip()
    return frame_fill(Tables.SCENARIOS, (ScenarioCol.SCENARIO, ScenarioCol.KEY, ScenarioCol.VALUE), frame,
                      start=len(t))


__all__ = ["book_scenarios", "chart_fill", "check_stored", "comparison_fills", "picked", "plan_compare", "save_fill",
           "stored_scenarios"]
