"""The workbook commands of ``tierbook``, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from tierbook.cli import main
from tierbook.workbook.cells import ref
from tierbook.workbook.layout import RuleCol, Sheet, Tables

from tests.workbook.helpers import set_cells


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_new_assign_summary_check_capacity(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book.xlsx"
    code, out, _ = run(capsys, "new", str(book))
    assert code == 0 and "empty Tierbook workbook" in out and book.is_file()
    code, _, err = run(capsys, "new", str(book))
    assert code == 2 and "already exists" in err
    code, out, _ = run(capsys, "new", str(book), "--sample", "120", "--seed", "3", "--force")
    assert code == 0 and "120 sample accounts" in out
    code, out, _ = run(capsys, "assign", str(book))
    assert code == 0 and "Assigned tiers to 120 accounts" in out and "book.bak.xlsx" in out
    code, out, _ = run(capsys, "summary", str(book), "--json")
    summary = json.loads(out)
    records = summary["tiers"]
    assert code == 0 and [r["tier"] for r in records] == ["High-touch", "Mid-touch", "Tech-touch", "Needs data", "Total"]
    assert set(records[0]) == {"tier", "accounts", "arr", "arr_share", "annual_cost", "assessed_value", "cts_pct_arr", "fte"}
    assert records[-1]["accounts"] == 120
    needs = next(r for r in records if r["tier"] == "Needs data")
    assert (summary["budget"]["unpriced_accounts"], summary["budget"]["unpriced_arr"]) == (needs["accounts"], needs["arr"])
    ws = openpyxl.load_workbook(book, data_only=True)[Sheet.SUMMARY]
    assert abs(ws["F9"].value - records[-1]["annual_cost"]) < 0.01
    code, out, _ = run(capsys, "summary", str(book))
    assert code == 0 and "High-touch" in out
    code, out, _ = run(capsys, "check", str(book))
    assert code == 1 and "data problems" in out  # the sample carries a CRM export's errors
    code, out, _ = run(capsys, "capacity", str(book))
    assert code == 0 and "FTE per tier and role" in out


def test_capacity_prints_each_csms_book_as_the_capacity_sheet_holds_it(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book.xlsx"
    run(capsys, "new", str(book), "--sample", "120", "--seed", "3")
    code, out, _ = run(capsys, "capacity", str(book))
    printed = out.split("CSM books")[1].splitlines()[3:]
    ws = openpyxl.load_workbook(book, data_only=True)[Sheet.CAPACITY]
    p = Tables.CSM_BOOKS
    rows = [r for r in ws.iter_rows(min_row=p.row + 1, min_col=p.col, max_col=p.col + 2, values_only=True) if r[0]]
    accounts = openpyxl.load_workbook(book, data_only=True)[Sheet.ACCOUNTS]
    heads = [c.value for c in accounts[1]]
    used = [r[heads.index("ARR Used")] or 0 for r in accounts.iter_rows(min_row=2, values_only=True)]
    assert code == 0 and rows[-1][0] == "Total" and rows[-1][1] == 120 and abs(rows[-1][2] - sum(used)) < 0.005
    assert sum(r[1] for r in rows[:-1]) == 120 and abs(sum(r[2] for r in rows[:-1]) - sum(used)) < 0.005
    for (csm, n, arr), line in zip(rows, printed):  # the command prints the sheet's rows, in its order
        assert line.startswith(csm) and f"{n:,}" in line and f"{arr:,.0f}" in line


def test_assign_dry_run_prints_the_plan_and_leaves_the_book_as_it_was(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book.xlsx"
    run(capsys, "new", str(book), "--sample", "120", "--seed", "3")
    run(capsys, "settings", str(book), "policy=score")
    before, files = book.read_bytes(), sorted(p.name for p in tmp_path.iterdir())
    code, out, _ = run(capsys, "assign", str(book), "--dry-run")
    assert code == 0 and book.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == files
    changes = int(out.split(" tier changes")[0].rsplit(" ", 1)[1].replace(",", ""))
    assert out.startswith("120 accounts tiered; ") and changes > 0
    assert f"Tier History sheet, table TierHistory: {changes:,} rows" in out and "Dry run: " in out
    code, out, _ = run(capsys, "assign", str(book))
    assert code == 0 and f"{changes:,} tier changes logged" in out


def test_settings_list_set_and_reject(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book.xlsx"
    assert main(["new", str(book)]) == 0
    code, out, _ = run(capsys, "settings", str(book))
    assert code == 0 and "margin_method" in out and "markup" in out
    code, out, _ = run(capsys, "settings", str(book), "margin_pct=35%", "pooled_split=arr")
    assert code == 0 and "0.35" in out and "arr" in out
    code, _, err = run(capsys, "settings", str(book), "margin_method=markupp")
    assert code == 2 and "markup, gross-margin" in err and "markupp" in err
    code, _, err = run(capsys, "settings", str(book), "colour=blue")
    assert code == 2 and "unknown setting 'colour'" in err and "policy" in err
    code, _, err = run(capsys, "settings", str(book), "cs_budget=lots")
    assert code == 2 and "cs_budget" in err and "number" in err


def test_locked_workbook_exits_2_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book.xlsx"
    assert main(["new", str(book)]) == 0
    (tmp_path / ".~lock.book.xlsx#").write_text("")
    code, _, err = run(capsys, "assign", str(book))
    assert code == 2 and "open in Excel or LibreOffice" in err and "Traceback" not in err


def test_demo_writes_its_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "demo.xlsx"
    code, out, _ = run(capsys, "demo", "--accounts", "200", "--workbook", str(target))
    assert code == 0 and f"Wrote the demo workbook to {target}" in out
    assert openpyxl.load_workbook(target, data_only=True)[Sheet.SUMMARY]["B9"].value == 200


def test_settings_read_a_decimal_comma_and_refuse_a_value_out_of_range(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book.xlsx"
    assert main(["new", str(book)]) == 0
    assert main(["settings", str(book), "margin_pct=0,3"]) == 0
    assert "margin_pct          0.3\n" in capsys.readouterr().out
    assert main(["settings", str(book), "margin_pct=30,5%"]) == 0
    assert "margin_pct          0.305\n" in capsys.readouterr().out
    code, _, err = run(capsys, "settings", str(book), "margin_pct=3", "cs_budget=-1", "employee_threshold=0")
    assert code == 2 and "3 problems in the settings" in err
    assert "margin_pct=3: margin_pct: 3 is not allowed; expected a share from 0 (0 %) to 1 (100 %)" in err
    assert "cs_budget=-1" in err and "employee_threshold=0" in err and "a number above 0" in err
    code, _, err = run(capsys, "settings", str(book), "margin_method=gross-margin", "margin_pct=1")
    assert code == 2 and "a gross margin must be below 1 (100 %)" in err
    code, out, _ = run(capsys, "settings", str(book))
    assert "margin_pct          0.305\n" in out  # nothing refused was written


def book_from_export(tmp_path: Path, csv_text: str) -> Path:
    export = tmp_path / "export.csv"
    export.write_text(csv_text, encoding="utf-8")
    book = tmp_path / "book.xlsx"
    assert main(["new", str(book)]) == 0
    assert main(["import", str(export), "--into", str(book), "--mapping", "tierbook"]) == 0
    return book


def test_a_book_whose_export_lacks_the_category_columns_tiers_checks_and_exports(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = book_from_export(tmp_path, "Account ID,Account Name,ARR,CSM\nA1,Acme,1000,\nA2,Beta,2000,\n")
    for argv in (["assign", str(book)], ["check", str(book)], ["summary", str(book)], ["capacity", str(book)],
                 ["export", str(book), "--crm", str(tmp_path / "up.csv")]):
        code, out, err = run(capsys, *argv)
        assert "Traceback" not in err and code in (0, 1), (argv, err)
    assert (tmp_path / "up.csv").read_text(encoding="utf-8").count("\n") == 3


def test_summary_json_when_every_account_needs_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = book_from_export(tmp_path, "Account ID,Account Name,ARR\nA1,Acme,TBD\nA2,Beta,\n")
    assert main(["assign", str(book)]) == 0
    capsys.readouterr()
    code, out, err = run(capsys, "summary", str(book), "--json")
    summary = json.loads(out)
    assert code == 0 and summary["budget"]["unpriced_accounts"] == 2 and summary["budget"]["unpriced_arr"] == 0
    assert summary["budget"]["status"] == "within budget; unpriced accounts left out: 2"
    code, out, _ = run(capsys, "summary", str(book))
    assert "The annual cost leaves out 2 Needs data accounts holding 0 ARR, which are not priced." in out


def test_check_exits_1_on_an_error_and_0_without_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = book_from_export(tmp_path, "Account ID,Account Name,ARR,Employees\nA1,Acme,-5,10\nA2,Beta,100,20\n")
    code, out, _ = run(capsys, "check", str(bad))
    assert code == 1 and "zero or negative ARR" in out
    good = tmp_path / "good"
    good.mkdir()
    fine = book_from_export(good, "Account ID,Account Name,ARR,Employees\nA1,Acme,5,10\nA2,Beta,100,20\n")
    code, out, _ = run(capsys, "check", str(fine))
    assert code == 0


def test_check_names_a_broken_rule_by_its_tier_rules_row_and_exits_1(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    book = book_from_export(tmp_path, "Account ID,Account Name,ARR,Employees\nA1,Acme,500,10\nA2,Beta,100,20\n")
    p = Tables.RULES
    set_cells(book, Sheet.RULES, {ref(p.row + 1, p.col + RuleCol.ALL.index(RuleCol.AND)): "Tenure > 3"})
    assert main(["settings", str(book), "policy=rules"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "check", str(book))
    assert code == 1
    line = next(line for line in out.splitlines() if "rule on a column that does not exist" in line and "Tier Rules" in line)
    assert line.split()[:3] == [str(p.row + 1), "Tier", "Rules"]
    assert "rule 1: ARR >= 250,000 and Tenure > 3 -> High-touch" in line
    assert main(["assign", str(book)]) == 0
    quality = openpyxl.load_workbook(book)[Sheet.DATA_QUALITY]
    rows = [[c.value for c in r] for r in quality.iter_rows()]
    found = [r for r in rows if "rule 1: ARR >= 250,000 and Tenure > 3 -> High-touch" in r]
    assert len(found) == 1 and found[0][:3] == [p.row + 1, None, "Tier Rules"]
    assert "rule on a column that does not exist" in found[0]


def test_german_thousands_read_the_same_by_import_and_by_tier(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    export = "Account ID;Account Name;ARR\nA1;Acme;120.000\nA2;Beta;7.000\nA3;Cora;95.500\nA4;Dora;1.250.000\n"
    book = book_from_export(tmp_path, export)
    ws = openpyxl.load_workbook(book)["Accounts"]
    assert [ws.cell(r, 3).value for r in range(2, 6)] in (["120000", "7000", "95500", "1250000"],
                                                          [120000, 7000, 95500, 1250000])
    csv_file = tmp_path / "export.csv"
    code, out, _ = run(capsys, "tier", str(csv_file), "-o", str(tmp_path / "t.csv"))
    tiered = (tmp_path / "t.csv").read_text(encoding="utf-8")
    assert code == 0 and "ARR 120,000:" in tiered and "ARR 95,500:" in tiered and "ARR 7,000:" in tiered


def test_an_ambiguous_column_is_reported_by_tier_and_settled_by_decimal(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "e.csv"
    source.write_text("Account ID;Account Name;ARR\nA1;Acme;120.000\nA2;Beta;95.500\n", encoding="utf-8")
    code, out, err = run(capsys, "tier", str(source), "-o", str(tmp_path / "t.csv"))
    assert code == 0 and "ambiguous number" in err
    code, out, err = run(capsys, "tier", str(source), "-o", str(tmp_path / "t.csv"), "--decimal", "comma")
    assert "ambiguous number" not in err and "ARR 120,000:" in (tmp_path / "t.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("argv, message", [
    (["new", "b.xlsx", "--sample", "2000000"], "--sample: expected a whole number from 0 to 1,048,575 (an Excel sheet holds 1,048,575 rows"),
    (["new", "b.xlsx", "--sample", "-3"], "--sample: expected a whole number from 0 to 1,048,575"),
    (["new", "b.xlsx", "--sample", "10", "--seed", "-1"], "--seed: expected a whole number of 0 or more, got -1"),
    (["demo", "--accounts", "-5"], "--accounts: expected a whole number from 1 to 1,048,575"),
    (["demo", "--seed", "-2"], "--seed: expected a whole number of 0 or more, got -2"),
])
def test_bad_counts_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv, message) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and err.startswith("tierbook: error: " + message) and err.count("\n") == 1
    assert not (tmp_path / "b.xlsx").exists()


def test_demo_keeps_a_file_it_would_replace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "tierbook-demo.xlsx").write_bytes(b"my own edits")  # the test runs in tmp_path
    code, out, _ = run(capsys, "demo", "--accounts", "30")
    assert code == 0 and "kept as tierbook-demo.bak.xlsx" in out
    assert (tmp_path / "tierbook-demo.bak.xlsx").read_bytes() == b"my own edits"
    assert openpyxl.load_workbook(tmp_path / "tierbook-demo.xlsx", data_only=True)[Sheet.SUMMARY]["B9"].value == 30


def test_settings_tiers_rebuilds_the_book_for_new_tiers_and_says_what_became_of_each(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book.xlsx"
    assert main(["new", str(book), "--sample", "80"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "settings", str(book), "tiers=High-touch=Strategic,Mid-touch,Tech-touch,Community")
    assert code == 0
    assert "Renamed, keeping intervals, mappings and overrides: High-touch -> Strategic." in out
    assert "New, with blank intervals" in out and "Community" in out
    assert "Rebuilt" in out and "book.bak.xlsx" in out
    code, out, _ = run(capsys, "summary", str(book), "--json")
    assert [r["tier"] for r in json.loads(out)["tiers"]] == ["Strategic", "Mid-touch", "Tech-touch", "Community",
                                                              "Needs data", "Total"]


@pytest.mark.parametrize("value, says", [("", "the list is empty"), ("A,B,a", "named twice"),
                                         ("High-touch", "at least 2 tiers")])
def test_a_bad_tiers_value_is_one_line_and_leaves_the_book_as_it_was(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, says: str) -> None:
    book = tmp_path / "book.xlsx"
    assert main(["new", str(book)]) == 0
    capsys.readouterr()
    before = book.read_bytes()
    code, out, err = run(capsys, "settings", str(book), f"tiers={value}")
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert book.read_bytes() == before


def test_assign_after_the_tiers_table_was_edited_rebuilds_the_book(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book.xlsx"
    assert main(["new", str(book), "--sample", "60"]) == 0
    t = Tables.TIERS
    set_cells(book, Sheet.SETTINGS, {ref(t.row + 2, t.col): "Mid-touch=Scale"})
    code, out, err = run(capsys, "check", str(book))
    assert code == 2 and f"tierbook assign {book.name}" in err
    code, out, _ = run(capsys, "assign", str(book))
    assert code == 0 and "Mid-touch -> Scale" in out and "Assigned tiers to 60 accounts" in out
    header = openpyxl.load_workbook(book)[Sheet.MATRIX].cell(Tables.MATRIX.row, Tables.MATRIX.col + 2).value
    assert header == "Scale"


def test_new_with_tiers_builds_a_book_with_those_tiers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book.xlsx"
    code, out, _ = run(capsys, "new", str(book), "--tiers", "A,B,C,D", "--sample", "50")
    assert code == 0
    code, out, _ = run(capsys, "summary", str(book), "--json")
    assert [r["tier"] for r in json.loads(out)["tiers"]] == ["A", "B", "C", "D", "Needs data", "Total"]
    matrix = openpyxl.load_workbook(book)[Sheet.MATRIX]
    assert [matrix.cell(Tables.MATRIX.row, Tables.MATRIX.col + j).value for j in range(1, 5)] == ["A", "B", "C", "D"]
    code, _, err = run(capsys, "new", str(tmp_path / "one.xlsx"), "--tiers", "Solo")
    assert code == 2 and "at least two tier names" in err and not (tmp_path / "one.xlsx").exists()
