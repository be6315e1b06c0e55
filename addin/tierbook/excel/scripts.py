"""The workbook's buttons: Assign Tiers, Check Data, Plan Capacity, Export for CRM; Compare and Apply Scenario.

Each button is a plain function of an ``xlwings.Book`` (so desktop xlwings'
``main()`` and an xlwings Lite ``@script`` call the same code) that reads
only the sheets it needs (:class:`~tierbook.excel.source.XlwingsSource`,
with the reader ``tierbook assign`` uses on a file), runs the engine, makes
the same plan as ``tierbook assign`` (:mod:`tierbook.workbook.plan`) and
copies it into the workbook (:mod:`tierbook.excel.rangewriter`). So a
workbook tiered in Excel and one tiered by ``tierbook assign`` hold the same
cells.
"""

from __future__ import annotations

import datetime as dt
import sys

import xlwings as xw
from xlwings import script

from ..errors import TierbookError
from ..progress import Steps, report, reporting
from ..workbook.layout import CRM_EXPORT_SHEET, ButtonPlace, Buttons, CrmExport, Sheet
from ..workbook import plan as plans
from ..workbook.plan import AssignPlan, now_stamp, run_book
from ..workbook.read import read_book
from .ranges import put_block
from .rangewriter import write_plan
from .scenarios import apply_scenario_in as _apply_scenario, compare_scenarios_in as _compare_scenarios
from .source import XlwingsSource
from .user import excel_user

# The sheets each button reads (xlwings Lite sends only these to Python).
INPUT_SHEETS = (Sheet.SETTINGS, Sheet.SEGMENTS, Sheet.RULES, Sheet.SERVICES, Sheet.MATRIX, Sheet.ACCOUNTS)
ASSIGN_SHEETS = (Sheet.START, *INPUT_SHEETS, Sheet.SUMMARY, Sheet.CAPACITY, Sheet.DATA_QUALITY, Sheet.HISTORY)
CHECK_SHEETS = (*INPUT_SHEETS, Sheet.DATA_QUALITY)
CAPACITY_SHEETS = (*INPUT_SHEETS, Sheet.SUMMARY, Sheet.CAPACITY)
EXPORT_SHEETS = INPUT_SHEETS
COMPARE_SHEETS = (*INPUT_SHEETS, Sheet.SCENARIOS)
APPLY_SHEETS = (*ASSIGN_SHEETS, Sheet.SCENARIOS)
# Lite runs in the browser with 2 GB of memory; past this many accounts, use the command line.
LITE_MAX_ACCOUNTS = 200_000


def button(place: ButtonPlace) -> str:
    """The ``@script(button=...)`` reference of a button: ``[shape]Sheet!cell``."""
    return f"[{place.shape}]{place.sheet}!{place.cell}"


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


def _status(book: xw.Book, step: str) -> None:
    """The step now running, in desktop Excel's status bar (xlwings Lite has none)."""
    try:
        book.app.status_bar = f"Tierbook: {step} ..."
    except (NotImplementedError, AttributeError):
        pass


def run_button(book: xw.Book, job) -> str:  # type: ignore[no-untyped-def]
    """Run one button's job and show its message with the steps it took; a Tierbook error
    becomes a message box, not a traceback."""
    steps = Steps(show=lambda step: _status(book, step))
    try:
        _guard(book)
        with reporting(steps):
            message = job(book)
    except TierbookError as exc:
        book.app.alert(str(exc), title="Tierbook could not finish", mode="critical")
        print(f"Tierbook: {exc}")
        return str(exc)
    return tell(book, f"{message}\n{steps.summary()}" if steps.names else message)


# --------------------------------------------------------------------- buttons
def _copy(book: xw.Book, source: XlwingsSource, plan: AssignPlan) -> str:
    write_plan(book, source, plan)
    return plan.message


def assign_tiers_in(book: xw.Book, stamp: str | None = None, today: dt.date | None = None,
                    by: str | None = None) -> str:
    """Assign Tiers: check, segment, tier, price; write the owned cells; log changes; stamp the run.

    ``today`` (default: this computer's date) decides which overrides have
    expired; ``by`` (default: Excel's user name, where the runtime gives it) is who Tier History names.
    """
    source = XlwingsSource(book, ASSIGN_SHEETS)
    wb = read_book(source)
    who = excel_user(book) if by is None else by
    return _copy(book, source, plans.plan_assign(wb, run_book(wb, today), stamp or now_stamp(), who))


def check_data_in(book: xw.Book) -> str:
    """Check Data: rewrite the Data Quality sheet, tier nothing."""
    source = XlwingsSource(book, CHECK_SHEETS)
    return _copy(book, source, plans.plan_check(read_book(source)))


def plan_capacity_in(book: xw.Book) -> str:
    """Plan Capacity: FTE per tier and role for the tiers as they stand after a fresh run."""
    source = XlwingsSource(book, CAPACITY_SHEETS)
    wb = read_book(source)
    return _copy(book, source, plans.plan_capacity(wb, run_book(wb)))


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

    wb = read_book(XlwingsSource(book, EXPORT_SHEETS))
    result = run_book(wb)
    remembered = read_crm_format(wb.source)
    crm = remembered[0] if remembered is not None else SALESFORCE
    plan = plan_upload(current_tiers(result), result.settings.tier_names, crm)
    names = [s.name for s in book.sheets]
    sheet = book.sheets[CRM_EXPORT_SHEET] if CRM_EXPORT_SHEET in names else book.sheets.add(
        CRM_EXPORT_SHEET, after=book.sheets[names[-1]])
    sheet.used_range.clear_contents()
    table = plan.table
    report(f"Writing the {CRM_EXPORT_SHEET} sheet")
    put_block(sheet, 1, 1, [list(table.columns)] + [list(r) for r in table.itertuples(index=False)])
    rules = []
    for target, title in (("salesforce", CrmExport.SALESFORCE_FORMULA), ("sql", CrmExport.SQL_CASE)):
        try:
            rules += [[title], [compile_rule(result, target, crm=crm).text]]
        except NotCompilable as exc:
            rules += [[title], [f"Not exported: {exc}"]]
    put_block(sheet, 1, len(table.columns) + 2, rules)
    blanks = plan.blanks_note()
    return (f"Export for CRM: {len(table):,} accounts on sheet {CRM_EXPORT_SHEET} "
            f"({', '.join(table.columns)}); save that sheet as CSV for Data Loader."
            + (f" {blanks}" if blanks else ""))


def compare_scenarios_in(book: xw.Book) -> str:
    """Compare Scenarios: the stored scenarios side by side with the settings in force, on the Scenarios sheet."""
    return _compare_scenarios(book, COMPARE_SHEETS)


def apply_scenario_in(book: xw.Book, stamp: str | None = None) -> str:
    """Apply Scenario: the scenario named on the Scenarios sheet written into the settings, then Assign Tiers."""
    return _apply_scenario(book, APPLY_SHEETS, stamp or now_stamp())


# Lite: the buttons (shapes on Start and Scenarios) run these. Each reads only the sheets it needs.
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


@script(button=button(Buttons.COMPARE_SCENARIOS), include=list(COMPARE_SHEETS))
def compare_scenarios(book: xw.Book):
    """Compare Scenarios."""
    run_button(book, compare_scenarios_in)


@script(button=button(Buttons.APPLY_SCENARIO), include=list(APPLY_SHEETS))
def apply_scenario(book: xw.Book):
    """Apply Scenario."""
    run_button(book, apply_scenario_in)


__all__ = ["apply_scenario", "assign_tiers", "check_data", "compare_scenarios", "export_for_crm", "plan_capacity"]
