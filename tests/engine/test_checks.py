import pandas as pd

from tests.conftest import accounts
from tierbook.engine import Settings, check_accounts, prepare_accounts, run
from tierbook.layout import Problem, ProblemCol as P, Severity


def problems_of(raw: pd.DataFrame, settings: Settings | None = None) -> pd.DataFrame:
    return check_accounts(prepare_accounts(raw), settings or Settings())


def only(problems: pd.DataFrame, kind: str) -> pd.DataFrame:
    return problems[problems[P.PROBLEM] == kind]


def test_missing_required_values_name_their_row_and_column():
    raw = accounts({"Account ID": "A1", "Account Name": "Acme", "ARR": 10},
                   {"Account ID": None, "Account Name": "Beta", "ARR": 20},
                   {"Account ID": "A3", "Account Name": " ", "ARR": None})
    found = only(problems_of(raw), Problem.MISSING_REQUIRED)
    assert sorted(zip(found[P.ROW], found[P.COLUMN])) == [(3, "Account ID"), (4, "ARR"), (4, "Account Name")]
    assert set(found[P.SEVERITY]) == {Severity.ERROR}


def test_every_copy_of_a_duplicate_id_is_reported_with_the_first_row():
    raw = accounts({"Account ID": "A1", "ARR": 1}, {"Account ID": "A2", "ARR": 2}, {"Account ID": "A1", "ARR": 3})
    found = only(problems_of(raw), Problem.DUPLICATE_ID)
    assert list(found[P.ROW]) == [2, 4]
    assert list(found[P.DETAIL]) == ["2 rows share this ID; first in row 2"] * 2


def test_zero_and_negative_arr_are_errors():
    found = only(problems_of(accounts(ARR=[0, "(1,200)", 5])), Problem.NON_POSITIVE_ARR)
    assert list(found[P.ROW]) == [2, 3]
    assert list(found[P.VALUE]) == ["0", "(1,200)"]


def test_unparseable_numbers_are_errors_for_arr_and_warnings_elsewhere():
    found = only(problems_of(accounts(ARR=["abc", 5], Employees=[10, "lots"])), Problem.UNPARSEABLE_NUMBER)
    assert list(zip(found[P.ROW], found[P.COLUMN], found[P.VALUE], found[P.SEVERITY])) == [
        (2, "ARR", "abc", Severity.ERROR), (3, "Employees", "lots", Severity.WARNING)]


def test_numbers_read_from_text_are_noted_with_the_value_read():
    found = only(problems_of(accounts(ARR=["$12,500.00", 7])), Problem.NUMBER_FROM_TEXT)
    assert list(found[P.DETAIL]) == ["read as 12,500"]
    assert list(found[P.SEVERITY]) == [Severity.INFO]


def test_an_override_naming_no_tier_is_an_error():
    raw = accounts(ARR=[1, 2], Tier_Override=["Platinum", "high-touch"], Override_Reason=["big", "logo"])
    found = only(problems_of(raw), Problem.UNKNOWN_OVERRIDE)
    assert list(zip(found[P.ROW], found[P.VALUE])) == [(2, "Platinum")]


def test_an_override_without_a_reason_is_an_error():
    raw = accounts(ARR=[1, 2], Tier_Override=["Mid-touch", "Mid-touch"], Override_Reason=[None, "renewal risk"])
    found = only(problems_of(raw), Problem.OVERRIDE_WITHOUT_REASON)
    assert list(found[P.ROW]) == [2]


def test_categories_differing_only_by_case_or_spaces_are_flagged():
    raw = accounts(ARR=[1, 2, 3, 4], Region=["EMEA", "emea", "EMEA ", "APAC"])
    found = only(problems_of(raw), Problem.CATEGORY_SPELLING)
    assert list(zip(found[P.ROW], found[P.VALUE])) == [(3, "emea"), (4, "EMEA ")]
    assert list(found[P.DETAIL]) == ["counted as 'EMEA'"] * 2


def test_an_unreadable_renewal_date_is_a_warning():
    found = only(problems_of(accounts(ARR=[1, 2], Renewal_Date=["2026-05-01", "next spring"])), Problem.UNPARSEABLE_DATE)
    assert list(zip(found[P.ROW], found[P.VALUE])) == [(3, "next spring")]


def test_rows_count_from_the_first_data_row_given():
    found = check_accounts(prepare_accounts(accounts(ARR=[5, -1]), first_row=5), Settings())
    # The header row (row 4) for the absent Employees column, then the account in row 6.
    assert list(found[P.ROW]) == [4, 6]


def test_checks_never_drop_or_reorder_rows():
    raw = accounts(ARR=["x", None, -5, 10, 10], Employees=[1, 2, 3, 4, 5])
    raw.loc[4, "Account ID"] = "A4"
    out = run(raw).annotated()
    assert list(out["Account ID"]) == list(raw["Account ID"])
    assert list(out["Employees"]) == [1, 2, 3, 4, 5]
