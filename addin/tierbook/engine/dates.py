"""One reading of a date: datetimes, ISO text, Excel serials, and d/m/y or m/d/y text in its column's order.

Excel counts days from an epoch of its own; every reader and writer of
Tierbook takes it from here. A slashed date whose day and month nothing in
its column tells apart ("03/04/2026") is read month first and marked
AMBIGUOUS, so that a report says so; blanks are the blanks of
:mod:`tierbook.engine.reading`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .reading import AMBIGUOUS, BLANK, BLANK_TEXT, FROM_TEXT, NUMBER_BLANKS, OK, UNPARSEABLE

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
"""Day 0 of Excel's 1900 date system (serial 60 is the 29 February 1900 that never was)."""
MAX_SERIAL = 2_958_465
FIRST_DATE, LAST_DATE = 1900, 9999
"""The years an Excel date can hold."""
"""Excel's last date, 9999-12-31."""

_ISO = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ t].*)?$")
_DMY = re.compile(r"^([0-9]{1,2})([./-])([0-9]{1,2})\2([0-9]{2}|[0-9]{4})(?:[ t].*)?$")
_SERIAL = re.compile(r"^[0-9]{1,7}(?:\.[0-9]+)?$")


@dataclass(frozen=True)
class ParsedDates:
    """A column read as dates.

    Attributes:
        values: the date per row (NaT where absent or unreadable).
        status: per row OK, FROM_TEXT, AMBIGUOUS (day and month could swap; read
            month first), UNPARSEABLE, BLANK or BLANK_TEXT.
        order: ``day-first`` or ``month-first`` when the column's slashed dates
            showed it, else "".
    """

    values: pd.Series
    status: np.ndarray
    order: str = ""


def excel_serial(value: dt.date | dt.datetime) -> float:
    """Excel's serial day number of a date or datetime (1900 date system)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value.replace(tzinfo=None) - EXCEL_EPOCH
    return delta.days + delta.seconds / 86_400 + delta.microseconds / 86_400e6


def from_serial(serial: float) -> pd.Timestamp | None:
    """The date of an Excel serial day number, or None outside 1 .. MAX_SERIAL."""
    if not (1 <= serial <= MAX_SERIAL):
        return None
    return pd.Timestamp(EXCEL_EPOCH + dt.timedelta(days=int(serial)))


def _date(y: int, m: int, d: int) -> pd.Timestamp | None:
    if y < 100:
        y += 2000 if y < 70 else 1900
    try:
        return pd.Timestamp(dt.date(y, m, d))
    except ValueError:
        return None


def read_dates(series: pd.Series) -> ParsedDates:
    """Read a column as dates: datetimes, ISO text, Excel serials (numbers or text), d/m/y or m/d/y text.

    A day above 12 tells the order of a slashed date; "03/04/2026" follows the
    order the column's other values show (day first for dotted dates such as
    31.03.2026) and is AMBIGUOUS, read month first, when nothing tells.
    """
    s = series.reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        values = s.dt.tz_localize(None) if s.dt.tz is not None else s
        status = np.where(values.isna().to_numpy(), BLANK, OK).astype(np.int8)
        return ParsedDates(values.dt.normalize(), status)
    codes, uniques = pd.factorize(s.to_numpy(dtype=object))
    read: dict[int, tuple[pd.Timestamp | None, int]] = {}
    slashed: dict[int, tuple[int, int, int, str]] = {}
    for i, v in enumerate(uniques):
        read[i] = _one_date(v, i, slashed)
    day_first = any(a > 12 or sep == "." for a, _, _, sep in slashed.values())
    month_first = any(b > 12 and sep != "." for _, b, _, sep in slashed.values())
    order = "day-first" if day_first and not month_first else "month-first" if month_first and not day_first else ""
    for i, (a, b, y, sep) in slashed.items():
        if sep == "." or a > 12 or (order == "day-first" and b <= 12):
            read[i] = _dated(_date(y, b, a))
        elif b > 12 or order == "month-first" or a == b:
            read[i] = _dated(_date(y, a, b))
        else:
            stamp = _date(y, a, b)
            read[i] = (stamp, AMBIGUOUS) if stamp is not None else (None, UNPARSEABLE)
    k = len(uniques)
    table = np.full(k + 1, np.datetime64("NaT"), dtype="datetime64[s]")
    codes_status = np.full(k + 1, BLANK, dtype=np.int8)
    for i, (stamp, code) in read.items():
        codes_status[i] = code
        if stamp is not None:
            table[i] = np.datetime64(stamp.date(), "s")
    values = pd.Series(table[codes], dtype="datetime64[s]")  # code -1 (missing) picks the last entry
    return ParsedDates(values, codes_status[codes], order)


def _dated(stamp: pd.Timestamp | None, status: int = FROM_TEXT) -> tuple[pd.Timestamp | None, int]:
    """A date read, or UNPARSEABLE when there is none or Excel could not hold it (before 1900, after 9999)."""
    if stamp is None or not (FIRST_DATE <= stamp.year <= LAST_DATE):
        return None, UNPARSEABLE
    return stamp, status


def _one_date(v: object, i: int, slashed: dict[int, tuple[int, int, int, str]]) -> tuple[pd.Timestamp | None, int]:
    """One distinct cell value as (date, status); slashed text is set aside until the column's order is known."""
    if isinstance(v, (dt.datetime, dt.date, np.datetime64)):
        stamp = pd.Timestamp(v)
        if stamp is pd.NaT:
            return None, BLANK
        return _dated(stamp.tz_localize(None).normalize() if stamp.tzinfo else stamp.normalize(), OK)
    if isinstance(v, (bool, np.bool_)):
        return None, UNPARSEABLE
    if isinstance(v, (int, float, np.integer, np.floating)):
        stamp = from_serial(float(v))
        return (stamp, OK) if stamp is not None else (None, UNPARSEABLE)
    if not isinstance(v, str):
        return None, UNPARSEABLE
    t = v.strip().casefold()
    if not t:
        return None, BLANK
    if t in NUMBER_BLANKS:
        return None, BLANK_TEXT
    if m := _ISO.match(t):
        return _dated(_date(int(m[1]), int(m[2]), int(m[3])))
    if _SERIAL.match(t):
        return _dated(from_serial(float(t)))
    if m := _DMY.match(t):
        slashed[i] = (int(m[1]), int(m[3]), int(m[4]), m[2])
        return None, UNPARSEABLE
    parsed = pd.to_datetime(v.strip(), errors="coerce", format="mixed")
    if parsed is pd.NaT:
        return None, UNPARSEABLE
    return _dated(parsed.tz_localize(None).normalize() if parsed.tzinfo else parsed.normalize())
