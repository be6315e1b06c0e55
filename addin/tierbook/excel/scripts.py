"""The workbook's buttons: Assign Tiers, Check Data, Plan Capacity, Export for CRM.

Each button is a plain function of an ``xlwings.Book`` (so desktop xlwings'
``main()`` and an xlwings Lite ``@script`` call the same code) that

1. reads only the sheets it needs, each as one block of values from A1,
2. turns them into the engine's inputs with the same reader ``tierbook
   assign`` uses on a file (:func:`tierbook.workbook.read.read_book`),
3. runs the engine, and
4. writes only the cells Assign Tiers owns, as whole blocks.

So a workbook tiered in Excel and one tiered by ``tierbook assign`` hold the
same cells. Text is written with a leading apostrophe, which Excel stores as
text: a Tier Reason or a data-quality value that begins with "=" never turns
into a formula, and "00123" never turns into 123. Reading sheets and
tables through xlwings, and writing whole blocks, is in :mod:`.ranges`.
"""

from __future__ import annotations

import sys

import numpy as np
import xlwings as xw
from xlwings import script

from ..engine.accounts import prepare_accounts
from ..engine.checks import check_accounts, service_problems, with_service_problems
from ..engine.pipeline import Run
from ..errors import TierbookError
from ..columns import CapacityCol, Col, HistoryCol, ProblemCol, ServiceCol
from ..workbook.layout import (
    ARR_USED,
    CRM_EXPORT_SHEET,
    ButtonPlace,
    Buttons,
    CrmExport,
    WORKBOOK_OUTPUT_COLUMNS,
    Sheet,
    Tables,
)
from ..engine.history import TierChanges, follow_tiers, history_rows
from ..workbook.assign import (
    capacity_tables,
    geometry,
    now_stamp,
    run_book,
    run_items,
    summary_values,
)
from ..workbook.cells import area
from ..workbook.fingerprint import last_run_writes
from ..workbook.formulas import account_formulas
from ..workbook.read import Book, table_data
from .ranges import (
    XlwingsTables,
    clear,
    put_block,
    put_cells,
    put_column,
    put_columns,
    read_xlwings_book,
    resize_table,
    runs,
    write_table,
)

# The sheets each button reads (xlwings Lite sends only these to Python).
INPUT_SHEETS = (Sheet.SETTINGS, Sheet.SEGMENTS, Sheet.RULES, Sheet.SERVICES, Sheet.MATRIX, Sheet.ACCOUNTS)
ASSIGN_SHEETS = (Sheet.START, *INPUT_SHEETS, Sheet.SUMMARY, Sheet.CAPACITY, Sheet.DATA_QUALITY, Sheet.HISTORY)
CHECK_SHEETS = (*INPUT_SHEETS, Sheet.DATA_QUALITY)
CAPACITY_SHEETS = (*INPUT_SHEETS, Sheet.SUMMARY, Sheet.CAPACITY)
EXPORT_SHEETS = INPUT_SHEETS
# Lite runs in the browser with 2 GB of memory; past this many accounts, use the command line.
LITE_MAX_ACCOUNTS = 200_000


def button(place: ButtonPlace) -> str:
    """The ``@script(button=...)`` reference of a button: ``[shape]Sheet!cell``."""
    return f"[{place.shape}]{Sheet.START}!{place.cell}"


def write_accounts(book: xw.Book, wb: Book, result: Run) -> TierChanges:
    """The Accounts output columns; returns the tier changes (each account followed by its Account ID)."""
    geo = geometry(wb)
    sheet = book.sheets[wb.account_table.sheet]
    first, n = wb.first_row, wb.n_accounts
    out = result.outputs()
    ids = result.accounts.frame[Col.ACCOUNT_ID].to_numpy(dtype=object)
    changes = follow_tiers(wb.old_ids, wb.old_tier, wb.old_previous, ids, out[Col.TIER].to_numpy(dtype=object))
    previous = changes.previous
    arr = result.accounts.numbers[Col.ARR].values
    columns = {
        Col.SEGMENT: out[Col.SEGMENT].to_numpy(dtype=object),
        Col.TIER: out[Col.TIER].to_numpy(dtype=object),
        Col.TIER_REASON: out[Col.TIER_REASON].to_numpy(dtype=object),
        Col.PREVIOUS_TIER: previous,
        ARR_USED: np.where(np.isfinite(arr) & (arr > 0), arr, np.nan),
    }
    put_columns(sheet, first, {geo.acol(h): v for h, v in columns.items()})
    if n:
        # One formula per row; build the text once and put each row's number in.
        sentinel = 10**9
        templates = account_formulas(geo, sentinel)
        rows = [str(first + i) for i in range(n)]
        formula_cols = sorted((geo.acol(Col.COST_TO_SERVE), geo.acol(Col.CTS_PCT_ARR)))
        for lo, hi in runs(formula_cols):
            texts = ["=" + templates[c] for c in range(lo, hi + 1)]
            block = [[t.replace(str(sentinel), r) for t in texts] for r in rows]
            sheet.range((first, lo), (first + n - 1, hi)).formula = block
    r1, c1, r2, c2 = wb.account_table.bounds
    stale_to = max(r2, len(wb.grids.get(wb.account_table.sheet, [])))
    owned = sorted(geo.acol(h) for h in WORKBOOK_OUTPUT_COLUMNS)
    for lo, hi in runs(owned):
        clear(sheet, first + n, lo, stale_to, hi)
    resize_table(sheet, wb.account_table, area(r1, c1, max(first + n - 1, r1 + 1), c2))
    return changes


def write_capacity(book: xw.Book, tables: XlwingsTables, result: Run) -> None:
    for place, headers, frame in capacity_tables(result):
        write_table(book, tables, place, headers, frame)


def write_history(book: xw.Book, tables: XlwingsTables, wb: Book, result: Run, changes: TierChanges,
                  stamp: str) -> int:
    n = changes.count
    if n:
        existing = table_data(tables, wb.grids, None, Tables.HISTORY)  # type: ignore[arg-type]
        accounts = result.accounts.frame
        frame = history_rows(changes, accounts[Col.ACCOUNT_ID].to_numpy(dtype=object),
                             accounts[Col.ACCOUNT_NAME].to_numpy(dtype=object),
                             result.tiers.tier.to_numpy(dtype=object), result.tiers.reason.to_numpy(dtype=object),
                             stamp)
        write_table(book, tables, Tables.HISTORY, HistoryCol.ALL, frame, start=len(existing.rows))
    return n


def write_stamp(book: xw.Book, result: Run, stamp: str, changes: int) -> None:
    p = Tables.RUN
    put_column(book.sheets[p.sheet], p.row + 1, p.col + 1, run_items(result, stamp, changes))


def tell(book: xw.Book, message: str, title: str = "Tierbook") -> str:
    """Show what happened: the status bar on desktop Excel, a message box in xlwings Lite."""
    try:
        book.app.status_bar = message
    except (NotImplementedError, AttributeError):
        book.app.alert(message, title=title, mode="info")
    print(message)
    return message


def _guard(book: xw.Book) -> None:
    """Refuse a book too large for xlwings Lite's memory, pointing to the command line."""
    if sys.platform != "emscripten":  # desktop Excel: Python has the machine's memory
        return
    accounts = book.sheets[Sheet.ACCOUNTS].used_range.last_cell.row - 1
    if accounts > LITE_MAX_ACCOUNTS:
        raise TierbookError(
            f"{accounts:,} accounts are more than xlwings Lite can hold in its 2 GB of browser memory; "
            "save the workbook and run `tierbook assign BOOK.xlsx` on a computer with Python"
        )


def run_button(book: xw.Book, job) -> str:  # type: ignore[no-untyped-def]
    """Run one button's job; a Tierbook error becomes a message box, not a traceback."""
    try:
        _guard(book)
        return job(book)
    except TierbookError as exc:
        book.app.alert(str(exc), title="Tierbook could not finish", mode="critical")
        print(f"Tierbook: {exc}")
        return str(exc)


# --------------------------------------------------------------------- buttons
def assign_tiers_in(book: xw.Book, stamp: str | None = None) -> str:
    """Assign Tiers: check, segment, tier, price; write the owned cells; log changes; stamp the run."""
    wb = read_xlwings_book(book, ASSIGN_SHEETS)
    tables = wb.package  # the XlwingsTables the reader used
    result = run_book(wb)
    stamp = stamp or now_stamp()
    changes = write_accounts(book, wb, result)
    write_table(book, tables, Tables.DATA_QUALITY, ProblemCol.ALL, result.problems)
    write_capacity(book, tables, result)
    put_cells(book.sheets[Sheet.SUMMARY], summary_values(wb, result, geometry(wb)))
    logged = write_history(book, tables, wb, result, changes, stamp)
    write_stamp(book, result, stamp, logged)
    put_cells(book.sheets[Sheet.START], last_run_writes(wb, geometry(wb)))  # the inputs this run read
    needs, arr = result.budget["unpriced_accounts"], result.budget["unpriced_arr"]
    return tell(book, f"{len(result.accounts):,} accounts tiered, {needs:,} need data ({arr:,.0f} ARR, not priced "
                      f"in the annual cost), {logged:,} changed tier.")


def check_data_in(book: xw.Book) -> str:
    """Check Data: rewrite the Data Quality sheet, tier nothing."""
    wb = read_xlwings_book(book, CHECK_SHEETS)
    tables = wb.package  # the XlwingsTables the reader used
    problems = check_accounts(prepare_accounts(wb.accounts, first_row=wb.first_row, decimal=wb.settings.decimal_mark),
                              wb.settings)
    problems = with_service_problems(problems, service_problems(
        list(wb.catalog[ServiceCol.SERVICE]), [s for _, s in wb.services], wb.service_rows, [r for r, _ in wb.services]))
    write_table(book, tables, Tables.DATA_QUALITY, ProblemCol.ALL, problems)
    errors = int((problems[ProblemCol.SEVERITY] == "error").sum()) if len(problems) else 0
    return tell(book, f"{len(wb.accounts):,} accounts checked: {len(problems):,} problems, {errors:,} of them errors.")


def plan_capacity_in(book: xw.Book) -> str:
    """Plan Capacity: FTE per tier and role for the tiers as they stand after a fresh run."""
    wb = read_xlwings_book(book, CAPACITY_SHEETS)
    tables = wb.package  # the XlwingsTables the reader used
    result = run_book(wb)
    write_capacity(book, tables, result)
    summary = summary_values(wb, result, geometry(wb))
    put_cells(book.sheets[Sheet.SUMMARY], summary)
    fte = float(result.roles[CapacityCol.FTE].sum())
    gap = float(result.roles[CapacityCol.GAP].sum())
    return tell(book, f"Capacity plan: {fte:,.1f} FTE needed, {'a gap of' if gap > 0 else 'spare'} {abs(gap):,.1f} FTE "
                      "against headcount.")


def export_for_crm_in(book: xw.Book) -> str:
    """Export for CRM: the upload table and the tier rule as a Salesforce formula field and as
    SQL, on a sheet of their own (created when missing).

    The CRM field names are those the last ``tierbook import`` recorded in the
    CrmFields table (Salesforce's defaults when it is empty). Needs data and
    Unknown are left blank in the upload table, and the message says how many.
    """
    from ..crm.mapping import SALESFORCE
    from ..crm.rules_export import NotCompilable, compile_rule
    from ..crm.upload import current_tiers, plan_upload
    from ..workbook.crmfields import read_crm_format

    wb = read_xlwings_book(book, EXPORT_SHEETS)
    result = run_book(wb)
    remembered = read_crm_format(wb.package, wb.grids)  # type: ignore[arg-type]
    crm = remembered[0] if remembered is not None else SALESFORCE
    plan = plan_upload(current_tiers(result), result.settings.tier_names, crm)
    names = [s.name for s in book.sheets]
    sheet = book.sheets[CRM_EXPORT_SHEET] if CRM_EXPORT_SHEET in names else book.sheets.add(
        CRM_EXPORT_SHEET, after=book.sheets[names[-1]])
    sheet.used_range.clear_contents()
    table = plan.table
    put_block(sheet, 1, 1, [list(table.columns)] + [list(r) for r in table.itertuples(index=False)])
    rules = []
    for target, title in (("salesforce", CrmExport.SALESFORCE_FORMULA), ("sql", CrmExport.SQL_CASE)):
        try:
            rules += [[title], [compile_rule(result, target, crm=crm).text]]
        except NotCompilable as exc:
            rules += [[title], [f"Not exported: {exc}"]]
    put_block(sheet, 1, len(table.columns) + 2, rules)
    blanks = plan.blanks_note()
    return tell(book, f"Export for CRM: {len(table):,} accounts on sheet {CRM_EXPORT_SHEET} "
                      f"({', '.join(table.columns)}); save that sheet as CSV for Data Loader."
                      + (f" {blanks}" if blanks else ""))


# Lite: the buttons (shapes on Start) run these. Each reads only the sheets it needs.
@script(button=button(Buttons.ASSIGN_TIERS), include=list(ASSIGN_SHEETS))
def assign_tiers(book: xw.Book):
    """Assign Tiers."""
    run_button(book, assign_tiers_in)


@script(button=button(Buttons.CHECK_DATA), include=list(CHECK_SHEETS))
def check_data(book: xw.Book):
    """Check Data."""
    run_button(book, check_data_in)


@script(button=button(Buttons.PLAN_CAPACITY), include=list(CAPACITY_SHEETS))
def plan_capacity(book: xw.Book):
    """Plan Capacity."""
    run_button(book, plan_capacity_in)


@script(button=button(Buttons.EXPORT_FOR_CRM), include=list(EXPORT_SHEETS))
def export_for_crm(book: xw.Book):
    """Export for CRM."""
    run_button(book, export_for_crm_in)


__all__ = ["assign_tiers", "check_data", "export_for_crm", "plan_capacity"]
