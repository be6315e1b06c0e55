"""The jobs the command line (and later front ends) run, one function each."""

from __future__ import annotations

import datetime as dt
import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .crm.mapping import CrmFormat, FieldMapping, apply_mapping
from .crm.mappingfile import remembered_format
from .crm.resolve import crm_format, resolve_mapping
from .crm.merge import MergeResult, merge_accounts
from .crm.store import AccountsFile, BookStore
from .crm.upload import UploadPlan, current_tiers, plan_upload, read_state
from .crm.values import audit_incoming_overrides, normalise_export
from .engine import Run, Settings, run
from .errors import InputError
from .files import atomic_write, read_accounts_file, write_csv
from .columns import Col
from .sample import sample_accounts

if TYPE_CHECKING:  # the rule exports (and sqlglot) are imported by the commands that use them
    from .crm.rules_export import RuleExport

TIER_FILE_COLUMNS = (Col.SEGMENT, Col.TIER, Col.TIER_REASON, Col.COST_TO_SERVE, Col.CTS_PCT_ARR)


def tier_file(source: str | os.PathLike[str], target: str | os.PathLike[str], settings: Settings) -> Run:
    """Tier a CSV/Excel file of accounts and write them, with results, as CSV.

    Every input column is written in input order, followed by Segment, Tier,
    Tier Reason, Cost to Serve and CTS % ARR.
    """
    raw = read_accounts_file(source)
    result = run(raw, settings)
    table = result.annotated(TIER_FILE_COLUMNS)
    table[Col.COST_TO_SERVE] = table[Col.COST_TO_SERVE].round(2)
    table[Col.CTS_PCT_ARR] = table[Col.CTS_PCT_ARR].round(6)
    write_csv(table, Path(target))
    return result


def demo(accounts: int = 5_000, seed: int = 7, settings: Settings | None = None,
         workbook: str | os.PathLike[str] | None = None) -> Run:
    """The whole job on a built-in sample book of business (with real-world defects).

    With ``workbook``, the sample is written to that workbook and tiered there
    (one engine run, whose figures are the ones returned).
    """
    settings = settings or Settings()
    if workbook:
        return new_workbook(workbook, sample=accounts, seed=seed, force=True, settings=settings).run
    return run(sample_accounts(accounts, seed=seed, defects=True, tier_names=settings.tier_names), settings)


# ------------------------------------------------------------------ workbook
def new_workbook(path: str | os.PathLike[str], sample: int = 0, seed: int = 7, force: bool = False,
                 settings: Settings | None = None, desktop: bool = False):  # type: ignore[no-untyped-def]
    """A fresh Tierbook workbook (optionally with sample accounts, tiered; or the desktop macro variant)."""
    from .workbook.create import new_book

    return new_book(path, sample=sample, seed=seed, force=force, settings=settings, desktop=desktop)


def runner(by: str | None = None) -> str:
    """Who Tier History says ran a command: ``--by NAME``, else this machine's user name, else blank."""
    if by is not None and by.strip():
        return by.strip()
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment nor in the password database
        return ""


def assign_workbook(path: str | os.PathLike[str], dry_run: bool = False,
                    by: str | None = None):  # type: ignore[no-untyped-def]
    """Assign Tiers on a workbook file, headless; with ``dry_run``, only the plan of what it would write.

    A book whose Tiers table was edited is rebuilt for its tiers first (:mod:`.workbook.reshape`).
    ``by``: who Tier History names (default: this machine's user name).
    """
    from .workbook.reshape import assign_book

    return assign_book(path, dry_run=dry_run, by=runner(by))


def workbook_run(path: str | os.PathLike[str]) -> Run:
    """The engine's run on a workbook's current contents (nothing is written)."""
    from .workbook.plan import run_book
    from .workbook.package import Package
    from .workbook.read import read_book

    return run_book(read_book(Package.open(path)))


def workbook_settings(path: str | os.PathLike[str], items: list[str]):  # type: ignore[no-untyped-def]
    """List (no items) or set (``key=value`` items) a workbook's Settings."""
    from .workbook.edit import list_settings, set_settings

    if items:
        set_settings(path, items)
    return list_settings(path)


def tiers_item(items: list[str]) -> tuple[str | None, list[str]]:
    """The ``tiers=`` item of a settings command (None: not given), and the others."""
    from .workbook.edit import tiers_item as split

    return split(items)


def change_workbook_tiers(path: str | os.PathLike[str], spec: str, items: list[str]):  # type: ignore[no-untyped-def]
    """``tierbook settings BOOK tiers=...``: the book rebuilt for the new tiers (other items set too), then tiered."""
    from .workbook.edit import change_tiers

    return change_tiers(path, spec, items)

def restore_workbook(path: str | os.PathLike[str], force: bool = False):  # type: ignore[no-untyped-def]
    """Bring back a workbook's previous version (BOOK.bak.xlsx); the current one becomes the backup."""
    from .workbook.restore import restore_backup

    return restore_backup(path, force=force)


def workbook_whatif(path: str | os.PathLike[str], items: list[str], only: list[str] | None = None,
                    apply: str | None = None, sweep: str | None = None, save: bool = False,
                    write: bool = False, by: str | None = None):  # type: ignore[no-untyped-def]
    """Scenarios on a workbook: ``(comparison, applied, written)``; the book is written only with ``apply``,
    ``save`` or ``write``.

    ``items`` are ``NAME KEY=VALUE ...`` groups; without any (and without a
    sweep), the scenarios stored on the Scenarios sheet are compared. ``only``
    keeps the named ones in the comparison; ``apply`` writes the named one
    (given here or stored) and assigns tiers; ``sweep`` (``KEY=START:STOP:STEP``)
    adds one scenario per value. ``save`` stores the scenarios given here on the
    Scenarios sheet; ``write`` (and ``save``) writes the comparison there.
    ``written`` is the plan written to the Scenarios sheet, or None. ``by`` is who
    Tier History names for an applied scenario (default: this machine's user name).
    """
    from .errors import SettingsError
    from .workbook.package import Package
    from .workbook.plantypes import AssignPlan
    from .workbook.read import read_book
    from .workbook.scenario import compare_book, parse_scenarios, sweep_scenarios
    from .workbook.scenario_apply import apply_scenario, write_scenarios_sheet
    from .workbook.scenario_sheet import book_scenarios, plan_compare, save_fill

    book = read_book(Package.open(path))
    given = parse_scenarios(items, book.settings.decimal_mark)
    if save and not given:
        raise SettingsError(f"--save stores the scenarios named on the command line, and none is: tierbook whatif "
                            f"{path} NAME KEY=VALUE ... --save", field="scenario", value=None,
                            expected="NAME KEY=VALUE ...")
    named = {s.name.casefold() for s in given}
    wanted = [n for n in [*(only or []), *([apply] if apply else [])] if n.casefold() not in named]
    stored = book_scenarios(book) if wanted or not (given or sweep) else []  # a bad stored row stops only its users
    scenarios = given or ([] if sweep else stored)
    by_name = {s.name.casefold(): s for s in [*stored, *given]}
    for name in [*(only or []), *([apply] if apply else [])]:
        if name.casefold() not in by_name:
            raise SettingsError(f"no scenario {name!r} on the command line or the Scenarios sheet; the scenarios are "
                                + (", ".join(s.name for s in [*given, *stored]) or "none")
                                + f" (define it first: tierbook whatif {path} {name} KEY=VALUE ...)",
                                field="scenario", value=name, expected="a scenario named on the command line")
    shown = [by_name[n.casefold()] for n in only] if only else scenarios
    if sweep:
        shown = [*shown, *sweep_scenarios(sweep, book.settings.decimal_mark)]
    written, compared = None, []
    if save or write:
        def sheet_plan(current):  # type: ignore[no-untyped-def]
            compared.append(compare_book(current, shown, keep_runs=False))
            plan = plan_compare(current, compared[0])
            if not save:
                return plan
            return AssignPlan(plan.job, (save_fill(current, given), *plan.tables), message=plan.message,
                              accounts=plan.accounts)
        written = write_scenarios_sheet(path, sheet_plan)
    comparison = compared[0] if compared else compare_book(book, shown, keep_runs=False)  # figures, not runs
    applied = apply_scenario(path, by_name[apply.casefold()], by=runner(by)) if apply else None
    return comparison, applied, written


# ------------------------------------------------------------- CRM round-trip
def open_book(path: str | os.PathLike[str], state_path: str | os.PathLike[str] | None = None) -> BookStore:
    """The store for a book path: a Tierbook workbook (the workbook adapter's store) or an accounts file.

    A new ``.xlsx`` becomes a Tierbook workbook (the template, with the
    accounts the import brings); a new ``.csv`` stays a CSV.
    """
    from .workbook.crmstore import WorkbookStore, is_tierbook_workbook

    path = Path(path)
    new_workbook = path.suffix.lower() == ".xlsx" and not path.exists()
    if path.suffix.lower() == ".xlsm" and not path.exists():
        raise InputError(f"{path}: no such workbook; create the macro workbook first with "
                         f"tierbook new {path.name} --desktop, then import into it")
    if new_workbook or is_tierbook_workbook(path):
        return WorkbookStore(path, Path(state_path) if state_path else None)
    return AccountsFile(path, state_path)


@dataclass(frozen=True)
class ImportReport:
    """What ``tierbook import`` did (or, with ``dry_run``, would do)."""

    mapping: FieldMapping
    merge: MergeResult
    rows: int
    encoding: str
    separator: str
    notes: list[str]
    dry_run: bool
    columns_note: str | None = None
    mapping_note: str | None = None
    created: bool = False

    def text(self, export: str, book: str) -> str:
        how = f" ({self.encoding}, {self.separator!r}-separated)" if self.encoding else ""
        lines = [f"Mapping {self.mapping.describe()}",
                 f"Read {self.rows:,} rows from {export}{how}."]
        lines += [f"  {n}" for n in self.notes]
        verb = "Would merge into" if self.dry_run else "Merged into"
        if self.created:
            verb = ("Would create a Tierbook workbook from the template and merge into" if self.dry_run else
                    "Created a Tierbook workbook from the template and merged into")
        lines.append(f"{verb} {book}: " + self.merge.summary(self.columns_note).replace("\n", "\n  "))
        if self.mapping_note:
            lines.append(self.mapping_note)
        if self.created and not self.dry_run:
            lines.append(f"Next: tierbook assign {book}")
        return "\n".join(lines)


def import_crm(export: str | os.PathLike[str], book: str | os.PathLike[str], mapping: str = "auto",
               replace: bool = False, decimal: str = "auto", dry_run: bool = False,
               by: str | None = None) -> ImportReport:
    """Import a CRM export (CSV or .xlsx) into a book, merging by Account ID.

    The book is read, merged and written back in one step that holds the
    book's lock, so no other writer can slip in between.

    Args:
        export: the CRM's export file.
        book: the book: a Tierbook workbook, or an accounts .csv/.xlsx. A new
            .xlsx becomes a Tierbook workbook; a new .csv stays a CSV.
        mapping: ``auto``, ``salesforce``, ``hubspot``, ``tierbook`` or a mapping file.
        replace: remove book accounts the export no longer has.
        decimal: the export's decimal mark (``auto``, ``point``, ``comma``).
        dry_run: report only; write nothing.
        by: who a new account's override from the export was set by, where the export does not say
            (default: this machine's user name); its Override Set On is the import's day.
    """
    raw = read_accounts_file(export)
    chosen = resolve_mapping(list(raw.columns), mapping)
    incoming, notes = normalise_export(apply_mapping(raw, chosen), decimal)
    incoming = audit_incoming_overrides(incoming, runner(by), dt.date.today().isoformat())
    read = (len(raw), raw.attrs.get("encoding", ""), raw.attrs.get("separator", ""))
    del raw  # the export as read is not needed once normalised: a million rows are not held twice with the book
    store = open_book(book)
    created = not store.path.exists() and not isinstance(store, AccountsFile)  # a new Tierbook workbook
    with store.editing():
        result = merge_accounts(store.read_accounts(), incoming, replace=replace, crm=chosen.crm)
        columns_note = store.new_columns_note(result.new_columns)
        mapping_note = None if dry_run else store.write_merge(result, remembered_format(chosen))
    return ImportReport(chosen, result, *read, notes, dry_run, columns_note, mapping_note, created)


def _book_run(store: BookStore, settings: Settings | None) -> Run:
    raw = store.read_accounts()
    if raw is None:
        raise InputError(f"{store.path}: no such book; create it with tierbook import EXPORT --into {store.path}")
    return run(raw, settings or store.settings() or Settings())


def book_crm_format(store: BookStore, choice: str | None) -> tuple[CrmFormat, str]:
    """The CRM format an export uses: ``--format`` if given, else the book's remembered mapping, else Salesforce."""
    if choice is not None:
        return crm_format(choice), "--format"
    found = store.crm_format()
    if found is not None:
        return found
    return crm_format("salesforce"), "the default (no import has recorded the CRM's field names)"


def export_crm(book: str | os.PathLike[str], target: str | os.PathLike[str], settings: Settings | None = None,
               crm: str | None = None, changed_only: bool = False, dry_run: bool = False,
               state: str | os.PathLike[str] | None = None, report: Callable[[str], None] = print) -> UploadPlan:
    """Tier a book and write the upload file (record ID, Tier, Segment) for the CRM.

    The summary (moves up, down, in, out since the last export) goes to
    ``report`` before anything is written; then the file, then the record of
    this export (for the next ``changed_only``). ``crm`` None: the CRM field
    names the book's last import recorded.
    """
    store = open_book(book, state)
    result = _book_run(store, settings)
    fmt, source = book_crm_format(store, crm)
    plan = plan_upload(current_tiers(result), result.settings.tier_names, fmt,
                       read_state(store.read_last_export()), changed_only)
    report(f"CRM fields: {fmt.name}, from {source}.\n" + plan.summary())
    if not dry_run:
        write_csv(plan.table, Path(target))
        store.write_last_export(plan.state)
    return plan


def export_rule(book: str | os.PathLike[str], target: str, settings: Settings | None = None,
                table: str = "accounts", crm: str | None = None) -> RuleExport:
    """Tier a book and compile its policy for a target (SQL dialect, DIALECT-live, Salesforce, Excel).

    ``crm`` None: the field names the book's last import recorded (for the Salesforce formula).
    """
    from .crm.live_bands import compile_live_rule  # here: sqlglot only for the commands that use it
    from .crm.rule_targets import is_live
    from .crm.rule_formula import excel_columns
    from .crm.rules_export import compile_rule

    store = open_book(book)
    result = _book_run(store, settings)
    if is_live(target):
        return compile_live_rule(result, target, table=table)
    sheet = excel_columns([str(c) for c in result.accounts.raw.columns]) if target == "excel" else None
    fmt, _ = book_crm_format(store, crm)
    return compile_rule(result, target, table=table, crm=fmt, sheet_columns=sheet)


def export_rule_input(book: str | os.PathLike[str], target: str | os.PathLike[str],
                      settings: Settings | None = None) -> pd.DataFrame:
    """Write the typed table the exported SQL reads (.parquet, or .csv).

    Raises:
        InputError: a .parquet target without pyarrow (said before the book is read).
    """
    from .crm.rules_export import rule_input_table

    path = Path(target)
    parquet = path.suffix.lower() == ".parquet"
    if parquet:
        _need_parquet_engine(path)
    result = _book_run(open_book(book), settings)
    table = rule_input_table(result)
    if parquet:
        atomic_write(path, lambda tmp: table.to_parquet(tmp, index=False, engine="pyarrow"))
    else:
        write_csv(table, path)
    return table


def _need_parquet_engine(path: Path) -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise InputError(f"{path.name}: writing Parquet needs pyarrow, which is not installed: "
                         f"pip install pyarrow (or write {path.with_suffix('.csv').name} instead)") from None
