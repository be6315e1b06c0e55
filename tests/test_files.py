"""Account files as users and CRMs write them: headers kept as written, real row numbers, CSVs that open safely."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tierbook.crm.store import AccountsFile
from tierbook.engine import Settings
from tierbook.errors import InputError
from tierbook.files import csv_unsafe, read_accounts_file, write_csv
from tierbook.columns import Col, ProblemCol
from tierbook.tasks import tier_file


def records(path: Path) -> list[list[str]]:
    """The rows a spreadsheet shows when it opens a CSV (RFC 4180: quoted fields may hold line breaks)."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Accounts"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    wb.save(path)
    return path


# ------------------------------------------------------------- CSV out
def test_a_carriage_return_inside_a_field_never_splits_the_record(tmp_path: Path) -> None:
    names = ["\r=1+1", "Acme\rCorp", "Line one\nline two", "Plain"]
    path = write_csv(pd.DataFrame({"Account ID": ["A1", "A2", "A3", "A4"], "Account Name": names}), tmp_path / "o.csv")
    rows = records(path)
    assert len(rows) == 5  # the header and four accounts, one record each
    assert [csv_unsafe(r[1]) for r in rows[1:]] == names
    assert not any(r[0].startswith(("=", "+", "-", "@")) for r in rows)  # no record begins with a live formula
    raw = path.read_bytes()
    assert b'"\'\r=1+1"' in raw and b'"Acme\rCorp"' in raw


def test_formula_looking_headers_are_neutralised_and_come_back(tmp_path: Path) -> None:
    headers = ["Account ID", "Account Name", "ARR", "@cmd", "=HYPERLINK(\"http://x\")", "-note"]
    table = pd.DataFrame([["A1", "One", "100", "x", "y", "z"]], columns=headers)
    path = write_csv(table, tmp_path / "o.csv")
    shown = records(path)[0]
    assert shown[3:] == ["'@cmd", "'=HYPERLINK(\"http://x\")", "'-note"]
    assert list(AccountsFile(path).read_accounts().columns) == headers


# ------------------------------------------------------- headers as written
def test_duplicate_and_blank_headers_come_back_exactly_in_the_tier_output(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("Account ID,Account Name,ARR,Notes,Notes,,Region,\n"
                      "A1,One,1000,first,second,x,EMEA,y\nA2,Two,2000,third,fourth,,NA,\n", encoding="utf-8")
    tier_file(source, tmp_path / "out.csv", Settings())
    out = records(tmp_path / "out.csv")
    assert out[0][:8] == ["Account ID", "Account Name", "ARR", "Notes", "Notes", "", "Region", ""]
    assert out[0][8:] == [Col.SEGMENT, Col.TIER, Col.TIER_REASON, Col.COST_TO_SERVE, Col.CTS_PCT_ARR]
    assert [r[3:8] for r in out[1:]] == [["first", "second", "x", "EMEA", "y"], ["third", "fourth", "", "NA", ""]]


def test_duplicate_and_blank_headers_of_an_xlsx_are_kept(tmp_path: Path) -> None:
    source = write_xlsx(tmp_path / "in.xlsx", [["Account ID", "Account Name", "ARR", "Notes", "Notes", None, "Region"],
                                              ["A1", "One", 1000, "first", "second", "x", "EMEA"]])
    table = read_accounts_file(source)
    assert list(table.columns) == ["Account ID", "Account Name", "ARR", "Notes", "Notes", "", "Region"]
    assert table.iloc[0].tolist() == ["A1", "One", 1000, "first", "second", "x", "EMEA"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("second", ["ARR", " arr"])
def test_two_arr_columns_stop_with_both_named(tmp_path: Path, suffix: str, second: str) -> None:
    rows = [["Account ID", "Account Name", "ARR", second], ["A1", "One", 1000, 2000]]
    if suffix == ".csv":
        source = tmp_path / "in.csv"
        source.write_text("\n".join(",".join(map(str, r)) for r in rows) + "\n", encoding="utf-8")
    else:
        source = write_xlsx(tmp_path / "in.xlsx", rows)
    with pytest.raises(InputError, match=f"columns 'ARR' and '{second}' both mean 'ARR'"):
        tier_file(source, tmp_path / "out.csv", Settings())
    assert not (tmp_path / "out.csv").exists()


# ------------------------------------------------------------ row numbers
def test_a_blank_line_is_not_an_account_and_later_rows_keep_their_numbers(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("Account ID,Account Name,ARR\n"
                      "A1,One,1000\n"
                      "\n"
                      "A2,Two,lots\n"
                      ",,\n"
                      "A3,\"Three\nand a half\",2000\n"
                      "A4,Four,n/a\n", encoding="utf-8")
    result = tier_file(source, tmp_path / "out.csv", Settings())
    assert len(result.accounts) == 4
    assert [r[0] for r in records(tmp_path / "out.csv")[1:]] == ["A1", "A2", "A3", "A4"]
    rows = dict(zip(result.problems[ProblemCol.ACCOUNT_ID], result.problems[ProblemCol.ROW]))
    # The rows a spreadsheet shows: A2 sits on row 4 (row 3 is blank), A4 on row 7.
    assert rows["A2"] == 4 and rows["A4"] == 7


def test_a_blank_row_of_an_xlsx_is_not_an_account_and_later_rows_keep_their_numbers(tmp_path: Path) -> None:
    source = write_xlsx(tmp_path / "in.xlsx", [["Account ID", "Account Name", "ARR"], ["A1", "One", 1000],
                                              [None, None, None], ["A2", "Two", "lots"]])
    result = tier_file(source, tmp_path / "out.csv", Settings())
    assert len(result.accounts) == 2
    assert result.problems.set_index(ProblemCol.ACCOUNT_ID).loc["A2", ProblemCol.ROW] == 4


def test_an_empty_file_and_a_file_of_blank_lines_say_so(tmp_path: Path) -> None:
    for text in ("", "\n\n\n"):
        source = tmp_path / "in.csv"
        source.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match="the file is empty"):
            read_accounts_file(source)


def test_a_header_only_file_has_no_accounts(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("Account ID,Account Name,ARR\n", encoding="utf-8")
    table = read_accounts_file(source)
    assert list(table.columns) == ["Account ID", "Account Name", "ARR"] and len(table) == 0
