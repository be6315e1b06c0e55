"""Account files on disk: CSV and Excel in, CSV out.

Readers keep every cell as the user wrote it ("NA" is North America, "00123"
keeps its zeros); the engine decides what is a number. Writers go to a
temporary file and rename, so a failed run never leaves half a file behind.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import pandas as pd

from .errors import InputError
from .layout import header_key

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
ACCOUNTS_SHEET = "Accounts"
# Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def read_accounts_file(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV or Excel file of accounts, every column as given.

    Raises:
        InputError: the file is missing, empty or of an unknown type.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _read_csv(path)
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path)
    raise InputError(f"{path}: expected a .csv or .xlsx file, got {suffix or 'no extension'!r}")


def _read_csv(path: Path) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with path.open(encoding=encoding, newline="") as handle:
                head = handle.read(64_000)
            break
        except UnicodeDecodeError:
            continue
    if not head.strip():
        raise InputError(f"{path}: the file is empty; expected a header row and one row per account")
    first_line = head.splitlines()[0]
    sep = max((",", ";", "\t", "|"), key=first_line.count)
    try:
        return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""],
                           encoding=encoding, quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{path}: not a readable CSV file ({str(exc).splitlines()[0]})") from exc


def _read_excel(path: Path) -> pd.DataFrame:
    try:
        sheets = pd.ExcelFile(path, engine="calamine").sheet_names
    except Exception as exc:  # calamine raises its own types for corrupt files
        raise InputError(f"{path}: not a readable Excel workbook ({exc})") from exc
    sheet = next((s for s in sheets if header_key(s) == header_key(ACCOUNTS_SHEET)), sheets[0])
    return pd.read_excel(path, sheet_name=sheet, engine="calamine", keep_default_na=False, na_values=[""])


def csv_safe(value: object) -> object:
    """Neutralise text a spreadsheet would run as a formula; keep the rest as is.

    A leading apostrophe makes Excel, LibreOffice and Google Sheets show the
    text literally; removing that one character recovers the original value.
    Plain numbers written as text ("-1200") are left alone.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        try:
            float(value.replace(",", ""))
            return value
        except ValueError:
            return "'" + value
    return value


def write_csv(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a table as UTF-8 CSV atomically, with formula-looking text neutralised."""
    path = Path(path)
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column].dtype):
            safe[column] = safe[column].map(csv_safe)
    return atomic_write(path, lambda target: safe.to_csv(target, index=False, encoding="utf-8"))


def atomic_write(path: Path, write) -> Path:  # type: ignore[no-untyped-def]
    """Call ``write(temp_path)`` next to ``path`` and rename it into place."""
    if not path.parent.exists():
        raise InputError(f"{path.parent}: no such folder")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(temp)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
