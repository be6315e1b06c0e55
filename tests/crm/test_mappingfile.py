"""The mapping an import used is remembered by the book, so exports name the same CRM fields."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd

from tierbook.cli import main
from tierbook.crm.mapping import SALESFORCE
from tierbook.crm.resolve import resolve_mapping
from tierbook.columns import Col
from tierbook.workbook.layout import Sheet, Tables
from tierbook.sample import sample_accounts
from tierbook.workbook.create import new_book
from tierbook.workbook.package import Package, save_package

EXPORT_NAMES = {Col.ACCOUNT_ID: "Id", Col.ACCOUNT_NAME: "Name", Col.ARR: "Total_ARR__c",
                Col.EMPLOYEES: "NumberOfEmployees", Col.INDUSTRY: "Industry", Col.REGION: "BillingCountry",
                Col.PRODUCT: "Product__c", Col.CSM: "CSM__c"}


def salesforce_export(path: Path, n: int = 30) -> Path:
    accounts = sample_accounts(n, seed=12, defects=False)
    accounts[list(EXPORT_NAMES)].rename(columns=EXPORT_NAMES).to_csv(path, index=False)
    return path


def crm_fields_table(book: Path) -> dict[str, str]:
    """The CrmFields table on the Settings sheet, as a user reads it."""
    sheet = openpyxl.load_workbook(book)[Sheet.SETTINGS]
    assert "CrmFields" in sheet.tables, "no CrmFields table on the Settings sheet"
    rows = [[c.value for c in r] for r in sheet[sheet.tables["CrmFields"].ref]]
    assert rows[0] == ["Item", "CRM Field"]
    return {item: field for item, field in rows[1:] if item}


def test_export_names_the_fields_the_import_read(tmp_path, capsys):
    book = tmp_path / "Tierbook.xlsx"
    new_book(book)
    assert main(["import", str(salesforce_export(tmp_path / "sf.csv")), "--into", str(book)]) == 0
    assert "CRM fields remembered in the workbook's CrmFields table" in capsys.readouterr().out
    table = crm_fields_table(book)
    assert table[Col.ARR] == "Total_ARR__c" and table[Col.ACCOUNT_ID] == "Id" and table["Format"] == "salesforce"
    assert main(["assign", str(book)]) == 0
    capsys.readouterr()

    assert main(["export", str(book), "--rule", "salesforce"]) == 0
    formula = capsys.readouterr().out
    assert "Total_ARR__c>=" in formula and not re.search(r"\bARR__c\b", formula)
    upload = tmp_path / "upload.csv"
    assert main(["export", str(book), "--crm", str(upload)]) == 0
    assert "CRM fields: salesforce, from the workbook's CrmFields table" in capsys.readouterr().out
    assert pd.read_csv(upload).columns.tolist() == ["Id", "Tier__c", "Segment__c"]
    # An explicit --format still wins.
    assert main(["export", str(book), "--crm", str(upload), "--format", "hubspot"]) == 0
    assert pd.read_csv(upload).columns.tolist() == ["Record ID", "Tier", "Segment"]


def test_a_mapping_files_upload_fields_are_remembered(tmp_path, capsys):
    mapping = tmp_path / "acme.toml"
    mapping.write_text('name = "Acme Salesforce"\nbase = "salesforce"\n[fields]\nARR = "Total_ARR__c"\n'
                       '[upload]\ntier = "CS_Tier__c"\nsegment = "CS_Segment__c"\n', encoding="utf-8")
    book = tmp_path / "Tierbook.xlsx"
    new_book(book)
    export = salesforce_export(tmp_path / "sf.csv")
    assert main(["import", str(export), "--into", str(book), "--mapping", str(mapping)]) == 0
    upload = tmp_path / "upload.csv"
    assert main(["export", str(book), "--crm", str(upload)]) == 0
    assert pd.read_csv(upload).columns.tolist() == ["Id", "CS_Tier__c", "CS_Segment__c"]


def test_a_csv_book_keeps_its_mapping_beside_it(tmp_path, capsys):
    book = tmp_path / "accounts.csv"
    assert main(["import", str(salesforce_export(tmp_path / "sf.csv")), "--into", str(book)]) == 0
    sidecar = tmp_path / "accounts.crm-mapping.toml"
    assert f"CRM fields remembered in {sidecar.name}" in capsys.readouterr().out
    assert main(["export", str(book), "--rule", "salesforce"]) == 0
    assert "Total_ARR__c" in capsys.readouterr().out
    # The file is a mapping file: the next import can name it.
    from tierbook.crm.mappingfile import load_mapping

    assert load_mapping(sidecar).spec(Col.ARR).names == ("Total_ARR__c",)
    assert main(["import", str(tmp_path / "sf.csv"), "--into", str(book), "--mapping", str(sidecar)]) == 0


def test_a_workbook_older_than_the_crm_fields_table_keeps_the_mapping_beside_it(tmp_path, capsys):
    book = tmp_path / "Old.xlsx"
    new_book(book)
    package = Package.open(book)  # a book from before the table: rename it away
    info = package.table("CrmFields")
    save_package(package, {info.part: info.xml.replace('"CrmFields"', '"OldNotes"').encode()}, book, backup=False)
    assert main(["import", str(salesforce_export(tmp_path / "sf.csv")), "--into", str(book)]) == 0
    out = capsys.readouterr().out
    assert "This workbook predates the CrmFields table: CRM fields remembered in Old.crm-mapping.toml" in out
    assert main(["export", str(book), "--rule", "salesforce"]) == 0
    assert "Total_ARR__c" in capsys.readouterr().out


def test_remembered_rows_read_back_as_the_same_format():
    from tierbook.crm.mappingfile import format_from_rows, format_rows, remembered_format

    mapping = resolve_mapping(["Id", "Name", "Total_ARR__c", "Region__c", "NumberOfEmployees"], "auto")
    remembered = remembered_format(mapping)
    assert remembered.formula_fields[Col.ARR] == "Total_ARR__c"
    again = format_from_rows(format_rows(remembered), "test")
    assert again.formula_fields == remembered.formula_fields
    assert (again.upload_id, again.upload_tier, again.upload_segment, again.picklists, again.id_kind) == (
        SALESFORCE.upload_id, SALESFORCE.upload_tier, SALESFORCE.upload_segment, SALESFORCE.picklists, "salesforce")


def test_the_export_button_uses_the_remembered_fields(tmp_path):
    from tests.excel.test_scripts import lite_and_file
    import tierbook.excel.scripts as scripts
    from tierbook.workbook.layout import CRM_EXPORT_SHEET

    book = tmp_path / "Tierbook.xlsx"
    new_book(book)
    assert main(["import", str(salesforce_export(tmp_path / "sf.csv")), "--into", str(book)]) == 0
    assert main(["assign", str(book)]) == 0
    _, by_lite, _ = lite_and_file(tmp_path, book, "export_for_crm", scripts.EXPORT_SHEETS)
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(by_lite)[CRM_EXPORT_SHEET].iter_rows()]
    assert "Total_ARR__c" in rows[1][4] and not re.search(r"\bARR__c\b", rows[1][4])
    assert Sheet.SETTINGS in scripts.EXPORT_SHEETS
