"""One reading of a date: ISO text, datetimes, Excel serials, slashed dates in their column's order."""

import datetime as dt

import pandas as pd

from tierbook.engine.dates import excel_serial, read_dates
from tierbook.engine.reading import AMBIGUOUS, BLANK, BLANK_TEXT, FROM_TEXT, UNPARSEABLE


def test_dates_from_text_datetimes_and_excel_serials():
    parsed = read_dates(pd.Series(["2026-03-31", 46112, "46112", pd.Timestamp("2026-03-31 17:45"),
                                   dt.date(2026, 3, 31), "soon", None, "n/a"], dtype=object))
    assert list(parsed.values[:5]) == [pd.Timestamp("2026-03-31")] * 5
    assert list(parsed.status[5:]) == [UNPARSEABLE, BLANK, BLANK_TEXT]


def test_the_day_and_month_order_follows_the_column():
    parsed = read_dates(pd.Series(["03/04/2026", "25/12/2026"], dtype=object))
    assert parsed.values[0] == pd.Timestamp("2026-04-03") and parsed.order == "day-first"
    us = read_dates(pd.Series(["03/04/2026", "12/25/2026"], dtype=object))
    assert us.values[0] == pd.Timestamp("2026-03-04") and us.order == "month-first"


def test_a_date_nothing_orders_is_ambiguous_and_read_month_first():
    parsed = read_dates(pd.Series(["03/04/2026", "05/06/2026", "07/07/2026"], dtype=object))
    assert list(parsed.status) == [AMBIGUOUS, AMBIGUOUS, FROM_TEXT]
    assert parsed.values[0] == pd.Timestamp("2026-03-04")


def test_excel_serials_count_from_the_1900_epoch_both_ways():
    assert read_dates(pd.Series([1, 61, 2_958_465], dtype=object)).values.tolist() == [
        pd.Timestamp("1899-12-31"), pd.Timestamp("1900-03-01"), pd.Timestamp("9999-12-31")]
    assert excel_serial(dt.date(2026, 3, 31)) == 46112
    assert excel_serial(dt.datetime(2026, 3, 31, 12)) == 46112.5
