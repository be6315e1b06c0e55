"""One reading of a cell: what is blank, what is an Excel error, what number a text holds.

Every reader of Tierbook (the accounts, the Settings sheet, rule values, the
CRM import, the custom functions) asks this module, so a value reads the same
wherever it is typed. Nothing is guessed: a text that reads as two different
numbers ("1,234" is 1234 with ',' separating thousands and 1.234 with ',' as
the decimal mark) takes the convention the rest of its column shows, or the
one the user chose; otherwise it is marked ambiguous with the reading used, so
that a report can say so. Dates are read in :mod:`tierbook.engine.dates`, with
the same blanks and statuses.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

# ------------------------------------------------------------------ blanks
TEXT_BLANKS: tuple[str, ...] = ("", "#n/a", "#null!")
"""Text that is an empty cell in any column (compared casefolded). "NA" is not: it is North America."""

NUMBER_BLANKS: tuple[str, ...] = ("n/a", "na", "null", "none", "nan", "nat", "-", "\u2013", "\u2014")
"""Words typed for "no value" in a number or date column: blank, and reported as a blank given as text."""

EXCEL_ERRORS: tuple[str, ...] = (
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
    "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!",
)
_ERRORS = {e.casefold(): e for e in EXCEL_ERRORS}

PLAUSIBLE_LIMIT = 1e15
"""Numbers beyond this magnitude are refused as implausible: no contract, company or count is that large,
and sums of them stay exact in 64-bit integers of cents only below it."""

QUOTE_LIMIT = 40
"""Characters of a raw value quoted in a reason or a problem's detail (Excel cells hold at most 32,767)."""


def is_blank(value: object) -> bool:
    """An empty cell: None, NaN, NA, NaT, or text that is empty or spaces only."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    return False


def is_text_blank(text: str) -> bool:
    """Text that is an empty cell in every column: '', '#N/A', '#NULL!' (case and spaces ignored)."""
    return text.strip().casefold() in TEXT_BLANKS


def excel_error(value: object) -> str | None:
    """The Excel error a cell shows ('#DIV/0!'), or None if the value is not one."""
    if isinstance(value, str):
        return _ERRORS.get(value.strip().casefold())
    return None


def quoted(value: object) -> str:
    """A value in a message: text quoted (long text cut short), numbers as typed (3, not 3.0)."""
    if isinstance(value, str):
        return repr(shorten(value))
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)) \
            and math.isfinite(float(value)):
        return plain_number(float(value))
    return shorten(repr(value))


def shorten(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A value as text, cut to ``limit`` characters with an ellipsis, for quoting in a message."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "\u2026"


# ----------------------------------------------------------------- numbers
DECIMALS: tuple[str, ...] = ("auto", "point", "comma")
"""How the decimal mark of numbers written as text is decided: from the column, or as given."""

# Status of a value read as a number, per row.
OK = 0           # a number as given, or plain text such as "125000"
FROM_TEXT = 1    # text read as a number ("$12,500.00", "(1,200)", "1.234,5")
BY_COLUMN = 2    # text that reads two ways, read in the convention the column's other values show
AMBIGUOUS = 3    # text that reads two ways and nothing decides: read with '.' as the decimal mark
UNPARSEABLE = 4  # not a number (NaN)
IMPLAUSIBLE = 5  # a number beyond PLAUSIBLE_LIMIT (NaN)
BLANK = 6        # an empty cell or "#N/A" (NaN)
BLANK_TEXT = 7   # a word for "no value" typed in the cell: "n/a", "-", "null" (NaN)
READ = (OK, FROM_TEXT, BY_COLUMN, AMBIGUOUS)
"""Statuses whose value is a number."""

_NEUTRAL, _POINT, _COMMA, _TWO_WAYS, _BAD = range(5)
_CURRENCY = r"(?:[$€£¥]|usd|eur|gbp|cad|aud|chf|jpy)"
_CURRENCY_EDGE = re.compile(rf"^{_CURRENCY}\s*|\s*{_CURRENCY}$", re.I)
_POINT_FORM = re.compile(r"^(?:[0-9]{1,3}(?P<g>[ ,'\u2019])[0-9]{3}(?:(?P=g)[0-9]{3})*|[0-9]*)(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?$")
_COMMA_FORM = re.compile(r"^(?:[0-9]{1,3}(?P<g>[ .'\u2019])[0-9]{3}(?:(?P=g)[0-9]{3})*|[0-9]*)(?:,[0-9]+)?$")
_TWO_WAY_PLAIN = re.compile(r"^[+-]?[0-9]{1,3}\.[0-9]{3}$")  # "1.234": 1.234, or 1234 with '.' for thousands
_EXOTIC = re.compile(r"[^0-9.+\-]")


@dataclass(frozen=True)
class ParsedNumbers:
    """A column read as numbers.

    Attributes:
        values: the number per row (NaN where absent or unusable).
        status: the status per row (OK, FROM_TEXT, ... BLANK_TEXT).
        decimal: the decimal mark used for values that read two ways: ``point``,
            ``comma``, or "" when nothing decided it (those rows are AMBIGUOUS).
        evidence: a value of the column that showed the convention, for reports.
        other: for AMBIGUOUS rows, the reading with ',' as the decimal mark.
    """

    values: np.ndarray
    status: np.ndarray
    decimal: str = ""
    evidence: str | None = None
    other: np.ndarray | None = None


def peel_sign(text: str, trailing_minus: bool = True) -> tuple[bool, str]:
    """Take accounting parentheses, currency marks and signs off a number written as text.

    "(USD 1,200)" -> (True, "1,200"); "-$450.25" -> (True, "450.25"); "1,200-"
    (as SAP exports write it) -> (True, "1,200").
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


def _classify(text: str) -> tuple[int, float, float]:
    """(kind, reading with '.' as decimal mark, reading with ',' as decimal mark) of one casefolded text."""
    negative, t = peel_sign(text.replace("\u00a0", " ").replace("\u202f", " "))
    if not t or not any("0" <= ch <= "9" for ch in t):
        return _BAD, math.nan, math.nan
    point = _number(t, _POINT_FORM, ".")
    comma = _number(t, _COMMA_FORM, ",")
    if negative:
        point, comma = -point, -comma
    if math.isnan(point) and math.isnan(comma):
        return _BAD, math.nan, math.nan
    if math.isnan(comma):
        return _POINT, point, comma
    if math.isnan(point):
        return _COMMA, point, comma
    return (_NEUTRAL if point == comma else _TWO_WAYS), point, comma


def _number(t: str, form: re.Pattern[str], mark: str) -> float:
    """``t`` read in one convention (``mark`` is its decimal mark), or NaN if it is not written that way."""
    m = form.match(t)
    if m is None:
        return math.nan
    digits = t.replace(m.group("g"), "") if m.group("g") else t
    try:
        return float(digits.replace(",", ".") if mark == "," else digits)
    except ValueError:
        return math.nan


def read_numbers(series: pd.Series, decimal: str = "auto") -> ParsedNumbers:
    """Read a column as numbers, deciding the separators of its texts from the whole column.

    Real numbers pass through. Text such as "$12,500.00", "12 500", "(1,200)",
    "1.2e5" or "1.234,5" is read and marked FROM_TEXT. A text that reads two
    ways ("120.000") follows ``decimal`` (``point`` or ``comma``) or, with
    ``auto``, the convention the column's other values show (BY_COLUMN); if
    none does, it is read with '.' as the decimal mark and marked AMBIGUOUS.
    Blanks and "#N/A" are BLANK, "n/a" or "-" BLANK_TEXT; anything else is
    UNPARSEABLE (a date or TRUE in a number column too), and magnitudes above
    PLAUSIBLE_LIMIT are IMPLAUSIBLE; those are NaN, never guessed.
    """
    if decimal not in DECIMALS:
        raise ValueError(f"decimal: {decimal!r} is not one of {', '.join(DECIMALS)}")
    n = len(series)
    values = np.full(n, np.nan)
    status = np.full(n, OK, dtype=np.int8)
    if n == 0:
        return ParsedNumbers(values, status, decimal if decimal != "auto" else "")
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan, copy=True)
        status[np.isnan(values)] = BLANK
        return _plausible(ParsedNumbers(values, status, decimal if decimal != "auto" else ""))
    obj = series.to_numpy(dtype=object)
    kinds = _kinds(obj)
    num = kinds == _NUM
    if num.any():
        values[num] = obj[num].astype(float)
        status[num & np.isnan(values)] = BLANK
    status[kinds == _NONE] = BLANK
    status[kinds == _OTHER] = UNPARSEABLE
    text_idx = np.flatnonzero(kinds == _TEXT)
    convention, evidence, other = (decimal if decimal != "auto" else ""), None, None
    if text_idx.size:
        convention, evidence, other = _read_texts(obj[text_idx], text_idx, values, status, decimal, n)
    return _plausible(ParsedNumbers(values, status, convention, evidence, other))


_NUM, _TEXT, _NONE, _OTHER = 1, 2, 3, 4
_KINDS: dict[type, int] = {float: _NUM, int: _NUM, np.float64: _NUM, np.int64: _NUM, np.float32: _NUM,
                           np.int32: _NUM, str: _TEXT, type(None): _NONE, type(pd.NA): _NONE,
                           type(pd.NaT): _NONE}


_TYPE_OF = np.frompyfunc(type, 1, 1)


def _kinds(obj: np.ndarray) -> np.ndarray:
    """The kind of each cell (number, text, blank, other), decided once per Python type in the column."""
    codes, types = pd.factorize(_TYPE_OF(obj), sort=False)
    table = np.array([_KINDS.get(t) or _kind(t) for t in types], dtype=np.int8)
    return table[codes]


def _kind(kind: type) -> int:
    if issubclass(kind, (bool, np.bool_)):
        return _OTHER
    if issubclass(kind, (int, float, np.integer, np.floating)):
        return _NUM
    if issubclass(kind, str):
        return _TEXT
    return _OTHER


def _read_texts(texts_obj: np.ndarray, idx: np.ndarray, values: np.ndarray, status: np.ndarray, decimal: str,
                n: int) -> tuple[str, str | None, np.ndarray | None]:
    """Read the text cells (positions ``idx``) into ``values``/``status``; return (convention, evidence, other)."""
    texts = pd.Series(texts_obj, dtype=object).str.strip()
    lowered = texts.str.casefold()
    blank = (lowered == "").to_numpy(dtype=bool)  # an Excel error ("#N/A") is not a number: reported as the error it is
    worded = lowered.isin(NUMBER_BLANKS).to_numpy(dtype=bool)
    live = ~(blank | worded)
    kind, point, comma, exotic = _classify_texts(lowered, live)
    convention, evidence = _convention(kind, texts, decimal)
    code = _settle(kind, exotic, convention, decimal)
    code[blank], code[worded] = BLANK, BLANK_TEXT
    chosen = comma if convention == "comma" else point
    got = np.where(kind == _COMMA, comma, np.where(kind == _POINT, point, chosen))
    status[idx] = code
    values[idx] = np.where(np.isin(code, READ), got, np.nan)
    other = None
    ambiguous = code == AMBIGUOUS
    if ambiguous.any():
        other = np.full(n, np.nan)
        other[idx[ambiguous]] = comma[ambiguous]
    return convention, evidence, other


def _classify_texts(lowered: pd.Series, live: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per text: its kind, its readings with '.' and with ',' as the decimal mark, and whether it is not plain.

    Plain numbers ("125000", "1234.5") are read in one vectorised pass; the
    rest once per distinct text.
    """
    size = len(lowered)
    kind = np.full(size, _BAD, dtype=np.int8)
    point = np.full(size, np.nan)
    comma = np.full(size, np.nan)
    fast = pd.to_numeric(lowered.where(live), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    fast_ok = live & np.isfinite(fast)
    point[fast_ok] = comma[fast_ok] = fast[fast_ok]
    kind[fast_ok] = _NEUTRAL
    dotted = np.flatnonzero(fast_ok & lowered.str.contains(".", regex=False).to_numpy(dtype=bool))
    if dotted.size:
        two_ways = lowered.iloc[dotted].str.match(_TWO_WAY_PLAIN).to_numpy(dtype=bool)
        kind[dotted] = np.where(two_ways, _TWO_WAYS, _POINT)
        comma[dotted] = np.nan
        tw = dotted[two_ways]
        if tw.size:
            comma[tw] = pd.to_numeric(lowered.iloc[tw].str.replace(".", "", regex=False)).to_numpy(dtype=float)
            kind[tw[point[tw] == comma[tw]]] = _NEUTRAL  # "0.000" is 0 either way
    exotic = np.zeros(size, dtype=bool)
    exotic[fast_ok] = lowered[fast_ok].str.contains(_EXOTIC).to_numpy(dtype=bool)
    slow = np.flatnonzero(live & ~fast_ok)
    if slow.size:
        texts = lowered.iloc[slow].to_numpy(dtype=object)
        table = {u: _classify(u) for u in pd.unique(texts)}
        got = [table[t] for t in texts]
        kind[slow] = [g[0] for g in got]
        point[slow] = [g[1] for g in got]
        comma[slow] = [g[2] for g in got]
        exotic[slow] = True
    return kind, point, comma, exotic


def _convention(kind: np.ndarray, texts: pd.Series, decimal: str) -> tuple[str, str | None]:
    """The decimal mark for texts that read two ways, and the value that showed it (``auto``: the column's evidence)."""
    if decimal != "auto":
        return decimal, None
    has_point, has_comma = bool((kind == _POINT).any()), bool((kind == _COMMA).any())
    if has_point == has_comma:
        return "", None  # nothing shows a convention, or the column shows both
    convention = "point" if has_point else "comma"
    first = int(np.flatnonzero(kind == (_POINT if has_point else _COMMA))[0])
    return convention, str(texts.iloc[first])


def _settle(kind: np.ndarray, exotic: np.ndarray, convention: str, decimal: str) -> np.ndarray:
    """The status of each text: plain, read from text, read by the column, ambiguous, or not a number."""
    code = np.full(kind.size, FROM_TEXT, dtype=np.int8)
    code[(kind == _NEUTRAL) & ~exotic] = OK
    code[(kind == _POINT) & ~exotic & (convention != "comma")] = OK
    two = kind == _TWO_WAYS
    if decimal == "auto":
        code[two] = BY_COLUMN if convention else AMBIGUOUS
    elif convention == "point":
        code[two & ~exotic] = OK
    code[kind == _BAD] = UNPARSEABLE
    if decimal == "point":
        code[kind == _COMMA] = UNPARSEABLE
    elif decimal == "comma":
        code[kind == _POINT] = UNPARSEABLE
    return code


def _plausible(parsed: ParsedNumbers) -> ParsedNumbers:
    """Mark magnitudes above PLAUSIBLE_LIMIT (and infinities) IMPLAUSIBLE, their values NaN."""
    with np.errstate(invalid="ignore"):
        huge = np.abs(parsed.values) > PLAUSIBLE_LIMIT
    if huge.any():
        parsed.status[huge] = IMPLAUSIBLE
        parsed.values[huge] = np.nan
    return parsed


@dataclass(frozen=True)
class Number:
    """One value read as a number: the reading, its status, and for AMBIGUOUS text the other reading."""

    value: float | None
    status: int
    other: float | None = None
    error: str | None = None  # the Excel error the cell shows, if any

    @property
    def ok(self) -> bool:
        return self.status in READ


def read_number(value: object, decimal: str = "auto", percent: bool = False) -> Number:
    """One cell as a number, read like a column of one value (so "0,3" is 0.3 and "1,234" AMBIGUOUS).

    With ``percent``, "30%" and "30,5 %" read as 0.3 and 0.305.
    """
    error = excel_error(value)
    if error is not None and error != "#N/A":
        return Number(None, UNPARSEABLE, error=error)
    divisor = 1.0
    if percent and isinstance(value, str) and value.strip().endswith("%"):
        value, divisor = value.strip()[:-1].strip(), 100.0
    parsed = read_numbers(pd.Series([value], dtype=object), decimal)
    status = int(parsed.status[0])
    if status not in READ:
        return Number(None, status, error=error)
    other = float(parsed.other[0]) / divisor if parsed.other is not None else None
    return Number(float(parsed.values[0]) / divisor, status, other)


def plain_number(value: float) -> str:
    """182000.0 -> "182000"; 1234.5 -> "1234.5": the shortest text that reads back exactly."""
    value = float(value)
    if value.is_integer() and abs(value) < PLAUSIBLE_LIMIT:
        return str(int(value))
    return repr(value)


def plain_numbers(values: np.ndarray) -> np.ndarray:
    """:func:`plain_number` over an array of finite floats (vectorised for whole numbers)."""
    values = np.asarray(values, dtype=float)
    out = np.empty(values.size, dtype=object)
    whole = (values == np.floor(values)) & (np.abs(values) < PLAUSIBLE_LIMIT)
    out[whole] = values[whole].astype(np.int64).astype(str).astype(object)
    out[~whole] = [repr(float(v)) for v in values[~whole]]
    return out
