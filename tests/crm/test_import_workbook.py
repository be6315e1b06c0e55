"""Importing a CRM export into a Tierbook workbook: rows, columns and cells a user would check."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tierbook.cli import main
from tierbook.columns import Col
from tierbook.workbook.layout import Sheet, Tables, WORKBOOK_OUTPUT_COLUMNS
from tierbook.sample import sample_accounts
from tierbook.workbook.assign import assign
from tierbook.workbook.plan import run_book
from tierbook.workbook.cells import area, col_letter, formula_cell, value_cell
from tierbook.workbook.create import accounts_input_parts
from tierbook.workbook.edit import set_settings
from tools.libreoffice import recalculate, soffice
from tierbook.workbook.package import Package, save_package
from tierbook.workbook.read import read_book
from tierbook.workbook.sheetpatch import patch_rows
from tierbook.workbook.sheetxml import cell_style, read_rows
from tierbook.workbook.template import build_template

from tests.workbook.helpers import set_cells

OUTPUTS = list(WORKBOOK_OUTPUT_COLUMNS)
SALESFORCE = {Col.ACCOUNT_ID: "Id", Col.ACCOUNT_NAME: "Name", Col.ARR: "Total_ARR__c",
              Col.EMPLOYEES: "NumberOfEmployees", Col.COMPANY_REVENUE: "AnnualRevenue", Col.REGION: "Region__c",
              Col.PRODUCT: "Product__c", Col.NPS: "NPS__c", Col.USAGE_SCORE: "Usage_Score__c",
              Col.EXPANSION_POTENTIAL: "Expansion_Potential__c", Col.RENEWAL_DATE: "Renewal_Date__c",
              Col.CSM: "CSM__c", Col.TIER_OVERRIDE: "Tier_Override__c",
              Col.OVERRIDE_REASON: "Tier_Override_Reason__c"}


def tiered_book(tmp_path: Path, n: int, seed: int = 4) -> tuple[Path, pd.DataFrame]:
    """A workbook holding ``n`` clean sample accounts, tiered twice (so Previous Tier is filled for some)."""
    accounts = sample_accounts(n, seed=seed, defects=False)
    path = tmp_path / "Tierbook.xlsx"
    package = Package.open(path.name, build_template())
    save_package(package, accounts_input_parts(package, accounts), path, backup=False)
    assign(path, stamp="2026-01-01 09:00:00", backup=False)
    set_settings(path, ["policy=arr-share"])
    assign(path, stamp="2026-01-02 09:00:00", backup=False)
    return path, accounts


def rows_by_id(path: Path) -> dict[str, dict[str, object]]:
    """Every Accounts row as a user sees it (cached values), by Account ID."""
    sheet = openpyxl.load_workbook(path, data_only=True)[Sheet.ACCOUNTS]
    header = [c.value for c in sheet[1]]
    out = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        record = dict(zip(header, row))
        if record.get(Col.ACCOUNT_ID):
            out[record[Col.ACCOUNT_ID]] = record
    return out


def history(path: Path) -> pd.DataFrame:
    place = Tables.HISTORY
    return pd.read_excel(path, sheet_name=place.sheet, header=place.row - 1, engine="calamine").dropna(how="all")


def write_export(path: Path, accounts: pd.DataFrame, names: dict[str, str] | None = None) -> Path:
    accounts.rename(columns=names or {}).to_csv(path, index=False)
    return path


# ------------------------------------------------------------ rows that move
def test_replace_keeps_each_accounts_tier_and_history_on_its_own_row(tmp_path):
    book, accounts = tiered_book(tmp_path, 300)
    before = rows_by_id(book)
    assert sum(1 for r in before.values() if r[Col.PREVIOUS_TIER]) > 10
    kept = accounts.iloc[1::2]  # every other account leaves the CRM
    export = write_export(tmp_path / "export.csv", kept)
    assert main(["import", str(export), "--into", str(book), "--replace"]) == 0

    after = rows_by_id(book)
    assert set(after) == set(kept[Col.ACCOUNT_ID])
    wrong = [(i, c) for i in after for c in OUTPUTS if after[i][c] != before[i][c]]
    assert not wrong, f"{len(wrong)} output cells now show another account's value, e.g. {wrong[:3]}"

    # The next run logs exactly the accounts whose tier really changed, from their own last tier.
    logged = len(history(book))
    new = assign(book, stamp="2026-01-03 09:00:00", backup=False)
    tiers = dict(zip(new.run.accounts.frame[Col.ACCOUNT_ID], new.run.tiers.tier))
    real = {i for i in after if tiers[i] != before[i][Col.TIER]}
    assert new.changes == len(real)
    rows = history(book).iloc[logged:]
    assert set(rows["Account ID"]) == real
    assert all(old == before[i][Col.TIER] for i, old in zip(rows["Account ID"], rows["Old Tier"]))
    final = rows_by_id(book)
    assert all(final[i][Col.PREVIOUS_TIER] == (before[i][Col.TIER] if i in real else before[i][Col.PREVIOUS_TIER])
               for i in final)


def test_override_cells_survive_every_reimport(tmp_path):
    book, accounts = tiered_book(tmp_path, 40)
    ids = accounts[Col.ACCOUNT_ID].tolist()
    pinned = {ids[3]: ("Tech-touch", "Pilot customer"), ids[20]: ("High-touch", "Strategic logo")}
    package = Package.open(book)
    info = package.table(Tables.ACCOUNTS.table)
    t_col, r_col = info.column(Col.TIER_OVERRIDE), info.column(Col.OVERRIDE_REASON)
    set_cells(book, Sheet.ACCOUNTS, {f"{col_letter(c)}{ids.index(i) + 2}": v for i, (t, why) in pinned.items()
                                     for c, v in ((t_col, t), (r_col, why))})
    old_cells = _cells_by_id(book, (t_col, r_col))
    # The CRM's copy disagrees, some accounts above leave, and the export brings a new column.
    crm = accounts.drop(index=[0, 1, 5]).copy()
    crm[Col.TIER_OVERRIDE] = "Mid-touch"
    crm[Col.OVERRIDE_REASON] = "CRM says so"
    crm["Phone"] = "+1 555 0100"
    export = write_export(tmp_path / "sf.csv", crm, SALESFORCE)
    assert main(["import", str(export), "--into", str(book), "--replace"]) == 0
    new_cells = _cells_by_id(book, (t_col, r_col), shift=1)
    for account in pinned:
        assert _without_address(new_cells[account]) == _without_address(old_cells[account])
    result = assign(book, backup=False).run
    tiers = dict(zip(result.accounts.frame[Col.ACCOUNT_ID], result.tiers.tier))
    assert {i: tiers[i] for i in pinned} == {i: t for i, (t, _) in pinned.items()}


def _cells_by_id(path: Path, cols: tuple[int, ...], shift: int = 0) -> dict[str, list[str]]:
    """The XML of some cells of each account row, by Account ID (``shift``: columns inserted before them)."""
    package = Package.open(path)
    xml = package.text(package.sheet_part(Sheet.ACCOUNTS))
    rows = read_rows(xml, range(2, 400))
    ids = read_book(package).accounts[Col.ACCOUNT_ID].tolist()
    return {i: [rows.get(2 + k, {}).get(c + shift, "") for c in cols] for k, i in enumerate(ids)}


def _without_address(cells: list[str]) -> list[str]:
    return [re.sub(r' r="[A-Z]+\d+"', "", c, count=1) for c in cells]


# -------------------------------------------------------------- user columns
def add_user_columns(path: Path) -> dict[str, int]:
    """Append three user columns to the Accounts table: a formula, a formatted number, a date."""
    package = Package.open(path)
    info = package.table(Tables.ACCOUNTS.table)
    r1, c1, r2, c2 = info.bounds
    part = package.sheet_part(info.sheet)
    xml = package.text(part)
    first = read_rows(xml, [r1 + 1])[r1 + 1]
    money, date = cell_style(first[info.column(Col.ARR)]), cell_style(first[info.column(Col.RENEWAL_DATE)])
    arr = col_letter(info.column(Col.ARR))
    names = {"Doubled ARR": c2 + 1, "Seats": c2 + 2, "Signed": c2 + 3}
    edits = {r1: {c: value_cell(f"{col_letter(c)}{r1}", None, n) for n, c in names.items()}}
    values = read_book(package).accounts
    for i in range(len(values)):
        r = r1 + 1 + i
        double = float(values[Col.ARR].iloc[i]) * 2
        edits[r] = {
            names["Doubled ARR"]: formula_cell(f"{col_letter(names['Doubled ARR'])}{r}", money, f"<f>{arr}{r}*2</f>", double),
            names["Seats"]: value_cell(f"{col_letter(names['Seats'])}{r}", money, 10 + i),
            names["Signed"]: value_cell(f"{col_letter(names['Signed'])}{r}", date, pd.Timestamp("2025-03-01") + pd.Timedelta(days=i)),
        }
    xml = patch_rows(xml, edits)
    count = len(info.columns) + len(names)
    table = re.sub(r'<tableColumns count="\d+"', f'<tableColumns count="{count}"', info.xml)
    table = table.replace("</tableColumns>", "".join(f'<tableColumn id="{100 + k}" name="{n}"/>'
                                                     for k, n in enumerate(names)) + "</tableColumns>")
    info.xml = table
    save_package(package, {part: xml.encode(), info.part: info.with_ref(area(r1, c1, r2, c2 + len(names))).encode()},
                 path, backup=False)
    return names


def user_cells(path: Path, cols: list[int]) -> dict[int, list[str]]:
    package = Package.open(path)
    rows = read_rows(package.text(package.sheet_part(Sheet.ACCOUNTS)), range(2, 100))
    return {r: [cells.get(c, "") for c in cols] for r, cells in rows.items()}


def test_columns_the_export_lacks_keep_their_cells_exactly(tmp_path):
    book, accounts = tiered_book(tmp_path, 30)
    cols = list(add_user_columns(book).values())
    before = user_cells(book, cols)
    crm = accounts.copy()
    crm.loc[[2, 7, 11], Col.ARR] = [500_000.0, 1_250.0, 88_000.0]
    crm.loc[4, Col.ACCOUNT_NAME] = "Renamed Holdings"
    export = write_export(tmp_path / "sf.csv", crm, SALESFORCE)
    assert main(["import", str(export), "--into", str(book)]) == 0
    assert user_cells(book, cols) == before
    after = rows_by_id(book)
    assert after[crm[Col.ACCOUNT_ID][2]][Col.ARR] == 500_000 and after[crm[Col.ACCOUNT_ID][4]][Col.ACCOUNT_NAME] == "Renamed Holdings"


def test_rows_closing_up_keep_the_users_cells_and_formulas_with_their_account(tmp_path):
    book, accounts = tiered_book(tmp_path, 30)
    names = add_user_columns(book)
    cols = list(names.values())
    before = user_cells(book, cols)
    drop = [4, 9, 10]  # rows 6, 11, 12
    export = write_export(tmp_path / "sf.csv", accounts.drop(index=drop), SALESFORCE)
    assert main(["import", str(export), "--into", str(book), "--replace"]) == 0
    after = user_cells(book, cols)
    arr = col_letter(Package.open(book).table(Tables.ACCOUNTS.table).column(Col.ARR))
    kept_rows = [r for r in range(2, 32) if r - 2 not in drop]
    for new_row, old_row in enumerate(kept_rows, start=2):
        expected = [re.sub(rf'r="([A-Z]+){old_row}"', rf'r="\g<1>{new_row}"', c) for c in before[old_row]]
        expected[0] = expected[0].replace(f"<f>{arr}{old_row}*2</f>", f"<f>{arr}{new_row}*2</f>")
        assert after[new_row] == expected, f"row {old_row} -> {new_row}"
    assert all(not any(after.get(r, [""] * 3)) for r in range(2 + len(kept_rows), 32))


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_a_users_formula_still_doubles_its_own_accounts_arr_after_rows_close_up(tmp_path):
    book, accounts = tiered_book(tmp_path, 30)
    names = add_user_columns(book)
    export = write_export(tmp_path / "sf.csv", accounts.drop(index=[0, 13]), SALESFORCE)
    assert main(["import", str(export), "--into", str(book), "--replace"]) == 0
    sheet = openpyxl.load_workbook(recalculate(book, tmp_path / "lo"), data_only=True)[Sheet.ACCOUNTS]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]]
    assert len(rows) == 28
    assert all(r["Doubled ARR"] == 2 * r[Col.ARR] for r in rows)
    assert list(names) == header[-3:]


# --------------------------------------------------------------- new columns
def salesforce_export(accounts: pd.DataFrame) -> pd.DataFrame:
    crm = accounts.rename(columns=SALESFORCE).drop(columns=[Col.INDUSTRY])
    crm["Industry"] = accounts[Col.INDUSTRY]
    crm["Phone"] = [f"+1 555 01{i:02d}" for i in range(len(crm))]
    crm["Type"] = "Customer"
    crm["Owner.Name"] = "Dana Whitfield"
    crm["BillingCountry"] = "United States"
    return crm


def test_new_export_columns_join_the_table_as_the_users_own(tmp_path, capsys):
    book, accounts = tiered_book(tmp_path, 40)
    first_id = accounts[Col.ACCOUNT_ID][0]
    tier = rows_by_id(book)[first_id][Col.TIER]
    export = tmp_path / "sf.csv"
    salesforce_export(accounts).to_csv(export, index=False)
    untouched = book.read_bytes()
    assert main(["import", str(export), "--into", str(book), "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert ("New columns added to the Accounts table as your own columns: Phone, Type, Owner.Name, BillingCountry "
            "(columns N:Q, before 'Tier Override';") in dry
    assert book.read_bytes() == untouched

    assert main(["import", str(export), "--into", str(book)]) == 0
    package = Package.open(book)
    info = package.table(Tables.ACCOUNTS.table)
    assert info.columns[12:22] == [Col.CSM, "Phone", "Type", "Owner.Name", "BillingCountry", Col.TIER_OVERRIDE,
                                   Col.OVERRIDE_REASON, Col.OVERRIDE_BY, Col.OVERRIDE_SET_ON, Col.OVERRIDE_UNTIL]
    assert info.columns[22:] == OUTPUTS
    ids = re.findall(r'<tableColumn id="(\d+)"', info.xml)
    assert len(set(ids)) == len(ids) == int(re.search(r'<tableColumns count="(\d+)"', info.xml).group(1))
    assert info.ref == "A1:AC41"
    wb = openpyxl.load_workbook(book)  # a strict reader opens it
    assert list(wb[Sheet.ACCOUNTS].tables[Tables.ACCOUNTS.table].column_names) == info.columns
    row = rows_by_id(book)[first_id]
    assert (row["Phone"], row["Owner.Name"], row[Col.TIER]) == ("+1 555 0100", "Dana Whitfield", tier)
    # Every formula (cost to serve per account, the Summary's sums by tier) still reads the right columns.
    if soffice() is not None:
        from tests.workbook.test_libreoffice import check_book
        assert check_book(book, tmp_path / "lo") > 100
    assert main(["assign", str(book)]) == 0


def test_a_column_added_by_a_later_export_goes_next_to_the_earlier_ones(tmp_path, capsys):
    book, accounts = tiered_book(tmp_path, 20)
    crm = salesforce_export(accounts)
    crm.to_csv(tmp_path / "a.csv", index=False)
    assert main(["import", str(tmp_path / "a.csv"), "--into", str(book)]) == 0
    crm["Lead_Source__c"] = "Web"
    crm.to_csv(tmp_path / "b.csv", index=False)
    assert main(["import", str(tmp_path / "b.csv"), "--into", str(book)]) == 0
    columns = Package.open(book).table(Tables.ACCOUNTS.table).columns
    assert columns[13:19] == ["Phone", "Type", "Owner.Name", "BillingCountry", "Lead_Source__c", Col.TIER_OVERRIDE]
    assert {r["Lead_Source__c"] for r in rows_by_id(book).values()} == {"Web"}


# -------------------------------------------------------------- a new book
def test_import_into_a_new_xlsx_makes_a_tierbook_workbook(tmp_path, capsys):
    accounts = sample_accounts(50, seed=8, defects=False)
    export = tmp_path / "sf.csv"
    salesforce_export(accounts).to_csv(export, index=False)
    book = tmp_path / "New.xlsx"
    assert main(["import", str(export), "--into", str(book)]) == 0
    assert "Created a Tierbook workbook from the template" in capsys.readouterr().out
    assert set(Sheet.ORDER) <= set(Package.open(book).sheets)
    assert main(["assign", str(book)]) == 0
    largest = accounts.loc[accounts[Col.ARR].idxmax(), Col.ACCOUNT_ID]
    assert rows_by_id(book)[largest][Col.TIER] == "High-touch"
    assert rows_by_id(book)[largest]["Phone"].startswith("+1 555")
    run = run_book(read_book(Package.open(book)))
    assert len(run.accounts) == 50
