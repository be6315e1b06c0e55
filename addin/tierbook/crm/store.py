"""Where a book's accounts, its last CRM export and its CRM mapping live.

Import and export need a few things from a book: read its accounts and
write a merge into them, read and write the record of the last CRM export
(for ``--changed-only``), and remember the CRM field names the last import
used. :class:`BookStore` names them. :class:`AccountsFile` provides them for
a plain accounts file (CSV, or a one-sheet .xlsx), keeping the last export
and the mapping in files next to it. The workbook adapter provides the same
for a Tierbook workbook (:mod:`tierbook.workbook.crmstore`); which of the two
a book path gets is decided by the task layer (:func:`tierbook.tasks.open_book`),
so this package never imports the workbook adapter.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from ..atomic import book_lock
from ..engine.settings import Settings
from ..errors import InputError, WorkbookError
from ..files import (
    CSV_SUFFIXES,
    EXCEL_SUFFIXES,
    atomic_write,
    csv_unsafe,
    read_accounts_file,
    write_csv,
)
from ..columns import DATE_COLUMNS, NUMERIC_COLUMNS, header_key
from .mapping import CrmFormat
from .mappingfile import load_mapping, mapping_path, mapping_toml
from .merge import MergeResult, _text

STATE_SUFFIX = ".last-crm-export.csv"


class BookStore(Protocol):
    """A book as import and export see it."""

    path: Path

    def editing(self) -> contextlib.AbstractContextManager[object]:
        """Hold the book for one writer, from reading it to writing it back."""

    def read_accounts(self) -> pd.DataFrame | None:
        """The accounts table, every cell as text (``None`` if the book does not exist yet)."""

    def new_columns_note(self, names: list[str]) -> str | None:
        """Where the export's new columns go, for the import report."""

    def write_merge(self, result: MergeResult, crm: CrmFormat | None = None) -> str | None:
        """Write a merge (atomically: a failure leaves the book as it was) and remember ``crm``.

        Returns a line saying where the CRM mapping is kept.
        """

    def read_last_export(self) -> pd.DataFrame | None:
        """The record of the last CRM export (:data:`~tierbook.crm.upload.STATE_COLUMNS`), if any."""

    def write_last_export(self, table: pd.DataFrame) -> None:
        """Store the record of the export just written."""

    def settings(self) -> Settings | None:
        """The book's own settings (a workbook's Settings sheet); ``None`` for a plain file."""

    def crm_format(self) -> tuple[CrmFormat, str] | None:
        """The CRM mapping the last import used, and where it was read from (``None``: none kept)."""


def as_text(table: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text or missing: 1001.0 -> "1001", dates -> "2026-03-31"."""
    out = {}
    for column in table.columns:
        values = table[column].to_numpy(dtype=object)
        if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
            values = _text(values)
        out[column] = pd.Series(values, dtype=object).where(pd.notna(values), None)
    frame = pd.DataFrame(out, columns=table.columns)
    frame.attrs.update(table.attrs)
    return frame


def _unescape(table: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`~tierbook.files.csv_safe` on the cells and headers a Tierbook CSV escaped."""
    table.columns = [csv_unsafe(c) for c in table.columns]
    for j in range(table.shape[1]):
        s = table.iloc[:, j]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            escaped = s.str.startswith("'", na=False).to_numpy()
            if escaped.any():
                values = s.astype(object).to_numpy(copy=True)
                values[escaped] = [csv_unsafe(v) for v in values[escaped]]
                table.isetitem(j, values)
    return table


class AccountsFile:
    """A plain accounts file (.csv, or an .xlsx with one sheet) with a sidecar for the last export.

    Args:
        path: the accounts file; it may not exist yet (an import creates it).
        state_path: the last-export record (default: ``<stem>.last-crm-export.csv``
            next to the file).
    """

    def __init__(self, path: str | os.PathLike[str], state_path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in CSV_SUFFIXES + EXCEL_SUFFIXES:
            raise InputError(f"{self.path}: expected a .csv or .xlsx book, got {suffix or 'no extension'!r}")
        self.state_path = Path(state_path) if state_path else self.path.with_name(self.path.stem + STATE_SUFFIX)

    def read_accounts(self) -> pd.DataFrame | None:
        if not self.path.exists():
            return None
        table = read_accounts_file(self.path)
        if self.path.suffix.lower() in CSV_SUFFIXES:
            return as_text(_unescape(table))
        return as_text(table)

    def editing(self) -> contextlib.AbstractContextManager[object]:
        return book_lock(self.path)

    def new_columns_note(self, names: list[str]) -> str | None:
        return ("New columns from the export, added at the end: " + ", ".join(names)) if names else None

    def write_merge(self, result: MergeResult, crm: CrmFormat | None = None) -> str | None:
        self.write_accounts(result.table)
        return remember_beside(self.path, crm)

    def write_accounts(self, table: pd.DataFrame) -> None:
        if self.path.suffix.lower() in CSV_SUFFIXES:
            write_csv(table, self.path)
            return
        if self.path.exists():
            sheets = pd.ExcelFile(self.path, engine="calamine").sheet_names
            if len(sheets) > 1:
                raise WorkbookError(
                    f"{self.path} has {len(sheets)} sheets ({', '.join(sheets[:6])}) but is not a Tierbook "
                    "workbook (no Accounts and Settings sheets); import into a .csv book, or into a new "
                    ".xlsx, which becomes a Tierbook workbook"
                )
        typed = _typed(table)
        atomic_write(self.path, lambda target: _write_xlsx(typed, target))

    def read_last_export(self) -> pd.DataFrame | None:
        if not self.state_path.exists():
            return None
        return _unescape(read_accounts_file(self.state_path))

    def write_last_export(self, table: pd.DataFrame) -> None:
        write_csv(table, self.state_path)

    def settings(self) -> Settings | None:
        return None

    def crm_format(self) -> tuple[CrmFormat, str] | None:
        return remembered_beside(self.path)


def remember_beside(book: Path, crm: CrmFormat | None) -> str | None:
    """Keep the mapping an import used in ``BOOK.crm-mapping.toml`` next to the book."""
    if crm is None:
        return None
    target = mapping_path(book)
    text = mapping_toml(crm)
    atomic_write(target, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return f"CRM fields remembered in {target.name} (tierbook export uses them; --mapping accepts the file)."


def remembered_beside(book: Path) -> tuple[CrmFormat, str] | None:
    """The mapping kept next to a book, if any."""
    source = mapping_path(book)
    return (load_mapping(source), source.name) if source.is_file() else None


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    """Numbers back to numbers and ISO dates to dates, for an .xlsx (text elsewhere)."""
    out = table.copy()
    numeric = {header_key(c) for c in NUMERIC_COLUMNS}
    dated = {header_key(c) for c in DATE_COLUMNS}
    for column in out.columns:
        if header_key(column) in numeric:
            parsed = pd.to_numeric(out[column], errors="coerce")
            out[column] = np.where(parsed.notna(), parsed.astype(object), out[column].astype(object))
        elif header_key(column) in dated:
            parsed = pd.to_datetime(out[column], errors="coerce", format="%Y-%m-%d")
            out[column] = np.where(parsed.notna(), parsed.astype(object), out[column].astype(object))
    return out


def _write_xlsx(table: pd.DataFrame, target: str) -> None:
    buffer = io.BytesIO()  # pandas checks the file extension; the temporary file has none
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": {"strings_to_formulas": False,
                                                                              "strings_to_urls": False}}) as writer:
        table.to_excel(writer, sheet_name="Accounts", index=False)
    Path(target).write_bytes(buffer.getvalue())


__all__ = ["AccountsFile", "BookStore", "as_text", "book_lock", "remember_beside", "remembered_beside"]
