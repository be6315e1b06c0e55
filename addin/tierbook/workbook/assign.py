"""Assign Tiers on a workbook file: read, run the engine, write only the parts Tierbook owns.

Owned: the Accounts output columns (Segment, Tier, Tier Reason, Previous
Tier, ARR Used, Cost to Serve, CTS % ARR) of the account rows and the
Accounts table's range; the Data Quality, Capacity and Tier History tables;
the last-run stamp on Start; Python's figures on Summary (FTE, Pareto) and the
cached results of the template's formulas; the workbook's recalc-on-load flag.
Every other part of the file is copied byte for byte. The Accounts cells
are written by :mod:`.account_cells`, a table's rows by
:func:`~.tables.fill_table`, the recalculation flags by :mod:`.calc`.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..engine.history import TierChanges, follow_tiers, history_rows
from ..engine.pipeline import Run, run
from ..errors import SettingsError, WorkbookError
from ..columns import (
    NEEDS_DATA,
    TOTAL,
    BudgetItem,
    CapacityCol,
    Col,
    CoverageCol,
    HistoryCol,
    PARETO_POINTS,
    ProblemCol,
    SummaryCol,
)
from .layout import InForceItem, Place, RunItem, Sheet, Tables
from .account_cells import accounts_parts
from .calc import calc_on_load, drop_calc_chain
from .cells import area, ref
from .checkcells import matrix_check_cells, services_check_cells, summary_check_cells
from .fingerprint import freshness_cells
from .formulas import Geometry, matrix_cells, services_cells, summary_cells, tiers_cells
from .package import Package, backup_path, book_lock, check_writable, save_package
from .read import Book, locate, open_values, read_book, table_data
from .sheetxml import patch_rows, read_rows, recached
from .tables import fill_table


@dataclass(frozen=True)
class AssignResult:
    path: Path
    run: Run
    accounts: int
    changes: int
    stamp: str
    seconds: float
    backup: Path | None


def geometry(book: Book) -> Geometry:
    return Geometry(tiers=book.settings.tier_names, account_cols=book.account_cols)


def run_book(book: Book) -> Run:
    """The engine's run on a book; a settings error found while tiering names the cell it comes from."""
    try:
        return run(book.accounts, book.settings, book.catalog, book.matrix, first_row=book.first_row,
                   catalog_rows=book.service_rows, matrix_rows=[r for r, _ in book.services])
    except SettingsError as exc:
        raise locate(exc, book.locations) from None


# ------------------------------------------------------------------ Accounts
def tier_changes(book: Book, result: Run) -> TierChanges:
    """Previous Tier and tier changes of this run, each account followed by its Account ID (engine rule)."""
    return follow_tiers(book.old_ids, book.old_tier, book.old_previous,
                        result.accounts.frame[Col.ACCOUNT_ID].to_numpy(dtype=object),
                        result.tiers.tier.to_numpy(dtype=object))


# ------------------------------------------------------------- owned tables
def _sheet_edit(parts: dict[str, bytes], package: Package, sheet: str) -> tuple[str, str]:
    part = package.sheet_part(sheet)
    return part, (parts[part].decode("utf-8") if part in parts else package.text(part))


def _set_if_changed(parts: dict[str, bytes], package: Package, part: str, xml: str) -> None:
    if xml.encode("utf-8") != package.data[part]:
        parts[part] = xml.encode("utf-8")
    else:
        parts.pop(part, None)


def capacity_tables(result: Run) -> tuple[tuple[Place, tuple[str, ...], pd.DataFrame], ...]:
    """The Capacity sheet's tables, their columns and what fills them."""
    return ((Tables.CAPACITY, CapacityCol.ALL_PLAN, result.capacity),
            (Tables.ROLE_GAPS, CapacityCol.ALL_ROLES, result.roles),
            (Tables.COVERAGE, CoverageCol.ALL, result.coverage))


def owned_tables(book: Book, result: Run, parts: dict[str, bytes]) -> None:
    package = book.package
    # Data Quality.
    part, xml = _sheet_edit(parts, package, Sheet.DATA_QUALITY)
    xml, extra = fill_table(xml, package, Tables.DATA_QUALITY, ProblemCol.ALL, result.problems)
    parts.update(extra)
    _set_if_changed(parts, package, part, xml)
    # Capacity: plan, role gaps, coverage side by side.
    part, xml = _sheet_edit(parts, package, Sheet.CAPACITY)
    for place, headers, frame in capacity_tables(result):
        xml, extra = fill_table(xml, package, place, headers, frame)
        parts.update(extra)
    _set_if_changed(parts, package, part, xml)


def history_frame(result: Run, changes: TierChanges, stamp: str) -> pd.DataFrame:
    """One Tier History row per account whose tier changed in this run."""
    frame = result.accounts.frame
    return history_rows(changes, frame[Col.ACCOUNT_ID].to_numpy(dtype=object),
                        frame[Col.ACCOUNT_NAME].to_numpy(dtype=object), result.tiers.tier.to_numpy(dtype=object),
                        result.tiers.reason.to_numpy(dtype=object), stamp)


def history_part(book: Book, result: Run, changes: TierChanges, stamp: str, parts: dict[str, bytes]) -> int:
    """Append one row per account whose tier changed; returns how many."""
    package = book.package
    n = changes.count
    if not n:
        return 0
    values = open_values(package)
    existing = table_data(package, book.grids, values, Tables.HISTORY)
    frame = history_frame(result, changes, stamp)
    part, xml = _sheet_edit(parts, package, Sheet.HISTORY)
    xml, extra = fill_table(xml, package, Tables.HISTORY, HistoryCol.ALL, frame, start=len(existing.rows))
    parts.update(extra)
    _set_if_changed(parts, package, part, xml)
    return n


# ------------------------------------------------------------ cached results
def pareto(result: Run) -> tuple[np.ndarray, np.ndarray, list[tuple[str, float, float]]]:
    """The Pareto curve at 0, 1, ... 100 % of accounts, and where each tier but the last ends on it."""
    arr = result.accounts.numbers[Col.ARR].values
    usable = np.isfinite(arr) & (arr > 0)
    x = np.linspace(0, 1, PARETO_POINTS)
    values = arr[usable]
    n = values.size
    tiers = result.settings.tier_names
    if n == 0:
        return x, np.full(PARETO_POINTS, np.nan), [(t, np.nan, np.nan) for t in tiers[:-1]]
    order = np.sort(values)[::-1]
    xs = np.arange(n + 1) / n
    ys = np.concatenate(([0.0], np.cumsum(order) / order.sum()))
    y = np.interp(x, xs, ys)
    codes = result.tiers.code[usable]
    cuts = []
    for k, tier in enumerate(tiers[:-1]):
        share = float(np.count_nonzero((codes >= 0) & (codes <= k))) / n
        cuts.append((tier, share, float(np.interp(share, xs, ys))))
    return x, y, cuts


def summary_values(book: Book, result: Run, geo: Geometry) -> dict[tuple[int, int], object]:
    """Summary cells Python writes as values: FTE, the Pareto table and the tier cut-offs."""
    out: dict[tuple[int, int], object] = {}
    summary = result.summary.set_index(SummaryCol.TIER)
    fte_c = geo.scol(SummaryCol.FTE)
    for i, tier in enumerate(geo.tiers):
        out[(geo.summary_row(i), fte_c)] = float(summary.at[tier, SummaryCol.FTE])
    out[(geo.needs_row, fte_c)] = float(summary.at[NEEDS_DATA, SummaryCol.FTE])
    out[(geo.total_row, fte_c)] = float(summary.at[TOTAL, SummaryCol.FTE])
    x, y, cuts = pareto(result)
    pa, cu = Tables.PARETO, Tables.CUTOFFS
    for i in range(PARETO_POINTS):
        out[(pa.row + 1 + i, pa.col)] = float(x[i])
        out[(pa.row + 1 + i, pa.col + 1)] = float(y[i])
    for i, (tier, share, cum) in enumerate(cuts):
        out[(cu.row + 1 + i, cu.col)] = tier
        out[(cu.row + 1 + i, cu.col + 1)] = share
        out[(cu.row + 1 + i, cu.col + 2)] = cum
    return out


def _recache(xml: str, cells: dict[tuple[int, int], object], formulas_only: bool) -> str:
    rows = read_rows(xml, {r for r, _ in cells})
    edits: dict[int, dict[int, str | None]] = {}
    for (r, c), value in cells.items():
        old = rows.get(r, {}).get(c)
        if formulas_only and (old is None or "<f" not in old):
            continue  # the user replaced the formula with a value: theirs
        new = recached(old, ref(r, c), value)
        if new != old:
            edits.setdefault(r, {})[c] = new
    return patch_rows(xml, edits)


def _where_this_version_put_them(book: Book, cells: dict[tuple[int, int], object]) -> dict[tuple[int, int], object]:
    """The Summary cells less the item tables (budget check, policy in force) a book keeps elsewhere.

    A book made by an earlier version may hold those tables in other rows;
    its formulas recalculate on opening, and no cell outside the table is written.
    """
    out = dict(cells)
    for place, items in ((Tables.BUDGET, BudgetItem.ALL), (Tables.IN_FORCE, InForceItem.ALL)):
        expected = area(place.row, place.col, place.row + len(items), place.col + 1)
        try:
            found = book.package.table(place.table, place.sheet).ref
        except WorkbookError:
            found = None
        if found != expected:
            for r in range(place.row + 1, place.row + 1 + len(items)):
                for c in (place.col, place.col + 1):
                    out.pop((r, c), None)
    return out


def cached_parts(book: Book, result: Run, geo: Geometry, parts: dict[str, bytes]) -> None:
    """Refresh the cached results of the template's formulas (and Python's Summary figures)."""
    package = book.package
    summary_formulas = {k: v for k, (_, v) in summary_cells(geo, result).items()}
    summary_formulas.update(summary_values(book, result, geo))
    summary_formulas = _where_this_version_put_them(book, summary_formulas)
    jobs = (
        (Sheet.SUMMARY, summary_formulas, False),
        (Sheet.SERVICES, {k: v for k, (_, v) in services_cells(book.service_rows, book.catalog, result).items()}, True),
        (Sheet.MATRIX, {k: v for k, (_, v) in matrix_cells(geo, book.services, result, book.catalog).items()}, True),
        (Sheet.SETTINGS, {k: v for k, (_, v) in tiers_cells(geo.tiers, result.settings).items()}, True),
    )
    for sheet, cells, formulas_only in jobs:
        part, xml = _sheet_edit(parts, package, sheet)
        _set_if_changed(parts, package, part, _recache(xml, cells, formulas_only))


def check_parts(book: Book, result: Run, geo: Geometry, parts: dict[str, bytes], rerun: bool) -> None:
    """Cached results of the Check columns, the Summary's Checks and the out-of-date checksums.

    With ``rerun`` (the book was re-tiered) the checksums of the inputs read
    become the At Last Run values on Start (:func:`.fingerprint.freshness_cells`).
    """
    matrix_names = [s for _, s in book.services]
    jobs = [
        (Sheet.SERVICES, services_check_cells(book.service_rows, book.catalog, result, matrix_names), True),
        (Sheet.MATRIX, matrix_check_cells(geo, book.services, book.catalog), True),
        (Sheet.SUMMARY, summary_check_cells(geo, result, book.catalog), True),
    ]
    cells = [(sheet, {k: v for k, (_, v) in c.items()}, only) for sheet, c, only in jobs]
    for sheet, values, formulas_only in cells + freshness_cells(book, geo, rerun):
        part, xml = _sheet_edit(parts, book.package, sheet)
        _set_if_changed(parts, book.package, part, _recache(xml, values, formulas_only))


def run_items(result: Run, stamp: str, changes: int) -> list[object]:
    """The values of the last-run stamp on Start, in RunItem order."""
    values = {
        RunItem.RUN_AT: stamp, RunItem.ACCOUNTS: len(result.accounts), RunItem.POLICY: result.settings.policy,
        RunItem.PROBLEMS: len(result.problems), RunItem.CHANGES: changes, RunItem.VERSION: __version__,
    }
    return [values[item] for item in RunItem.ALL]


def stamp_part(book: Book, result: Run, stamp: str, changes: int, parts: dict[str, bytes]) -> None:
    p = Tables.RUN
    cells = {(p.row + 1 + i, p.col + 1): value for i, value in enumerate(run_items(result, stamp, changes))}
    part, xml = _sheet_edit(parts, book.package, Sheet.START)
    _set_if_changed(parts, book.package, part, _recache(xml, cells, False))


# -------------------------------------------------------------------- entry
def assign_parts(book: Book, result: Run, stamp: str | None, keep_previous: bool = False) -> tuple[dict[str, bytes], int]:
    """Every part Assign Tiers rewrites, and how many tiers changed."""
    geo = geometry(book)
    changes = tier_changes(book, result)
    previous = changes.previous
    if keep_previous:
        previous = np.array([v if isinstance(v, str) else "" for v in book.old_previous], dtype=object)
    parts = accounts_parts(book, result, geo, previous)
    owned_tables(book, result, parts)
    cached_parts(book, result, geo, parts)
    check_parts(book, result, geo, parts, rerun=not keep_previous)
    logged = 0
    if stamp is not None:
        logged = history_part(book, result, changes, stamp, parts)
        stamp_part(book, result, stamp, logged, parts)
    calc_on_load(book.package, parts)
    if any(p in parts for p in (book.package.sheet_part(Sheet.ACCOUNTS), book.package.sheet_part(Sheet.SUMMARY))):
        drop_calc_chain(book.package, parts)
    for part in list(parts):
        if parts[part] == book.package.data.get(part):
            del parts[part]
    return parts, logged


def standing_run(book: Book) -> Run | None:
    """The engine's figures for the tiers as they stand in the book (no re-tiering), or None if some are blank.

    After a setting changes, this is what the book's formulas compute: the
    same tiers, priced under the new settings.
    """
    from ..engine.accounts import prepare_accounts
    from ..columns import ServiceCol
    from ..engine.checks import check_accounts, service_problems, with_service_problems
    from ..engine.pipeline import price
    from ..engine.services import validate_catalog, validate_matrix
    from ..engine.tiers import TierResult

    settings = book.settings
    if any(not isinstance(t, str) for t in book.old_tier):
        return None
    codes = np.array([-1 if t == NEEDS_DATA else (settings.tier_index(t) if settings.tier_index(t) is not None else -2)
                      for t in book.old_tier], dtype=np.int64)
    if (codes == -2).any():
        return None  # a tier name the settings no longer know: only a new run can say
    accounts = prepare_accounts(book.accounts, first_row=book.first_row, decimal=settings.decimal_mark)
    catalog = validate_catalog(book.catalog, settings)
    matrix = validate_matrix(book.matrix, catalog, settings)
    index = accounts.frame.index
    reason = pd.Series(book.old_reason, index=index, dtype=object)
    tiers = TierResult(code=codes, policy_code=codes, thresholds=None, tier_names=settings.tier_names,
                       explain=lambda: reason)
    segments = pd.Series(book.old_segment, index=index, dtype=object)
    gaps = service_problems(list(catalog[ServiceCol.SERVICE]), [s for _, s in book.services], book.service_rows,
                            [r for r, _ in book.services])
    problems = with_service_problems(check_accounts(accounts, settings), gaps)
    return price(accounts, settings, catalog, matrix, problems, segments, tiers)


def refresh_bytes(content: bytes, name: str) -> bytes:
    """A book's bytes with its owned parts brought up to date (no stamp, no history): the template's last step."""
    package = Package.open(name, content)
    book = read_book(package)
    parts, _ = assign_parts(book, run_book(book), stamp=None)
    return package.to_bytes(parts)


def now_stamp() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def assign(path: str | Path, stamp: str | None = None, backup: bool = True) -> AssignResult:
    """What the Assign Tiers button does, on a file: check, segment, tier, price, write back."""
    start = time.perf_counter()
    path = Path(path)
    with book_lock(path):
        check_writable(path)
        package = Package.open(path)
        book = read_book(package)
        result = run_book(book)
        stamp = stamp or now_stamp()
        parts, changes = assign_parts(book, result, stamp)
        save_package(package, parts, path, backup=backup)
    return AssignResult(path=path, run=result, accounts=book.n_accounts, changes=changes, stamp=stamp,
                        seconds=time.perf_counter() - start, backup=backup_path(path) if backup else None)
