"""The open workbook as the reader sees it: the same tables, values and errors as the file it came from."""

import copy
from pathlib import Path

import pytest
import xlwings as xw

from tests.excel.officejs import payload
from tierbook.errors import WorkbookError
from tierbook.excel.source import XlwingsSource
from tierbook.sample import sample_accounts
from tierbook.workbook.create import accounts_input_parts
from tierbook.workbook.layout import Sheet, Tables
from tierbook.workbook.package import Package, save_package
from tierbook.workbook.read import read_book
from tierbook.workbook.source import FileSource
from tierbook.workbook.template import build_template
from tests.workbook.helpers import add_total_row

SHEETS = (Sheet.SETTINGS, Sheet.ACCOUNTS, Sheet.SEGMENTS, Sheet.RULES, Sheet.SERVICES, Sheet.MATRIX)


def book_file(path: Path, n: int = 40) -> Path:
    package = Package.open(path.name, build_template())
    save_package(package, accounts_input_parts(package, sample_accounts(n, seed=3)), path, backup=False)
    return path


def open_in_excel(path: Path, sheets=SHEETS) -> XlwingsSource:
    return XlwingsSource(xw.Book(json=copy.deepcopy(payload(path, list(sheets)))), sheets)


def test_a_missing_table_is_the_same_workbook_error_from_a_file_and_from_excel(tmp_path):
    path = book_file(tmp_path / "Tierbook.xlsx")
    messages = []
    for source in (FileSource(Package.open(path)), open_in_excel(path)):
        with pytest.raises(WorkbookError) as caught:
            source.table("Budgets", Sheet.SUMMARY)
        messages.append(str(caught.value))
        assert not source.has_table("Budgets") and source.has_table(Tables.ACCOUNTS.table)
    assert messages[0] == messages[1] == ("Tierbook.xlsx: no Excel table named 'Budgets' on sheet 'Summary'; "
                                          "was it renamed or deleted? Tierbook finds its tables by name")


def test_both_sources_place_every_table_alike_total_row_included(tmp_path):
    path = book_file(tmp_path / "Tierbook.xlsx")
    add_total_row(path, Tables.ACCOUNTS.table, "Account ID", ("ARR",))
    file, excel = FileSource(Package.open(path)), open_in_excel(path)
    for place in (Tables.ACCOUNTS, Tables.SETTINGS, Tables.SERVICES, Tables.MATRIX, Tables.RULES):
        a, b = file.table(place.table), excel.table(place.table)
        assert (a.name, a.sheet, a.ref, a.columns, a.totals) == (b.name, b.sheet, b.ref, b.columns, b.totals)
    assert excel.table(Tables.ACCOUNTS.table).totals == 1


def test_the_reader_gets_the_same_book_from_a_file_and_from_excel(tmp_path):
    path = book_file(tmp_path / "Tierbook.xlsx")
    from_file, from_excel = read_book(Package.open(path)), read_book(open_in_excel(path))
    assert from_file.settings == from_excel.settings
    assert from_file.catalog.equals(from_excel.catalog) and from_file.matrix.equals(from_excel.matrix)
    assert from_file.n_accounts == from_excel.n_accounts == 40
    assert from_file.accounts["Account ID"].tolist() == from_excel.accounts["Account ID"].tolist()


def test_a_sheet_whose_values_were_not_sent_is_a_workbook_error(tmp_path):
    source = open_in_excel(book_file(tmp_path / "Tierbook.xlsx"), sheets=(Sheet.ACCOUNTS,))
    with pytest.raises(WorkbookError, match="values of sheet 'Settings' were not sent"):
        source.grid(Sheet.SETTINGS)
