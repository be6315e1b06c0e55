"""Read a Tierbook workbook: its Settings, catalog and matrix, and its accounts.

Values come from the cells' stored results (python-calamine, fast); where the
tables are comes from the tables' own XML. Every problem is reported with the
sheet, row, column and value a user can go and fix.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..engine.accounts import clean_text
from ..engine.settings import Rule, Settings
from ..errors import SettingsError, WorkbookError
from ..layout import (
    WORKBOOK_OUTPUT_COLUMNS,
    Col,
    MatrixCol,
    Place,
    RoleCol,
    RuleCol,
    ScoreCol,
    SegmentGridCol,
    SegmentMapCol,
    ServiceCol,
    SettingCol,
    TierCol,
    Tables,
    header_key,
)
from . import text
from .package import Package, TableInfo

Grid = list[list[object]]

if TYPE_CHECKING:  # python-calamine is imported only where a file is read (not inside xlwings Lite)
    from python_calamine import CalamineWorkbook


@dataclass
class TableData:
    """A table's data rows as read: header -> values, and the sheet row of each."""

    info: TableInfo
    headers: list[str]
    rows: list[list[object]]
    first_row: int

    def column(self, header: str) -> list[object]:
        j = self.headers.index(header)
        return [r[j] if j < len(r) else "" for r in self.rows]

    def where(self, i: int, header: str, value: object) -> str:
        """'Settings sheet, row 7, column Value (value 'x')' for data row i."""
        shown = "blank" if _blank(value) else repr(value)
        return f"{self.info.sheet} sheet, table {self.info.name}, row {self.first_row + i}, column {header!r} ({shown})"


@dataclass
class Book:
    """A workbook as the engine needs it, and where its account rows are."""

    package: Package
    settings: Settings
    catalog: pd.DataFrame
    matrix: pd.DataFrame
    services: list[tuple[int, str]]
    service_rows: list[int]
    accounts: pd.DataFrame
    account_table: TableInfo
    account_cols: dict[str, int]
    first_row: int
    old_ids: np.ndarray
    old_tier: np.ndarray
    old_previous: np.ndarray
    old_segment: np.ndarray
    old_reason: np.ndarray
    grids: dict[str, Grid] = field(default_factory=dict, repr=False)

    @property
    def n_accounts(self) -> int:
        return len(self.accounts)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "") or (
        isinstance(value, float) and math.isnan(value))


def open_values(package: Package) -> CalamineWorkbook:
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(package.raw))
    except Exception as exc:  # calamine's own error types
        raise WorkbookError(f"{package.path.name}: cannot read the workbook's cells ({exc})") from exc


def sheet_grid(book: CalamineWorkbook, sheet: str) -> Grid:
    try:
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:
        raise WorkbookError(f"cannot read sheet {sheet!r} ({exc})") from exc


def table_data(package: Package, grids: dict[str, Grid], values: CalamineWorkbook | None, place: Place,
               extend: bool = False, ignore: tuple[str, ...] = ()) -> TableData:
    """The data rows of one table; with ``extend``, rows pasted below the table's range count too.

    A table's Total Row is never data. Below a Total Row nothing is read, so
    rows pasted right under it are refused rather than dropped.
    """
    info = package.table(place.table, place.sheet)
    if info.sheet not in grids:
        if values is None:
            raise WorkbookError(f"the values of sheet {info.sheet!r} were not sent; it holds table {info.name}")
        grids[info.sheet] = sheet_grid(values, info.sheet)
    grid = grids[info.sheet]
    r1, c1, r2, c2 = info.bounds
    width = c2 - c1 + 1
    skip = {j for j, h in enumerate(info.columns) if h in ignore}

    def cells(r: int) -> list[object]:
        row = grid[r - 1][c1 - 1:c2] if r - 1 < len(grid) else []
        return list(row) + [""] * (width - len(row))

    if extend and info.totals:
        below = cells(r2 + 1)
        if any(not _blank(v) for j, v in enumerate(below) if j not in skip):
            raise WorkbookError(
                f"{info.sheet} sheet, row {r2 + 1}: data below table {info.name}'s Total Row (row {r2}), outside "
                "the table; extend the table over it (or turn off the Total Row under Table Design), then run again")
    last = len(grid) if extend and not info.totals else min(info.last_data_row, len(grid))
    rows = [cells(r) for r in range(r1 + 1, last + 1)]
    # Trailing rows with nothing in them (outside the ignored columns) are not data.
    n = len(rows)
    while n and all(_blank(v) for j, v in enumerate(rows[n - 1]) if j not in skip):
        n -= 1
    return TableData(info, list(info.columns), rows[:n], r1 + 1)


def _kept(table: TableData, key_header: str) -> list[int]:
    """Row indexes whose key cell is filled."""
    return [i for i, v in enumerate(table.column(key_header)) if not _blank(v)]


def _number(table: TableData, i: int, header: str, value: object, allow_blank: bool = False) -> float | None:
    if _blank(value):
        if allow_blank:
            return None
        raise SettingsError(f"{table.where(i, header, value)}: expected a number, the cell is blank")
    if isinstance(value, bool):
        raise SettingsError(f"{table.where(i, header, value)}: expected a number")
    if isinstance(value, (int, float)):
        return float(value)
    parsed = parse_number(str(value))
    if parsed is None:
        raise SettingsError(f"{table.where(i, header, value)}: expected a number")
    return parsed


def parse_number(text_value: str) -> float | None:
    """'30%' -> 0.3, '1,000' -> 1000.0, 'abc' -> None."""
    t = text_value.strip().replace(",", "").replace("_", "")
    scale = 1.0
    if t.endswith("%"):
        t, scale = t[:-1].strip(), 0.01
    try:
        value = float(t) * scale
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_settings(package: Package, values: CalamineWorkbook, grids: dict[str, Grid]) -> Settings:
    """Settings from the Settings, Segments and Tier Rules sheets; errors name the cell."""
    where: dict[str, str] = {}
    kwargs: dict[str, object] = {}
    # Key/value table.
    kv = table_data(package, grids, values, Tables.SETTINGS)
    keys = kv.column(SettingCol.KEY)
    vals = kv.column(SettingCol.VALUE)
    for i, (key, value) in enumerate(zip(keys, vals)):
        if _blank(key):
            continue
        name = str(key).strip()
        loc = kv.where(i, SettingCol.VALUE, value)
        if name not in text.SCALAR_KEYS:
            raise SettingsError(f"{kv.where(i, SettingCol.KEY, key)}: {name!r} is not a setting; the settings are "
                                + ", ".join(text.SCALAR_KEYS))
        kwargs[name] = convert_setting(name, value, loc)
        where[name] = loc
    # Tiers.
    tiers = table_data(package, grids, values, Tables.TIERS)
    kept = _kept(tiers, TierCol.TIER)
    names = [str(tiers.column(TierCol.TIER)[i]).strip() for i in kept]
    kwargs["tier_names"] = tuple(names)
    span = f"{tiers.info.sheet} sheet, table {tiers.info.name}"
    where["tier_names"] = span
    for field_name, header in (("account_bands", TierCol.ACCOUNT_SHARE), ("arr_bands", TierCol.ARR_SHARE),
                               ("score_cutoffs", TierCol.SCORE_CUTOFF)):
        column = tiers.column(header)
        kwargs[field_name] = tuple(_number(tiers, i, header, column[i]) for i in kept[:-1])
        where[field_name] = f"{span}, column {header!r}"
    ranges = []
    lows, highs = tiers.column(TierCol.COVERAGE_LOW), tiers.column(TierCol.COVERAGE_HIGH)
    for i in kept:
        low = _number(tiers, i, TierCol.COVERAGE_LOW, lows[i], allow_blank=True)
        if low is None:
            break
        ranges.append((low, _number(tiers, i, TierCol.COVERAGE_HIGH, highs[i], allow_blank=True)))
    kwargs["coverage_ranges"] = tuple(ranges)
    where["coverage_ranges"] = f"{span}, columns {TierCol.COVERAGE_LOW!r} and {TierCol.COVERAGE_HIGH!r}"
    # Roles.
    roles = table_data(package, grids, values, Tables.ROLES)
    hours, cost, heads = {}, {}, {}
    for i in _kept(roles, RoleCol.ROLE):
        role = str(roles.column(RoleCol.ROLE)[i]).strip()
        for target, header, name in ((hours, RoleCol.PRODUCTIVE_HOURS, "productive_hours"),
                                     (cost, RoleCol.LOADED_COST, "loaded_cost"), (heads, RoleCol.HEADCOUNT, "headcount")):
            value = roles.column(header)[i]
            target[role] = _number(roles, i, header, value)
            where[f"{name}[{role!r}]"] = roles.where(i, header, value)
    kwargs.update(productive_hours=hours, loaded_cost=cost, headcount=heads)
    csm_role = kwargs.get("csm_role")
    if csm_role is not None and csm_role not in hours:
        raise SettingsError(f"{where['csm_role']}: csm_role {csm_role!r} is not a role of the Roles table; "
                            "expected one of " + ", ".join(hours))
    # Score criteria.
    score = table_data(package, grids, values, Tables.SCORE)
    criteria = []
    for i in _kept(score, ScoreCol.CRITERION):
        criteria.append((str(score.column(ScoreCol.CRITERION)[i]).strip(),
                         _number(score, i, ScoreCol.WEIGHT, score.column(ScoreCol.WEIGHT)[i])))
    kwargs["score_criteria"] = tuple(criteria)
    where["score_criteria"] = f"{score.info.sheet} sheet, table {score.info.name}"
    # Segments.
    grid = table_data(package, grids, values, Tables.SEGMENT_GRID)
    order = {("large", "large"): 0, ("small", "large"): 1, ("large", "small"): 2, ("small", "small"): 3}
    seg_names: list[str | None] = [None] * 4
    for i in _kept(grid, SegmentGridCol.SEGMENT):
        key = (str(grid.column(SegmentGridCol.SIZE)[i]).strip().lower(), str(grid.column(SegmentGridCol.CONTRACT)[i]).strip().lower())
        if key not in order:
            raise SettingsError(f"{grid.where(i, SegmentGridCol.SIZE, grid.column(SegmentGridCol.SIZE)[i])}: "
                                "company size and contract value must each be 'large' or 'small'")
        seg_names[order[key]] = str(grid.column(SegmentGridCol.SEGMENT)[i]).strip()
    if any(n is None for n in seg_names):
        raise SettingsError(f"{grid.info.sheet} sheet, table {grid.info.name}: name all four segments "
                            "(large/small company x large/small contract)")
    kwargs["segment_names"] = tuple(seg_names)  # type: ignore[arg-type]
    where["segment_names"] = f"{grid.info.sheet} sheet, table {grid.info.name}"
    smap = table_data(package, grids, values, Tables.SEGMENT_MAP)
    mapping = {}
    for i in _kept(smap, SegmentMapCol.SEGMENT):
        segment = str(smap.column(SegmentMapCol.SEGMENT)[i]).strip()
        tier = smap.column(SegmentMapCol.TIER)[i]
        mapping[segment] = "" if _blank(tier) else str(tier).strip()
        where[f"segment_tiers[{segment!r}]"] = smap.where(i, SegmentMapCol.TIER, tier)
    kwargs["segment_tiers"] = mapping
    # Rules.
    rules_t = table_data(package, grids, values, Tables.RULES)
    rules = []
    for n, i in enumerate(_kept(rules_t, RuleCol.COLUMN), start=1):
        cells = {h: rules_t.column(h)[i] for h in RuleCol.ALL}
        loc = rules_t.where(i, RuleCol.OPERATOR, cells[RuleCol.OPERATOR])
        value = cells[RuleCol.VALUE]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str):
            value = value.strip()
        try:
            rules.append(Rule(str(cells[RuleCol.COLUMN]).strip(), str(cells[RuleCol.OPERATOR]).strip(), value,
                              "" if _blank(cells[RuleCol.TIER]) else str(cells[RuleCol.TIER]).strip()))
        except SettingsError as exc:
            raise SettingsError(f"{loc}: {exc}") from None
        where[f"rule {n} "] = rules_t.where(i, RuleCol.TIER, cells[RuleCol.TIER])
    kwargs["rules"] = tuple(rules)
    return make_settings(kwargs, where)


def convert_setting(name: str, value: object, loc: str) -> object:
    """A Settings key/value cell as the typed value of that field."""
    if _blank(value):
        raise SettingsError(f"{loc}: {name} is blank; " + _allowed(name))
    if name in text.NUMBER_KEYS:
        number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else parse_number(str(value))
        if number is None:
            raise SettingsError(f"{loc}: {name} must be a number; " + _allowed(name))
        return number
    result = str(value).strip()
    if name in text.CHOICES and result not in text.CHOICES[name]:
        folded = {c.casefold(): c for c in text.CHOICES[name]}
        if result.casefold() in folded:
            return folded[result.casefold()]
        raise SettingsError(f"{loc}: {name} {result!r} is not allowed; " + _allowed(name))
    return result


def _allowed(name: str) -> str:
    if name in text.CHOICES:
        return "expected one of " + ", ".join(text.CHOICES[name])
    if name == "margin_pct":
        return "expected a share such as 0.3 or 30%"
    if name in text.NUMBER_KEYS:
        return "expected a number of 0 or more"
    return "expected " + text.MEANING[name][0].lower() + text.MEANING[name][1:]


def make_settings(kwargs: dict[str, object], where: dict[str, str]) -> Settings:
    """Settings(**kwargs); a SettingsError is prefixed with the cell it came from."""
    try:
        return Settings(**kwargs)  # type: ignore[arg-type]
    except SettingsError as exc:
        message = str(exc)
        found = [k for k in where if message.startswith(k) and (
            k.endswith(" ") or len(message) == len(k) or not (message[len(k)].isalnum() or message[len(k)] == "_"))]
        if not found:
            raise
        raise SettingsError(f"{where[max(found, key=len)]}: {message}") from None


def read_catalog(package: Package, values: CalamineWorkbook, grids: dict[str, Grid]) -> tuple[pd.DataFrame, list[int]]:
    t = table_data(package, grids, values, Tables.SERVICES)
    missing = [h for h in ServiceCol.ALL if h not in t.headers]
    if missing:
        raise WorkbookError(f"{t.info.sheet} sheet, table {t.info.name}: missing column " + ", ".join(map(repr, missing)))
    rows = []
    for i in _kept(t, ServiceCol.SERVICE):
        record = {h: t.column(h)[i] for h in ServiceCol.ALL}
        for h in (ServiceCol.UNIT_COST, ServiceCol.HOURS):
            record[h] = _number(t, i, h, record[h])
            if record[h] < 0:  # type: ignore[operator]
                raise SettingsError(f"{t.where(i, h, record[h])}: expected 0 or more")
        record[ServiceCol.MARGIN_OVERRIDE] = _number(t, i, ServiceCol.MARGIN_OVERRIDE, record[ServiceCol.MARGIN_OVERRIDE], True)
        allocation = str(record[ServiceCol.ALLOCATION]).strip().lower()
        from ..layout import Allocation

        if allocation not in Allocation.ALL:
            raise SettingsError(f"{t.where(i, ServiceCol.ALLOCATION, record[ServiceCol.ALLOCATION])}: expected "
                                + " or ".join(Allocation.ALL))
        record[ServiceCol.ALLOCATION] = allocation
        for h in (ServiceCol.SERVICE, ServiceCol.DEFINITION, ServiceCol.DELIVERY, ServiceCol.OWNER_ROLE):
            record[h] = "" if _blank(record[h]) else str(record[h]).strip()
        rows.append(record)
    frame = pd.DataFrame(rows, columns=list(ServiceCol.ALL))
    frame[ServiceCol.MARGIN_OVERRIDE] = frame[ServiceCol.MARGIN_OVERRIDE].astype(float)
    return frame, [t.first_row + i for i in _kept(t, ServiceCol.SERVICE)]


def read_matrix(package: Package, values: CalamineWorkbook, grids: dict[str, Grid],
                tiers: tuple[str, ...]) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    t = table_data(package, grids, values, Tables.MATRIX)
    by_key = {h.strip().casefold(): h for h in t.headers}
    absent = [x for x in tiers if x.strip().casefold() not in by_key]
    if absent:
        raise SettingsError(f"{t.info.sheet} sheet, table {t.info.name}: no interval column for tier "
                            + ", ".join(map(repr, absent)) + " (the Matrix's tier columns must carry the tier names "
                            "of the Settings sheet's Tiers table)")
    kept = _kept(t, MatrixCol.SERVICE)
    services = [(t.first_row + i, str(t.column(MatrixCol.SERVICE)[i]).strip()) for i in kept]
    data = {}
    for tier in tiers:
        header = by_key[tier.strip().casefold()]
        column = t.column(header)
        out = []
        for i in kept:
            v = _number(t, i, header, column[i], allow_blank=True)
            if v is not None and v < 0:
                raise SettingsError(f"{t.where(i, header, column[i])}: expected times a year, 0 or more")
            out.append(0.0 if v is None else v)
        data[tier] = out
    return pd.DataFrame(data, index=pd.Index([s for _, s in services], name=ServiceCol.SERVICE)), services


def read_book(package: Package, values: CalamineWorkbook | None = None,
              grids: dict[str, Grid] | None = None) -> Book:
    """Everything Assign Tiers needs from a workbook.

    Cell values come from ``grids`` (sheet -> rows from A1) where given, as
    Excel hands them to an xlwings script; otherwise from the file's stored
    results.
    """
    if grids is None:
        values = values or open_values(package)
        grids = {}
    settings = read_settings(package, values, grids)
    catalog, service_rows = read_catalog(package, values, grids)
    matrix, services = read_matrix(package, values, grids, settings.tier_names)
    unknown = [s for _, s in services if s not in set(catalog[ServiceCol.SERVICE])]
    if unknown:
        raise SettingsError(f"Matrix sheet: service {unknown[0]!r} is not in the Services sheet's catalog")
    owned = set(WORKBOOK_OUTPUT_COLUMNS)
    table = table_data(package, grids, values, Tables.ACCOUNTS, extend=True, ignore=tuple(owned))
    info = table.info
    r1, c1, _, _ = info.bounds
    canonical = {header_key(h): h for h in WORKBOOK_OUTPUT_COLUMNS}
    account_cols: dict[str, int] = {}
    for j, header in enumerate(table.headers):
        name = canonical.get(header_key(header), header)
        account_cols[name] = c1 + j
    missing = [h for h in WORKBOOK_OUTPUT_COLUMNS if h not in account_cols]
    if missing:
        raise WorkbookError(f"Accounts sheet, table {info.name}: missing column " + ", ".join(map(repr, missing))
                            + "; Assign Tiers writes its results there (add the column back to the table)")
    keep = [j for j, h in enumerate(table.headers) if canonical.get(header_key(h)) not in owned or canonical.get(header_key(h)) == Col.TIER]
    frame = pd.DataFrame([[row[j] for j in keep] for row in table.rows],
                         columns=[table.headers[j] for j in keep], dtype=object)
    if frame.empty:
        frame = pd.DataFrame({h: pd.Series(dtype=object) for h in frame.columns})
    old = _old_cells(table)
    return Book(package=package, settings=settings, catalog=catalog, matrix=matrix, services=services,
                service_rows=service_rows,
                accounts=frame, account_table=info, account_cols=account_cols, first_row=r1 + 1,
                old_ids=old(Col.ACCOUNT_ID), old_tier=old(Col.TIER), old_previous=old(Col.PREVIOUS_TIER),
                old_segment=old(Col.SEGMENT), old_reason=old(Col.TIER_REASON), grids=grids)


def _old_cells(table: TableData) -> Callable[[str], np.ndarray]:
    """A reader of what the rows hold now, by column: each row's Account ID next to its last outputs.

    The ID and the outputs come from the same row, so the engine can pair
    each account's last tier with its new one by Account ID
    (:func:`tierbook.engine.history.follow_tiers`).
    """
    keys = {header_key(h): j for j, h in reversed(list(enumerate(table.headers)))}

    def old(column: str) -> np.ndarray:
        j = keys.get(header_key(column))
        if j is None:
            return np.full(len(table.rows), pd.NA, dtype=object)
        return clean_text(pd.Series([row[j] for row in table.rows], dtype=object)).to_numpy(dtype=object)

    return old
