"""Assign Tiers on a workbook file: read, run the engine, write only the parts Tierbook owns.

Owned: the Accounts output columns (Segment, Tier, Tier Reason, Previous
Tier, ARR Used, Cost to Serve, CTS % ARR) of the account rows and the
Accounts table's range; the Data Quality, Capacity and Tier History tables;
the last-run stamp on Start; Python's figures on Summary (FTE, Pareto) and the
cached results of the template's formulas; the workbook's recalc-on-load flag.
Every other part of the file is copied byte for byte.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine.history import TierChanges, follow_tiers, history_rows
from ..engine.pareto import pareto
from ..engine.pipeline import Run, price_standing, run, run_stamp
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
from .layout import ARR_USED, WORKBOOK_OUTPUT_COLUMNS, InForceItem, Place, RunItem, Sheet, Tables
from .cells import area, col_letter, col_number, f_element, formula_cell, number_text, ref, value_cell
from .formulas import Geometry, account_formulas, matrix_cells, services_cells, summary_cells, tiers_cells
from .package import Package, backup_path, book_lock, check_writable, fit_table, save_package
from .read import Book, locate, read_book, table_data
from .source import FileSource
from .sheetxml import cell_style, patch_rows, read_rows, recached



@dataclass(frozen=True)
class AssignResult:
    path: Path
    run: Run
    accounts: int
    changes: int
    stamp: str
    seconds: float
    backup: Path | None


def _package(book: Book) -> Package:
    if not isinstance(book.source, FileSource):
        raise WorkbookError(f"{book.source.name}: not read from a file")
    return book.source.package


def geometry(book: Book) -> Geometry:
    return Geometry(tiers=book.settings.tier_names, account_cols=book.account_cols)


def run_book(book: Book) -> Run:
    """The engine's run on a book; a settings error found while tiering names the cell it comes from."""
    try:
        return run(book.accounts, book.settings, book.catalog, book.matrix, first_row=book.first_row)
    except SettingsError as exc:
        raise locate(exc, book.locations) from None


# ------------------------------------------------------------------ Accounts
def tier_changes(book: Book, result: Run) -> TierChanges:
    """Previous Tier and tier changes of this run, each account followed by its Account ID (engine rule)."""
    return follow_tiers(book.old_ids, book.old_tier, book.old_previous,
                        result.accounts.frame[Col.ACCOUNT_ID].to_numpy(dtype=object),
                        result.tiers.tier.to_numpy(dtype=object))


def _free_si(xml: str, owned_cols: set[int], count: int) -> list[int]:
    """Shared-formula group numbers that no other cell of the sheet uses (deterministic)."""
    used = set()
    pos = xml.find(' ref="')
    while pos >= 0:
        tag_start = xml.rfind("<", 0, pos)
        if xml.startswith("<f", tag_start) and xml[tag_start + 2] in " \t\n":
            tag = xml[tag_start: xml.index(">", pos)]
            si = re.search(r'\bsi="(\d+)"', tag)
            cell = re.match(r'<c\b[^>]*?\sr="([A-Z]+)', xml[xml.rfind("<c", 0, tag_start): tag_start])
            if si and (cell is None or col_number(cell.group(1)) not in owned_cols):  # whose it is unknown: keep it
                used.add(int(si.group(1)))
        pos = xml.find(' ref="', pos + 1)
    out, i = [], 0
    while len(out) < count:
        if i not in used:
            out.append(i)
        i += 1
    return out


def _cached_tail(value: float, f: str) -> str:
    """What follows a formula cell's address and style: type, formula, cached result."""
    if value == value and value not in (float("inf"), float("-inf")):
        return f">{f}<v>{number_text(value)}</v></c>"
    return f' t="str">{f}<v></v></c>'


def _cell_bodies(style: str | None, values: np.ndarray) -> list[str | None]:
    """Each value's cell XML after its address (``<c r="X9"`` + this); text built once per distinct value."""
    memo: dict[str, str] = {}
    out: list[str | None] = []
    for value in values:
        if isinstance(value, str) and value in memo:
            body = memo[value]
        else:
            cell = value_cell("X", style, value, shorten=True)
            body = cell[len('<c r="X"'):] if cell else ""
            if isinstance(value, str):
                memo[value] = body
        out.append(body or None)
    return out


def accounts_parts(book: Book, result: Run, geo: Geometry, previous: np.ndarray) -> dict[str, bytes]:
    """The Accounts sheet with new output cells, and the table's range fitted to the account rows."""
    package = _package(book)
    info = book.account_table
    part = package.sheet_part(info.sheet)
    xml = package.text(part)
    first, n = book.first_row, book.n_accounts
    cols = {h: geo.acol(h) for h in WORKBOOK_OUTPUT_COLUMNS}
    owned = set(cols.values())
    template = read_rows(xml, [first]).get(first, {})
    style = {c: cell_style(template.get(c)) for c in owned}
    out = result.outputs()
    used = result.arr_used()
    text_cols = {
        cols[Col.SEGMENT]: out[Col.SEGMENT].to_numpy(dtype=object),
        cols[Col.TIER]: out[Col.TIER].to_numpy(dtype=object),
        cols[Col.TIER_REASON]: out[Col.TIER_REASON].to_numpy(dtype=object),
        cols[Col.PREVIOUS_TIER]: previous,
        cols[ARR_USED]: used,
    }
    cts_c, pct_c = cols[Col.COST_TO_SERVE], cols[Col.CTS_PCT_ARR]
    cts, pct = result.cost_to_serve, result.cts_pct_arr
    edits: dict[int, dict[int, str | None]] = {}
    if n:
        si_cts, si_pct = _free_si(xml, owned, 2)
        last = first + n - 1
        masters = account_formulas(geo, first)
        letters = {c: col_letter(c) for c in owned}
        shared = {c: (f' s="{style[c]}"' if style[c] else "", si) for c, si in ((cts_c, si_cts), (pct_c, si_pct))}
        shared = {c: (s_attr, f'<f t="shared" si="{si}"/>') for c, (s_attr, si) in shared.items()}
        bodies = {c: _cell_bodies(style[c], values) for c, values in text_cols.items()}
        for i in range(n):
            r = first + i
            row: dict[int, str | None] = {}
            for c, body in bodies.items():
                row[c] = f'<c r="{letters[c]}{r}"{body[i]}' if body[i] is not None else None
            for c, value, si in ((cts_c, cts[i], si_cts), (pct_c, pct[i], si_pct)):
                if i == 0:
                    f = (f'<f t="shared" ref="{letters[c]}{first}:{letters[c]}{last}" si="{si}">'
                         + f_element(masters[c])[3:])
                    row[c] = formula_cell(f"{letters[c]}{r}", style[c], f, value)
                else:
                    s_attr, f = shared[c]
                    row[c] = f'<c r="{letters[c]}{r}"{s_attr}{_cached_tail(value, f)}'
            edits[r] = row
    # Table rows that no longer hold an account lose their output cells; the Total Row moves up or down.
    table_xml = fit_table(info, xml, edits, n, owned, style)
    parts = {part: patch_rows(xml, edits).encode("utf-8")}
    if table_xml is not None:
        parts[info.part] = table_xml.encode("utf-8")
    return parts


# ------------------------------------------------------------- owned tables
def _table_body(xml: str, package: Package, place: Place, headers: tuple[str, ...], frame: pd.DataFrame,
                start: int = 0) -> tuple[str, dict[str, bytes]]:
    """Write ``frame`` into a table from data row ``start``; clear what is left of the old rows."""
    info = package.table(place.table, place.sheet)
    r1, c1, _, _ = info.bounds
    first = r1 + 1
    cols = [c1 + j for j in range(len(headers))]
    template = read_rows(xml, [first]).get(first, {})
    style = {c: cell_style(template.get(c)) for c in cols}
    edits: dict[int, dict[int, str | None]] = {}
    values = [frame[h].to_numpy(dtype=object) if h in frame.columns else np.full(len(frame), None, dtype=object)
              for h in headers]
    for i in range(len(frame)):
        r = first + start + i
        edits[r] = {c: value_cell(f"{col_letter(c)}{r}", style[c], values[j][i], shorten=True) or None
                    for j, c in enumerate(cols)}
    table_xml = fit_table(info, xml, edits, start + len(frame), cols, style)
    xml = patch_rows(xml, edits)
    return xml, ({info.part: table_xml.encode("utf-8")} if table_xml is not None else {})



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
    package = _package(book)
    # Data Quality.
    part, xml = _sheet_edit(parts, package, Sheet.DATA_QUALITY)
    xml, extra = _table_body(xml, package, Tables.DATA_QUALITY, ProblemCol.ALL, result.problems)
    parts.update(extra)
    _set_if_changed(parts, package, part, xml)
    # Capacity: plan, role gaps, coverage side by side.
    part, xml = _sheet_edit(parts, package, Sheet.CAPACITY)
    for place, headers, frame in capacity_tables(result):
        xml, extra = _table_body(xml, package, place, headers, frame)
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
    package = _package(book)
    n = changes.count
    if not n:
        return 0
    existing = table_data(book.source, Tables.HISTORY)
    frame = history_frame(result, changes, stamp)
    part, xml = _sheet_edit(parts, package, Sheet.HISTORY)
    xml, extra = _table_body(xml, package, Tables.HISTORY, HistoryCol.ALL, frame, start=len(existing.rows))
    parts.update(extra)
    _set_if_changed(parts, package, part, xml)
    return n


# ------------------------------------------------------------ cached results
def summary_values(book: Book, result: Run, geo: Geometry) -> dict[tuple[int, int], object]:
    """Summary cells Python writes as values: FTE, the Pareto table and the tier cut-offs."""
    out: dict[tuple[int, int], object] = {}
    summary = result.summary.set_index(SummaryCol.TIER)
    fte_c = geo.scol(SummaryCol.FTE)
    for i, tier in enumerate(geo.tiers):
        out[(geo.summary_row(i), fte_c)] = float(summary.at[tier, SummaryCol.FTE])
    out[(geo.needs_row, fte_c)] = float(summary.at[NEEDS_DATA, SummaryCol.FTE])
    out[(geo.total_row, fte_c)] = float(summary.at[TOTAL, SummaryCol.FTE])
    curve = pareto(result.accounts.numbers[Col.ARR].values, result.tiers.code, result.settings.tier_names)
    pa, cu = Tables.PARETO, Tables.CUTOFFS
    for table, place in ((curve.curve, pa), (curve.cutoffs, cu)):
        for i, row in enumerate(table.itertuples(index=False)):
            for j, value in enumerate(row):
                out[(place.row + 1 + i, place.col + j)] = value if isinstance(value, str) else float(value)
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
            found = _package(book).table(place.table, place.sheet).ref
        except WorkbookError:
            found = None
        if found != expected:
            for r in range(place.row + 1, place.row + 1 + len(items)):
                for c in (place.col, place.col + 1):
                    out.pop((r, c), None)
    return out


def cached_parts(book: Book, result: Run, geo: Geometry, parts: dict[str, bytes]) -> None:
    """Refresh the cached results of the template's formulas (and Python's Summary figures)."""
    package = _package(book)
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


def run_items(result: Run, stamp: str, changes: int) -> list[object]:
    """The values of the last-run stamp on Start, in RunItem order."""
    values = run_stamp(result, stamp, changes)
    return [values[item] for item in RunItem.ALL]


def stamp_part(book: Book, result: Run, stamp: str, changes: int, parts: dict[str, bytes]) -> None:
    p = Tables.RUN
    cells = {(p.row + 1 + i, p.col + 1): value for i, value in enumerate(run_items(result, stamp, changes))}
    part, xml = _sheet_edit(parts, _package(book), Sheet.START)
    _set_if_changed(parts, _package(book), part, _recache(xml, cells, False))


def calc_on_load(package: Package, parts: dict[str, bytes]) -> None:
    """Ask Excel to recalculate everything when it opens the file (LibreOffice uses the cached results)."""
    xml = package.text(package.workbook_part)
    m = re.search(r"<calcPr\b[^>]*?/?>", xml)
    if m and re.search(r'fullCalcOnLoad="(1|true)"', m.group(0)):
        return
    if m:
        tag = re.sub(r'\sfullCalcOnLoad="[^"]*"', "", m.group(0))
        tag = tag.replace("<calcPr", '<calcPr fullCalcOnLoad="1"', 1)
        xml = xml[: m.start()] + tag + xml[m.end():]
    else:
        anchor = "</definedNames>" if "</definedNames>" in xml else "</sheets>"
        xml = xml.replace(anchor, anchor + '<calcPr fullCalcOnLoad="1"/>', 1)
    parts[package.workbook_part] = xml.encode("utf-8")


def drop_calc_chain(package: Package, parts: dict[str, bytes | None]) -> None:
    """Leave out Excel's calculation chain (a cache of formula cells) once formula cells changed.

    A stale chain makes Excel offer to repair the file; without one, Excel
    rebuilds it on the next save. The chain's relationship and content type go with it.
    """
    for rtype, target in package.relationships(package.workbook_part).values():
        if rtype.endswith("/calcChain") and target in package.data:
            package.remove_part(parts, target)


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
    logged = 0
    if stamp is not None:
        logged = history_part(book, result, changes, stamp, parts)
        stamp_part(book, result, stamp, logged, parts)
    calc_on_load(_package(book), parts)
    if any(p in parts for p in (_package(book).sheet_part(Sheet.ACCOUNTS), _package(book).sheet_part(Sheet.SUMMARY))):
        drop_calc_chain(_package(book), parts)
    for part in list(parts):
        if parts[part] == _package(book).data.get(part):
            del parts[part]
    return parts, logged


def standing_run(book: Book) -> Run | None:
    """The engine's figures for the tiers as they stand in the book (no re-tiering), or None if some are blank."""
    return price_standing(book.accounts, book.settings, book.catalog, book.matrix, book.old_tier, book.old_reason,
                          book.old_segment, first_row=book.first_row)


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
