"""Whether tiers, FTE and Capacity are out of date, said by a formula that holds without Python.

Tiers, FTE, the capacity plan and the Pareto curve come from the last Assign
Tiers run; everything else is a live formula. Start's ``RunInputs`` table
holds one checksum per input of those figures (Settings, Tiers, Roles,
Services hours, Matrix intervals, the Accounts ARR and count, ...): the value
at the last run, written by Assign Tiers, and the value now, a formula over
the same cells. When one differs, Start, Summary and Capacity say so.

A checksum is a sum the formula and Python compute alike: each column of a
small table adds column x (row x number + row x text length) over its cells,
so a value changed, moved to another row or swapped with another counts; the
Accounts count by plain SUM and COUNTA over whole columns (sorting the table
changes nothing the engine computes). Python reads the same cells
(:func:`input_values`), so the formula's figure is known in advance.

What a run writes: the ``At Last Run`` values of ``RunInputs`` (one number
per :func:`input_areas` item, :func:`last_run_values_now`), computed from the
book as it was read for the run; the plan (:mod:`.plan`) carries them, and
the figures of the Now and Changed formulas and of the notices
(:func:`freshness_cells`), to both writers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..columns import Col, ServiceCol
from ..engine.dates import excel_serial
from ..engine.reading import excel_error
from .cells import area, column_ref, ref, sheet_ref
from .formulas import SERVICE_COLUMNS, Cells, Geometry
from .layout import (
    STALE_CELLS,
    InputCol,
    Quadrants,
    RoleCol,
    RuleCol,
    ScoreCol,
    SegmentGridCol,
    SegmentMapCol,
    SettingCol,
    Sheet,
    Tables,
    TierCol,
)
from ..errors import WorkbookError
from .read import Book
from .source import Grid

Written = dict[tuple[str, int, int], object]
"""(sheet, row, column) -> a value a plan writes into an input table."""

STALE = "Capacity and tiers are out of date: press Assign Tiers"
CHANGED = "changed"
SPAN = 1000
"""Rows below a small table's header that its checksum reads."""
TOLERANCE = 1e-9
"""Relative difference under which a checksum counts as unchanged (sums add in another order)."""
FORMULA_ONLY_SETTINGS = ("margin_pct", "margin_method", "pooled_split", "currency", "cs_budget")
"""Settings only the live formulas use: changing them leaves tiers and capacity as they are."""

WEIGHTED, SUM, COUNT = "weighted", "sum", "count"


@dataclass(frozen=True)
class Area:
    """One column of cells a checksum reads: rows ``first``..``last`` of a small table, or a whole column."""

    sheet: str
    col: int
    kind: str = WEIGHTED
    first: int = 0
    last: int = 0
    key_col: int = 0
    """Settings: the key column, whose formula-only keys are left out."""


def _table(place, headers: tuple[str, ...], columns: tuple[str, ...]) -> list[Area]:  # type: ignore[no-untyped-def]
    return [Area(place.sheet, place.col + headers.index(h), WEIGHTED, place.row + 1, place.row + SPAN)
            for h in columns]


def _grid_names() -> list[Area]:
    """The segment grid's names: its four rows only, since the 2 x 2 picture (formulas) sits below them."""
    p = Tables.SEGMENT_GRID
    return [Area(p.sheet, p.col + SegmentGridCol.ALL.index(SegmentGridCol.SEGMENT), WEIGHTED, p.row + 1,
                 p.row + len(Quadrants.GRID_ORDER))]


def _tiers(geo: Geometry) -> list[Area]:
    """The Tiers table, less the last tier's shares: formulas (what the others leave), not inputs.

    A book saved by a program that drops cached results (openpyxl) has them
    blank until a spreadsheet recalculates, so reading them would differ.
    """
    p = Tables.TIERS
    shares = (TierCol.ACCOUNT_SHARE, TierCol.ARR_SHARE)
    out = [a for a in _table(p, TierCol.ALL, TierCol.ALL) if TierCol.ALL[a.col - p.col] not in shares]
    if len(geo.tiers) > 1:
        out += [Area(p.sheet, p.col + TierCol.ALL.index(h), WEIGHTED, p.row + 1, p.row + len(geo.tiers) - 1)
                for h in shares]
    return out


def input_areas(geo: Geometry) -> list[tuple[str, list[Area]]]:
    """The inputs of the Python-only figures, as (label, cells) in the RunInputs table's order."""
    st = Tables.SETTINGS
    settings = Area(st.sheet, st.col + SettingCol.ALL.index(SettingCol.VALUE), WEIGHTED, st.row + 1, st.row + SPAN,
                    key_col=st.col + SettingCol.ALL.index(SettingCol.KEY))
    services = _table(Tables.SERVICES, SERVICE_COLUMNS,
                      (ServiceCol.SERVICE, ServiceCol.OWNER_ROLE, ServiceCol.HOURS, ServiceCol.ALLOCATION))
    mp = Tables.MATRIX
    matrix = [Area(mp.sheet, geo.mcol(h), WEIGHTED, mp.row + 1, mp.row + SPAN)
              for h in (ServiceCol.SERVICE, *geo.tiers)]
    accounts = Sheet.ACCOUNTS
    count = [Area(accounts, geo.account_cols[h], COUNT) for h in (Col.ACCOUNT_ID,) if h in geo.account_cols]
    arr = [Area(accounts, geo.account_cols[Col.ARR], SUM)] if Col.ARR in geo.account_cols else []
    overrides = [Area(accounts, geo.account_cols[h], COUNT) for h in (Col.TIER_OVERRIDE, Col.OVERRIDE_REASON)
                 if h in geo.account_cols]
    return [
        ("Settings", [settings]),
        ("Tiers", _tiers(geo)),
        ("Roles", _table(Tables.ROLES, RoleCol.ALL, RoleCol.ALL)),
        ("Score criteria", _table(Tables.SCORE, ScoreCol.ALL, ScoreCol.ALL)),
        ("Segments", _grid_names()
         + _table(Tables.SEGMENT_MAP, SegmentMapCol.ALL, (SegmentMapCol.SEGMENT, SegmentMapCol.TIER))),
        ("Tier rules", _table(Tables.RULES, RuleCol.ALL, (RuleCol.COLUMN, RuleCol.OPERATOR, RuleCol.VALUE, RuleCol.AND,
                                                                   RuleCol.TIER))),
        ("Services (owner, hours, allocation)", services),
        ("Matrix intervals", matrix),
        ("Accounts", count),
        ("Accounts ARR", arr),
        ("Tier overrides", overrides),
    ]


# ------------------------------------------------------------------ formulas
def _term(a: Area) -> str:
    if a.kind == SUM:
        return f"SUM({sheet_ref(a.sheet, column_ref(a.col))})"
    if a.kind == COUNT:
        return f"COUNTA({sheet_ref(a.sheet, column_ref(a.col))})"
    cells = sheet_ref(a.sheet, area(a.first, a.col, a.last, a.col, True))
    rows = f"ROW({cells})"
    if a.key_col:
        keys = sheet_ref(a.sheet, area(a.first, a.key_col, a.last, a.key_col, True))
        rows += "".join(f'*({keys}<>"{k}")' for k in FORMULA_ONLY_SETTINGS)
    return f"{a.col}*(SUMPRODUCT({rows},{cells})+SUMPRODUCT({rows}*ISTEXT({cells})*LEN({cells})))"


def _row(i: int) -> int:
    return Tables.RUN_INPUTS.row + 1 + i


def _col(header: str) -> int:
    return Tables.RUN_INPUTS.col + InputCol.ALL.index(header)


# ------------------------------------------------------------- Python's sums
def _number(value: object) -> float:
    """What SUMPRODUCT takes from a cell: numbers and dates; text, logicals and blanks add nothing."""
    if isinstance(value, bool) or value is None:
        return 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return excel_serial(value)
    return 0.0


_NUMBERS = (float, int)
_PLAIN = (float, int, str, type(None))


def _text_length(value: object) -> int:
    return len(value) if isinstance(value, str) and excel_error(value) is None else 0


def _cell(grid: Grid, r: int, c: int) -> object:
    return grid[r - 1][c - 1] if r - 1 < len(grid) and c - 1 < len(grid[r - 1]) else None


def _sum(grid: Grid, a: Area) -> float:
    if a.kind in (SUM, COUNT):  # a whole column: a million cells at Excel's last row
        c = a.col - 1
        values = [row[c] for row in grid if c < len(row)]
        if a.kind == COUNT:
            return float(len(values) - values.count(None) - values.count(""))
        if all(type(v) in _PLAIN for v in values):  # numbers, text or blanks only: add the numbers
            return float(sum([float(v) for v in values if type(v) in _NUMBERS]))
        return float(sum(map(_number, values)))
    skip = {k.casefold() for k in FORMULA_ONLY_SETTINGS}
    total = 0.0
    for r in range(a.first, min(a.last, len(grid)) + 1):
        if a.key_col and str(_cell(grid, r, a.key_col) or "").casefold() in skip:
            continue
        value = _cell(grid, r, a.col)
        total += r * _number(value) + r * _text_length(value)
    return a.col * total


def input_values(geo: Geometry, grids: dict[str, Grid]) -> list[float]:
    """Each input's checksum, from the sheets' values (``grids``: sheet -> rows from A1)."""
    return [sum(_sum(grids.get(a.sheet, []), a) for a in areas) for _, areas in input_areas(geo)]


def changed(last: object, now: float) -> bool:
    if not isinstance(last, (int, float)) or isinstance(last, bool):
        return True
    return abs(now - float(last)) > TOLERANCE * max(1.0, abs(float(last)))


# ------------------------------------------------------------------- cells
def input_cells(geo: Geometry, now: list[float] | None = None, last: list[object] | None = None) -> Cells:
    """The Now and Changed formulas of RunInputs, with their figures when ``now`` and ``last`` are given."""
    out: Cells = {}
    for i, (_, areas) in enumerate(input_areas(geo)):
        r = _row(i)
        formula = "+".join(_term(a) for a in areas) or "0"
        then, live = ref(r, _col(InputCol.LAST_RUN)), ref(r, _col(InputCol.NOW))
        out[(r, _col(InputCol.NOW))] = (formula, now[i] if now is not None else None)
        flag = None
        if now is not None and last is not None:
            flag = CHANGED if changed(last[i], now[i]) else ""
        out[(r, _col(InputCol.CHANGED))] = (
            f'IF(AND(ISNUMBER({then}),ISNUMBER({live})),IF(ABS({live}-{then})>{TOLERANCE}*MAX(1,ABS({then})),'
            f'"{CHANGED}",""),"{CHANGED}")', flag)
    return out


def stale_cells(geo: Geometry, stale: bool | None = None) -> dict[str, Cells]:
    """Per sheet (Start, Summary, Capacity): the cell that says when tiers and capacity are out of date."""
    n = len(input_areas(geo))
    flags = sheet_ref(Sheet.START, area(_row(0), _col(InputCol.CHANGED), _row(n - 1), _col(InputCol.CHANGED), True))
    figure = None if stale is None else (STALE if stale else "")
    return {sheet: {(r, c): (f'IF(COUNTIF({flags},"{CHANGED}")>0,"{STALE}","")', figure)}
            for sheet, r, c in STALE_CELLS}


def last_run_cells(geo: Geometry, now: list[float]) -> dict[tuple[int, int], object]:
    """The At Last Run cells of RunInputs, by (row, column), holding the checksums ``now``."""
    return {(_row(i), _col(InputCol.LAST_RUN)): value for i, value in enumerate(now)}


def last_run_values(geo: Geometry, start: Grid) -> list[object]:
    """The At Last Run values the book holds (``start``: the Start sheet's grid)."""
    return [_cell(start, _row(i), _col(InputCol.LAST_RUN)) for i in range(len(input_areas(geo)))]


def labels(geo: Geometry) -> list[str]:
    return [label for label, _ in input_areas(geo)]


def _grids(book: Book, geo: Geometry, written: Written | None = None) -> dict[str, Grid]:
    """The sheets the checksums read, from the book's source; a sheet the book lacks reads as empty.

    ``written``: (sheet, row, column) -> a value the plan puts into an input
    table (the segments Assign Tiers lists), counted as if it were there already.
    """
    grids: dict[str, Grid] = {}
    for sheet in {a.sheet for _, areas in input_areas(geo) for a in areas} | {Sheet.START}:
        try:
            grids[sheet] = book.source.grid(sheet)
        except WorkbookError:  # a book made before the sheet existed: nothing there to change
            grids[sheet] = []
    copied: set[str] = set()
    for (sheet, r, c), value in (written or {}).items():
        if sheet not in grids:
            continue
        if sheet not in copied:  # the source's own grid is never changed
            grids[sheet], copied = [list(row) for row in grids[sheet]], copied | {sheet}
        grid = grids[sheet]
        grid.extend([] for _ in range(r - len(grid)))
        grid[r - 1].extend([None] * (c - len(grid[r - 1])))
        grid[r - 1][c - 1] = value
    return grids


def has_inputs_table(book: Book) -> bool:
    """Whether the book has Start's RunInputs table (a book made before it did not: those cells are the user's)."""
    return book.source.has_table(Tables.RUN_INPUTS.table)


def last_run_values_now(book: Book, geo: Geometry, written: Written | None = None) -> list[float]:
    """The checksums of the inputs as the book holds them after the run's own input cells: At Last Run."""
    return input_values(geo, _grids(book, geo, written))


def freshness_cells(book: Book, geo: Geometry, rerun: bool, written: Written | None = None,
                    now: Sequence[float] | None = None) -> dict[str, Cells]:
    """Per sheet, the formulas' figures: Now and Changed on Start, and the out-of-date notices.

    ``rerun``: the book was re-tiered (Assign Tiers, a new book), so its
    inputs are those of the last run from now on (At Last Run becomes Now);
    a refresh of cached results alone (after ``tierbook settings``) leaves
    At Last Run as it was, and the book says it is out of date if an input
    of the Python figures moved. ``now``: the checksums, when the caller
    has them already (:func:`last_run_values_now`: a full Accounts sheet's
    columns are added up once).
    """
    grids = _grids(book, geo, written)
    now = input_values(geo, grids) if now is None else list(now)
    last: list[object] = list(now) if rerun and has_inputs_table(book) else last_run_values(geo, grids[Sheet.START])
    stale = any(changed(then, live) for then, live in zip(last, now))
    out = stale_cells(geo, stale)
    out[Sheet.START] = {**out.get(Sheet.START, {}), **input_cells(geo, now, last)}
    return out


__all__ = ["STALE", "freshness_cells", "has_inputs_table", "input_cells", "input_values", "labels", "last_run_cells",
           "last_run_values", "last_run_values_now", "stale_cells"]
