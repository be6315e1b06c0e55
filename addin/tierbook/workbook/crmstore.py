"""A Tierbook workbook as the CRM import and export see it (a :class:`~tierbook.crm.store.BookStore`).

Import rewrites only the Accounts table's input cells, through the same
zip-level writer as Assign Tiers: the output columns stay as the last run
left them, every other part of the file is copied byte for byte, the write is
atomic and the previous version is kept as a backup. Columns the export
brings that the Accounts table lacks are refused by name rather than dropped.
The record of the last CRM export is a CSV next to the workbook
(``BOOK.last-crm-export.csv``), so ``--changed-only`` works without touching
the workbook's sheets.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..crm.store import STATE_SUFFIX, AccountsFile, _typed, as_text, register_workbook_opener
from ..engine.settings import Settings
from ..layout import WORKBOOK_OUTPUT_COLUMNS, header_key
from .create import accounts_input_parts
from .package import Package, book_lock, check_writable, save_package
from .read import read_book


class WorkbookStore:
    """The Accounts sheet of a Tierbook workbook, and its last CRM export beside it."""

    def __init__(self, path: Path, state_path: Path | None = None) -> None:
        self.path = Path(path)
        self._state = AccountsFile(state_path or self.path.with_name(self.path.stem + STATE_SUFFIX))

    def read_accounts(self) -> pd.DataFrame:
        """The Accounts table's input and user columns, every cell as text."""
        accounts = read_book(Package.open(self.path)).accounts
        owned = {header_key(h) for h in WORKBOOK_OUTPUT_COLUMNS}
        return as_text(accounts[[c for c in accounts.columns if header_key(c) not in owned]])

    def write_accounts(self, table: pd.DataFrame) -> None:
        with book_lock(self.path):
            check_writable(self.path)
            package = Package.open(self.path)
            save_package(package, accounts_input_parts(package, _typed(table)), self.path, backup=True)

    def read_last_export(self) -> pd.DataFrame | None:
        return self._state.read_accounts()

    def write_last_export(self, table: pd.DataFrame) -> None:
        self._state.write_accounts(table)

    def settings(self) -> Settings:
        return read_book(Package.open(self.path)).settings


register_workbook_opener(WorkbookStore)
