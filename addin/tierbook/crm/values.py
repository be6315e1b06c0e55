"""Numbers and dates as CRM exports write them, turned into one plain form on import.

A Salesforce export from a German org writes "1.234.567,89"; a US one
"1,234,567.89"; HubSpot writes "1234567.89"; an .xlsx export hands over floats
and dates, or date serials where a cell lost its format. Import stores
numbers as plain text ("1234567.89") and dates as ISO ("2026-03-31"), so the
book reads the same whatever wrote the export.

Nothing is guessed: "1,234" or "1.234" (one separator, three digits after
it) is 1234 in one convention and 1.234 in the other. Such a value follows the
column's convention when other values in the column show it; otherwise it is
left as written, and the data checks report it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..engine.accounts import clean_text, peel_sign

DECIMALS: tuple[str, ...] = ("auto", "point", "comma")

_GROUP_SPACES = re.compile(r"(?<=\d)[ \u00a0\u202f'’](?=\d{3})")
_DIGITS = re.compile(r"^[\d.,]+$")
_AMBIGUOUS = re.compile(r"^[+-]?\d{1,3}[.,]\d{3}$")
_GROUPED_POINT = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")   # 1,234,567.89
_GROUPED_COMMA = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")   # 1.234.567,89
_DECIMAL_POINT = re.compile(r"^\d*\.\d+$")                        # 1234.5
_DECIMAL_COMMA = re.compile(r"^\d*,\d+$")                         # 1234,5


@dataclass(frozen=True)
class Normalised:
    """A column after import normalisation.

    Attributes:
        values: the column, numbers/dates in plain form; the rest as written.
        convention: ``point`` or ``comma`` (the decimal mark found), ``date
            day-first`` / ``date month-first``, or "" when nothing told.
        left_as_written: how many non-blank values could not be read safely.
        example: one such value, for the import report.
        ambiguous: how many of them are numbers whose decimal mark nothing tells.
    """

    values: pd.Series
    convention: str
    left_as_written: int
    example: str | None
    ambiguous: int = 0


def plain_number(value: float) -> str:
    """182000.0 -> "182000"; 1234.5 -> "1234.5" (shortest text that reads back exactly)."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _read(text: str) -> tuple[str, float, float]:
    """(kind, value with decimal point, value with decimal comma) of one text.

    kind is ``neutral`` (same in both conventions), ``point`` or ``comma``
    (only valid in one), ``ambiguous`` (valid in both, different values) or
    ``bad`` (not a number).
    """
    negative, t = peel_sign(text, trailing_minus=True)
    t = _GROUP_SPACES.sub("", t)
    if not t or not _DIGITS.match(t) or not any(ch.isdigit() for ch in t):
        return "bad", np.nan, np.nan
    sign = -1.0 if negative else 1.0
    if t.isdigit():
        return "neutral", sign * float(t), sign * float(t)
    point = sign * float(t.replace(",", "")) if (_GROUPED_POINT.match(t) or _DECIMAL_POINT.match(t)) else np.nan
    comma = (sign * float(t.replace(".", "").replace(",", "."))
             if (_GROUPED_COMMA.match(t) or _DECIMAL_COMMA.match(t)) else np.nan)
    if np.isfinite(point) and np.isfinite(comma):
        return "ambiguous", point, comma
    if np.isfinite(point):
        return "point", point, np.nan
    if np.isfinite(comma):
        return "comma", np.nan, comma
    return "bad", np.nan, np.nan


def plain_numbers(values: np.ndarray) -> np.ndarray:
    """:func:`plain_number` over an array of finite floats (vectorised for whole numbers)."""
    values = np.asarray(values, dtype=float)
    out = np.empty(values.size, dtype=object)
    whole = (values == np.floor(values)) & (np.abs(values) < 1e15)
    out[whole] = values[whole].astype(np.int64).astype(str).astype(object)
    out[~whole] = [repr(float(v)) for v in values[~whole]]
    return out


def normalise_numbers(series: pd.Series, decimal: str = "auto") -> Normalised:
    """A numeric column of an export, numbers as plain text; blanks as missing.

    Args:
        series: the column as read (text from CSV, numbers from .xlsx).
        decimal: ``auto`` (read the column's convention from its values),
            ``point`` or ``comma`` (the export's decimal mark, when known).
    """
    if decimal not in DECIMALS:
        raise ValueError(f"decimal: {decimal!r} is not one of {', '.join(DECIMALS)}")
    arr = series.reset_index(drop=True).to_numpy(dtype=object)
    out = arr.copy()
    if pd.api.types.infer_dtype(arr, skipna=True) in ("string", "empty"):
        is_text = ~pd.isna(arr)
    else:
        is_num = np.fromiter((isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                              for v in arr), dtype=bool, count=arr.size)
        num_idx = np.flatnonzero(is_num)
        if num_idx.size:
            nums = arr[num_idx].astype(float)
            finite = np.isfinite(nums)
            out[num_idx[finite]] = plain_numbers(nums[finite])
            out[num_idx[~finite]] = pd.NA
        is_text = np.fromiter((isinstance(v, str) for v in arr), dtype=bool, count=arr.size)
    text_idx = np.flatnonzero(is_text)
    convention, left, example, ambiguous = "", 0, None, 0
    if text_idx.size:
        texts = pd.Series(arr[text_idx], dtype=object).astype("str").str.strip()
        blank = (texts == "").to_numpy()
        out[text_idx[blank]] = pd.NA
        keep = ~blank
        idx, texts = text_idx[keep], texts[keep].reset_index(drop=True)
        # Fast path: plain numbers ("125000", "1234.5") that no convention reads otherwise.
        fast = pd.to_numeric(texts, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        finite = np.isfinite(fast)
        fraction = finite & (fast != np.floor(np.where(finite, fast, 0)))
        maybe = np.flatnonzero(fraction & (np.abs(np.where(finite, fast, 0)) < 1000))  # "1.234" looks like 1234
        plain = finite.copy()
        if maybe.size:
            plain[maybe] &= ~texts.iloc[maybe].str.match(_AMBIGUOUS).to_numpy(dtype=bool)
        if decimal == "comma":
            dotted = np.flatnonzero(plain)
            plain[dotted] &= ~texts.iloc[dotted].str.contains(".", regex=False).to_numpy(dtype=bool)
        point_seen = int((plain & fraction).sum())
        out[idx[plain]] = plain_numbers(fast[plain])
        slow_idx, slow = idx[~plain], texts[~plain].to_numpy(dtype=object)
        reads = {u: _read(u) for u in pd.unique(slow)}
        kinds = np.array([reads[t][0] for t in slow], dtype=object)
        comma_seen = int((kinds == "comma").sum())
        point_seen += int((kinds == "point").sum())
        if decimal != "auto":
            convention = decimal
        elif point_seen and not comma_seen:
            convention = "point"
        elif comma_seen and not point_seen:
            convention = "comma"
        values = []
        for t, kind in zip(slow, kinds):
            _, as_point, as_comma = reads[t]
            if kind == "neutral":
                values.append(plain_number(as_point))
            elif kind == "ambiguous" and convention:
                values.append(plain_number(as_point if convention == "point" else as_comma))
            elif kind in ("point", "comma") and (decimal == "auto" or kind == decimal):
                values.append(plain_number(as_point if kind == "point" else as_comma))
            else:
                values.append(t)
                if kind != "bad" or not _is_blank_token(t):
                    left += 1
                    ambiguous += kind == "ambiguous"
                    if kind != "ambiguous":
                        example = example or t
        if len(slow_idx):
            out[slow_idx] = np.array(values, dtype=object)
    return Normalised(pd.Series(out, dtype=object), convention, left, example, ambiguous)


def _is_blank_token(text: str) -> bool:
    return text.strip().casefold() in {"#n/a", "n/a", "na", "null", "none", "nan", "-", "\u2014", "#null!"}


_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})(?:[ T].*)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_SERIAL = re.compile(r"^\d{1,7}(?:\.\d+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _date(y: int, m: int, d: int) -> str | None:
    if y < 100:
        y += 2000 if y < 70 else 1900
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _serial(value: float) -> str | None:
    if not (1 <= value <= 2_958_465):
        return None
    return (_EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat()


def normalise_dates(series: pd.Series) -> Normalised:
    """A date column of an export as ISO text (2026-03-31); unreadable values as written.

    Reads dates and datetimes, ISO text (with or without a time), Excel serial
    numbers (as numbers or text), and d/m/y or m/d/y text. A day above 12
    tells the order of that value; "03/04/2026" follows the order the column's
    other values show, day first for dotted dates (31.03.2026), and is left as
    written when nothing in the column tells.
    """
    obj = series.reset_index(drop=True).astype(object)
    unique = pd.unique(obj.to_numpy(dtype=object))
    read: dict[object, object] = {}
    slashed: dict[object, tuple[int, int, int, str]] = {}
    for v in unique:
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and not np.isfinite(v)):
            read[v] = pd.NA
        elif isinstance(v, (dt.datetime, dt.date, pd.Timestamp, np.datetime64)):
            read[v] = pd.Timestamp(v).date().isoformat()
        elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            read[v] = _serial(float(v)) or v
        elif isinstance(v, str):
            t = v.strip()
            if not t:
                read[v] = pd.NA
            elif m := _ISO.match(t):
                read[v] = _date(int(m[1]), int(m[2]), int(m[3])) or v
            elif _SERIAL.match(t):
                read[v] = _serial(float(t)) or v
            elif m := _DMY.match(t):
                slashed[v] = (int(m[1]), int(m[2]), int(m[3]), t[len(m[1])])
            else:
                parsed = pd.to_datetime(t, errors="coerce", format="mixed")
                read[v] = v if parsed is pd.NaT else parsed.date().isoformat()
        else:
            read[v] = v
    day_first = any(a > 12 or sep == "." for a, b, y, sep in slashed.values())
    month_first = any(b > 12 and sep != "." for a, b, y, sep in slashed.values())
    order = "day-first" if day_first and not month_first else "month-first" if month_first and not day_first else ""
    for v, (a, b, y, sep) in slashed.items():
        if sep == "." or a > 12 or (order == "day-first" and b <= 12):
            read[v] = _date(y, b, a) or v
        elif b > 12 or order == "month-first":
            read[v] = _date(y, a, b) or v
        else:
            read[v] = v
    values = [read[v] if v in read else read.get(_nan_key(v), v) for v in obj.to_numpy(dtype=object)]
    out = pd.Series(np.array(values, dtype=object), dtype=object)
    unread = out.map(lambda v: not (v is pd.NA or (isinstance(v, str) and _ISO.match(v) is not None)))
    example = str(out[unread].iloc[0]) if unread.any() else None
    return Normalised(out, f"date {order}" if order else "", int(unread.sum()), example)


def _nan_key(value: object) -> object:
    return pd.NA if isinstance(value, float) and not np.isfinite(value) else value


def normalise_export(table: pd.DataFrame, decimal: str = "auto") -> tuple[pd.DataFrame, list[str]]:
    """An export (canonical headers for mapped columns) with every cell as text in one plain form.

    Numbers of the canonical numeric columns become plain numbers, Renewal
    Date becomes ISO, IDs and every other cell become text ("1001", not
    "1001.0"). Returns the table and notes for the import report.
    """
    from ..layout import NUMERIC_COLUMNS, Col
    from .store import as_text

    out = as_text(table)
    notes: list[str] = []
    for column in table.columns:
        if column in NUMERIC_COLUMNS:
            result = normalise_numbers(table[column], decimal)
            out[column] = result.values.to_numpy(dtype=object)
            if result.convention == "comma":
                notes.append(f"{column}: decimal comma (e.g. 1.234,50 read as 1234.5).")
            if result.ambiguous:
                notes.append(f"{column}: {result.ambiguous:,} values such as 1,234 or 1.234 left as written: "
                             "nothing in the column tells the decimal mark; pass --decimal point|comma.")
            if result.left_as_written > result.ambiguous:
                notes.append(f"{column}: {result.left_as_written - result.ambiguous:,} values are not numbers "
                             f"(e.g. {result.example!r}); kept as written, the data checks report them.")
        elif column == Col.RENEWAL_DATE:
            result = normalise_dates(table[column])
            out[column] = result.values.to_numpy(dtype=object)
            if result.left_as_written:
                notes.append(f"{column}: {result.left_as_written:,} values left as written, e.g. "
                             f"{result.example!r} (not a date, or 03/04/2026 with nothing to tell day from month).")
    if Col.ACCOUNT_ID in out.columns:
        out[Col.ACCOUNT_ID] = clean_text(out[Col.ACCOUNT_ID]).to_numpy(dtype=object)
    return out, notes
