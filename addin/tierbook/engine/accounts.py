"""Turn a raw account table (as a CRM export arrives) into typed columns.

The raw table is never changed: this module builds a second, typed frame with
the canonical column names, and records every value it had to interpret (a
number written as text) or could not interpret (so the checks can report it
rather than guess).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError, MissingColumnError
from ..columns import (
    CANONICAL_KEYS,
    CATEGORY_COLUMNS,
    DATE_COLUMNS,
    INPUT_COLUMNS,
    NUMERIC_COLUMNS,
    OUTPUT_COLUMNS,
    REQUIRED_COLUMNS,
    TEXT_COLUMNS,
    Col,
    header_key,
)
from .dates import ParsedDates, read_dates
from .reading import BLANK, DECIMALS, TEXT_BLANKS, ParsedNumbers, read_numbers

@dataclass(frozen=True)
class Accounts:
    """Typed accounts plus what it took to read them.

    Attributes:
        raw: the table as given (never modified).
        frame: canonical columns, typed (numbers as float, text stripped, dates
            as datetime), then the user's other columns unchanged. Same row
            order and length as ``raw``.
        source: canonical column -> the header it was read from in ``raw``.
        numbers: canonical numeric column -> its :class:`ParsedNumbers`.
        first_row: the spreadsheet row number of the first data row, so
            problems can name the row a user sees.
        dates: canonical date column -> its :class:`ParsedDates`.
        decimal: the decimal mark the numbers were read with (``auto``: each column's evidence).
        distinct: category column -> its raw cells factorised (per row the number of its
            distinct value, -1 where blank; the distinct values), read once for the cleaning
            and again by the spelling check.
    """

    raw: pd.DataFrame
    frame: pd.DataFrame
    source: dict[str, str]
    numbers: dict[str, ParsedNumbers]
    first_row: int
    dates: dict[str, ParsedDates] = field(default_factory=dict)
    decimal: str = "auto"
    distinct: dict[str, tuple[np.ndarray, Sequence[object]]] = field(default_factory=dict, repr=False)
    _read: dict[str, ParsedNumbers] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def rows(self) -> np.ndarray:
        """Spreadsheet row number of each account.

        A reader that skipped blank rows gives the rows' own numbers in
        ``raw.attrs["rows"]``, as runs of consecutive rows ``((first, count), ...)``;
        otherwise rows follow each other from ``first_row``.
        """
        runs = self.raw.attrs.get("rows")
        if runs and sum(count for _, count in runs) == len(self.frame):
            return np.concatenate([np.arange(first, first + count, dtype=np.int64) for first, count in runs])
        return np.arange(len(self.frame)) + self.first_row

    def has(self, column: str) -> bool:
        """Whether the input carried this canonical column."""
        return column in self.source

    def column_named(self, column: str) -> str | None:
        """The frame's column that ``column`` names (case and spaces ignored), or None."""
        key = header_key(column)
        return next((str(c) for c in self.frame.columns if header_key(c) == key), None)

    def numbers_of(self, column: str) -> ParsedNumbers | None:
        """Any column (canonical or the user's own) read as numbers, or None if there is no such column.

        A rule or score criterion may name a column of the user's; it is read
        once, the same way as the canonical number columns.
        """
        name = self.column_named(column)
        if name is None:
            return None
        if name in self.numbers:
            return self.numbers[name]
        if name not in self._read:
            self._read[name] = read_numbers(self.frame[name].reset_index(drop=True), self.decimal)
        return self._read[name]

    @property
    def previous_tier(self) -> pd.Series:
        """The Tier column of the input (a previous run), blank where absent."""
        header = self.source.get(Col.TIER)
        if header is None:
            return pd.Series(pd.NA, index=self.frame.index, dtype=object)
        return clean_text(self.raw[header])


def match_columns(headers: list[object]) -> dict[str, str]:
    """Map canonical column names to the headers that spell them.

    Raises:
        InputError: two headers spell the same canonical column.
    """
    found: dict[str, str] = {}
    for header in headers:
        canonical = CANONICAL_KEYS.get(header_key(header))
        if canonical is None:
            continue
        if canonical in found:
            raise InputError(
                f"columns {found[canonical]!r} and {header!r} both mean {canonical!r}; "
                "rename or remove one of them"
            )
        found[canonical] = header  # type: ignore[assignment]
    return found


def prepare_accounts(raw: pd.DataFrame, first_row: int = 2, decimal: str = "auto") -> Accounts:
    """Read a raw account table into typed canonical columns.

    Args:
        raw: one row per account, headers in the first row; any columns.
        first_row: spreadsheet row number of the first data row (2 when the
            header is row 1), used to name rows in problem reports.
        decimal: the decimal mark of numbers written as text: ``auto`` (each
            column's own evidence decides), ``point`` or ``comma``.

    Raises:
        MissingColumnError: Account ID, Account Name or ARR is absent.
        InputError: two headers mean the same canonical column.
    """
    source = match_columns(list(raw.columns))
    missing = [c for c in REQUIRED_COLUMNS if c not in source]
    if missing:
        shown = ", ".join(repr(str(h)) for h in raw.columns[:12]) or "none"
        more = f" and {len(raw.columns) - 12} more" if len(raw.columns) > 12 else ""
        raise MissingColumnError(
            "missing required column " + ", ".join(repr(m) for m in missing)
            + f"; the columns found are {shown}{more}"
        )
    if decimal not in DECIMALS:
        raise InputError(f"decimal: {decimal!r} is not one of " + ", ".join(DECIMALS))
    index = pd.RangeIndex(len(raw))
    data: dict[str, object] = {}
    numbers: dict[str, ParsedNumbers] = {}
    dates: dict[str, ParsedDates] = {}
    distinct: dict[str, tuple[np.ndarray, Sequence[object]]] = {}
    for column in INPUT_COLUMNS:
        header = source.get(column)
        series = raw[header].reset_index(drop=True) if header is not None else None
        if column in NUMERIC_COLUMNS:
            parsed = read_numbers(series, decimal) if series is not None else _absent_numbers(len(raw))
            numbers[column] = parsed
            data[column] = parsed.values
        elif column in DATE_COLUMNS:
            if series is not None:
                dates[column] = read_dates(series)
                data[column] = dates[column].values
            else:
                data[column] = pd.Series(pd.NaT, index=index, dtype="datetime64[s]")
        elif column in TEXT_COLUMNS:
            if series is None:
                data[column] = pd.Series(pd.NA, index=index, dtype=object)
            elif column in CATEGORY_COLUMNS:
                distinct[column] = distinct_values(series)
                data[column] = canonical_text(series, distinct[column])
            else:
                data[column] = clean_text(series)
    frame = pd.DataFrame(data, index=index)
    owned = set(source.values())
    outputs = {source[c] for c in OUTPUT_COLUMNS if c in source}
    extras = [h for h in raw.columns if h not in owned and h not in outputs]
    if extras:
        frame = pd.concat([frame, raw[extras].reset_index(drop=True)], axis=1)
    return Accounts(raw=raw, frame=frame, source=source, numbers=numbers, first_row=first_row, dates=dates,
                    decimal=decimal, distinct=distinct)


def _absent_numbers(n: int) -> ParsedNumbers:
    return ParsedNumbers(np.full(n, np.nan), np.full(n, BLANK, dtype=np.int8))


def distinct_values(series: pd.Series) -> tuple[np.ndarray, Sequence[object]]:
    """Each row's number among the distinct non-missing values (-1 where missing), and those values.

    Factorising the Series itself keeps Arrow-backed text in Arrow (no
    million Python strings to hash); an object Series is hashed as it is.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(dtype=np.intp), series.cat.categories
    codes, uniques = pd.factorize(series, sort=False)
    return np.asarray(codes, dtype=np.intp), uniques


def first_rows(codes: np.ndarray, count: int) -> np.ndarray:
    """Per distinct value (``count`` of them), the first row whose code is that value."""
    # Factorising numbers values in order of first appearance: a row whose code exceeds every code
    # before it is that code's first row. Should codes come in another order, some code is never
    # such a row, and sorting decides instead.
    if count and len(codes):
        new = np.flatnonzero(codes > np.maximum.accumulate(np.r_[-1, codes[:-1]]))
        if len(new) == count:
            return new.astype(np.int64)
    present = np.flatnonzero(codes >= 0)
    values, first = np.unique(codes[present], return_index=True)
    out = np.full(count, -1, dtype=np.int64)
    out[values] = present[first]
    return out


def by_code(codes: np.ndarray, mapped: Sequence[object], missing: object) -> np.ndarray:
    """Per row, ``mapped[code]``; ``missing`` where the code is -1."""
    table = np.empty(len(mapped) + 1, dtype=object)
    table[:-1] = mapped
    table[-1] = missing
    return table[codes]  # code -1 (missing) picks the last entry


def map_unique_array(series: pd.Series, func, missing: object = pd.NA) -> np.ndarray:  # type: ignore[no-untyped-def]
    """``func`` applied once per distinct non-missing value, as an array per row.

    CRM columns repeat a handful of values (regions, industries, owners) over
    up to a million rows; calling Python once per distinct value instead of
    once per row keeps the engine vectorised. Missing cells get ``missing``.
    """
    codes, uniques = distinct_values(series)
    mapped = [func(u) for u in uniques]
    out = by_code(codes, mapped, missing)
    kinds = {type(v) for v in mapped} | {type(missing)}
    if kinds <= {bool, np.bool_}:
        return out.astype(bool)
    if kinds <= {int, np.int64}:
        return out.astype(np.int64)
    return out


def map_unique(series: pd.Series, func) -> pd.Series:  # type: ignore[no-untyped-def]
    """:func:`map_unique_array` as an object Series (missing stays missing)."""
    return pd.Series(map_unique_array(series, func), index=series.index, dtype=object)


def clean_text(series: pd.Series) -> pd.Series:
    """Strip text; blanks and "#N/A" become missing; numbers become their text.

    A spreadsheet hands the Account ID 1001 over as the float 1001.0; as text
    it must read "1001" again, or it would never match the CRM's ID.
    """
    series = series.reset_index(drop=True)
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty") and not _repetitive(series):
        # All text, mostly distinct (IDs, names): strip in one vectorised pass.
        stripped = _as_text_array(series).str.strip()
        blank = (stripped.isna() | stripped.str.lower().isin(TEXT_BLANKS)).to_numpy(dtype=bool)  # lower: Arrow-native
        out = stripped.to_numpy(dtype=object, na_value=pd.NA, copy=True)
        out[blank] = pd.NA
        return pd.Series(out, dtype=object)
    return map_unique(series, _cell_text)


def _repetitive(series: pd.Series) -> bool:
    """Whether text repeats enough (regions, owners) that cleaning each distinct value once is cheaper."""
    if len(series) < 1000:
        return False
    sample = series.iloc[:: max(1, len(series) // 1000)]
    return sample.nunique() * 4 < len(sample)


def _as_text_array(series: pd.Series) -> pd.Series:
    """Text with vectorised string methods: Arrow-backed where pyarrow is installed."""
    try:
        return series.astype("string[pyarrow]")
    except ImportError:  # e.g. Pyodide without pyarrow
        return series.astype(object)


def _cell_text(value: object) -> object:
    if isinstance(value, str):
        stripped = value.strip()
        return pd.NA if stripped.casefold() in TEXT_BLANKS else stripped
    if isinstance(value, float):
        if not np.isfinite(value):
            return pd.NA
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


def category_key(series: pd.Series) -> pd.Series:
    """Case- and space-blind key of category values ("  Fin tech" ~ "fintech")."""
    return map_unique(series, _key)


def _key(value: object) -> str:
    return re.sub(r"\s+", " ", str(value)).strip().casefold()


def canonical_text(series: pd.Series, distinct: tuple[np.ndarray, Sequence[object]] | None = None) -> pd.Series:
    """A category column cleaned (:func:`clean_text`), each value replaced by the most frequent spelling of its key.

    "EMEA", "emea" and "EMEA " are one region; counting them apart would
    split a segment. Ties go to the spelling seen first. Each distinct raw
    value is cleaned and counted once, so a million rows of a few dozen
    regions cost one factorisation of the column as it arrived (``distinct``, when already done).
    """
    series = series.reset_index(drop=True)
    codes, uniques = distinct if distinct is not None else distinct_values(series)
    order = np.argsort(first_rows(codes, len(uniques)), kind="stable")  # first seen first
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    cleaned = {int(i): _cell_text(uniques[i]) for i in order}
    rows_per_spelling: dict[str, int] = {}
    for i, text in cleaned.items():
        if not pd.isna(text):
            rows_per_spelling[text] = rows_per_spelling.get(text, 0) + int(counts[i])  # type: ignore[index]
    best: dict[str, str] = {}
    for text, rows in rows_per_spelling.items():  # first seen first: a tie keeps the earlier spelling
        key = _key(text)
        if key not in best or rows > rows_per_spelling[best[key]]:
            best[key] = text
    chosen = [pd.NA if pd.isna(cleaned[i]) else best[_key(cleaned[i])] for i in range(len(uniques))]
    return pd.Series(by_code(codes, chosen, pd.NA), index=series.index, dtype=object)