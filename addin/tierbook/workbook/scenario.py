"""Scenarios on a workbook: read KEY=VALUE changes as the Settings sheet reads its cells, compare, apply.

Comparing reads the book and writes nothing. Applying writes the scenario's
values into the cells they come from (Settings, Tiers, Roles, Segments,
Services, Matrix tables), then goes through Assign Tiers on the changed book
in the same save; its Tier History rows name the scenario.

Keys (README, "What if"): a Settings-table key (``policy=arr-share``), one
entry of a per-tier or per-role setting (``account_bands:High-touch=20%``,
``headcount:CSM=45``, ``segment_tiers:SMB=Mid-touch``), a rule
(``rule:2=ARR >= 50000 -> High-touch``), an interval
(``interval:QBR:High-touch=4``), a unit cost (``unit_cost:QBR=25``) or a
tier's name (``tier:High-touch=Premium``).
"""

from __future__ import annotations

import datetime as dt

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..columns import HistoryCol, ServiceCol, header_key
from ..engine.reading import AMBIGUOUS, read_number
from ..engine.rules import parse_rule
from ..engine.scenarios import (BAND_FIELDS, INTERVAL, ROLE_FIELDS, TIER_NAME, UNIT_COST, Edit, Comparison, Inputs,
                                Scenario, compare, scenario_inputs)
from ..engine.settings import sheet_settings
from ..errors import SettingsError
from .edit import parse_assignment
from .layout import MatrixCol, RoleCol, SegmentMapCol, SettingCol, Tables, TierCol
from .plan import AssignPlan, located, run_book, run_day
from .read import Book, TableData, convert_setting, read_book, table_data

RULE = "rule"
"""The key of one rule of the rules policy: ``rule:N``."""

KEY_FORMS = ("KEY (a Settings-table key)", "account_bands:TIER", "arr_bands:TIER", "score_cutoffs:TIER",
             "productive_hours:ROLE", "loaded_cost:ROLE", "headcount:ROLE", "segment_tiers:SEGMENT", "rule:N",
             "interval:SERVICE:TIER", "unit_cost:SERVICE", "tier:TIER")


def _number(text: str, item: str, field: str, key: object, decimal: str, percent: bool = False) -> float:
    """A value as the Settings sheet reads a cell holding that text (the engine's one reading of a number)."""
    number = read_number(text, decimal, percent=percent)
    if number.status == AMBIGUOUS:
        raise SettingsError(f"{item}: {text!r} reads as {number.value:g} or as {number.other:g}; write it without a "
                            "thousands separator, or set decimal_mark to point or comma", field=field, key=key,
                            value=text, expected="a number")
    if not number.ok:
        raise SettingsError(f"{item}: expected a number, got {text!r}", field=field, key=key, value=text,
                            expected="a number")
    return float(number.value)  # type: ignore[arg-type]


def parse_change(item: str, decimal: str = "auto") -> Edit:
    """One ``KEY=VALUE`` of a scenario, read as ``tierbook settings`` and the Settings sheet read that value."""
    key, sep, value = item.partition("=")
    key, value = key.strip(), value.strip()
    head, colon, rest = key.partition(":")
    if not sep or (colon and not rest.strip()):
        raise SettingsError(f"{item!r}: expected KEY=VALUE, e.g. margin_pct=35% or interval:QBR:High-touch=4; "
                            "the keys are " + ", ".join(KEY_FORMS), field="scenario", value=item,
                            expected="KEY=VALUE")
    rest = rest.strip()
    if not colon:
        name, raw = parse_assignment(item)
        return Edit(name, None, convert_setting(name, raw, item, decimal), item)
    if head in BAND_FIELDS:
        return Edit(head, rest, _number(value, item, head, rest, decimal, percent=True), item)
    if head in ROLE_FIELDS:
        return Edit(head, rest, _number(value, item, head, rest, decimal), item)
    if head == "segment_tiers":
        return Edit(head, rest, value, item)
    if head == RULE:
        if not rest.isdigit():
            raise SettingsError(f"{item}: expected rule:N with N a rule number, got {rest!r}", field="rules",
                                value=rest, expected="a rule number")
        return Edit("rules", int(rest), parse_rule(value), item)
    if head == INTERVAL:
        service, colon2, tier = rest.rpartition(":")
        if not colon2 or not service.strip() or not tier.strip():
            raise SettingsError(f"{item}: expected interval:SERVICE:TIER=TIMES, e.g. interval:QBR:High-touch=4",
                                field=INTERVAL, value=item, expected="interval:SERVICE:TIER")
        return Edit(INTERVAL, (service.strip(), tier.strip()), _number(value, item, INTERVAL, rest, decimal), item)
    if head == UNIT_COST:
        return Edit(UNIT_COST, rest, _number(value, item, UNIT_COST, rest, decimal), item)
    if head == TIER_NAME:
        return Edit(TIER_NAME, rest, value, item)
    raise SettingsError(f"{item}: unknown key {head!r}; the keys are " + ", ".join(KEY_FORMS), field="scenario",
                        value=head, expected="one of " + ", ".join(KEY_FORMS))


def parse_scenarios(tokens: Sequence[str], decimal: str = "auto") -> list[Scenario]:
    """``NAME KEY=VALUE ... NAME KEY=VALUE ...``: a token without '=' names a scenario, the next ones change it."""
    scenarios: list[tuple[str, list[Edit]]] = []
    problems: list[SettingsError] = []
    for token in tokens:
        if "=" not in token:
            scenarios.append((token.strip(), []))
            continue
        if not scenarios:
            raise SettingsError(f"{token!r}: name the scenario first, e.g. Wider {token}", field="scenario",
                                value=token, expected="NAME KEY=VALUE ...")
        try:
            scenarios[-1][1].append(parse_change(token, decimal))
        except SettingsError as exc:
            problems.extend(exc.errors)
    if problems:
        raise SettingsError.combine(problems)
    empty = [name for name, changes in scenarios if not changes]
    if empty:
        raise SettingsError(f"scenario {empty[0]!r} changes nothing; give it KEY=VALUE changes, e.g. "
                            f"{empty[0]} policy=arr-share", field="scenario", value=empty[0],
                            expected="NAME KEY=VALUE ...")
    return [Scenario(name, tuple(changes)) for name, changes in scenarios]


def book_inputs(book: Book) -> Inputs:
    return Inputs(book.settings, book.catalog, book.matrix)


def compare_book(book: Book, scenarios: Sequence[Scenario], keep_runs: bool = True,
                 movers_limit: int | None = None, today: dt.date | None = None) -> Comparison:
    """The book's current settings and each scenario, side by side, on the book's accounts; nothing is written.

    ``today``: the day of every run (default: this computer's date), as for Assign Tiers.
    """
    day = run_day(today)
    current = run_book(book, day)
    return located(book, lambda: compare(book.accounts, book_inputs(book), scenarios, book.first_row, current,
                                         keep_runs=keep_runs, movers_limit=movers_limit, today=day))


# ------------------------------------------------------------------ applying
@dataclass(frozen=True)
class CellEdit:
    """One value the scenario writes into a table cell of the book."""

    sheet: str
    row: int
    col: int
    value: object
    over_default: bool = False
    """The cell's formula is only a default a user may type over (a derived unit cost), so it may be replaced."""
    shown_only: bool = False
    """The value is what the cell's formula will show once recalculated: the formula stays, its shown value changes."""


def _row_of(table: TableData, header: str, key: object, what: str) -> int:
    keys = [header_key(v) for v in table.column(header)]
    if header_key(key) not in keys:
        raise SettingsError(f"{table.info.sheet} sheet, table {table.info.name}: no {what} {key!r}",
                            field=what, value=key, expected=f"a {what} of the table")
    return table.first_row + keys.index(header_key(key))


def _cell(table: TableData, header: str, row: int, value: object, over_default: bool = False,
          shown_only: bool = False) -> CellEdit:
    col = table.info.column(header)
    if col is None:
        raise SettingsError(f"{table.info.sheet} sheet, table {table.info.name}: no column {header!r}",
                            field=header, value=header, expected="the table's column")
    return CellEdit(table.info.sheet, row, col, value, over_default, shown_only)


_BAND_COLUMN = {"account_bands": TierCol.ACCOUNT_SHARE, "arr_bands": TierCol.ARR_SHARE,
                "score_cutoffs": TierCol.SCORE_CUTOFF}
_ROLE_COLUMN = {"productive_hours": RoleCol.PRODUCTIVE_HOURS, "loaded_cost": RoleCol.LOADED_COST,
                "headcount": RoleCol.HEADCOUNT}


def cell_edits(book: Book, scenario: Scenario) -> list[CellEdit]:
    """The cells a scenario's values go into; a change the book cannot hold in one cell is refused, named."""
    source = book.source
    edits = []
    for c in scenario.changes:
        if c.field in sheet_settings() and c.key is None:
            t = table_data(source, Tables.SETTINGS)
            edits.append(_cell(t, SettingCol.VALUE, _row_of(t, SettingCol.KEY, c.field, "setting"), c.value))
        elif c.field in BAND_FIELDS:
            t = table_data(source, Tables.TIERS)
            edits.append(_cell(t, _BAND_COLUMN[c.field], _row_of(t, TierCol.TIER, c.key, "tier"), c.value))
        elif c.field in ROLE_FIELDS:
            t = table_data(source, Tables.ROLES)
            edits.append(_cell(t, _ROLE_COLUMN[c.field], _row_of(t, RoleCol.ROLE, c.key, "role"), c.value))
        elif c.field == "segment_tiers":
            t = table_data(source, Tables.SEGMENT_MAP)
            edits.append(_cell(t, SegmentMapCol.TIER, _row_of(t, SegmentMapCol.SEGMENT, c.key, "segment"), c.value))
        elif c.field == UNIT_COST:
            t = table_data(source, Tables.SERVICES)
            edits.append(_cell(t, ServiceCol.UNIT_COST, _row_of(t, ServiceCol.SERVICE, c.key, "service"), c.value,
                               over_default=True))
        elif c.field == INTERVAL:
            service, tier = c.key  # type: ignore[misc]
            t = table_data(source, Tables.MATRIX)
            header = next((h for h in t.headers if header_key(h) == header_key(tier)), tier)
            edits.append(_cell(t, header, _row_of(t, MatrixCol.SERVICE, service, "service"), c.value))
        else:
            raise SettingsError(f"scenario {scenario.name!r}: {c.text} can be compared but not applied: "
                                f"{_why_not(c)}", field=c.field, value=c.text, expected="a change of one cell")
    return edits + _derived_costs(book, scenario)


def _derived_costs(book: Book, scenario: Scenario) -> list[CellEdit]:
    """The derived unit costs that follow a role's new rate, as the default formula will once recalculated.

    Their formulas stay; their shown values change now, so the book read back
    prices the scenario exactly as :func:`~tierbook.engine.scenarios.scenario_inputs` did.
    """
    typed = {header_key(c.key) for c in scenario.changes if c.field == UNIT_COST}
    before, after = book.catalog[ServiceCol.UNIT_COST], scenario_inputs(book_inputs(book), scenario).catalog
    t = table_data(book.source, Tables.SERVICES)
    return [_cell(t, ServiceCol.UNIT_COST, _row_of(t, ServiceCol.SERVICE, name, "service"), float(new), shown_only=True)
            for name, old, new in zip(after[ServiceCol.SERVICE], before, after[ServiceCol.UNIT_COST])
            if header_key(name) not in typed and not np.isclose(float(old), float(new), rtol=1e-12, atol=0)]


def _why_not(change: Edit) -> str:
    if change.field == TIER_NAME:
        return ("a tier's name is the heading of its Matrix column and is named by the segment map and the rules; "
                'rename it with  tierbook settings BOOK tiers="OLD=NEW,..."  (the book is rebuilt for it)')
    if change.field == "rules":
        return "a rule spans several cells; edit it on the Tier Rules sheet"
    return "the book keeps this setting in a table; edit it there"


def with_scenario_history(plan: AssignPlan, name: str) -> AssignPlan:
    """The plan with each Tier History row's Why naming the scenario that moved the account."""
    tables = []
    for fill in plan.tables:
        if fill.place == Tables.HISTORY and HistoryCol.REASON in fill.columns:
            why = np.array([f"Scenario {name!r} applied: {r}" for r in fill.columns[HistoryCol.REASON]], dtype=object)
            fill = replace(fill, columns={**fill.columns, HistoryCol.REASON: why})
        tables.append(fill)
    return replace(plan, tables=tuple(tables), message=f"Scenario {name!r} applied. {plan.message}")




def sweep_scenarios(spec: str, decimal: str = "auto", limit: int = 100) -> list[Scenario]:
    """``KEY=START:STOP:STEP`` as one scenario per value, each read as ``KEY=VALUE`` would be (20% is 0.2)."""
    key, sep, span = spec.partition("=")
    bounds = span.split(":")
    if not sep or len(bounds) != 3 or not all(b.strip() for b in bounds):
        raise SettingsError(f"--sweep {spec!r}: expected KEY=START:STOP:STEP, e.g. account_bands:High-touch=10%:20%:2%",
                            field="sweep", value=spec, expected="KEY=START:STOP:STEP")
    start, stop, step = (parse_change(f"{key}={b.strip()}", decimal) for b in bounds)
    values = [start.value, stop.value, step.value]
    if not all(isinstance(v, float) for v in values):
        raise SettingsError(f"--sweep {spec!r}: {key.strip()} is not a number to sweep", field="sweep", value=key,
                            expected="a numeric setting")
    first, last, by = values  # type: ignore[misc]
    if by <= 0 or last < first or (last - first) / by + 1 > limit:
        raise SettingsError(f"--sweep {spec!r}: expected START <= STOP and a STEP above 0 giving at most {limit} "
                            "values", field="sweep", value=spec, expected="START <= STOP, STEP > 0")
    count = int(np.floor((last - first) / by + 1e-9)) + 1
    return [Scenario(f"{key.strip()}={round(first + i * by, 12):g}",
                     (replace(start, value=round(first + i * by, 12), text=f"{key.strip()}={first + i * by:g}"),))
            for i in range(count)]


__all__ = ["CellEdit", "KEY_FORMS", "book_inputs", "cell_edits", "compare_book", "parse_change", "parse_scenarios",
           "read_book", "scenario_inputs", "sweep_scenarios", "with_scenario_history"]
