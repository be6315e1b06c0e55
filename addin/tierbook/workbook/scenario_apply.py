"""Apply a scenario to a workbook file: its values into their cells, then Assign Tiers, in one atomic save.

The scenario's values are written where the book keeps them; the book is
then read back and goes through the same plan Assign Tiers makes
(:func:`~.plan.plan_assign`), so the figures written are those of the
Assign Tiers button on the changed book. Tier History's rows of the moved
accounts name the scenario.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from ..engine.scenarios import Scenario
from ..errors import SettingsError
from .assign import AssignResult
from .calc import calc_on_load
from .cells import ref, value_cell
from .package import Package, backup_path, book_lock, check_writable, save_package
from .plan import AssignPlan, now_stamp, plan_assign, run_book
from .read import Book, read_book
from .scenario import CellEdit, cell_edits, with_scenario_history
from .sheetpatch import patch_rows
from .sheetxml import cell_style, read_rows, recached
from .xmlwriter import plan_parts


def edited_parts(package: Package, edits: list[CellEdit]) -> dict[str, bytes | None]:
    """The sheet parts with the scenario's values in their cells.

    A cell that holds a formula is refused: its formula would overwrite the
    value at the next recalculation, so the scenario would not be the one in
    force. A formula that is only a default a user may type over (the derived
    unit cost) is replaced, as typing would; the sheet's Check then says so.
    """
    by_sheet: dict[str, dict[int, dict[int, object]]] = defaultdict(lambda: defaultdict(dict))
    replaceable: set[tuple[str, int, int]] = set()
    shown: set[tuple[str, int, int]] = set()
    for e in edits:
        by_sheet[e.sheet][e.row][e.col] = e.value
        if e.over_default:
            replaceable.add((e.sheet, e.row, e.col))
        if e.shown_only:
            shown.add((e.sheet, e.row, e.col))
    parts: dict[str, bytes | None] = {}
    for sheet, rows in by_sheet.items():
        part = package.sheet_part(sheet)
        xml = package.text(part)
        old = read_rows(xml, rows)
        formulas = [ref(r, c) for r, cols in rows.items() for c in cols
                    if "<f" in (old.get(r, {}).get(c) or "") and (sheet, r, c) not in replaceable | shown]
        if formulas:
            raise SettingsError(f"{sheet} sheet, cell {formulas[0]}: holds a formula, so a value written there would "
                                "not stay; put the value in the cell by hand, or change what the formula reads",
                                field="scenario", value=formulas[0], expected="a cell holding a value")
        patch = {r: {c: _written(old.get(r, {}).get(c), ref(r, c), v, (sheet, r, c) in replaceable)
                     for c, v in cols.items()} for r, cols in rows.items()}
        parts[part] = patch_rows(xml, patch).encode("utf-8")
    calc_on_load(package, parts)
    return parts


def _written(cell_xml: str | None, address: str, value: object, replace: bool) -> str:
    """The cell with the scenario's value: a replaceable default formula gives way to the value, as typing would."""
    if replace:
        return value_cell(address, cell_style(cell_xml) if cell_xml else None, value, shorten=True)
    return recached(cell_xml, address, value)


def apply_scenario(path: str | Path, scenario: Scenario, stamp: str | None = None,
                   backup: bool = True, today: dt.date | None = None, by: str = "") -> AssignResult:
    """Write a scenario's settings into the book and assign tiers there, as one save under the book's lock.

    ``today`` and ``by`` as for :func:`~.assign.assign`.
    """
    start = time.perf_counter()
    path = Path(path)
    stamp = stamp or now_stamp()
    with book_lock(path):
        check_writable(path)
        package = Package.open(path)
        settings_parts = edited_parts(package, cell_edits(read_book(package), scenario))
        changed = Package.open(path, package.to_bytes(settings_parts))
        book = read_book(changed)
        result = run_book(book, today)
        plan = with_scenario_history(plan_assign(book, result, stamp, by), scenario.name)
        final = {**settings_parts, **plan_parts(plan, changed)}
        final = {k: v for k, v in final.items() if v != package.data.get(k)}
        save_package(package, final, path, backup=backup)
    return AssignResult(path=path, run=result, plan=plan, stamp=stamp, seconds=time.perf_counter() - start,
                        backup=backup_path(path) if backup else None)


def write_scenarios_sheet(path: str | Path, make_plan: Callable[[Book], AssignPlan], backup: bool = True) -> AssignPlan:
    """Write the plan ``make_plan`` makes of the book, read under its lock (the Scenarios sheet's tables), in one save.

    Only the parts the plan fills change (the Scenarios sheet, and the flag
    that has Excel recalculate on opening); Accounts, Capacity and Tier
    History are never among them.
    """
    path = Path(path)
    with book_lock(path):
        check_writable(path)
        package = Package.open(path)
        plan = make_plan(read_book(package))
        save_package(package, plan_parts(plan, package), path, backup=backup)
    return plan


__all__ = ["apply_scenario", "edited_parts", "write_scenarios_sheet"]
