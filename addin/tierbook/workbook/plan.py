"""What a button writes, worked out once, before anything is written: the plan both writers copy.

A plan (:class:`AssignPlan`) says what goes where by table and header. Per
table (:class:`TableFill`): the values of each column it writes, the formulas
filled down a column with each row's cached result, the data rows above it
that stay (Tier History appends), and whether the table ends with these rows
(then what is left below of the columns written is cleared, inside the table
only, and a Total Row moves up or down to stay just below the data). The
cached results of the template's formulas (:class:`CachedResults`) are given
by cell, as their formulas name cells. The plan also holds the message the
button shows, what a dry run reports, and the run stamp for the printed
footers (:class:`FooterStamp`), which only the file writer can copy.

The file writer (:mod:`.xmlwriter`) and the open-workbook writer
(:mod:`tierbook.excel.rangewriter`) turn headers into cells, each in its own
geometry, and copy the plan into place; neither computes a figure or decides
which column is Tierbook's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
import pandas as pd

from .. import __version__
from ..columns import BudgetItem, CapacityCol, Col, CoverageCol, CsmBookCol, HistoryCol, ProblemCol, RunItem, SummaryCol
from ..engine.capacity import team_need
from ..engine.checks import error_count
from ..engine.history import TierChanges, fitted_history, follow_tiers, history_rows, move_counts
from ..engine.overrides import override_notes
from ..engine.pareto import pareto
from ..engine.accounts import prepare_accounts
from ..engine.rule_checks import findings_note
from ..engine.pipeline import Run, check, price_standing, run, run_stamp
from ..errors import SettingsError, WorkbookError
from .checkcells import BLANK_INTERVAL, matrix_check_cells, services_check_cells, summary_check_cells
from .fingerprint import Written, freshness_cells, has_inputs_table, last_run_values_now
from .formulas import (Cells, Geometry, account_formulas, matrix_cells, quadrant_cells, services_cells, summary_cells,
                       tiers_cells)
from .layout import ARR_USED, WORKBOOK_OUTPUT_COLUMNS, InForceItem, InputCol, ItemCol, Place, Sheet, Tables
from .cells import area
from .read import Book, locate, table_data
from .tables import table_room
from .printing import UNSTAMPED, run_stamp_cells
from .segmentmap import plan_segment_map

from .plantypes import ROW, AssignPlan, CachedResults, FilledFormula, FooterStamp, TableFill, column_of


# ------------------------------------------------------------------ the engine on a book
T = TypeVar("T")


def located(book: Book, job: Callable[[], T]) -> T:
    """``job()``, with a settings error it raises located in the book (sheet, table, row, column)."""
    try:
        return job()
    except SettingsError as exc:
        raise locate(exc, book.locations) from None


def run_day(today: dt.date | None = None) -> dt.date:
    """The day a run is on: ``today`` if given, else this computer's date (the engine itself reads no clock)."""
    return today or dt.date.today()


def run_book(book: Book, today: dt.date | None = None) -> Run:
    """The engine's run on a book, on ``today`` (default: this computer's date), which decides expired overrides."""
    day = run_day(today)
    return located(book, lambda: run(book.accounts, book.settings, book.catalog, book.matrix,
                                     first_row=book.first_row, **service_rows(book), today=day))


def standing_run(book: Book, today: dt.date | None = None) -> Run | None:
    """The engine's figures for the tiers as they stand in the book (no re-tiering), or None if some are blank."""
    day = run_day(today)
    return located(book, lambda: price_standing(book.accounts, book.settings, book.catalog, book.matrix,
                                                book.old_tier, book.old_reason, book.old_segment,
                                                first_row=book.first_row, **service_rows(book), today=day))


def service_rows(book: Book) -> dict[str, list[int]]:
    """Where the catalog's and the matrix's services sit, so that a service the two do not share is named by row."""
    return {"catalog_rows": book.service_rows, "matrix_rows": [r for r, _ in book.services]}


def geometry(book: Book) -> Geometry:
    return Geometry(tiers=book.settings.tier_names, account_cols=book.account_cols)


def now_stamp() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def tier_changes(book: Book, result: Run) -> TierChanges:
    """Previous Tier and tier changes of this run, each account followed by its Account ID (engine rule)."""
    return follow_tiers(book.old_ids, book.old_tier, book.old_previous,
                        result.accounts.frame[Col.ACCOUNT_ID].to_numpy(dtype=object),
                        result.tiers.tier.to_numpy(dtype=object))


# ------------------------------------------------------------------ the parts of a plan
def frame_fill(place: Place, headers: tuple[str, ...], frame: pd.DataFrame, start: int = 0) -> TableFill:
    """A table filled with ``frame``'s columns ``headers`` (a column ``frame`` lacks stays blank)."""
    blank = np.full(len(frame), None, dtype=object)
    return TableFill(place, {h: frame[h].to_numpy(dtype=object) if h in frame.columns else blank for h in headers},
                     start=start)


def accounts_fill(book: Book, result: Run, previous: np.ndarray) -> TableFill:
    """The Accounts output columns, under the headers the book's table gives them."""
    info, geo = book.account_table, geometry(book)
    header = {h: info.columns[book.account_cols[h] - info.bounds[1]] for h in WORKBOOK_OUTPUT_COLUMNS}
    formulas = account_formulas(geo, ROW)
    return TableFill(Tables.ACCOUNTS, {
        header[Col.SEGMENT]: result.segments.to_numpy(dtype=object),
        header[Col.TIER]: result.tiers.tier.to_numpy(dtype=object),
        header[Col.TIER_REASON]: result.tiers.reason.to_numpy(dtype=object),
        header[Col.PREVIOUS_TIER]: previous,
        header[ARR_USED]: result.arr_used(),
    }, formulas={
        header[Col.COST_TO_SERVE]: FilledFormula(formulas[geo.acol(Col.COST_TO_SERVE)], result.cost_to_serve),
        header[Col.CTS_PCT_ARR]: FilledFormula(formulas[geo.acol(Col.CTS_PCT_ARR)], result.cts_pct_arr),
    })


def capacity_fills(result: Run) -> tuple[TableFill, ...]:
    """The Capacity sheet's tables: the plan per tier and role, the gaps per role, CSM coverage."""
    return (frame_fill(Tables.CAPACITY, CapacityCol.ALL_PLAN, result.capacity),
            frame_fill(Tables.ROLE_GAPS, CapacityCol.ALL_ROLES, result.roles),
            frame_fill(Tables.COVERAGE, CoverageCol.ALL, result.coverage))


def csm_books_fill(book: Book, result: Run) -> list[TableFill]:
    """Each named CSM's book on Capacity, with its Total (nothing for a book made before the table)."""
    if not book.source.has_table(Tables.CSM_BOOKS.table):
        return []
    return [frame_fill(Tables.CSM_BOOKS, CsmBookCol.ALL, result.csm_book_table())]


def summary_fills(result: Run) -> tuple[TableFill, ...]:
    """Python's figures on Summary: FTE per tier, the Pareto curve and the tier cut-offs on it."""
    curve = pareto(result.accounts.numbers[Col.ARR].values, result.tiers.code, result.settings.tier_names)
    fte = TableFill(Tables.SUMMARY, {SummaryCol.FTE: result.summary[SummaryCol.FTE].to_numpy(dtype=float)}, fit=False)
    return (fte, *(TableFill(place, {h: frame[h].to_numpy() for h in frame.columns}, fit=False)
                   for place, frame in ((Tables.PARETO, curve.curve), (Tables.CUTOFFS, curve.cutoffs))))


def history_entries(book: Book, result: Run, changes: TierChanges, stamp: str, by: str = "",
                    first_tiers: bool = True) -> pd.DataFrame:
    """This run's Tier History rows (engine rule): tier changes, first tiers, overrides set, changed, expired, removed."""
    frame = result.accounts.frame
    return history_rows(changes, frame[Col.ACCOUNT_ID].to_numpy(dtype=object),
                        frame[Col.ACCOUNT_NAME].to_numpy(dtype=object), result.tiers.tier.to_numpy(dtype=object),
                        result.tiers.reason.to_numpy(dtype=object), stamp, old_reasons=book.old_reason,
                        overrides=result.tiers.overrides, by=by,
                        override_by=frame[Col.OVERRIDE_BY].to_numpy(dtype=object),
                        override_given=frame[Col.TIER_OVERRIDE].to_numpy(dtype=object), first_tiers=first_tiers)


def history_fill(book: Book, rows: pd.DataFrame) -> TableFill:
    """The Tier History rows after the rows already there (a table made before the By column gets no By);
    first tiers too many for the sheet are counted per tier (:func:`~tierbook.engine.history.fitted_history`)."""
    history = table_data(book.source, Tables.HISTORY)
    headers = tuple(h for h in HistoryCol.ALL if h != HistoryCol.BY or history.info.column(h) is not None)
    rows = fitted_history(rows, table_room(history.info) - len(history))
    return frame_fill(Tables.HISTORY, headers, rows, start=len(history))


def stamp_fill(result: Run, stamp: str, changes: int) -> TableFill:
    """The last-run stamp on Start, one value per item."""
    items = run_stamp(result, stamp, changes, __version__)
    return TableFill(Tables.RUN, {ItemCol.VALUE: np.array([items[i] for i in RunItem.ALL], dtype=object)}, fit=False)


def cached_results(book: Book, result: Run) -> tuple[CachedResults, ...]:
    """The figures the template's formulas must show: Summary, Services, Matrix, the Tiers table's last row."""
    geo = geometry(book)
    return (CachedResults(Sheet.SUMMARY, _where_this_version_put_them(book, summary_cells(geo, result)), False),
            CachedResults(Sheet.SERVICES, services_cells(book.service_rows, book.catalog, result), True),
            CachedResults(Sheet.MATRIX, matrix_cells(geo, book.services, result, book.catalog), True),
            CachedResults(Sheet.SETTINGS, tiers_cells(geo.tiers, result.settings), True),
            segment_picture(book, result))


def _where_this_version_put_them(book: Book, cells: Cells) -> Cells:
    """The Summary cells less the item tables (budget check, policy in force) a book keeps elsewhere.

    A book made by an earlier version may hold those tables in other rows;
    its formulas recalculate on opening, and no cell outside the table is written.
    """
    out = dict(cells)
    for place, items in ((Tables.BUDGET, BudgetItem.ALL), (Tables.IN_FORCE, InForceItem.ALL)):
        expected = area(place.row, place.col, place.row + len(items), place.col + 1)
        found = book.source.table(place.table, place.sheet).ref if book.source.has_table(place.table) else None
        if found != expected:
            for r in range(place.row + 1, place.row + 1 + len(items)):
                for c in (place.col, place.col + 1):
                    out.pop((r, c), None)
    return out


# ------------------------------------------------------------------ on screen and on paper
RUN_SHEETS: tuple[str, ...] = (Sheet.START, Sheet.ACCOUNTS, Sheet.SUMMARY, Sheet.CAPACITY, Sheet.DATA_QUALITY,
                              Sheet.HISTORY)
"""The sheets Assign Tiers writes: their printed footers name the run."""


def segment_picture(book: Book, result: Run) -> CachedResults:
    """The 2 x 2 picture on Segments: each quadrant's segment, its accounts and their ARR, as this run found them."""
    return CachedResults(Sheet.SEGMENTS, quadrant_cells(geometry(book), result), True)


def footer_stamp() -> FooterStamp:
    """The footers of the sheets Assign Tiers writes: they point to Start, where both writers name the run.

    The file writer puts this back where an earlier Tierbook left a run's
    stamp, which a later run from Excel could not have updated.
    """
    return FooterStamp(RUN_SHEETS, UNSTAMPED)


def run_stamp_results(book: Book, stamp: str | None) -> tuple[CachedResults, ...]:
    """The figures of the title-row cells naming the run: this run's ``stamp``, or (None) the one Start holds."""
    if stamp is None:
        p = Tables.RUN
        try:
            grid = book.source.grid(Sheet.START)
        except WorkbookError:
            grid = []
        r, c = p.row + RunItem.ALL.index(RunItem.RUN_AT), p.col - 1 + ItemCol.ALL.index(ItemCol.VALUE)
        held = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
        stamp = None if held is None else str(held)
    return tuple(CachedResults(sheet, cells, True) for sheet, cells in run_stamp_cells(stamp, known=True).items())
# ------------------------------------------------------------------ the workbook's checks, and whether it is current
def check_results(book: Book, result: Run) -> tuple[CachedResults, ...]:
    """The figures of the Check columns of Services and Matrix and of the Summary's Checks table."""
    geo = geometry(book)
    matrix_names = [s for _, s in book.services]
    matrix = matrix_check_cells(geo, book.services, book.catalog, book.blank_rows)
    blanks = sum(1 for _, figure in matrix.values() if figure == BLANK_INTERVAL)
    out = [CachedResults(Sheet.SERVICES, services_check_cells(book.service_rows, book.catalog, result, matrix_names),
                         True),
           CachedResults(Sheet.MATRIX, matrix, True)]
    if book.source.has_table(Tables.CHECKS.table):  # a book made before it: those Summary cells are the user's
        out.append(CachedResults(Sheet.SUMMARY, summary_check_cells(geo, result, book.catalog, blanks), True))
    return tuple(out)


def freshness_results(book: Book, rerun: bool, written: Written | None = None,
                      now: Sequence[float] | None = None) -> tuple[CachedResults, ...]:
    """The figures of the RunInputs checksums (Now, Changed) and of the out-of-date notices.

    ``rerun``: the book is re-tiered by this plan, so At Last Run becomes the
    inputs as read (:func:`last_run_fill`); otherwise it stays as the book holds it. ``written``: the
    input cells the plan itself fills (the segments it lists), counted as there; ``now``: the checksums, if known.
    """
    cells = freshness_cells(book, geometry(book), rerun, written, now)
    return tuple(CachedResults(sheet, by_cell, True) for sheet, by_cell in cells.items())


def last_run_fill(book: Book, now: Sequence[float]) -> list[TableFill]:
    """Start's RunInputs, At Last Run: ``now``, the checksums of the inputs this run read
    (:func:`~.fingerprint.last_run_values_now`); nothing without the table."""
    if not has_inputs_table(book):
        return []
    return [TableFill(Tables.RUN_INPUTS, {InputCol.LAST_RUN: np.array(now, dtype=object)}, fit=False)]


# ------------------------------------------------------------------ the plans
def _priced(book: Book, result: Run, previous: np.ndarray) -> list[TableFill]:
    return [accounts_fill(book, result, previous), frame_fill(Tables.DATA_QUALITY, ProblemCol.ALL, result.problems),
            *capacity_fills(result), *csm_books_fill(book, result), *summary_fills(result)]


def plan_assign(book: Book, result: Run, stamp: str | None, by: str = "", first_tiers: bool = True) -> AssignPlan:
    """Assign Tiers: the Accounts output columns, Data Quality, Capacity, Summary, cached results;
    with a ``stamp``, the Tier History rows of this run (recorded as by ``by``; without ``first_tiers``, an
    account's first tier is not logged) and the run stamp on Start."""
    changes = tier_changes(book, result)
    fills = _priced(book, result, changes.previous)
    logged = changes.count if stamp is not None else 0
    if stamp is not None:
        entries = history_entries(book, result, changes, stamp, by, first_tiers)
        if len(entries):
            fills.append(history_fill(book, entries))
        fills.append(stamp_fill(result, stamp, logged))
    segmap = plan_segment_map(book, result)
    now = last_run_values_now(book, geometry(book), segmap.written)
    fills += [*segmap.fills, *last_run_fill(book, now)]
    cached = (*cached_results(book, result), *check_results(book, result),
              *freshness_results(book, rerun=True, written=segmap.written, now=now), *segmap.cached,
              *run_stamp_results(book, stamp))
    needs, arr = result.budget["unpriced_accounts"], result.budget["unpriced_arr"]
    overrides = _spaced(override_notes(result.tiers.overrides))
    message = _with_note(f"{len(result.accounts):,} accounts tiered, {needs:,} need data ({arr:,.0f} ARR, not priced "
                         f"in the annual cost), {logged:,} changed tier.{overrides}"
                         + (f" {segmap.note}" if segmap.note else ""), result.problems)
    return AssignPlan("Assign Tiers", tuple(fills), cached, message, len(result.accounts),
                      int(needs), float(arr), move_counts(changes, result.tiers.tier.to_numpy(dtype=object),
                                              result.settings.tier_names), logged,
                      footer=footer_stamp() if stamp is not None else None)


def _spaced(note: str) -> str:
    return f" {note}" if note else ""


def _with_note(message: str, problems: pd.DataFrame) -> str:
    """A button's message, followed by the policy findings' sentence when there are any."""
    note = findings_note(problems)
    return f"{message} {note}" if note else message


def plan_refresh(book: Book, result: Run) -> AssignPlan:
    """After a settings change: the tiers as they stand (``result``), priced anew; Previous Tier and history kept."""
    previous = np.array([v if isinstance(v, str) else "" for v in book.old_previous], dtype=object)
    cached = (*cached_results(book, result), *check_results(book, result), *freshness_results(book, rerun=False),
              *run_stamp_results(book, None))
    return AssignPlan("settings refresh", tuple(_priced(book, result, previous)), cached, accounts=len(result.accounts))


def plan_check(book: Book, today: dt.date | None = None) -> AssignPlan:
    """Check Data: the Data Quality table, nothing tiered (``today`` as for :func:`run_book`)."""
    day = run_day(today)
    problems = located(book, lambda: check(prepare_accounts(book.accounts, first_row=book.first_row,
                                                            decimal=book.settings.decimal_mark), book.settings,
                                              book.catalog, book.matrix, **service_rows(book), today=day))
    message = _with_note(f"{book.n_accounts:,} accounts checked: {len(problems):,} problems, "
                         f"{error_count(problems):,} of them errors.", problems)
    return AssignPlan("Check Data", (frame_fill(Tables.DATA_QUALITY, ProblemCol.ALL, problems),), message=message,
                      accounts=book.n_accounts)


def plan_capacity(book: Book, result: Run) -> AssignPlan:
    """Plan Capacity: the Capacity tables and the Summary's FTE (and Pareto), for a fresh run's tiers."""
    fte, gap = team_need(result.roles)
    message = (f"Capacity plan: {fte:,.1f} FTE needed, {'a gap of' if gap > 0 else 'spare'} {abs(gap):,.1f} FTE "
               "against headcount.")
    return AssignPlan("Plan Capacity", (*capacity_fills(result), *csm_books_fill(book, result), *summary_fills(result)),
                      message=message,
                      accounts=len(result.accounts))


__all__ = ["AssignPlan", "CachedResults", "FilledFormula", "TableFill", "check_results", "column_of", "freshness_results",
           "geometry", "last_run_fill", "now_stamp", "RUN_SHEETS", "FooterStamp", "footer_stamp", "segment_picture",
           "plan_assign", "plan_capacity", "plan_check", "plan_refresh", "run_book", "run_stamp_results", "standing_run"]
