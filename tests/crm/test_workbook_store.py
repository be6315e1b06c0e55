"""CRM import and export on a real Tierbook workbook (not just an accounts file)."""

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tierbook.cli import main
from tierbook.columns import Col
from tierbook.workbook.layout import Sheet, Tables
from tierbook.workbook.assign import assign
from tierbook.workbook.create import new_book
from tierbook.workbook.edit import set_settings
from tierbook.workbook.package import Package
from tierbook.workbook.read import read_book


@pytest.fixture
def book(tmp_path) -> Path:
    path = tmp_path / "Tierbook.xlsx"
    new_book(path, sample=40, seed=2)
    return path


def accounts_of(path: Path) -> pd.DataFrame:
    return read_book(Package.open(path)).accounts


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_import_merges_into_the_accounts_sheet_and_touches_nothing_else(book, tmp_path, capsys):
    before = accounts_of(book)
    first_id = before[Col.ACCOUNT_ID].iloc[0]
    pkg = Package.open(book)
    # The Accounts table, the CrmFields table that remembers the mapping, and the recalc-on-open flag.
    owned = {pkg.sheet_part(Sheet.ACCOUNTS), pkg.table(Tables.ACCOUNTS.table).part,
             pkg.sheet_part(Sheet.SETTINGS), pkg.table(Tables.CRM_FIELDS.table).part, pkg.workbook_part}
    export = tmp_path / "salesforce.csv"
    pd.DataFrame({"Id": [first_id, "001NEW0001"], "Name": ["Renamed Ltd", "Brand New Inc"],
                  "ARR__c": [250000, 42000], "NumberOfEmployees": [7000, 30], "Industry": ["Retail", "Media"],
                  "BillingCountry": ["US", "France"]}).to_csv(export, index=False)
    old = members(book)
    assert main(["import", str(export), "--into", str(book)]) == 0
    after = accounts_of(book)
    assert len(after) == len(before) + 1
    renamed = after[after[Col.ACCOUNT_ID] == first_id].iloc[0]
    assert renamed[Col.ACCOUNT_NAME] == "Renamed Ltd" and float(renamed[Col.ARR]) == 250000
    assert after[Col.ACCOUNT_ID].iloc[-1] == "001NEW0001"
    assert list(after[Col.TIER_OVERRIDE].fillna("")) [:len(before)] == list(before[Col.TIER_OVERRIDE].fillna(""))
    new = members(book)
    assert {n for n in old if old[n] != new.get(n)} <= owned
    assert (book.parent / "Tierbook.bak.xlsx").exists()


def test_export_uses_the_workbooks_own_settings(book, tmp_path, capsys):
    set_settings(book, ["policy=arr-share"])
    tiers = assign(book, backup=False).run.tiers.tier.to_numpy()
    upload = tmp_path / "upload.csv"
    assert main(["export", str(book), "--crm", str(upload), "--format", "hubspot"]) == 0
    table = pd.read_csv(upload, dtype=str)
    assert list(table.columns) == ["Record ID", "Tier", "Segment"]
    ids = accounts_of(book)[Col.ACCOUNT_ID]
    expected = dict(zip(ids, tiers))
    assert all(expected[i] == t for i, t in zip(table["Record ID"], table["Tier"]))
    assert (book.parent / "Tierbook.last-crm-export.csv").exists()


def test_the_store_gives_the_same_accounts_when_asked_twice_though_it_lets_their_cells_go(book):
    from tierbook.workbook.crmstore import WorkbookStore

    store = WorkbookStore(book)
    first = store.read_accounts()
    assert store.settings().tier_names  # the settings stay once the cells are let go
    again = store.read_accounts()
    pd.testing.assert_frame_equal(again, first)
    assert len(first) == 40 and first[Col.ACCOUNT_ID].iloc[0] == accounts_of(book)[Col.ACCOUNT_ID].iloc[0]
