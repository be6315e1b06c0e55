"""Small, pure functions behind Tierbook's spreadsheet custom functions.

Each takes the plain values a spreadsheet passes (numbers, text, 2-D lists
with a header row) and returns plain values, raising a TierbookError with a
readable message when an argument is wrong. The Excel wrappers in
:mod:`tierbook.excel.functions` add only argument help and error display.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from .engine.reading import AMBIGUOUS, is_blank, read_number, read_numbers
from .engine.segments import segment_one
from .engine.services import default_catalog, service_prices, tier_costs, validate_catalog, validate_matrix
from .engine.settings import DEFAULT_SEGMENTS, DEFAULT_TIERS, MARGIN_METHODS, Settings
from .engine.tiers import arr_band_codes, tier_labels
from .errors import InputError, SettingsError
from .columns import ServiceCol, header_key

RangeValues = Sequence[Sequence[object]]


def _number(name: str, value: object, *, positive: bool = False, allow_blank: bool = False) -> float:
    """One argument read as the engine reads a cell ("12,5" is 12.5; "1,234" is refused as ambiguous)."""
    if is_blank(value):
        if allow_blank:
            return math.nan
        raise InputError(f"{name} is blank; expected a number")
    read = read_number(value, percent=True)
    if read.status == AMBIGUOUS:
        raise InputError(f"{name} is {value!r}, which reads as {read.value:g} or {read.other:g}; "
                         "write it without a thousands separator")
    if not read.ok or isinstance(value, bool):
        raise InputError(f"{name} is {value!r}; expected a number")
    number = float(read.value)  # type: ignore[arg-type]
    if not math.isfinite(number) or (positive and number <= 0):
        raise InputError(f"{name} is {value!r}; expected a number above 0" if positive else f"{name} is {value!r}")
    return number


def _text_list(name: str, value: object, default: tuple[str, ...]) -> tuple[str, ...]:
    """A list given as "a,b,c" or as a range of cells."""
    if value is None or value == "":
        return default
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",")]
    else:
        items = [str(v).strip() for row in _rows(value) for v in row if v not in (None, "")]
    if not items or any(not i for i in items):
        raise InputError(f"{name} is {value!r}; expected names separated by commas")
    return tuple(items)


def _rows(value: object) -> list[list[object]]:
    if isinstance(value, (list, tuple)):
        return [list(r) if isinstance(r, (list, tuple)) else [r] for r in value]
    return [[value]]


def segment(size: object, arr: object, size_threshold: object = 1_000, arr_threshold: object = 100_000,
            names: object = None) -> str:
    """The 2-D segment of one account; "Unknown" when size or ARR is missing."""
    settings = Settings(
        employee_threshold=_number("size_threshold", size_threshold, positive=True),
        arr_threshold=_number("arr_threshold", arr_threshold, positive=True),
        segment_names=_text_list("names", names, DEFAULT_SEGMENTS),
    )
    return segment_one(_number("size", size, allow_blank=True), _number("arr", arr, allow_blank=True), settings)


def tiers_for_arr(arr: RangeValues, policy: str = "arr-accounts", bands: object = None,
                  tier_names: object = None) -> list[list[str]]:
    """Tiers of a whole ARR column, one per cell, in the column's order.

    Ranks need the whole column at once, which per-row worksheet formulas can
    only do with an O(n^2) SUMIF; this returns the column in one call.
    """
    names = _text_list("tier_names", tier_names, DEFAULT_TIERS)
    policy = (policy or "arr-accounts").strip().lower()
    if policy not in ("arr-accounts", "arr-share"):
        raise SettingsError(f"policy is {policy!r}; expected arr-accounts or arr-share")
    settings = Settings(policy=policy).with_tiers(names)
    if bands not in (None, ""):
        shares = tuple(_number("bands", b) for b in _text_list("bands", bands, ()))
        field = "arr_bands" if policy == "arr-share" else "account_bands"
        settings = replace(settings, **{field: shares})
    cells = [row[0] if row else None for row in _rows(arr)]
    parsed = read_numbers(pd.Series(cells, dtype=object))
    ambiguous = np.flatnonzero(parsed.status == AMBIGUOUS)
    if ambiguous.size:
        i = int(ambiguous[0])
        raise InputError(f"arr_column: {cells[i]!r} (cell {i + 1}) reads as {parsed.values[i]:g} or "
                         f"{parsed.other[i]:g}; write it without a thousands separator")  # type: ignore[index]
    values = parsed.values
    codes, *_ = arr_band_codes(values, settings.bands, "share" if policy == "arr-share" else "accounts")
    return [[t] for t in tier_labels(codes, settings.tier_names)]


def annual_cost(unit_cost: object, interval: object) -> float:
    """Unit cost x times a year."""
    cost = _number("unit_cost", unit_cost)
    times = _number("interval", interval)
    if cost < 0 or times < 0:
        raise InputError("unit_cost and interval must be 0 or more")
    return cost * times


def assessed_value(cost: object, margin: object = 0.30, method: str = "markup") -> float:
    """Annual cost with margin: markup cost x (1 + m), or gross margin cost / (1 - m)."""
    method = (method or "markup").strip().lower()
    if method not in MARGIN_METHODS:
        raise SettingsError(f"method is {method!r}; expected " + " or ".join(MARGIN_METHODS))
    settings = Settings(margin_pct=_number("margin", margin), margin_method=method)
    return _number("cost", cost) * settings.margin_factor()


def _table(name: str, grid: RangeValues) -> pd.DataFrame:
    rows = _rows(grid)
    if len(rows) < 2:
        raise InputError(f"{name}: expected a header row and at least one row below it")
    header = [str(h).strip() for h in rows[0]]
    return pd.DataFrame([r + [None] * (len(header) - len(r)) for r in rows[1:]], columns=header).dropna(how="all")


def _canonical_catalog(grid: RangeValues) -> pd.DataFrame:
    table = _table("catalog", grid)
    keys = {header_key(c): c for c in ServiceCol.ALL}
    return table.rename(columns={c: keys.get(header_key(c), c) for c in table.columns})


def tier_cost_to_serve(tier: str, catalog: RangeValues, matrix: RangeValues, accounts: object = 1,
                       margin: object = None, method: str = "markup") -> float:
    """Annual cost to serve one account of a tier: its per-account services plus
    its equal share of the tier's pooled programmes (over ``accounts`` accounts).

    With ``margin`` given, returns the assessed value instead of the cost.
    """
    grid = _table("matrix", matrix)
    grid = grid.set_index(grid.columns[0])
    tiers = tuple(str(c) for c in grid.columns)
    settings = Settings().with_tiers(tiers)
    services = validate_catalog(_canonical_catalog(catalog), settings)
    if margin not in (None, ""):
        settings = replace(settings, margin_pct=_number("margin", margin), margin_method=(method or "markup").lower())
    if settings.tier_index(tier) is None:
        raise SettingsError(f"tier is {tier!r}; the matrix has " + ", ".join(tiers))
    name = tiers[settings.tier_index(tier)]  # type: ignore[index]
    count = _number("accounts", accounts, positive=True)
    costs = tier_costs(service_prices(services, validate_matrix(grid, services, settings), settings), settings)
    column = "value" if margin not in (None, "") else "cost"
    per_account = getattr(costs, f"per_account_{column}")[name]
    pooled = getattr(costs, f"pooled_{column}")[name]
    return float(per_account + pooled / count)


def default_catalog_grid() -> list[list[object]]:
    """The default catalog as a header row plus rows (for sample sheets)."""
    table = default_catalog()
    return [list(table.columns)] + table.astype(object).where(table.notna(), None).to_numpy().tolist()


__all__ = [
    "annual_cost",
    "assessed_value",
    "default_catalog_grid",
    "segment",
    "tier_cost_to_serve",
    "tiers_for_arr",
]
