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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..engine.accounts import clean_text
from ..engine.dates import read_dates
from ..engine.reading import (
    AMBIGUOUS,
    BLANK,
    DECIMALS,
    NUMBER_BLANKS,
    READ,
    plain_number,
    plain_numbers,
    read_numbers,
)

__all__ = ["DECIMALS", "Normalised", "normalise_dates", "normalise_export", "normalise_numbers", "plain_number"]


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


def normalise_numbers(series: pd.Series, decimal: str = "auto") -> Normalised:
    """A numeric column of an export, numbers as plain text; blanks as missing.

    The column is read by the engine's one reading of numbers
    (:func:`~tierbook.engine.reading.read_numbers`), so an import and a
    ``tier`` run agree on every value. What that reading cannot tell (a value
    that reads two ways and nothing decides, or text that is not a number) is
    kept as written, and the data checks report it.

    Args:
        series: the column as read (text from CSV, numbers from .xlsx).
        decimal: ``auto`` (read the column's convention from its values),
            ``point`` or ``comma`` (the export's decimal mark, when known).
    """
    if decimal not in DECIMALS:
        raise ValueError(f"decimal: {decimal!r} is not one of {', '.join(DECIMALS)}")
    raw = series.reset_index(drop=True)
    parsed = read_numbers(raw, decimal)
    arr = raw.to_numpy(dtype=object)
    out = arr.copy()
    settled = np.isin(parsed.status, READ) & (parsed.status != AMBIGUOUS)
    out[settled] = plain_numbers(parsed.values[settled])
    out[parsed.status == BLANK] = pd.NA
    unsettled = ~settled & (parsed.status != BLANK)
    texts = np.array([isinstance(v, str) for v in arr], dtype=bool)
    out[unsettled & texts] = [v.strip() for v in arr[unsettled & texts]]
    out[unsettled & ~texts] = [repr(v) if isinstance(v, float) else str(v) for v in arr[unsettled & ~texts]]
    worded = np.array([isinstance(v, str) and v.strip().casefold() in NUMBER_BLANKS for v in arr], dtype=bool)
    left_mask = unsettled & ~worded
    ambiguous = int((parsed.status == AMBIGUOUS).sum())
    others = np.flatnonzero(left_mask & (parsed.status != AMBIGUOUS))
    example = str(arr[others[0]]).strip() if others.size else None
    convention = parsed.decimal if decimal == "auto" else decimal
    return Normalised(pd.Series(out, dtype=object), convention, int(left_mask.sum()), example, ambiguous)


def normalise_dates(series: pd.Series) -> Normalised:
    """A date column of an export as ISO text (2026-03-31); unreadable values as written.

    The column is read by the engine's one reading of dates
    (:func:`~tierbook.engine.dates.read_dates`): datetimes, ISO text, Excel
    serials, d/m/y or m/d/y text with the order the column shows. A date
    whose day and month nothing tells apart ("03/04/2026") is left as written.
    """
    raw = series.reset_index(drop=True)
    parsed = read_dates(raw)
    arr = raw.to_numpy(dtype=object)
    out = arr.copy()
    settled = np.isin(parsed.status, READ) & (parsed.status != AMBIGUOUS)
    out[settled] = parsed.values[settled].dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    out[parsed.status == BLANK] = pd.NA
    unread = ~settled & (parsed.status != BLANK)
    example = str(arr[np.flatnonzero(unread)[0]]) if unread.any() else None
    order = parsed.order
    return Normalised(pd.Series(out, dtype=object), f"date {order}" if order else "", int(unread.sum()), example)


def normalise_export(table: pd.DataFrame, decimal: str = "auto") -> tuple[pd.DataFrame, list[str]]:
    """An export (canonical headers for mapped columns) with every cell as text in one plain form.

    Numbers of the canonical numeric columns become plain numbers, Renewal
    Date becomes ISO, IDs and every other cell become text ("1001", not
    "1001.0"). Returns the table and notes for the import report.
    """
    from ..columns import DATE_COLUMNS, NUMERIC_COLUMNS, Col
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
        elif column in DATE_COLUMNS:
            result = normalise_dates(table[column])
            out[column] = result.values.to_numpy(dtype=object)
            if result.left_as_written:
                notes.append(f"{column}: {result.left_as_written:,} values left as written, e.g. "
                             f"{result.example!r} (not a date, or 03/04/2026 with nothing to tell day from month).")
    if Col.ACCOUNT_ID in out.columns:
        out[Col.ACCOUNT_ID] = clean_text(out[Col.ACCOUNT_ID]).to_numpy(dtype=object)
    return out, notes


def audit_incoming_overrides(table: pd.DataFrame, by: str, day: str) -> pd.DataFrame:
    """The export with who and when filled in for each override it brings without them.

    An override that arrives from the CRM is the CRM's decision: Override By
    is the export's own field where the mapping names one (e.g. ``"Override
    By" = "OwnerId"``), else ``by`` (the importer); Override Set On is the
    export's, else ``day`` (the import's, ISO). The merge uses these for new
    accounts only: a book's own override and its audit columns are never
    changed by an import.
    """
    from ..columns import Col

    if Col.TIER_OVERRIDE not in table.columns:
        return table
    out = table.copy()
    given = out[Col.TIER_OVERRIDE].map(lambda v: isinstance(v, str) and bool(v.strip())).to_numpy(dtype=bool)
    for column, value in ((Col.OVERRIDE_BY, by), (Col.OVERRIDE_SET_ON, day)):
        if not value:
            continue
        current = out[column] if column in out.columns else pd.Series("", index=out.index, dtype=object)
        blank = current.map(lambda v: not (isinstance(v, str) and v.strip())).to_numpy(dtype=bool)
        filled = current.to_numpy(dtype=object, copy=True)
        filled[given & blank] = value
        out[column] = filled
    return out
