from dataclasses import replace

import pandas as pd
import pytest

from tests.conftest import accounts
from tierbook.engine import Settings, check_accounts, prepare_accounts, run
from tierbook.columns import NEEDS_DATA, Col, Problem, ProblemCol as P, Severity


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


# ------------------------------------------------------------- separators
def test_a_number_read_by_the_columns_convention_says_so():
    found = only(problems_of(accounts(ARR=["120.000", "7.000", "1.250.000"])), Problem.NUMBER_FROM_TEXT)
    assert list(zip(found[P.ROW], found[P.VALUE])) == [(2, "120.000"), (3, "7.000"), (4, "1.250.000")]
    assert found[P.DETAIL].iloc[0] == ("read as 120000 (the column's other values use '.' for thousands and ',' "
                                       "for decimals, e.g. '1.250.000')")


def test_a_number_nothing_decides_is_a_warning_with_the_reading_used_and_the_other():
    found = only(problems_of(accounts(ARR=["120.000", "95.500", 5])), Problem.AMBIGUOUS_NUMBER)
    assert list(zip(found[P.ROW], found[P.VALUE], found[P.SEVERITY])) == [
        (2, "120.000", Severity.WARNING), (3, "95.500", Severity.WARNING)]
    assert found[P.DETAIL].iloc[1] == ("ambiguous: read as 95.5 ('.' as the decimal mark); with ',' as the "
                                       "decimal mark it is 95500; set decimal_mark (tierbook --decimal) to point "
                                       "or comma")


def test_the_decimal_mark_setting_settles_an_ambiguous_column():
    result = run(accounts(ARR=["120.000", "95.500"]), Settings(decimal_mark="comma"))
    assert list(result.accounts.numbers["ARR"].values) == [120_000, 95_500]
    assert only(result.problems, Problem.AMBIGUOUS_NUMBER).empty


# ---------------------------------------------------- blanks given as text
def test_n_a_typed_in_a_number_column_is_a_blank_given_as_text():
    found = only(problems_of(accounts(ARR=[1, 2, 3], NPS=["n/a", "-", 40])), Problem.BLANK_AS_TEXT)
    assert list(zip(found[P.ROW], found[P.COLUMN], found[P.VALUE], found[P.SEVERITY])) == [
        (2, "NPS", "n/a", Severity.INFO), (3, "NPS", "-", Severity.INFO)]


def test_n_a_typed_as_arr_is_a_missing_required_value_that_says_what_was_typed():
    found = only(problems_of(accounts(ARR=["n/a", 5])), Problem.MISSING_REQUIRED)
    assert list(zip(found[P.ROW], found[P.VALUE])) == [(2, "n/a")]
    assert "a word for no value, read as blank" in found[P.DETAIL].iloc[0]


def test_an_excel_error_in_a_number_column_is_named():
    found = only(problems_of(accounts(ARR=["#DIV/0!", 5])), Problem.UNPARSEABLE_NUMBER)
    assert found[P.DETAIL].tolist() == ["the cell shows the error #DIV/0!; treated as blank"]


def test_an_ambiguous_renewal_date_is_a_warning_with_the_date_used():
    found = only(problems_of(accounts(ARR=[1, 2], Renewal_Date=["03/04/2026", "2026-05-01"])), Problem.AMBIGUOUS_DATE)
    assert list(found[P.ROW]) == [2] and "read as 2026-03-04 (month first)" in found[P.DETAIL].iloc[0]


# ------------------------------------------------ gaps that change a result
def test_a_missing_company_size_that_makes_the_segment_unknown_is_listed():
    found = only(problems_of(accounts(ARR=[1, 2, 3], Employees=[50, None, "#N/A"])), Problem.SEGMENT_UNKNOWN)
    assert list(zip(found[P.ROW], found[P.COLUMN], found[P.SEVERITY])) == [
        (3, "Employees", Severity.WARNING), (4, "Employees", Severity.WARNING)]
    assert found[P.DETAIL].iloc[0] == "Employees is missing, so the segment is Unknown"


def test_the_size_gap_follows_the_size_basis_and_is_an_error_under_the_segment_policy():
    raw = accounts(ARR=[1, 2], Employees=[5, 6], Company_Revenue=[None, 9e8])
    found = only(problems_of(raw, Settings(size_basis="revenue", policy="segment")), Problem.SEGMENT_UNKNOWN)
    assert list(zip(found[P.ROW], found[P.COLUMN], found[P.SEVERITY])) == [(2, "Company Revenue", Severity.ERROR)]
    assert found[P.DETAIL].iloc[0].endswith("the account is tiered as Needs data")


def test_an_absent_size_column_is_one_problem_on_the_header_row():
    found = only(problems_of(accounts(ARR=[1, 2, 3])), Problem.SEGMENT_UNKNOWN)
    assert list(zip(found[P.ROW], found[P.COLUMN], found[P.ACCOUNT_ID])) == [(1, "Employees", "")]
    assert "every account's segment is Unknown" in found[P.DETAIL].iloc[0]


def test_every_missing_score_criterion_is_an_error_under_the_score_policy():
    raw = accounts(ARR=[10, 20, 30], Expansion_Potential=[1, None, 3], NPS=[10, 20, "n/a"])
    problems = problems_of(raw, Settings(policy="score"))
    found = only(problems, Problem.MISSING_SCORE)
    assert list(zip(found[P.ROW], found[P.COLUMN], found[P.SEVERITY])) == [
        (3, "Expansion Potential", Severity.ERROR), (4, "NPS", Severity.ERROR)]
    assert only(problems_of(raw), Problem.MISSING_SCORE).empty  # other policies do not score


def test_no_data_problems_is_never_said_while_every_account_needs_data():
    raw = accounts(ARR=[10, 20], Employees=[5, 5])
    result = run(raw, Settings(policy="score"))
    assert set(result.tiers.tier) == {NEEDS_DATA}
    assert set(only(result.problems, Problem.MISSING_SCORE)[P.COLUMN]) == {"Expansion Potential", "NPS"}


def test_a_segment_missing_from_the_segment_map_is_an_error_under_the_segment_policy():
    raw = accounts(ARR=[200_000, 5_000], Employees=[5_000, 10])
    settings = Settings(policy="segment", segment_tiers={"Enterprise": "High-touch"})
    found = only(problems_of(raw, settings), Problem.SEGMENT_UNMAPPED)
    assert list(zip(found[P.ROW], found[P.COLUMN], found[P.VALUE], found[P.SEVERITY])) == [
        (3, "Segment", "SMB", Severity.ERROR)]
    assert only(problems_of(raw, replace(settings, policy="arr-accounts")), Problem.SEGMENT_UNMAPPED).empty


# ------------------------------------------------------------ long values
def test_a_huge_raw_value_is_quoted_shortened_in_the_problem_table():
    raw = accounts(ARR=["9" * 10 + "x" * 50_000, 5], Region=["EMEA", "emea" + " " * 40_000])
    problems = problems_of(raw)
    assert problems[P.VALUE].map(len).max() <= 256 and problems[P.DETAIL].map(len).max() <= 300


@pytest.mark.parametrize("error", ["#N/A", "#NULL!", "#DIV/0!", "#REF!"])
def test_an_excel_error_in_a_number_column_is_reported_as_that_error(error):
    problems = problems_of(accounts(ARR=[100, 200, 300], NPS=[10, error, 30]))
    row = problems[problems[P.COLUMN] == Col.NPS]
    assert list(row[P.ROW]) == [3] and list(row[P.VALUE]) == [error]
    assert list(row[P.PROBLEM]) == [Problem.UNPARSEABLE_NUMBER]
    assert error in row[P.DETAIL].iloc[0]


def test_a_renamed_service_is_reported_in_the_row_of_each_table_it_sits_in():
    from tierbook.engine.checks import service_problems

    table = service_problems(["QBR", "Webinars"], ["Quarterly Business Review", "webinars"],
                             catalog_rows=[5, 6], matrix_rows=[5, 6])
    assert list(zip(table["Row"], table["Value"], table["Problem"])) == [
        (5, "Quarterly Business Review", "Matrix service not in the catalog"),
        (5, "QBR", "catalog service not in the Matrix")]
    assert set(table["Severity"]) == {"error"}
    assert "row 5" in table["Detail"].iloc[0]


def test_error_count_counts_only_error_severity_problems():
    from tierbook.engine.checks import error_count

    from tests.conftest import arr_book

    problems = problems_of(arr_book(40_000, None, "abc", 10_000))
    assert error_count(problems) == 2  # a blank ARR and a text ARR; the warnings and notes do not count
    assert error_count(problems.iloc[0:0]) == 0
