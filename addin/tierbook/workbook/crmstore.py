"""A Tierbook workbook as the CRM import and export see it (a :class:`~tierbook.crm.store.BookStore`).

Import writes a merge into the Accounts table through the same zip-level
patching as Assign Tiers (:mod:`.accountsmerge`): only the cells the export
changed, new accounts' rows and the export's new columns are written, every
other part of the file is copied byte for byte, the write is atomic and the
previous version is kept as a backup. A book that does not exist yet is
made from the template. The mapping the import used goes into the
workbook's CrmFields table (Settings sheet), in the same write; a workbook
made before that table existed keeps it in ``BOOK.crm-mapping.toml``. The
record of the last CRM export is a CSV next to the workbook
(``BOOK.last-crm-export.csv``), so ``--changed-only`` works without touching
the workbook's sheets.

:func:`is_tierbook_workbook` tells a Tierbook workbook from a plain accounts
file; the task layer uses it to pick this store or the plain-file one.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pandas as pd

from ..crm.mapping import CrmFormat
from ..crm.merge import MergeResult
from ..crm.store import (
    STATE_SUFFIX,
    AccountsFile,
    _typed,
    as_text,
    book_lock,
    remember_beside,
    remembered_beside,
)
from ..engine.settings import Settings
from ..files import EXCEL_SUFFIXES
from ..columns import header_key
from .layout import WORKBOOK_OUTPUT_COLUMNS, Sheet, Tables
from .accountsmerge import merge_parts, plan_columns
from .tables import check_rows_fit
from .calc import calc_on_load, drop_calc_chain
from .crmfields import crm_fields_part, read_crm_format
from .package import Package, check_writable, save_package
from .read import Book, read_book
from .source import FileSource


def is_tierbook_workbook(path: Path) -> bool:
    """Whether ``path`` is an existing workbook with Accounts and Settings sheets (a Tierbook workbook)."""
    if path.suffix.lower() not in EXCEL_SUFFIXES or not path.exists():
        return False
    try:
        sheets = {header_key(s) for s in pd.ExcelFile(path, engine="calamine").sheet_names}
    except Exception:  # unreadable: let the reader report it
        return False
    return {"accounts", "settings"} <= sheets


class WorkbookStore:
    """The Accounts table of a Tierbook workbook, its CRM mapping, and its last CRM export beside it."""

    def __init__(self, path: Path, state_path: Path | None = None) -> None:
        self.path = Path(path)
        self._state = AccountsFile(state_path or self.path.with_name(self.path.stem + STATE_SUFFIX))
        self._book: Book | None = None
        self._package: Package | None = None
        self._taken = False

    # The book is read once: the merge is written into the very file it was read from.
    def _read(self) -> Book:
        if self._book is None:
            if self.path.exists():
                package = Package.open(self.path)
            else:
                from .create import template_package

                package = template_package(self.path)
            self._package = package
            self._book = read_book(package)
        return self._book

    def editing(self) -> contextlib.AbstractContextManager[object]:
        return book_lock(self.path)

    def read_accounts(self) -> pd.DataFrame:
        """The Accounts table's input and user columns, every cell as text.

        The cells as read are let go once they are text (a full sheet holds a
        million rows of them); the book's tables and settings stay for the write.
        """
        if self._taken:
            self._book = None  # asked again: the cells were let go, so the book is read again
        book = self._read()
        owned = {header_key(h) for h in WORKBOOK_OUTPUT_COLUMNS}
        text = as_text(book.accounts[[c for c in book.accounts.columns if header_key(c) not in owned]])
        if isinstance(book.source, FileSource):
            book.source.forget(Sheet.ACCOUNTS)
        self._book, self._taken = book.without_cells(), True
        return text

    def new_columns_note(self, names: list[str]) -> str | None:
        plan = plan_columns(self._read().account_table, names)
        return plan.describe() if plan else None

    def write_merge(self, result: MergeResult, crm: CrmFormat | None = None) -> str | None:
        book = self._read()
        package = self._package
        assert package is not None  # read with the book
        check_writable(self.path)
        check_rows_fit(book.account_table, len(result.table))  # before the merge is built: nothing to undo
        plan = plan_columns(book.account_table, result.new_columns)
        parts = merge_parts(package, result, _typed(result.table), book.n_accounts, plan)
        note = None
        if crm is not None:
            fields = crm_fields_part(package, crm, parts)
            if fields is None:
                note = f"This workbook predates the {Tables.CRM_FIELDS.table} table: {remember_beside(self.path, crm)}"
            else:
                parts.update(fields)
                note = (f"CRM fields remembered in the workbook's {Tables.CRM_FIELDS.table} table "
                        f"({Tables.CRM_FIELDS.sheet} sheet); tierbook export uses them.")
        _recalculate_on_open(package, parts, formulas_moved=plan is not None or result.removed > 0)
        save_package(package, parts, self.path, backup=self.path.exists())
        self._book, self._taken = None, False
        return note

    def read_last_export(self) -> pd.DataFrame | None:
        return self._state.read_accounts()

    def write_last_export(self, table: pd.DataFrame) -> None:
        self._state.write_accounts(table)

    def settings(self) -> Settings:
        return self._read().settings

    def crm_format(self) -> tuple[CrmFormat, str] | None:
        book = self._read()
        found = read_crm_format(book.source)
        return found if found is not None else remembered_beside(self.path)


def _recalculate_on_open(package: Package, parts: dict[str, bytes | None], formulas_moved: bool) -> None:
    """Changed inputs: Excel recalculates on open; moved formula cells: its calculation chain (now stale) goes."""
    calc_on_load(package, parts)
    if formulas_moved:
        drop_calc_chain(package, parts)
