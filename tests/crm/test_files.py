"""CSV exports as CRMs and spreadsheets write them, and CSV injection on the way out."""

from __future__ import annotations

import pandas as pd
import pytest

from tierbook.files import FORMULA_TRIGGERS, csv_safe, csv_unsafe, read_accounts_file, write_csv


def _write(path, text: str, encoding: str) -> None:
    path.write_bytes(text.encode(encoding))


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8-sig"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"), ("utf-16", "utf-16")],
)
def test_reads_the_encodings_real_exports_use(tmp_path, encoding, expected):
    path = tmp_path / "export.csv"
    _write(path, "Id,Name,ARR__c\r\n001A,Société Générale,125000\r\n001B,Müller & Söhne GmbH,90000\r\n", encoding)
    table = read_accounts_file(path)
    assert list(table.columns) == ["Id", "Name", "ARR__c"]  # no BOM glued to the first header
    assert table["Name"].tolist() == ["Société Générale", "Müller & Söhne GmbH"]
    assert table.attrs["encoding"] == expected


def test_windows_1252_detected_even_when_the_first_accent_is_far_down(tmp_path):
    rows = [f"{i:06d},Plain Name {i},1000" for i in range(20_000)] + ["999999,Société Générale,5000"]
    path = tmp_path / "big.csv"
    _write(path, "Id,Name,ARR__c\n" + "\n".join(rows) + "\n", "cp1252")
    table = read_accounts_file(path)
    assert table["Name"].iloc[-1] == "Société Générale"


def test_semicolons_quoted_newlines_and_text_kept_as_written(tmp_path):
    path = tmp_path / "eu.csv"
    _write(path, 'Id;Name;ARR__c;Region\n"00123";"Line one\nline two";"1.234.567,89";NA\n', "utf-8")
    table = read_accounts_file(path)
    assert table.attrs["separator"] == ";"
    assert table.loc[0, "Id"] == "00123"  # leading zeros kept
    assert table.loc[0, "Name"] == "Line one\nline two"
    assert table.loc[0, "ARR__c"] == "1.234.567,89"
    assert table.loc[0, "Region"] == "NA"  # North America, not a missing value


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_every_formula_trigger_is_neutralised_and_recoverable(trigger):
    value = f"{trigger}HYPERLINK(\"http://evil\",\"x\")"
    safe = csv_safe(value)
    assert safe == "'" + value
    assert csv_unsafe(safe) == value


@pytest.mark.parametrize("value", ["-1200", "+1,200.50", "-3e5", "High-touch", "1001", "", "'quoted"])
def test_numbers_and_plain_text_are_left_alone(value):
    assert csv_safe(value) == value
    assert csv_unsafe(value) == value


@pytest.mark.parametrize("value", ["+inf", "-nan", "-2+3", "'=already quoted", "''-5", "\t12"])
def test_lookalikes_are_escaped_and_still_recover_exactly(value):
    assert csv_safe(value) != value
    assert csv_unsafe(csv_safe(value)) == value


def test_written_csv_opens_without_formulas(tmp_path):
    path = write_csv(pd.DataFrame({"Id": ["=cmd|' /C calc'!A0", "-12"], "Tier": ["@SUM(1)", "Mid"]}), tmp_path / "o.csv")
    back = pd.read_csv(path, dtype=str)
    assert back["Id"].tolist() == ["'=cmd|' /C calc'!A0", "-12"]
    assert back["Tier"].map(csv_unsafe).tolist() == ["@SUM(1)", "Mid"]
