import pandas as pd
import pytest

from tests.conftest import accounts
from tierbook.engine.accounts import prepare_accounts
from tierbook.errors import InputError, MissingColumnError
from tierbook.columns import Col


def test_headers_match_whatever_their_case_and_spacing():
    raw = pd.DataFrame({" account  id ": ["A1"], "ACCOUNT_NAME": ["Acme"], "arr": [1000], "tier override": [None]})
    prepared = prepare_accounts(raw)
    assert prepared.source[Col.ACCOUNT_ID] == " account  id "
    assert prepared.source[Col.ACCOUNT_NAME] == "ACCOUNT_NAME"
    assert prepared.frame.loc[0, Col.ARR] == 1000


def test_a_missing_required_column_is_named_with_the_columns_found():
    raw = pd.DataFrame({"Account ID": ["A1"], "Name": ["Acme"], "Revenue": [5]})
    with pytest.raises(MissingColumnError) as err:
        prepare_accounts(raw)
    message = str(err.value)
    assert "'Account Name', 'ARR'" in message and "'Revenue'" in message


def test_two_headers_meaning_one_column_is_an_error():
    raw = pd.DataFrame({"Account ID": ["A1"], "Account Name": ["x"], "ARR": [1], "arr ": [2]})
    with pytest.raises(InputError, match="'ARR' and 'arr ' both mean 'ARR'"):
        prepare_accounts(raw)


def test_region_na_is_north_america_not_a_missing_value():
    prepared = prepare_accounts(accounts(ARR=[1, 2], Region=["NA", "EMEA"]))
    assert list(prepared.frame[Col.REGION]) == ["NA", "EMEA"]


def test_spreadsheet_float_ids_read_as_the_text_id():
    prepared = prepare_accounts(accounts({"Account ID": 1001.0, "ARR": 5}))
    assert prepared.frame.loc[0, Col.ACCOUNT_ID] == "1001"


def test_the_most_common_spelling_names_a_category():
    prepared = prepare_accounts(accounts(ARR=[1, 2, 3, 4], Industry=["FinTech", "fintech ", "FinTech", " FINTECH"]))
    assert set(prepared.frame[Col.INDUSTRY]) == {"FinTech"}


@pytest.mark.parametrize("dtype", [object, "string"])
def test_spellings_are_counted_after_cleaning_and_a_tie_keeps_the_spelling_seen_first(dtype):
    # "EMEA " and "EMEA" are one spelling once stripped (3 rows) against "emea" (2): EMEA names the region.
    regions = pd.Series(["emea", "EMEA ", "emea", "EMEA", "EMEA", "#N/A"], dtype=dtype)
    prepared = prepare_accounts(accounts(ARR=[1] * 6, Region=regions))
    assert list(prepared.frame[Col.REGION])[:5] == ["EMEA"] * 5 and pd.isna(prepared.frame.loc[5, Col.REGION])
    tied = pd.Series(["apac", "APAC", "APAC", "apac"], dtype=dtype)
    assert set(prepare_accounts(accounts(ARR=[1] * 4, Region=tied)).frame[Col.REGION]) == {"apac"}


def test_text_that_repeats_over_many_rows_is_cleaned_as_distinct_text_is():
    names = ["  Acme ", "#N/A", "Beta", ""]
    many = pd.Series(names * 1000, dtype="string")  # repeats enough to be cleaned once per value
    few = pd.Series(names, dtype="string")
    cleaned = prepare_accounts(accounts(ARR=[1] * 4000, Account_Name=many)).frame[Col.ACCOUNT_NAME]
    alone = prepare_accounts(accounts(ARR=[1] * 4, Account_Name=few)).frame[Col.ACCOUNT_NAME]
    assert list(alone.fillna("<blank>")) == ["Acme", "<blank>", "Beta", "<blank>"]
    assert list(cleaned.fillna("<blank>")) == list(alone.fillna("<blank>")) * 1000


def test_renewal_dates_from_text_datetimes_and_excel_serials():
    prepared = prepare_accounts(accounts(ARR=[1, 2, 3], Renewal_Date=["2026-03-31", 46112, "soon"]))
    dates = prepared.frame[Col.RENEWAL_DATE]
    assert dates[0] == pd.Timestamp("2026-03-31")
    assert dates[1] == pd.Timestamp("2026-03-31")
    assert pd.isna(dates[2])


def test_text_columns_are_cleaned_the_same_without_pyarrow(monkeypatch):
    """Inside xlwings Lite (Pyodide) pyarrow may be absent: the plain-object path must give the same result."""
    from tierbook.engine import accounts as module

    raw = accounts(ARR=[1, 2, 3], Account_Name=["  Acme ", "#N/A", ""])
    with_arrow = prepare_accounts(raw).frame[Col.ACCOUNT_NAME].tolist()
    monkeypatch.setattr(module, "_as_text_array", lambda s: s.astype(object))
    without = prepare_accounts(raw).frame[Col.ACCOUNT_NAME].tolist()
    assert with_arrow == without
    assert without[0] == "Acme" and pd.isna(without[1]) and pd.isna(without[2])
