"""Turn a raw account table (as a CRM export arrives) into typed columns.

The raw table is never changed: this module builds a second, typed frame with
the canonical column names, and records every value it had to interpret (a
number written as text) or could not interpret (so the checks can report it
rather than guess).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError, MissingColumnError
from ..layout import (
    CANONICAL_KEYS,
    CATEGORY_COLUMNS,
    INPUT_COLUMNS,
    NUMERIC_COLUMNS,
    OUTPUT_COLUMNS,
    REQUIRED_COLUMNS,
    TEXT_COLUMNS,
    Col,
    header_key,
)

# Cell contents that mean "no value" in CRM exports and spreadsheets.
BLANK_TOKENS = frozenset({"", "#n/a", "n/a", "na", "null", "none", "nan", "-", "\u2014", "#null!"})

# Status codes of a parsed number.
OK, FROM_TEXT, UNPARSEABLE, BLANK = 0, 1, 2, 3

_CURRENCY = r"(?:[$€£¥]|usd|eur|gbp|cad|aud|chf|jpy)"
_GROUPED = re.compile(r"^\d{1,3}(?:[ ,'\u00a0\u202f]\d{3})+(?:\.\d+)?$")
_EURO_GROUPED = re.compile(r"^\d{1,3}(?:\.\d{3})+,\d+$")
_PLAIN = re.compile(r"^(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$")
_CURRENCY_EDGE = re.compile(rf"^{_CURRENCY}\s*|\s*{_CURRENCY}$", re.I)


@dataclass(frozen=True)
class ParsedNumbers:
    """A numeric column: values (NaN where absent or unusable) and a status per row."""

    values: np.ndarray
    status: np.ndarray


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
    """

    raw: pd.DataFrame
    frame: pd.DataFrame
    source: dict[str, str]
    numbers: dict[str, ParsedNumbers]
    first_row: int

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


def prepare_accounts(raw: pd.DataFrame, first_row: int = 2) -> Accounts:
    """Read a raw account table into typed canonical columns.

    Args:
        raw: one row per account, headers in the first row; any columns.
        first_row: spreadsheet row number of the first data row (2 when the
            header is row 1), used to name rows in problem reports.

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
    index = pd.RangeIndex(len(raw))
    data: dict[str, object] = {}
    numbers: dict[str, ParsedNumbers] = {}
    for column in INPUT_COLUMNS:
        header = source.get(column)
        series = raw[header].reset_index(drop=True) if header is not None else None
        if column in NUMERIC_COLUMNS:
            parsed = parse_numbers(series) if series is not None else _absent_numbers(len(raw))
            numbers[column] = parsed
            data[column] = parsed.values
        elif column == Col.RENEWAL_DATE:
            data[column] = parse_dates(series) if series is not None else pd.Series(pd.NaT, index=index)
        elif column in TEXT_COLUMNS:
            data[column] = clean_text(series) if series is not None else pd.Series(pd.NA, index=index, dtype=object)
    frame = pd.DataFrame(data, index=index)
    for column in CATEGORY_COLUMNS:
        frame[column] = canonical_spelling(frame[column])
    owned = set(source.values())
    outputs = {source[c] for c in OUTPUT_COLUMNS if c in source}
    extras = [h for h in raw.columns if h not in owned and h not in outputs]
    if extras:
        frame = pd.concat([frame, raw[extras].reset_index(drop=True)], axis=1)
    return Accounts(raw=raw, frame=frame, source=source, numbers=numbers, first_row=first_row)


def _absent_numbers(n: int) -> ParsedNumbers:
    return ParsedNumbers(np.full(n, np.nan), np.full(n, BLANK, dtype=np.int8))


def parse_numbers(series: pd.Series) -> ParsedNumbers:
    """Parse a column of numbers that may be written as text.

    Real numbers pass through. Text such as "$12,500.00", "12 500", "(1,200)"
    or "1.2e5" is parsed and marked FROM_TEXT; blanks and "#N/A" are BLANK;
    anything else is UNPARSEABLE and left NaN, never guessed.
    """
    n = len(series)
    values = np.full(n, np.nan)
    status = np.full(n, OK, dtype=np.int8)
    if n == 0:
        return ParsedNumbers(values, status)
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan, copy=True)
        status[~np.isfinite(values)] = BLANK
        values[~np.isfinite(values)] = np.nan
        return ParsedNumbers(values, status)
    obj = series.to_numpy(dtype=object)
    is_text = np.fromiter((isinstance(v, str) for v in obj), dtype=bool, count=n)
    is_bool = np.fromiter((isinstance(v, (bool, np.bool_)) for v in obj), dtype=bool, count=n)
    numeric = pd.to_numeric(pd.Series(np.where(is_bool, None, obj)), errors="coerce").to_numpy(dtype=float)
    finite = np.isfinite(numeric)
    values[finite] = numeric[finite]
    blank = pd.isna(series).to_numpy() & ~is_text
    if is_text.any():
        text_idx = np.flatnonzero(is_text)
        texts = pd.Series(obj[text_idx]).str.strip()
        lowered = texts.str.casefold()
        is_blank = lowered.isin(BLANK_TOKENS).to_numpy()
        blank[text_idx[is_blank]] = True
        parsed_ok = finite[text_idx] & ~is_blank
        exotic = parsed_ok & lowered.str.contains(r"[^0-9.+\-]", regex=True).to_numpy()
        status[text_idx[exotic]] = FROM_TEXT
        todo = ~parsed_ok & ~is_blank
        if todo.any():
            todo_idx = text_idx[todo]
            unique = pd.unique(lowered.to_numpy()[todo])
            lookup = {u: _parse_text_number(u) for u in unique}
            got = np.array([lookup[t] for t in lowered.to_numpy()[todo]], dtype=float)
            good = np.isfinite(got)
            values[todo_idx[good]] = got[good]
            status[todo_idx[good]] = FROM_TEXT
            status[todo_idx[~good]] = UNPARSEABLE
    status[blank] = BLANK
    bad = ~is_text & ~blank & ~finite
    status[bad] = UNPARSEABLE
    values[status >= UNPARSEABLE] = np.nan
    return ParsedNumbers(values, status)


def peel_sign(text: str, trailing_minus: bool = False) -> tuple[bool, str]:
    """Take accounting parentheses, currency marks and signs off a number written as text.

    "(USD 1,200)" -> (True, "1,200"); "-$450.25" -> (True, "450.25"). With
    ``trailing_minus``, "1,200-" (as SAP exports write it) is negative too.
    """
    t = text.strip()
    negative = False
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1].strip()
    for _ in range(2):
        t = _CURRENCY_EDGE.sub("", t).strip()
        if t[:1] in "+-" and t:
            negative ^= t[0] == "-"
            t = t[1:].strip()
        if trailing_minus and t[-1:] == "-":
            negative, t = not negative, t[:-1].strip()
    return negative, t


def _parse_text_number(text: str) -> float:
    """One casefolded, stripped text -> its number, or NaN if it is not one."""
    negative, t = peel_sign(text.replace("\u00a0", " ").replace("\u202f", " "))
    if _PLAIN.match(t):
        number = float(t)
    elif _GROUPED.match(t):
        number = float(re.sub(r"[ ,'\u00a0\u202f]", "", t))
    elif _EURO_GROUPED.match(t):
        number = float(t.replace(".", "").replace(",", "."))
    else:
        return float("nan")
    if not np.isfinite(number):
        return float("nan")
    return -number if negative else number


def map_unique_array(series: pd.Series, func, missing: object = pd.NA) -> np.ndarray:  # type: ignore[no-untyped-def]
    """``func`` applied once per distinct non-missing value, as an array per row.

    CRM columns repeat a handful of values (regions, industries, owners) over
    up to a million rows; calling Python once per distinct value instead of
    once per row keeps the engine vectorised. Missing cells get ``missing``.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes, uniques = series.cat.codes.to_numpy(), series.cat.categories
    else:
        values = series.to_numpy(dtype=object)
        present = ~pd.isna(values)
        codes = np.full(len(values), -1, dtype=np.intp)
        sub_codes, uniques = pd.factorize(values[present], sort=False)
        codes[present] = sub_codes
    mapped = [func(u) for u in uniques]
    table = np.empty(len(mapped) + 1, dtype=object)
    table[:-1] = mapped
    table[-1] = missing
    out = table[codes]  # code -1 (missing) picks the last entry
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
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        # All text (IDs and names are mostly distinct): strip in one vectorised pass.
        stripped = _as_text_array(series).str.strip()
        blank = (stripped.isna() | stripped.str.lower().isin(("", "#n/a", "#null!"))).to_numpy(dtype=bool)
        out = stripped.to_numpy(dtype=object, na_value=pd.NA, copy=True)
        out[blank] = pd.NA
        return pd.Series(out, dtype=object)
    return map_unique(series, _cell_text)


def _as_text_array(series: pd.Series) -> pd.Series:
    """Text with vectorised string methods: Arrow-backed where pyarrow is installed."""
    try:
        return series.astype("string[pyarrow]")
    except ImportError:  # e.g. Pyodide without pyarrow
        return series.astype(object)


def _cell_text(value: object) -> object:
    if isinstance(value, str):
        stripped = value.strip()
        return pd.NA if stripped.casefold() in ("", "#n/a", "#null!") else stripped
    if isinstance(value, float):
        if not np.isfinite(value):
            return pd.NA
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


def category_key(series: pd.Series) -> pd.Series:
    """Case- and space-blind key of category values ("  Fin tech" ~ "fintech")."""
    return map_unique(series, lambda v: re.sub(r"\s+", " ", str(v)).strip().casefold())


def canonical_spelling(series: pd.Series) -> pd.Series:
    """Replace each category value by the most frequent spelling of its key.

    "EMEA", "emea" and "EMEA " are one region; counting them apart would
    split a segment. Ties go to the spelling seen first.
    """
    if series.isna().all():
        return series
    keys = category_key(series)
    counts = (
        pd.DataFrame({"key": keys, "value": series})
        .dropna()
        .groupby(["key", "value"], sort=False)
        .size()
        .reset_index(name="n")
        .sort_values("n", ascending=False, kind="stable")
        .drop_duplicates("key")
    )
    best = dict(zip(counts["key"], counts["value"]))
    return keys.map(best, na_action="ignore").astype(object)


def parse_dates(series: pd.Series) -> pd.Series:
    """Dates from datetimes, ISO or US text, or Excel serial numbers; NaT if unreadable."""
    s = series.reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return pd.to_datetime(s)
    obj = s.astype(object)
    numeric = pd.to_numeric(obj.where(obj.map(lambda v: not isinstance(v, str))), errors="coerce")
    out = pd.to_datetime(
        obj.where(obj.map(lambda v: isinstance(v, str) or hasattr(v, "year"))).map(
            lambda v: v.strip() if isinstance(v, str) else v
        ),
        errors="coerce",
        format="mixed",
    )
    serial = numeric.notna() & numeric.between(1, 2_958_465)
    if serial.any():
        out = out.astype("datetime64[ns]")
        out[serial] = pd.Timestamp("1899-12-30") + pd.to_timedelta(numeric[serial], unit="D")
    return out
