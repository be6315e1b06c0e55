"""The workbook commands of ``tierbook``, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from tierbook.cli import main
from tierbook.layout import Sheet


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
