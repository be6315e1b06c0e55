"""Importing a real-looking CRM export: which mapping, what the merge keeps, what real files look like."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tierbook.cli import main
from tierbook.crm.mapping import HUBSPOT, SALESFORCE, apply_mapping, salesforce_id18
from tierbook.crm.mappingfile import load_mapping
from tierbook.crm.merge import merge_accounts
from tierbook.crm.resolve import resolve_mapping
from tierbook.crm.store import AccountsFile
from tierbook.errors import InputError
from tierbook.columns import Col
from tierbook.tasks import import_crm

SALESFORCE_HEADER = ["Id", "Name", "Type", "Industry", "NumberOfEmployees", "AnnualRevenue", "BillingCity",
                     "BillingCountry", "OwnerId", "ARR__c", "Tier_Override__c", "Tier_Override_Reason__c",
                     "Renewal_Date__c", "CreatedDate"]
HUBSPOT_HEADER = ["Record ID", "Company name", "Company owner", "Create Date", "Lifecycle Stage", "Industry",
                  "Number of Employees", "Annual Revenue", "Country/Region", "City", "ARR", "Tier", "Segment"]


# ------------------------------------------------------------------- mapping
def test_auto_recognises_a_salesforce_account_export():
    mapping = resolve_mapping(SALESFORCE_HEADER)
    assert mapping.crm is SALESFORCE and mapping.chosen_by == "auto"
    assert mapping.fields[Col.ACCOUNT_ID] == "Id"
    assert mapping.fields[Col.ARR] == "ARR__c"
    assert mapping.fields[Col.COMPANY_REVENUE] == "AnnualRevenue"  # company revenue, never ARR
    assert mapping.fields[Col.EMPLOYEES] == "NumberOfEmployees"
    assert mapping.fields[Col.REGION] == "BillingCountry"
    assert mapping.fields[Col.TIER_OVERRIDE] == "Tier_Override__c"
    assert "ARR__c -> ARR" in mapping.describe() and mapping.describe().startswith("salesforce (auto)")


def test_auto_recognises_a_hubspot_companies_export():
    mapping = resolve_mapping(HUBSPOT_HEADER)
    assert mapping.crm is HUBSPOT
    assert mapping.fields[Col.ACCOUNT_ID] == "Record ID"
    assert mapping.fields[Col.ACCOUNT_NAME] == "Company name"
    assert mapping.fields[Col.EMPLOYEES] == "Number of Employees"
    assert mapping.fields[Col.REGION] == "Country/Region"
    assert Col.TIER not in mapping.fields  # the CRM's copy of an earlier upload is not an input


@pytest.mark.parametrize("arr_field", ["Total_ARR__c", "Annual_Recurring_Revenue__c", "ARR_USD__c"])
def test_salesforce_custom_arr_fields_are_found(arr_field):
    header = [arr_field if h == "ARR__c" else h for h in SALESFORCE_HEADER]
    assert resolve_mapping(header).fields[Col.ARR] == arr_field


def test_two_arr_fields_stop_with_the_candidates_and_how_to_choose():
    header = SALESFORCE_HEADER + ["ARR_Last_Year__c"]
    with pytest.raises(InputError) as caught:
        resolve_mapping(header)
    message = str(caught.value)
    assert "'ARR__c'" in message and "'ARR_Last_Year__c'" in message
    assert "--mapping MAPPING.toml" in message


def test_an_export_without_arr_lists_its_columns_and_the_mapping_file_format():
    header = [h for h in SALESFORCE_HEADER if h != "ARR__c"]
    with pytest.raises(InputError) as caught:
        resolve_mapping(header)
    message = str(caught.value)
    assert "salesforce: no ARR column" in message and "hubspot:" in message
    assert "'AnnualRevenue'" in message and '[fields]' in message


def test_a_mapping_file_names_the_columns(tmp_path):
    path = tmp_path / "acme.toml"
    path.write_text('base = "salesforce"\n[fields]\nARR = "Subscription_Value__c"\n'
                    '[upload]\ntier = "CS_Tier__c"\n')
    header = [h for h in SALESFORCE_HEADER if h != "ARR__c"] + ["Subscription_Value__c"]
    mapping = resolve_mapping(header, str(path))
    assert mapping.fields[Col.ARR] == "Subscription_Value__c"
    assert mapping.crm.upload_tier == "CS_Tier__c" and mapping.crm.upload_id == "Id"
    assert mapping.crm.formula_fields[Col.ARR] == "Subscription_Value__c"
    with pytest.raises(InputError, match="Subscription_Value__c"):
        resolve_mapping(SALESFORCE_HEADER, str(path))  # the file's column is not in this export


def test_a_bad_mapping_file_is_named(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[fields]\n"Annual Contract" = "X"\n')
    with pytest.raises(InputError, match="not a Tierbook column"):
        load_mapping(path)


def test_salesforce_15_and_18_character_ids_are_the_same_record():
    assert salesforce_id18("001D000000IqhSL") == "001D000000IqhSLIAZ"
    assert salesforce_id18("001D000000IqhSLIAZ") == "001D000000IqhSLIAZ"
    assert salesforce_id18("ACC-0000001") == "ACC-0000001"  # not a Salesforce ID: unchanged
    assert salesforce_id18("0015000000VALDt") == "0015000000VALDtAAP"
    book = pd.DataFrame({Col.ACCOUNT_ID: ["0015000000VALDt"], Col.ACCOUNT_NAME: ["Old"], Col.ARR: ["1"]})
    incoming = pd.DataFrame({Col.ACCOUNT_ID: ["0015000000VALDtAAP"], Col.ACCOUNT_NAME: ["New"], Col.ARR: ["2"]})
    result = merge_accounts(book, incoming, crm=SALESFORCE)
    assert result.added == 0 and result.updated == 1 and result.table[Col.ACCOUNT_NAME].tolist() == ["New"]


# --------------------------------------------------------------------- merge
def book_with_user_columns() -> pd.DataFrame:
    return pd.DataFrame({
        Col.ACCOUNT_ID: ["A1", "A2", "A3"],
        Col.ACCOUNT_NAME: ["Acme", "Beta", "Gamma"],
        Col.ARR: ["100000", "20000", "5000"],
        Col.TIER_OVERRIDE: [None, "High-touch", None],
        Col.OVERRIDE_REASON: [None, "Board relationship", None],
        "QBR Notes": ["renewal risk", None, "happy"],
        Col.TIER: ["High-touch", "High-touch", "Tech-touch"],
    })


def test_merge_updates_adds_keeps_user_columns_and_reports_vanished():
    incoming = pd.DataFrame({
        Col.ACCOUNT_ID: ["A2", "A3", "A4"],
        Col.ACCOUNT_NAME: ["Beta GmbH", "Gamma", "Delta"],
        Col.ARR: ["25000", "5000", "70000"],
        Col.TIER_OVERRIDE: ["Tech-touch", None, "Mid-touch"],
        Col.TIER: ["Old CRM tier", "x", "y"],
    })
    result = merge_accounts(book_with_user_columns(), incoming)
    table = result.table.set_index(Col.ACCOUNT_ID)
    assert table.loc["A2", Col.ACCOUNT_NAME] == "Beta GmbH" and table.loc["A2", Col.ARR] == "25000"
    assert table.loc["A2", Col.TIER_OVERRIDE] == "High-touch"            # user-owned: kept
    assert table.loc["A2", Col.OVERRIDE_REASON] == "Board relationship"
    assert table.loc["A1", "QBR Notes"] == "renewal risk"                # not in the export: kept
    assert table.loc["A2", Col.TIER] == "High-touch"                      # Tierbook's column: not imported
    assert table.loc["A4", Col.TIER_OVERRIDE] == "Mid-touch"             # new account: export's value
    assert list(result.table[Col.ACCOUNT_ID]) == ["A1", "A2", "A3", "A4"]  # book order, new at the end
    assert (result.added, result.updated, result.unchanged) == (1, 1, 1)
    assert result.vanished == ["A1"] and result.removed == 0
    assert result.kept_user_values == 1 and result.ignored_columns == [Col.TIER]
    assert "pass --replace to remove them" in result.summary()


def test_replace_removes_accounts_no_longer_in_the_export():
    incoming = pd.DataFrame({Col.ACCOUNT_ID: ["A2"], Col.ACCOUNT_NAME: ["Beta"], Col.ARR: ["20000"]})
    result = merge_accounts(book_with_user_columns(), incoming, replace=True)
    assert result.table[Col.ACCOUNT_ID].tolist() == ["A2"] and result.removed == 2


def test_duplicate_ids_in_an_export_stop_the_import():
    incoming = pd.DataFrame({Col.ACCOUNT_ID: ["A1", "A2", "A1"], Col.ACCOUNT_NAME: list("abc"), Col.ARR: list("123")})
    with pytest.raises(InputError, match=r"'A1' in rows 2, 4"):
        merge_accounts(book_with_user_columns(), incoming)


# -------------------------------------------------------- files, end to end
SF_ROWS = [
    ["001A0000001", "Société Générale", "Banking", "12000", "1.234.567,89", "France", "Tier 1?", "", "31/03/2026"],
    ["001A0000002", "Müller & Söhne GmbH", "Manufacturing", "800", "45.000,00", "Germany", "", "", "01/04/2026"],
    ["001A0000003", "Line one\nline two Ltd", "Retail", "", "9.999,5", "Spain", "High-touch", "Logo", "46112"],
]
SF_COLUMNS = ["Id", "Name", "Industry", "NumberOfEmployees", "ARR__c", "BillingCountry", "Tier_Override__c",
              "Tier_Override_Reason__c", "Renewal_Date__c"]


def write_semicolon_csv(path, encoding: str) -> None:
    def cell(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if any(ch in v for ch in ';"\n') else v
    lines = [";".join(SF_COLUMNS)] + [";".join(cell(v) for v in row) for row in SF_ROWS]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1252"])
def test_european_salesforce_export_imports_cleanly(tmp_path, encoding):
    export = tmp_path / "accounts_export.csv"
    write_semicolon_csv(export, encoding)
    book = tmp_path / "book.csv"
    report = import_crm(export, book)
    assert report.separator == ";" and report.mapping.crm is SALESFORCE
    table = AccountsFile(book).read_accounts().set_index(Col.ACCOUNT_ID)
    assert table.loc["001A0000001", Col.ACCOUNT_NAME] == "Société Générale"
    assert table.loc["001A0000003", Col.ACCOUNT_NAME] == "Line one\nline two Ltd"
    assert table[Col.ARR].tolist() == ["1234567.89", "45000", "9999.5"]
    assert table[Col.RENEWAL_DATE].tolist() == ["2026-03-31", "2026-04-01", "2026-03-31"]  # d/m/y and a serial
    assert table.loc["001A0000002", Col.EMPLOYEES] == "800"
    assert any("decimal comma" in n for n in report.notes)


def test_ambiguous_thousands_are_left_as_written_unless_told(tmp_path):
    export = tmp_path / "e.csv"
    export.write_text("Id,Name,ARR__c\nA,a,\"1,234\"\nB,b,\"5,000\"\n", encoding="utf-8")
    report = import_crm(export, tmp_path / "book.csv", dry_run=True)
    assert report.merge.table[Col.ARR].tolist() == ["1,234", "5,000"]
    assert any("--decimal" in n for n in report.notes)
    assert not (tmp_path / "book.csv").exists()  # dry run wrote nothing
    told = import_crm(export, tmp_path / "book.csv", decimal="point")
    assert told.merge.table[Col.ARR].tolist() == ["1234", "5000"]


def test_hubspot_xlsx_export_with_numbers_dates_and_serials(tmp_path):
    export = tmp_path / "hubspot-crm-exports-all-companies.xlsx"
    pd.DataFrame({
        "Record ID": [9_876_543_210, 9_876_543_211],
        "Company name": ["Acme", "NA Logistics"],
        "Country/Region": ["NA", "EMEA"],
        "Number of Employees": [1200, None],
        "ARR": [125_000.5, 9_000],
        "Renewal Date": [dt.datetime(2026, 3, 31), 46_113],
        "Tier": ["High-touch", "Tech-touch"],
    }).to_excel(export, index=False)
    book = tmp_path / "book.csv"
    report = import_crm(export, book)
    assert report.mapping.crm is HUBSPOT
    table = AccountsFile(book).read_accounts()
    assert table[Col.ACCOUNT_ID].tolist() == ["9876543210", "9876543211"]  # not 9876543210.0
    assert table[Col.REGION].tolist() == ["NA", "EMEA"]                     # "NA" is North America
    assert table[Col.ARR].tolist() == ["125000.5", "9000"]
    assert table[Col.RENEWAL_DATE].tolist() == ["2026-03-31", "2026-04-01"]
    assert Col.TIER not in table.columns


def test_reimporting_the_same_export_changes_nothing(tmp_path):
    export = tmp_path / "e.csv"
    write_semicolon_csv(export, "utf-8")
    book = tmp_path / "book.csv"
    import_crm(export, book)
    first = book.read_bytes()
    again = import_crm(export, book)
    assert (again.merge.updated, again.merge.added, again.merge.unchanged) == (0, 0, 3)
    assert book.read_bytes() == first


def test_cli_import_prints_the_mapping_and_the_merge(tmp_path, capsys):
    export = tmp_path / "e.csv"
    write_semicolon_csv(export, "cp1252")
    book = tmp_path / "book.csv"
    pd.DataFrame({Col.ACCOUNT_ID: ["001A0000002", "001A0000009"], Col.ACCOUNT_NAME: ["Müller", "Gone Ltd"],
                  Col.ARR: ["1", "2"], Col.TIER_OVERRIDE: ["Mid-touch", None],
                  Col.OVERRIDE_REASON: ["Partner-managed", None], "Notes": ["keep me", "x"]}).to_csv(book, index=False)
    assert main(["import", str(export), "--into", str(book)]) == 0
    out = capsys.readouterr().out
    assert "Mapping salesforce (auto): Id -> Account ID" in out
    assert "1 account updated, 0 unchanged, 2 added" in out
    assert "001A0000009" in out and "--replace" in out
    table = AccountsFile(book).read_accounts().set_index(Col.ACCOUNT_ID)
    assert table.loc["001A0000002", Col.TIER_OVERRIDE] == "Mid-touch"
    assert table.loc["001A0000002", "Notes"] == "keep me"


def test_cli_import_errors_are_one_line(tmp_path, capsys):
    export = tmp_path / "e.csv"
    export.write_text("Company,Revenue\nAcme,1\n", encoding="utf-8")
    assert main(["import", str(export), "--into", str(tmp_path / "b.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tierbook: error: cannot tell which CRM wrote this export") and err.count("\n") == 1


def test_a_workbook_that_lost_its_tables_is_named_not_overwritten(tmp_path, capsys):
    wb = tmp_path / "Tierbook.xlsx"
    with pd.ExcelWriter(wb) as writer:
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="Settings")
        pd.DataFrame({Col.ACCOUNT_ID: ["A"]}).to_excel(writer, sheet_name="Accounts")
    export = tmp_path / "e.csv"
    write_semicolon_csv(export, "utf-8")
    before = wb.read_bytes()
    assert main(["import", str(export), "--into", str(wb)]) == 2
    assert "no Excel table named 'Settings'" in capsys.readouterr().err
    assert wb.read_bytes() == before


def test_apply_mapping_renames_only_mapped_columns():
    raw = pd.DataFrame(columns=SALESFORCE_HEADER)
    mapped = apply_mapping(raw, resolve_mapping(SALESFORCE_HEADER))
    assert {Col.ACCOUNT_ID, Col.ARR, "OwnerId", "Type", "CreatedDate"} <= set(mapped.columns)


def test_import_into_a_one_sheet_xlsx_book_keeps_numbers_as_numbers(tmp_path):
    export = tmp_path / "e.csv"
    write_semicolon_csv(export, "utf-8")
    book = tmp_path / "accounts.xlsx"
    pd.DataFrame({Col.ACCOUNT_ID: ["001A0000009"], Col.ACCOUNT_NAME: ["Kept Ltd"], Col.ARR: [5000]}).to_excel(
        book, sheet_name="Accounts", index=False)  # a plain one-sheet book, not a Tierbook workbook
    import_crm(export, book)
    back = pd.read_excel(book, sheet_name="Accounts", engine="calamine").iloc[1:]
    assert back[Col.ARR].tolist() == [1234567.89, 45000, 9999.5]
    again = import_crm(export, book)
    assert (again.merge.updated, again.merge.added) == (0, 0)


def test_a_new_accounts_override_from_the_crm_records_who_imported_it_and_when(tmp_path):
    export = tmp_path / "e.csv"
    write_semicolon_csv(export, "utf-8")
    book = tmp_path / "book.csv"
    import_crm(export, book, by="Dana Scully")
    table = pd.read_csv(book, dtype=str, keep_default_na=False).set_index(Col.ACCOUNT_ID)
    pinned = table.loc["001A0000003"]
    assert (pinned[Col.TIER_OVERRIDE], pinned[Col.OVERRIDE_BY], pinned[Col.OVERRIDE_SET_ON]) == (
        "High-touch", "Dana Scully", dt.date.today().isoformat())
    # "Tier 1?" is an override too (one naming no tier: the checks report it); a row without one gets no audit.
    assert table.loc["001A0000002", Col.OVERRIDE_BY] == ""
    # A re-import by someone else keeps the book's who and when.
    import_crm(export, book, by="Someone Else")
    again = pd.read_csv(book, dtype=str, keep_default_na=False).set_index(Col.ACCOUNT_ID)
    assert again.loc["001A0000003", Col.OVERRIDE_BY] == "Dana Scully"


def test_a_blank_the_export_and_the_book_both_hold_as_pandas_na_is_no_change():
    book = book_with_user_columns().astype({"QBR Notes": object})
    book.loc[1, "QBR Notes"] = pd.NA
    incoming = pd.DataFrame({Col.ACCOUNT_ID: ["A1", "A2"], Col.ACCOUNT_NAME: ["Acme", "Beta"],
                             Col.ARR: ["100000", "20000"], "QBR Notes": ["renewal risk", pd.NA]}, dtype=object)
    result = merge_accounts(book, incoming)
    assert (result.added, result.updated, result.unchanged) == (0, 0, 2)
    assert pd.isna(result.table.set_index(Col.ACCOUNT_ID).loc["A2", "QBR Notes"])
