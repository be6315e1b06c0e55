"""Scenarios: named sets of changes to the settings in force, run side by side with the current ones.

A scenario changes the inputs of a run (settings, catalog, matrix) and
nothing else: its figures are those of :func:`~tierbook.engine.pipeline.run`
on the changed inputs, so they are exactly what Assign Tiers produces once the
scenario is applied. This module only changes inputs and lays finished runs
side by side; it computes no figure of its own.
"""

from __future__ import annotations

import datetime as dt

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from ..columns import CapacityCol, Col, ServiceCol, header_key
from ..errors import SettingsError
from .pipeline import Run, run
from .rules import Rule
from .services import rederived_unit_costs
from .settings import Settings

INTERVAL = "interval"
UNIT_COST = "unit_cost"
TIER_NAME = "tier"
BAND_FIELDS: tuple[str, ...] = ("account_bands", "arr_bands", "score_cutoffs")
ROLE_FIELDS: tuple[str, ...] = ("productive_hours", "loaded_cost", "headcount")
CURRENT = "Current"
MOVE_KINDS: tuple[str, ...] = ("up", "down", "into Needs data", "out of Needs data")


@dataclass(frozen=True)
class Edit:
    """One change of a scenario: a setting (``key`` None), one entry of a setting, an interval, a unit cost, a tier name.

    Attributes:
        field: a :class:`Settings` field, ``interval``, ``unit_cost`` or ``tier`` (a tier's name).
        key: None for a whole setting; the tier (bands, cut-offs), the role (productive hours, loaded cost,
            headcount), the segment (segment map), the rule number (rules), (service, tier) (an interval),
            the service (a unit cost), the current tier name (a rename).
        value: the new value, already read (a number, a text, a :class:`Rule`).
        text: the change as the user wrote it, for messages.
    """

    field: str
    key: object
    value: object
    text: str = ""


@dataclass(frozen=True)
class Scenario:
    """A named set of changes to the settings in force."""

    name: str
    changes: tuple[Edit, ...]


@dataclass(frozen=True)
class Inputs:
    """What a run takes besides the accounts."""

    settings: Settings
    catalog: pd.DataFrame
    matrix: pd.DataFrame


def _fail(change: Edit, message: str, expected: str) -> SettingsError:
    return SettingsError(f"{change.text or change.field}: {message}; expected {expected}", field=change.field,
                         key=change.key, value=change.value, expected=expected)


def _tier_position(settings: Settings, change: Edit, tier: object) -> int:
    i = settings.tier_index(tier)
    if i is None:
        raise _fail(change, f"{tier!r} is not a tier", "one of " + ", ".join(settings.tier_names))
    return i


def _setting_change(settings: Settings, change: Edit) -> dict[str, object]:
    """The Settings fields one change replaces."""
    name, key, value = change.field, change.key, change.value
    if name not in {f.name for f in fields(Settings)}:
        raise _fail(change, f"{name!r} is not a setting", "a setting, interval:SERVICE:TIER, unit_cost:SERVICE "
                    "or tier:TIER")
    if key is None:
        return {name: value}
    current = getattr(settings, name)
    if name in BAND_FIELDS:
        i = _tier_position(settings, change, key)
        if i >= len(current):
            raise _fail(change, f"the last tier ({settings.tier_names[-1]}) takes the rest and has no share",
                        "a tier but the last: " + ", ".join(settings.tier_names[:-1]))
        return {name: tuple(value if j == i else v for j, v in enumerate(current))}
    if name in ROLE_FIELDS or name == "segment_tiers":
        known = {header_key(k): k for k in current}
        if header_key(key) not in known:
            raise _fail(change, f"{key!r} is not a {'role' if name in ROLE_FIELDS else 'segment'} of the book",
                        "one of " + ", ".join(map(str, current)))
        return {name: {**current, known[header_key(key)]: value}}
    if name == "rules":
        n = int(key)  # type: ignore[call-overload]
        if not 1 <= n <= len(current) + 1:
            raise _fail(change, f"there is no rule {n}", f"a rule number from 1 to {len(current) + 1} "
                        f"({len(current) + 1} adds a rule)")
        rules: list[Rule] = list(current)
        rules[n - 1:n] = [value]  # type: ignore[list-item]
        return {name: tuple(rules)}
    raise _fail(change, f"{name} takes one value, not one per {key!r}", f"{name}=VALUE")


def _service_row(frame_services: Sequence[object], change: Edit, service: object) -> int:
    keys = [header_key(s) for s in frame_services]
    if header_key(service) not in keys:
        raise _fail(change, f"{service!r} is not a service of the catalog", "one of " + ", ".join(map(str, frame_services)))
    return keys.index(header_key(service))


def scenario_inputs(base: Inputs, scenario: Scenario) -> Inputs:
    """The inputs with a scenario's changes made: settings first, then intervals and unit costs, then renames.

    Keys name tiers, services and roles as the current settings do (case and
    spaces ignored); a rename comes last, so the other changes of the same
    scenario still use the current names. Settings are re-validated as a whole.
    """
    settings, catalog, matrix = base.settings, base.catalog.copy(), base.matrix.copy()
    fixed: dict[str, object] = {}
    for change in scenario.changes:
        if change.field in (INTERVAL, UNIT_COST, TIER_NAME):
            continue
        fixed.update(_setting_change(replace(settings, **fixed) if fixed else settings, change))
    if fixed:
        settings = replace(settings, **fixed)
        catalog[ServiceCol.UNIT_COST] = rederived_unit_costs(catalog, base.settings, settings)
    for change in scenario.changes:
        if change.field == INTERVAL:
            service, tier = change.key  # type: ignore[misc]
            row = _service_row(list(matrix.index), change, service)
            matrix.iloc[row, _tier_position(settings, change, tier)] = float(change.value)  # type: ignore[arg-type]
        elif change.field == UNIT_COST:
            row = _service_row(list(catalog[ServiceCol.SERVICE]), change, change.key)
            catalog.loc[catalog.index[row], ServiceCol.UNIT_COST] = float(change.value)  # type: ignore[arg-type]
    renames = {_tier_position(settings, c, c.key): str(c.value).strip()
               for c in scenario.changes if c.field == TIER_NAME}
    if renames:
        names = [renames.get(i, t) for i, t in enumerate(settings.tier_names)]
        matrix.columns = [renames.get(i, t) for i, t in enumerate(matrix.columns)]
        settings = settings.with_tiers(names)
    return Inputs(settings, catalog, matrix)


# ------------------------------------------------------------------ side by side
@dataclass(frozen=True)
class RunFigures:
    """What a comparison shows of one run: its settings and its per-tier, per-role and budget figures.

    No per-account table: a scenario's figures are kept when its run of a
    million accounts is let go.
    """

    settings: Settings
    summary: pd.DataFrame
    roles: pd.DataFrame
    budget: dict[str, object]

    @classmethod
    def of(cls, result: Run) -> "RunFigures":
        return cls(result.settings, result.summary, result.roles, result.budget)


@dataclass(frozen=True)
class Comparison:
    """The current run and each scenario's, and the tables that lay them side by side.

    Attributes:
        names: ``Current``, then each scenario's name.
        runs: one run per name (only the current one when compared without ``keep_runs``).
        figures: each name's settings and figures (:class:`RunFigures`), kept either way.
        tiers: per name and tier position (then Needs data, Total): the Summary's figures.
        roles: per name and role: FTE needed, headcount, gap.
        fte: per name, tier and role: FTE needed.
        budget: per name: the budget check.
        moves: per scenario: accounts up, down, into and out of Needs data against the current run.
        movers: per scenario: the accounts that change tier, largest ARR first (the largest only, with a limit).
    """

    names: tuple[str, ...]
    runs: tuple[Run, ...]
    tiers: pd.DataFrame
    roles: pd.DataFrame
    fte: pd.DataFrame
    budget: pd.DataFrame
    moves: pd.DataFrame
    movers: Mapping[str, pd.DataFrame]
    figures: tuple[RunFigures, ...] = ()


def compare(raw: pd.DataFrame, base: Inputs, scenarios: Sequence[Scenario], first_row: int = 2,
            current: Run | None = None, keep_runs: bool = True, movers_limit: int | None = None,
            today: dt.date | None = None) -> Comparison:
    """Run the current inputs and every scenario on the same accounts, and lay the runs side by side.

    ``current`` is the run of ``base`` when the caller already has it; ``today`` the day every run is on
    (whether an override has expired), as for :func:`~.pipeline.run`. With
    ``keep_runs`` False only the current run is kept: each scenario's run is
    reduced to its tables as soon as it is done, so memory holds two runs at
    most (xlwings Lite's budget); ``movers_limit`` keeps only the largest
    movers of each scenario.
    """
    names = [CURRENT]
    for s in scenarios:
        if header_key(s.name) in {header_key(n) for n in names}:
            raise SettingsError(f"scenario {s.name!r}: the name is used twice (or is {CURRENT!r}); give each "
                                "scenario its own name", field="scenario", value=s.name, expected="a new name")
        names.append(s.name)
    first = current or run(raw, base.settings, base.catalog, base.matrix, first_row=first_row, today=today)
    kept, figures, tiers, roles, fte, budget = [first], [], [], [], [], []
    moves, moving = [], {}
    for name, s in zip(names, [None, *scenarios]):
        if s is None:
            result = first
        else:
            inputs = scenario_inputs(base, s)
            result = run(raw, inputs.settings, inputs.catalog, inputs.matrix, first_row=first_row, today=today)
            moves.append({"Scenario": name, **move_counts(first, result)})
            moving[name] = movers(first, result, movers_limit)
            if keep_runs:
                kept.append(result)
        figures.append(RunFigures.of(result))
        tiers.append(_tier_rows(name, result))
        roles.append(result.roles.assign(Scenario=name)[["Scenario", CapacityCol.ROLE, CapacityCol.FTE,
                                                          CapacityCol.HEADCOUNT, CapacityCol.GAP]])
        fte.append(result.capacity.assign(Scenario=name)[["Scenario", CapacityCol.TIER, CapacityCol.ROLE,
                                                          CapacityCol.FTE]])
        budget.append({"Scenario": name, **result.budget})
        del result
    return Comparison(
        names=tuple(names), runs=tuple(kept), figures=tuple(figures),
        tiers=pd.concat(tiers, ignore_index=True), roles=pd.concat(roles, ignore_index=True),
        fte=pd.concat(fte, ignore_index=True), budget=pd.DataFrame(budget),
        moves=pd.DataFrame(moves, columns=["Scenario", *MOVE_KINDS]), movers=moving,
    )


def _tier_rows(name: str, result: Run) -> pd.DataFrame:
    """The run's Summary with the scenario's name and each row's position (tiers 0.., Needs data, Total)."""
    table = result.summary.copy()
    table.insert(0, "Position", np.arange(len(table)))
    table.insert(0, "Scenario", name)
    return table


def _codes(result: Run) -> np.ndarray:
    return np.asarray(result.tiers.code, dtype=np.int64)


def moved(current: Run, scenario: Run) -> np.ndarray:
    """Per account: its tier differs between the two runs (compared by position, so a rename alone is no move)."""
    return _codes(current) != _codes(scenario)


def move_counts(current: Run, scenario: Run) -> dict[str, int]:
    """Accounts that go up (to a more engaged tier), down, into and out of Needs data."""
    old, new = _codes(current), _codes(scenario)
    tiered = (old >= 0) & (new >= 0)
    counts = (tiered & (new < old), tiered & (new > old), (old >= 0) & (new < 0), (old < 0) & (new >= 0))
    return {k: int(c.sum()) for k, c in zip(MOVE_KINDS, counts)}


def movers(current: Run, scenario: Run, limit: int | None = None) -> pd.DataFrame:
    """The accounts that change tier, largest ARR first: ID, name, ARR, tier now, tier in the scenario."""
    mask = moved(current, scenario)
    frame = current.accounts.frame
    arr = current.arr_used()
    table = pd.DataFrame({
        Col.ACCOUNT_ID: frame[Col.ACCOUNT_ID].to_numpy(dtype=object)[mask],
        Col.ACCOUNT_NAME: frame[Col.ACCOUNT_NAME].to_numpy(dtype=object)[mask],
        Col.ARR: arr[mask],
        "From": current.tiers.tier.to_numpy(dtype=object)[mask],
        "To": scenario.tiers.tier.to_numpy(dtype=object)[mask],
    })
    table = table.sort_values(Col.ARR, ascending=False, na_position="last", kind="stable").reset_index(drop=True)
    return table if limit is None else table.head(limit)


__all__ = ["BAND_FIELDS", "CURRENT", "Edit", "Comparison", "RunFigures", "INTERVAL", "Inputs", "MOVE_KINDS", "ROLE_FIELDS",
           "Scenario", "TIER_NAME", "UNIT_COST", "compare", "move_counts", "moved", "movers", "scenario_inputs"]
