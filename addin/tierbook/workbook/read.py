"""Read a Tierbook workbook: its Settings, catalog and matrix, and its accounts.

Values come from the cells' stored results (python-calamine, fast); where the
tables are comes from the tables' own XML (:mod:`.tabledata` reads a table's rows), or
both from the workbook open in Excel (any :class:`~.source.BookSource`). Every problem is reported with the
sheet, row, column and value a user can go and fix.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..engine.accounts import clean_text
from ..engine.reading import is_blank
from ..engine.services import validate_catalog, validate_matrix
from ..engine.settings import Settings
from ..errors import SettingsError, TierShapeError, WorkbookError
from ..columns import Col, ServiceCol, header_key
from .layout import WORKBOOK_OUTPUT_COLUMNS, MatrixCol, TierCol, Tables
from .package import Package
from .settings_sheet import CellReader, Where, kept_rows, convert_setting, locate, make_settings, read_settings
from .source import BookSource, FileSource
from .tabledata import TableData, table_data
from .sheetchanges import SHARED
from .tables import TableInfo, fit_rows

__all__ = ["Book", "TableData", "check_tier_shape", "convert_setting", "locate", "make_settings", "matrix_tiers",
           "read_book", "read_settings", "table_data", "tiers_table_names"]


@dataclass
class Book:
    """A workbook as the engine needs it, and where its account rows are."""

    source: BookSource
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
    locations: Where = field(default_factory=dict, repr=False)
    """Where each setting, catalog and matrix value sits, so a later engine error can name its cell."""
    blank_rows: frozenset[int] = frozenset()
    """Matrix rows (sheet rows) with a blank interval: read as 0, flagged by the row's Check."""

    @property
    def n_accounts(self) -> int:
        return len(self.accounts)

    def without_cells(self) -> "Book":
        """The book with its accounts' cells let go: the rows still counted, its tables and settings kept.

        For a writer that has taken what it needs of the cells (an import has
        them as text), so that a million rows are not held twice.
        """
        none = np.empty(0, dtype=object)
        return dataclasses.replace(self, accounts=self.accounts.iloc[:, :0], old_ids=none, old_tier=none,
                                   old_previous=none, old_segment=none, old_reason=none)


def _collect(problems: list[SettingsError], read):  # type: ignore[no-untyped-def]
    """``read()``, or None with its SettingsError kept, so that every table's problems are reported together."""
    try:
        return read()
    except SettingsError as exc:
        problems.append(exc)
        return None


def read_catalog(source: BookSource, where: Where | None = None,
                 decimal: str = "auto") -> tuple[pd.DataFrame, list[int]]:
    """The Services table as the engine's catalog (validated there); every bad cell is named."""
    t = table_data(source, Tables.SERVICES)
    missing = [h for h in ServiceCol.ALL if h not in t.headers]
    if missing:
        raise WorkbookError(f"{t.info.sheet} sheet, table {t.info.name}: missing column " + ", ".join(map(repr, missing)))
    where = {} if where is None else where
    reader = CellReader(decimal)
    rows = []
    kept = kept_rows(t, ServiceCol.SERVICE)
    for p, i in enumerate(kept):
        record = {h: t.column(h)[i] for h in ServiceCol.ALL}
        for h in ServiceCol.ALL:
            where[("catalog", (p, h))] = reader.where(t, i, h, record[h])
        for h in (ServiceCol.UNIT_COST, ServiceCol.HOURS, ServiceCol.MARGIN_OVERRIDE):
            number = reader.number(t, i, h, "catalog", (p, h), allow_blank=h in (ServiceCol.MARGIN_OVERRIDE, ServiceCol.UNIT_COST),
                                   percent=h == ServiceCol.MARGIN_OVERRIDE)
            record[h] = float("nan") if number is None else number
        for h in (ServiceCol.SERVICE, ServiceCol.DEFINITION, ServiceCol.DELIVERY, ServiceCol.OWNER_ROLE,
                  ServiceCol.ALLOCATION):
            record[h] = "" if is_blank(record[h]) else str(record[h]).strip()
        rows.append(record)
    if reader.problems:
        raise SettingsError.combine(reader.problems)
    frame = pd.DataFrame(rows, columns=list(ServiceCol.ALL))
    frame[ServiceCol.MARGIN_OVERRIDE] = frame[ServiceCol.MARGIN_OVERRIDE].astype(float)
    try:
        validate_catalog(frame)
    except SettingsError as exc:
        raise locate(exc, where) from None
    frame[ServiceCol.ALLOCATION] = frame[ServiceCol.ALLOCATION].str.lower()
    return frame, [t.first_row + i for i in kept]


def matrix_tiers(source: BookSource) -> tuple[str, ...]:
    """The tiers the Matrix is laid out for: its interval columns, between Service and Allocation."""
    headers = source.table(Tables.MATRIX.table, Tables.MATRIX.sheet).columns
    keys = [header_key(h) for h in headers]
    end = keys.index(header_key(MatrixCol.ALLOCATION)) if header_key(MatrixCol.ALLOCATION) in keys else len(keys)
    return tuple(str(h).strip() for h in headers[1:end])


def tiers_table_names(source: BookSource) -> tuple[str, ...]:
    """The names in the Tiers table's Tier column (Settings sheet), as typed, blank rows skipped."""
    t = table_data(source, Tables.TIERS)
    return tuple(str(t.column(TierCol.TIER)[i]).strip() for i in kept_rows(t, TierCol.TIER))


def check_tier_shape(source: BookSource, book: str = "BOOK.xlsx") -> None:
    """Stop, saying what to do, when the Tiers table no longer names the tiers the Matrix is laid out for.

    Adding, removing or renaming a tier rebuilds the Matrix, the Summary and
    Capacity; only the command line can do that (the Excel buttons write
    cells, not sheets).

    Raises:
        TierShapeError: the Tiers table's names differ from the Matrix's tier columns (order included).
    """
    if not (source.has_table(Tables.TIERS.table) and source.has_table(Tables.MATRIX.table)):
        return  # the reader names the missing table
    headers = [header_key(h) for h in source.table(Tables.MATRIX.table, Tables.MATRIX.sheet).columns]
    if header_key(MatrixCol.ALLOCATION) not in headers:
        return  # not laid out as Tierbook lays it out: the reader says which tier column it lacks
    table, matrix = tiers_table_names(source), matrix_tiers(source)
    if [header_key(t) for t in table] == [header_key(t) for t in matrix]:
        return
    raise TierShapeError(
        f"{Tables.TIERS.sheet} sheet, table {Tables.TIERS.table}: the tiers are now " + ", ".join(table)
        + ", but the Matrix, Summary and Capacity are laid out for " + ", ".join(matrix)
        + ". Changing the tiers rebuilds those sheets, which only the command line can do; nothing was written. "
        f"Save and close the workbook, then run  tierbook assign {book}  to rebuild it for the Tiers table (a Tiers "
        "cell written Old=New renames a tier and keeps its data; a name that is not there any more removes that "
        "tier). Or put the Tiers table back as it was and run  tierbook settings " + book + ' tiers="NEW,LIST"',
        table, matrix)


def read_matrix(source: BookSource, tiers: tuple[str, ...], where: Where | None = None,
                decimal: str = "auto", blank: float = 0.0) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """The Matrix table's intervals per service and tier (a blank cell reads as ``blank``); every bad cell is named."""
    t = table_data(source, Tables.MATRIX)
    by_key = {h.strip().casefold(): h for h in t.headers}
    absent = [x for x in tiers if x.strip().casefold() not in by_key]
    if absent:
        raise SettingsError(f"{t.info.sheet} sheet, table {t.info.name}: no interval column for tier "
                            + ", ".join(map(repr, absent)) + " (the Matrix's tier columns must carry the tier names "
                            "of the Settings sheet's Tiers table)", field="matrix", value=absent,
                            expected="one interval column per tier")
    where = {} if where is None else where
    reader = CellReader(decimal)
    kept = kept_rows(t, MatrixCol.SERVICE)
    services = [(t.first_row + i, str(t.column(MatrixCol.SERVICE)[i]).strip()) for i in kept]
    for p, i in enumerate(kept):
        where[("matrix", (p, ServiceCol.SERVICE))] = t.where(i, MatrixCol.SERVICE, t.column(MatrixCol.SERVICE)[i])
    data = {}
    for tier in tiers:
        header = by_key[tier.strip().casefold()]
        out = []
        for p, i in enumerate(kept):
            where[("matrix", (p, tier))] = reader.where(t, i, header, t.column(header)[i])
            v = reader.number(t, i, header, "matrix", (p, tier), allow_blank=True)
            out.append(blank if v is None else v)
        data[tier] = out
    if reader.problems:
        raise SettingsError.combine(reader.problems)
    return pd.DataFrame(data, index=pd.Index([s for _, s in services], name=ServiceCol.SERVICE)), services


def read_book(source: BookSource | Package) -> Book:
    """Everything Assign Tiers needs from a workbook: a file's package, or any :class:`BookSource`."""
    if isinstance(source, Package):
        source = FileSource(source)
    if source.has_table(Tables.ACCOUNTS.table):  # the rows Assign Tiers reads to write the accounts again
        accounts = source.table(Tables.ACCOUNTS.table, Tables.ACCOUNTS.sheet)
        source.prefetch(accounts.sheet, fit_rows(accounts, accounts.last_data_row - accounts.bounds[0]), SHARED)
    check_tier_shape(source, source.name)
    where: Where = {}
    problems: list[SettingsError] = []
    settings = _collect(problems, lambda: read_settings(source, where))
    decimal = settings.decimal_mark if settings is not None else "auto"
    read = _collect(problems, lambda: read_catalog(source, where, decimal))
    tiers = settings.tier_names if settings is not None else None
    grid = _collect(problems, lambda: read_matrix(source, tiers, where, decimal, blank=np.nan)) if tiers else None
    if problems:
        raise SettingsError.combine(problems)
    (catalog, service_rows), (matrix, services) = read, grid  # type: ignore[misc]
    blank_rows = frozenset(r for (r, _), blank in zip(services, matrix.isna().any(axis=1)) if blank)
    matrix = matrix.fillna(0.0)
    try:
        validate_matrix(matrix, validate_catalog(catalog), settings)
    except SettingsError as exc:
        raise locate(exc, where) from None
    owned = set(WORKBOOK_OUTPUT_COLUMNS)
    table = table_data(source, Tables.ACCOUNTS, extend=True, ignore=tuple(owned))
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
    columns = table.columns()
    frame = pd.DataFrame({k: columns[j] for k, j in enumerate(keep)}, index=pd.RangeIndex(len(table)),
                         dtype=object).set_axis([table.headers[j] for j in keep], axis=1)
    old = _old_cells(table, columns)
    return Book(source=source, settings=settings, catalog=catalog, matrix=matrix, services=services,
                service_rows=service_rows, locations=where, blank_rows=blank_rows,
                accounts=frame, account_table=info, account_cols=account_cols, first_row=r1 + 1,
                old_ids=old(Col.ACCOUNT_ID), old_tier=old(Col.TIER), old_previous=old(Col.PREVIOUS_TIER),
                old_segment=old(Col.SEGMENT), old_reason=old(Col.TIER_REASON))


def _old_cells(table: TableData, columns: list[np.ndarray]) -> Callable[[str], np.ndarray]:
    """A reader of what the rows hold now, by column: each row's Account ID next to its last outputs.

    The ID and the outputs come from the same row, so the engine can pair
    each account's last tier with its new one by Account ID
    (:func:`tierbook.engine.history.follow_tiers`).
    """
    keys = {header_key(h): j for j, h in reversed(list(enumerate(table.headers)))}

    def old(column: str) -> np.ndarray:
        j = keys.get(header_key(column))
        if j is None:
            return np.full(len(table), pd.NA, dtype=object)
        return clean_text(pd.Series(columns[j], dtype=object)).to_numpy(dtype=object)

    return old
