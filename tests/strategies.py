"""Hypothesis strategies: account tables as real CRM exports and spreadsheets deliver them.

A cell may be blank, a number, a number written the way some locale writes it,
a date, a boolean, a spreadsheet error value, very long text, right-to-left
text, emoji, or text a spreadsheet would run as a formula; any column may hold
any mix of them. Tables have any row count from 0 up, duplicate and missing
Account IDs, header spellings as CRMs write them, and columns of the user's
own, which must come back untouched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from hypothesis import strategies as st

from tierbook.columns import Col, OPTIONAL_COLUMNS

ROW_MARKER = "Row Marker"
"""A user column of unique values: the order and count of rows must survive every run."""

BLANKS = ("", " ", "\t")
ERROR_VALUES = ("#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NULL!", "#NUM!")
BLANK_TOKENS = ("n/a", "N/A", "null", "-", "none", "NA")
LOCALE_NUMBERS = ("1,234.50", "1.234,50", "120.000", "95.500", "7.000", "$12,500", "(1,200)", "12 500",
                  "1.2e5", "USD 3,000", "12%", "1'234", "-450.25", "€ 99,90", "1,234", "0,5")
AWKWARD_TEXT = ("Acme_x0041_Corp", "Société Générale", "שלום עולם", "مرحبا", "🚀 Rocket Labs", "👩\u200d💻 Devs",
                "=1+1", "+SUM(A1:A9)", "-2+3", "@cmd", "\r=1+1", "\t=HYPERLINK(\"x\")", "'quoted",
                "line\nbreak", "a\rb", "comma, inside", 'quote "inside"', "   padded   ", "NA", "EMEA", "emea ")
HEADER_SPELLINGS = {
    Col.ACCOUNT_ID: ("Account ID", "account_id", "ACCOUNT ID", " Account  ID "),
    Col.ACCOUNT_NAME: ("Account Name", "account name", "Account_Name"),
    Col.ARR: ("ARR", " arr ", "A R R"),
}


def _finite_floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


def numbers() -> st.SearchStrategy[object]:
    """Numbers as a spreadsheet or a CSV holds them (ints, floats, the odd extreme)."""
    return st.one_of(
        st.integers(min_value=-1_000, max_value=5_000_000),
        _finite_floats(-1e6, 1e7),
        st.sampled_from((0, 0.0, 0.1, 1e-9, 1e15, 1.7e308, -1.7e308)),
    )


def dates() -> st.SearchStrategy[object]:
    return st.one_of(
        st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)),
        st.sampled_from(("2026-03-31", "31.03.2026", "03/04/2026", "13/04/2026", "2026-02-30", "46000")),
    )


def long_text(limit: int) -> st.SearchStrategy[str]:
    """Text up to ``limit`` characters (Excel holds 32,767 in a cell; a CSV holds more)."""
    return st.integers(min_value=200, max_value=limit).map(lambda n: ("long " * (n // 5 + 1))[:n])


def cells(limit: int = 40_000) -> st.SearchStrategy[object]:
    """Any cell a CS-ops team's files can hold."""
    return st.one_of(
        st.sampled_from(BLANKS) | st.none(),
        numbers(),
        numbers().map(str),
        st.sampled_from(LOCALE_NUMBERS),
        dates(),
        st.booleans(),
        st.sampled_from(ERROR_VALUES + BLANK_TOKENS),
        st.sampled_from(AWKWARD_TEXT),
        st.text(max_size=12),
        long_text(limit),
    )


def arr_cells(limit: int = 40_000) -> st.SearchStrategy[object]:
    """ARR: mostly usable numbers, with ties (round hundreds), and every kind of defect (text up to ``limit``)."""
    usable = st.integers(min_value=1, max_value=3_000).map(lambda k: k * 100)
    return st.one_of(usable, usable, usable.map(lambda v: f"{v:,}"), cells(limit))


@dataclass(frozen=True)
class Table:
    """A generated account table and what a test needs to know about it."""

    frame: pd.DataFrame
    user_columns: tuple[str, ...]
    arr_header: str


@st.composite
def account_tables(draw: st.DrawFn, max_rows: int = 25, cell_limit: int = 40_000) -> Table:
    """A raw account table: required columns (spelled as CRMs do), some optional ones, user columns.

    IDs are mostly unique, some repeated, some blank. Every row carries a
    unique Row Marker (a user column) so a test can follow it.
    """
    n = draw(st.integers(min_value=0, max_value=max_rows))
    id_header = draw(st.sampled_from(HEADER_SPELLINGS[Col.ACCOUNT_ID]))
    name_header = draw(st.sampled_from(HEADER_SPELLINGS[Col.ACCOUNT_NAME]))
    arr_header = draw(st.sampled_from(HEADER_SPELLINGS[Col.ARR]))
    ids = [f"A{i + 1}" for i in range(n)]
    for i in draw(st.lists(st.integers(min_value=0, max_value=max(n - 1, 0)), max_size=3)) if n else []:
        ids[i] = draw(st.sampled_from(("", ids[draw(st.integers(0, n - 1))], " ", "#N/A")))
    columns: dict[str, list[object]] = {
        id_header: ids,
        name_header: draw(st.lists(st.one_of(st.sampled_from(AWKWARD_TEXT), st.text(max_size=8), cells(cell_limit)),
                                   min_size=n, max_size=n)),
        arr_header: draw(st.lists(arr_cells(cell_limit), min_size=n, max_size=n)),
    }
    for column in draw(st.lists(st.sampled_from(OPTIONAL_COLUMNS), unique=True, max_size=6)):
        kind = draw(st.sampled_from(("any", "blank", "numbers", "text", "dates")))
        element = {"any": cells(cell_limit), "blank": st.sampled_from(BLANKS) | st.none(), "numbers": numbers(),
                   "text": st.sampled_from(AWKWARD_TEXT), "dates": dates()}[kind]
        columns[column] = draw(st.lists(element, min_size=n, max_size=n))
    user = [ROW_MARKER] + draw(st.lists(st.sampled_from(("Notes", "Health", "Owner.Name", "Phone")),
                                        unique=True, max_size=2))
    for column in user[1:]:
        columns[column] = draw(st.lists(cells(cell_limit), min_size=n, max_size=n))
    columns[ROW_MARKER] = [f"r{i}" for i in range(n)]
    order = draw(st.permutations(list(columns)))
    frame = pd.DataFrame({c: pd.Series(columns[c], dtype=object) for c in order}, columns=order)
    return Table(frame, tuple(user), arr_header)


__all__ = ["ROW_MARKER", "Table", "account_tables", "cells"]
