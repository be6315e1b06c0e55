"""One reading of a cell: blanks, numbers with their separators, Excel errors."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tierbook.engine.reading import (
    AMBIGUOUS,
    BLANK,
    BLANK_TEXT,
    BY_COLUMN,
    FROM_TEXT,
    IMPLAUSIBLE,
    OK,
    UNPARSEABLE,
    excel_error,
    read_number,
    read_numbers,
    shorten,
)


def numbers(*values, decimal="auto"):
    return read_numbers(pd.Series(list(values), dtype=object), decimal)


@pytest.mark.parametrize(
    "text, number",
    [
        ("$12,500.00", 12_500.0),
        ("12 500", 12_500.0),
        ("1.2e5", 120_000.0),
        ("-$450.25", -450.25),
        ("12.500,75", 12_500.75),
        ("1\u00a0250\u00a0000", 1_250_000.0),
        ("12,5", 12.5),
        ("1,234,567", 1_234_567.0),
        ("1.234.567", 1_234_567.0),
        ("(1,234.50)", -1_234.5),
        ("1,200.00-", -1_200.0),
    ],
)
def test_a_number_written_one_way_only_is_read_and_noted(text, number):
    parsed = numbers(text)
    assert parsed.values[0] == pytest.approx(number)
    assert parsed.status[0] == FROM_TEXT


@pytest.mark.parametrize("text", ["abc", "1.2.3", "$", "12,50,0", "TBD", "12%", "#DIV/0!", "#N/A", "#null!",
                                  "\u0661\u0662"])
def test_a_value_that_is_not_a_number_is_reported_never_guessed(text):
    parsed = numbers(text)
    assert np.isnan(parsed.values[0])
    assert parsed.status[0] == UNPARSEABLE


def test_plain_numbers_and_blanks_need_no_note():
    parsed = numbers("12500", 300, 4.5, "", None, "  ", np.nan)
    assert list(parsed.status) == [OK, OK, OK, BLANK, BLANK, BLANK, BLANK]
    assert list(parsed.values[:3]) == [12_500, 300, 4.5]


@pytest.mark.parametrize("word", ["n/a", "N/A", "-", "null", "none", "NaN"])
def test_a_word_for_no_value_is_a_blank_given_as_text(word):
    parsed = numbers(word, 5)
    assert parsed.status[0] == BLANK_TEXT and np.isnan(parsed.values[0])


def test_german_thousands_follow_the_column_that_shows_them():
    parsed = numbers("120.000", "7.000", "95.500", "1.250.000")
    assert list(parsed.values) == [120_000, 7_000, 95_500, 1_250_000]
    assert list(parsed.status) == [BY_COLUMN, BY_COLUMN, BY_COLUMN, FROM_TEXT]
    assert parsed.decimal == "comma" and parsed.evidence == "1.250.000"


def test_us_thousands_follow_the_column_that_shows_them():
    parsed = numbers("1,234", "$12,500.00", 7)
    assert list(parsed.values) == [1_234, 12_500, 7]
    assert parsed.status[0] == BY_COLUMN and parsed.decimal == "point"


def test_a_value_nothing_decides_is_ambiguous_with_both_readings():
    parsed = numbers("120.000", "7.000", "95.500", 300)
    assert list(parsed.status[:3]) == [AMBIGUOUS] * 3
    assert list(parsed.values[:3]) == [120, 7, 95.5]
    assert list(parsed.other[:3]) == [120_000, 7_000, 95_500]
    assert parsed.decimal == ""


def test_a_column_showing_both_conventions_decides_nothing():
    parsed = numbers("1.234", "1.234,5", "1,234.5")
    assert parsed.status[0] == AMBIGUOUS and parsed.decimal == ""
    assert list(parsed.values[1:]) == [1_234.5, 1_234.5]


def test_the_decimal_mark_given_decides_every_value():
    comma = numbers("120.000", "95.500", "1,5", decimal="comma")
    assert list(comma.values) == [120_000, 95_500, 1.5]
    point = numbers("120.000", "95.500", "1,234", decimal="point")
    assert list(point.values) == [120, 95.5, 1_234]
    assert AMBIGUOUS not in point.status and AMBIGUOUS not in comma.status


def test_a_number_written_the_other_way_is_refused_under_a_given_decimal_mark():
    assert numbers("1.234,5", decimal="point").status[0] == UNPARSEABLE
    assert numbers("1,234.5", decimal="comma").status[0] == UNPARSEABLE


@pytest.mark.parametrize("value", [1.7e308, -2e15, float("inf"), "1e400", "3000000000000000"])
def test_a_number_beyond_a_quadrillion_is_implausible(value):
    parsed = numbers(value, 5)
    assert parsed.status[0] == IMPLAUSIBLE and np.isnan(parsed.values[0])


@pytest.mark.parametrize("value", [True, pd.Timestamp("2026-03-31"), dt.date(2026, 3, 31), [1]])
def test_a_date_or_a_boolean_in_a_number_column_is_not_a_number(value):
    parsed = numbers(value, 5)
    assert parsed.status[0] == UNPARSEABLE and np.isnan(parsed.values[0])


def test_a_single_value_reads_like_a_column_of_one():
    assert read_number("0,3").value == pytest.approx(0.3)
    assert read_number("30,5%", percent=True).value == pytest.approx(0.305)
    assert read_number("30%", percent=True).value == pytest.approx(0.3)
    ambiguous = read_number("1,000")
    assert ambiguous.status == AMBIGUOUS and (ambiguous.value, ambiguous.other) == (1000, 1)
    assert read_number("1,000", decimal="comma").value == 1


def test_an_excel_error_is_named_not_read_as_blank():
    assert read_number("#DIV/0!").error == "#DIV/0!" and not read_number("#DIV/0!").ok
    assert excel_error(" #ref! ") == "#REF!" and excel_error("REF") is None


def test_a_long_value_is_quoted_shortened():
    assert shorten("x" * 50_000) == "x" * 40 + "\u2026"
    assert shorten("short") == "short"
