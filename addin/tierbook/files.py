"""Account files on disk: CSV and Excel in, CSV out.

Readers keep every cell as the user wrote it ("NA" is North America, "00123"
keeps its zeros) and every header as written (two "Notes" columns stay two
"Notes" columns, a blank header stays blank); the engine decides what is a
number and which header means what. A blank line is not an account, and the
rows after it keep the row numbers a spreadsheet shows (``DataFrame.attrs``
``rows``). Writers go through :func:`~tierbook.atomic.atomic_write`, so a
failed run never leaves half a file behind.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import atomic_write, book_lock
from .errors import InputError, TierbookError
from .columns import header_key

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
ACCOUNTS_SHEET = "Accounts"
# Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The largest part an .xlsx may inflate to, and the whole file. A full Accounts sheet at
# Excel's limit of 1,048,576 rows takes about 1 GB of XML; a zip bomb declares far more.
MAX_PART_BYTES = 2 << 30
MAX_UNPACKED_BYTES = 4 << 30
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

__all__ = ["atomic_write", "book_lock", "csv_safe", "csv_unsafe", "open_xlsx_zip", "read_accounts_file", "write_csv"]


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
        grid = pd.read_csv(io.BytesIO(data), sep=sep, dtype=str, header=None, keep_default_na=False,
                           na_values=[""], skip_blank_lines=False, encoding=encoding, quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{path}: not a readable CSV file ({str(exc).splitlines()[0]})") from exc
    table = _with_header(grid, path)
    table.attrs.update(encoding=encoding, separator=sep)
    return table


def _with_header(grid: pd.DataFrame, path: Path) -> pd.DataFrame:
    """A grid read without a header (row 1 first) as a table: the first non-blank row names the columns.

    Headers stay exactly as written, duplicates and blanks included. Blank
    rows are not accounts; ``attrs["rows"]`` keeps each account's row number.
    """
    blank = grid.isna().to_numpy().all(axis=1) if grid.shape[1] else np.ones(len(grid), dtype=bool)
    filled = np.flatnonzero(~blank)
    if not filled.size:
        raise InputError(f"{path}: the file is empty; expected a header row and one row per account")
    h = int(filled[0])
    headers = ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in grid.iloc[h].tolist()]
    keep = filled[1:]
    # Without blank rows below the header, a slice: no copy of a million-row table.
    body = grid.iloc[h + 1:] if len(keep) == len(grid) - h - 1 else grid.iloc[keep]
    table = body.set_axis(headers, axis=1).reset_index(drop=True)
    table.attrs["rows"] = row_runs(keep + 1)
    return table


def row_runs(rows: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Row numbers as runs of consecutive rows, ((first, count), ...): small enough for ``DataFrame.attrs``."""
    if not len(rows):
        return ()
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [len(rows)]))
    return tuple((int(rows[a]), int(b - a)) for a, b in zip(starts, ends))


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


def open_xlsx_zip(path: Path, content: bytes | None = None,
                  error: type[TierbookError] = InputError) -> zipfile.ZipFile:
    """The zip inside an .xlsx, checked before anything inflates it.

    An encrypted (password-protected) workbook or an old .xls is an OLE2 file,
    not a zip: each gets its own message. A part that would inflate beyond
    :data:`MAX_PART_BYTES`, or a whole beyond :data:`MAX_UNPACKED_BYTES` (a zip
    bomb), is refused from the sizes the zip declares; Python's zip reader
    never returns more than a part declares.
    """
    source = io.BytesIO(content) if content is not None else path
    try:
        with open(path, "rb") if content is None else io.BytesIO(content[:8]) as f:
            head = f.read(8)
    except OSError as exc:
        raise error(f"{path}: cannot read the file ({exc.strerror})") from exc
    if head == OLE2_MAGIC:
        raw = content if content is not None else path.read_bytes()
        if "EncryptedPackage".encode("utf-16-le") in raw:
            raise error(f"{path}: the workbook is encrypted (password-protected); open it in Excel, remove the "
                        "password (File > Info > Protect Workbook > Encrypt with Password) and save, then run again")
        raise error(f"{path}: an Excel 97-2003 (.xls) file, not .xlsx; open it in Excel and save it as an "
                    "Excel Workbook (.xlsx)")
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise error(f"{path}: not an .xlsx workbook ({exc})") from exc
    infos = archive.infolist()
    big = max(infos, key=lambda i: i.file_size, default=None)
    total = sum(i.file_size for i in infos)
    if big is not None and (big.file_size > MAX_PART_BYTES or total > MAX_UNPACKED_BYTES):
        archive.close()
        raise error(f"{path}: refused, it would inflate to {total / 2**30:,.1f} GiB ({big.filename}: "
                    f"{big.file_size / 2**30:,.1f} GiB); an Excel workbook holds at most "
                    f"{MAX_PART_BYTES / 2**30:.0f} GiB per part and {MAX_UNPACKED_BYTES / 2**30:.0f} GiB in all. "
                    "Is it a zip bomb?")
    return archive


def _read_excel(path: Path) -> pd.DataFrame:
    """The Accounts sheet (or the first sheet) of an .xlsx, from A1, every header as written."""
    open_xlsx_zip(path).close()
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        sheets = book.sheet_names
        sheet = next((s for s in sheets if header_key(s) == header_key(ACCOUNTS_SHEET)), sheets[0])
        cells = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own types for corrupt files
        raise InputError(f"{path}: not a readable Excel workbook ({exc})") from exc
    width = max((len(r) for r in cells), default=0)
    columns = [_excel_values([row[j] if j < len(row) else "" for row in cells]) for j in range(width)]
    grid = pd.DataFrame(dict(enumerate(columns)), index=pd.RangeIndex(len(cells)))
    table = _with_header(grid, path)
    rows = table.attrs["rows"]
    table = table.infer_objects()
    table.attrs["rows"] = rows
    return table


def _excel_values(values: list[object]) -> np.ndarray:
    """One column of cells: blank cells missing, whole numbers as int (as pandas reads Excel)."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        if v == "" or v is None:
            out[i] = np.nan
        elif isinstance(v, float) and v.is_integer():
            out[i] = int(v)
        else:
            out[i] = v
    return out


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
    """Write a table as UTF-8 CSV atomically, with formula-looking text (headers too) neutralised.

    Lines end in CRLF (RFC 4180), so every field holding a carriage return or
    a line feed is quoted, like one holding the separator or a quote: a
    spreadsheet reads each record as one row.
    """
    path = Path(path)
    safe = table.copy()
    safe.columns = [csv_safe(c) if isinstance(c, str) else c for c in safe.columns]
    for j in range(safe.shape[1]):
        values = safe.iloc[:, j]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            # Only cells starting with a trigger or an apostrophe can need escaping.
            text = values if isinstance(values.dtype, pd.StringDtype) else values.astype("str")
            risky = text.str.startswith(FORMULA_TRIGGERS + ("'",), na=False).to_numpy()
            if risky.any():
                fixed = values.astype(object).to_numpy(copy=True)
                fixed[risky] = [csv_safe(v) for v in fixed[risky]]
                safe.isetitem(j, fixed)
    return atomic_write(path, lambda target: safe.to_csv(target, index=False, encoding="utf-8",
                                                         lineterminator="\r\n"))
