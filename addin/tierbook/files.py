"""Account files on disk: CSV and Excel in, CSV out.

Readers keep every cell as the user wrote it ("NA" is North America, "00123"
keeps its zeros); the engine decides what is a number. Writers go to a
temporary file and rename, so a failed run never leaves half a file behind.
"""

from __future__ import annotations

import csv
import io
import os
import re
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
    """Read a CSV export: UTF-8 (with or without BOM), UTF-16, else Windows-1252.

    The encoding is chosen on the whole file, not its first block: a 1,000,000-row
    export whose first accented name ("Société Générale") sits on row 50,000 is
    still Windows-1252. The separator is the most frequent of , ; tab | in the
    header row. ``DataFrame.attrs`` records both (``encoding``, ``separator``).
    """
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{path}: the file is empty; expected a header row and one row per account")
    encoding = _encoding(data)
    text_head = data[:64_000].decode(encoding, errors="replace")
    first_line = text_head.lstrip("\ufeff").splitlines()[0] if text_head.strip() else ""
    sep = max((",", ";", "\t", "|"), key=first_line.count)
    try:
        table = pd.read_csv(io.BytesIO(data), sep=sep, dtype=str, keep_default_na=False, na_values=[""],
                            encoding=encoding, quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{path}: not a readable CSV file ({str(exc).splitlines()[0]})") from exc
    table.attrs.update(encoding=encoding, separator=sep)
    return table


def _encoding(data: bytes) -> str:
    """The encoding of a whole file: BOM first, then strict UTF-8, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"  # every byte is a character; nothing is lost


def _read_excel(path: Path) -> pd.DataFrame:
    try:
        sheets = pd.ExcelFile(path, engine="calamine").sheet_names
    except Exception as exc:  # calamine raises its own types for corrupt files
        raise InputError(f"{path}: not a readable Excel workbook ({exc})") from exc
    sheet = next((s for s in sheets if header_key(s) == header_key(ACCOUNTS_SHEET)), sheets[0])
    return pd.read_excel(path, sheet_name=sheet, engine="calamine", keep_default_na=False, na_values=[""])


# A number written as text ("-1,200.50", "+3e5"): a spreadsheet reads it as a number, never a formula.
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def csv_safe(value: object) -> object:
    """Neutralise text a spreadsheet would run as a formula; keep the rest as is.

    Text beginning with =, +, -, @, tab or carriage return (OWASP's CSV
    injection list) gets a leading apostrophe, which makes Excel, LibreOffice
    and Google Sheets show it literally; :func:`csv_unsafe` removes that one
    character to recover the original value. Plain numbers written as text
    ("-1200", "+1,200.50") are left alone; "+inf" or "-2+3" are not numbers.
    Text that already begins with apostrophes before a trigger gets one more,
    so that the recovery is exact for every value.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_unsafe(value: object) -> object:
    """The original value of a cell written by :func:`csv_safe`."""
    if isinstance(value, str) and value.startswith("'") and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def write_csv(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a table as UTF-8 CSV atomically, with formula-looking text neutralised."""
    path = Path(path)
    safe = table.copy()
    for column in safe.columns:
        values = safe[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            # Only cells starting with a trigger or an apostrophe can need escaping.
            text = values if isinstance(values.dtype, pd.StringDtype) else values.astype("str")
            risky = text.str.startswith(FORMULA_TRIGGERS + ("'",), na=False)
            if risky.any():
                safe[column] = values.astype(object)
                safe.loc[risky, column] = values[risky].map(csv_safe)
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
