"""Cell addresses and the XML of single cells (SpreadsheetML), as plain strings.

Strings go in as inline strings (``t="inlineStr"``) so that writing a cell
never touches the shared-string part that every other sheet uses. Text is
written as the spec's ST_Xstring: a literal ``_x0041_`` keeps its underscore
escaped (``_x005F_x0041_``), or Excel would show "A". No cell holds more than
Excel's 32,767 characters: Excel calls such a file damaged.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from ..errors import WorkbookError

MAX_CELL_CHARS = 32_767
"""Excel's limit on the characters of one cell (UTF-16 code units)."""

from ..engine.dates import excel_serial as serial

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


_LETTERS: dict[int, str] = {}


def col_letter(n: int) -> str:
    """1 -> A, 27 -> AA."""
    cached = _LETTERS.get(n)
    if cached is not None:
        return cached
    s = ""
    key = n
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    _LETTERS[key] = s
    return s


def col_number(letters: str) -> int:
    """A -> 1, AA -> 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def ref(row: int, col: int, absolute: bool = False) -> str:
    """(5, 2) -> B5, or $B$5."""
    if absolute:
        return f"${col_letter(col)}${row}"
    return f"{col_letter(col)}{row}"


def area(row1: int, col1: int, row2: int, col2: int, absolute: bool = False) -> str:
    return f"{ref(row1, col1, absolute)}:{ref(row2, col2, absolute)}"


def column_ref(col: int) -> str:
    """A whole column, $C:$C: grows with the data in every spreadsheet program."""
    letter = col_letter(col)
    return f"${letter}:${letter}"


def sheet_ref(sheet: str, cells: str) -> str:
    """'Tier Rules'!$A$1 (quoted when the name needs it)."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", sheet):
        return f"{sheet}!{cells}"
    return "'" + sheet.replace("'", "''") + "'!" + cells


_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def split_ref(text: str) -> tuple[int, int]:
    """B5 -> (5, 2)."""
    m = _REF.match(text)
    if not m:
        raise ValueError(f"not a cell reference: {text!r}")
    return int(m.group(2)), col_number(m.group(1))


def split_area(text: str) -> tuple[int, int, int, int]:
    """A1:C9 -> (1, 1, 9, 3)."""
    first, _, last = text.partition(":")
    r1, c1 = split_ref(first)
    r2, c2 = split_ref(last or first)
    return r1, c1, r2, c2


def is_blank(value: object) -> bool:
    """None, '', NaN, NA and NaT are all an empty cell."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return value == ""
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    return False


def number_text(value: float) -> str:
    """A number as SpreadsheetML writes it: shortest round-trip text, integers without '.0'."""
    f = float(value)
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


_XSTRING_LITERAL = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def xstring_escape(text: str) -> str:
    """Text as ST_Xstring holds it: the underscore of a literal ``_xHHHH_`` is written ``_x005F_``."""
    return _XSTRING_LITERAL.sub(r"_x005F_\1", text) if "_x" in text else text


def xstring_unescape(text: str) -> str:
    """The text an ST_Xstring stands for: every ``_xHHHH_`` is the character HHHH."""
    if "_x" not in text:
        return text
    out = _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return out.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # pairs written as two escapes


def cell_length(text: str) -> int:
    """Characters as Excel counts them (UTF-16 code units: an emoji counts two)."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def shortened(text: str) -> str:
    """Text Tierbook composed, cut to fit one cell, with a visible marker saying so."""
    if len(text) <= MAX_CELL_CHARS // 2:
        return text
    total = cell_length(text)
    if total <= MAX_CELL_CHARS:
        return text
    marker = f" [... shortened by Tierbook: {total:,} characters in all]"
    units = text.encode("utf-16-le")[: (MAX_CELL_CHARS - len(marker)) * 2]
    return units.decode("utf-16-le", "ignore") + marker  # "ignore": half an emoji at the cut goes


def text_xml(value: str) -> str:
    value = xstring_escape(_ILLEGAL.sub("", value))
    if value != value.strip() or "\n" in value:
        return f'<t xml:space="preserve">{escape(value)}</t>'
    return f"<t>{escape(value)}</t>"


def value_cell(address: str, style: str | None, value: object, shorten: bool = False) -> str:
    """The XML of a constant cell; '' for a blank unstyled cell.

    Text longer than an Excel cell holds is cut with a marker when Tierbook
    composed it (``shorten``); anyone else's is refused.

    Raises:
        WorkbookError: text beyond :data:`MAX_CELL_CHARS` and not ``shorten``.
    """
    s = f' s="{style}"' if style else ""
    if is_blank(value):
        return f'<c r="{address}"{s}/>' if style else ""
    if isinstance(value, (bool, np.bool_)):
        return f'<c r="{address}"{s} t="b"><v>{int(bool(value))}</v></c>'
    if isinstance(value, (int, float, np.integer, np.floating)):
        f = float(value)
        if not math.isfinite(f):
            return f'<c r="{address}"{s}/>' if style else ""
        return f'<c r="{address}"{s}><v>{number_text(f)}</v></c>'
    if isinstance(value, (dt.date, dt.datetime)):
        return f'<c r="{address}"{s}><v>{number_text(serial(value))}</v></c>'
    text = str(value)
    if len(text) > MAX_CELL_CHARS // 2 and cell_length(text) > MAX_CELL_CHARS:
        if not shorten:
            raise WorkbookError(f"cell {address}: a value of {cell_length(text):,} characters; an Excel cell "
                                f"holds at most {MAX_CELL_CHARS:,} (Excel would call the file damaged)")
        text = shortened(text)
    return f'<c r="{address}"{s} t="inlineStr"><is>{text_xml(text)}</is></c>'


def cached_xml(value: object) -> tuple[str, str]:
    """(type attribute, <v> element) for a formula's cached result."""
    if is_blank(value):
        return ' t="str"', "<v></v>"
    if isinstance(value, (bool, np.bool_)):
        return ' t="b"', f"<v>{int(bool(value))}</v>"
    if isinstance(value, (int, float, np.integer, np.floating)):
        f = float(value)
        if not math.isfinite(f):
            return ' t="str"', "<v></v>"
        return "", f"<v>{number_text(f)}</v>"
    return ' t="str"', f"<v>{escape(xstring_escape(_ILLEGAL.sub('', shortened(str(value)))))}</v>"


def formula_cell(address: str, style: str | None, formula_xml: str, value: object) -> str:
    """A formula cell: ``formula_xml`` is the whole <f> element; ``value`` its cached result."""
    s = f' s="{style}"' if style else ""
    t, v = cached_xml(value)
    return f'<c r="{address}"{s}{t}>{formula_xml}{v}</c>'


def f_element(formula: str) -> str:
    """<f> of a plain formula (given without the leading '=')."""
    return f"<f>{escape(formula.lstrip('='))}</f>"


# ------------------------------------------------------------ whole columns
def number_texts(values: np.ndarray) -> list[str | None]:
    """:func:`number_text` of each value of a float array; None where it is not finite (vectorised)."""
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    out = np.full(values.size, None, dtype=object)
    whole = finite & (values == np.round(values)) & (np.abs(values) < 1e15)
    out[whole] = values[whole].astype(np.int64).astype(str).astype(object)
    rest = finite & ~whole
    out[rest] = [repr(v) for v in values[rest].tolist()]
    return out.tolist()


def column_cells(letter: str, first_row: int, style: str | None, values: np.ndarray,
                 shorten: bool = False) -> list[str]:
    """The cell XML of one column over consecutive rows from ``first_row`` ('' for a blank unstyled cell).

    Gives what :func:`value_cell` gives cell by cell, built a column at a
    time: numbers formatted in one pass, every other value once per distinct value.
    """
    n = len(values)
    rows = np.arange(first_row, first_row + n).astype(str).tolist()
    s = f' s="{style}"' if style else ""
    blank = f"{s}/>" if style else None
    if np.asarray(values).dtype.kind == "f":
        texts = number_texts(values)
        return [f'<c r="{letter}{r}"{s}><v>{t}</v></c>' if t is not None else
                (f'<c r="{letter}{r}"{blank}' if blank else "") for r, t in zip(rows, texts)]
    objects = np.asarray(values, dtype=object)
    listed = objects.tolist()
    kinds = list(map(type, listed))
    if set(kinds) <= _TEXT_KINDS:  # text and blanks (a tier, a reason): each distinct value formatted once
        distinct = {v: _cell_body(style, v, shorten) for v in set(listed)}
        bodies = list(map(distinct.__getitem__, listed))
    else:
        bodies = _mixed_bodies(objects, kinds, style, shorten, s, blank)
    return [f'<c r="{letter}{r}"{b}' if b is not None else "" for r, b in zip(rows, bodies)]


def _mixed_bodies(objects: np.ndarray, kinds: list[type], style: str | None, shorten: bool, s: str,
                  blank: str | None) -> list[str | None]:
    """Each cell's XML after its address, for a column of mixed values: numbers in one pass, the rest once per
    distinct (type, value); ``s`` and ``blank`` are the style attribute and a blank styled cell's ending."""
    bodies: list[str | None] = [None] * len(objects)
    memo: dict[tuple[type, object], str | None] = {}
    numbers = [i for i, k in enumerate(kinds) if k is float or k is int]
    if numbers:
        for i, t in zip(numbers, number_texts(objects[numbers].astype(float))):
            bodies[i] = f"{s}><v>{t}</v></c>" if t is not None else blank
    for i, k in enumerate(kinds):
        if k is float or k is int:
            continue
        v = objects[i]
        try:
            key = (k, v)
            body = memo[key]
        except (KeyError, TypeError):
            body = _cell_body(style, v, shorten)
            try:
                memo[(k, v)] = body
            except TypeError:
                pass
        bodies[i] = body
    return bodies


_TEXT_KINDS = {str, type(None)}


def _cell_body(style: str | None, value: object, shorten: bool) -> str | None:
    """A value's cell XML after its address (None: no cell), as :func:`value_cell` writes it."""
    cell = value_cell("X", style, value, shorten=shorten)
    return cell[len('<c r="X"'):] if cell else None


def formula_column_cells(letter: str, first_row: int, style: str | None, values: np.ndarray, master: str,
                         shared: str) -> list[str]:
    """Formula cells over consecutive rows: ``master`` (a whole <f> element) in the first, ``shared`` below it.

    Each cell carries its value as the cached result (text type and an empty
    result where the value is not a finite number).
    """
    rows = np.arange(first_row, first_row + len(values)).astype(str).tolist()
    s = f' s="{style}"' if style else ""
    texts = number_texts(values)
    out = [f'<c r="{letter}{r}"{s}>{shared}<v>{t}</v></c>' if t is not None else
           f'<c r="{letter}{r}"{s} t="str">{shared}<v></v></c>' for r, t in zip(rows, texts)]
    if out:
        out[0] = formula_cell(f"{letter}{first_row}", style, master, values[0])
    return out
