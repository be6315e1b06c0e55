"""Structural edits on a real workbook: what Excel keeps when columns are inserted or table rows deleted."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from tierbook.columns import COLUMNS, Col
from tierbook.workbook.layout import Sheet, Tables
from tierbook.workbook.plan import geometry
from tierbook.workbook.cells import col_letter
from tierbook.workbook.formulas import account_formulas
from tierbook.workbook.package import Package, save_package
from tierbook.workbook.read import read_book
from tierbook.workbook.refs import RowMove, translated
from tierbook.workbook.sheetxml import read_rows
from tierbook.workbook.rowmove import move_rows
from tierbook.workbook.structure import add_table_columns, insert_columns


def effective_formulas(xml: str, col: int, rows: range) -> dict[int, str]:
    """Row -> the formula a cell of ``col`` really holds (a shared member's is its first cell's, copied)."""
    cells = read_rows(xml, rows)
    masters: dict[str, tuple[int, str]] = {}
    for r, row in sorted(cells.items()):
        m = re.search(r'<f t="shared" ref="[^"]*" si="(\d+)">([^<]*)</f>', row.get(col, ""))
        if m:
            masters[m.group(1)] = (r, m.group(2).replace("&amp;", "&").replace("&gt;", ">").replace("&lt;", "<"))
    out = {}
    for r, row in cells.items():
        cell = row.get(col, "")
        shared = re.search(r'<f t="shared"[^>]*si="(\d+)"', cell)
        plain = re.search(r"<f>([^<]*)</f>", cell)
        if shared:
            top, text = masters[shared.group(1)]
            out[r] = translated(text, r - top, 0)
        elif plain:
            out[r] = plain.group(1).replace("&amp;", "&").replace("&gt;", ">").replace("&lt;", "<")
    return out


def test_cost_to_serve_stays_one_shared_formula_as_rows_close_up(book: Path) -> None:
    package = Package.open(book)
    wb = read_book(package)
    info = wb.account_table
    r1, c1, r2, c2 = info.bounds
    n = wb.n_accounts
    new = np.zeros(n, dtype=np.int64)
    kept = [i for i in range(n) if i % 3]  # every third account (the first included) leaves
    new[kept] = 2 + np.arange(len(kept))
    parts: dict[str, bytes | None] = {}
    xml = move_rows(package, parts, Sheet.ACCOUNTS, RowMove(2, new, c1, c2))
    geo = geometry(wb)
    for header in (Col.COST_TO_SERVE, Col.CTS_PCT_ARR):
        col = geo.acol(header)
        got = effective_formulas(xml, col, range(2, 2 + n))
        assert set(got) == set(range(2, 2 + len(kept)))
        assert all(got[r] == account_formulas(geo, r)[col] for r in got)
        data_cells = [int(r) for r in re.findall(rf'<c r="{col_letter(col)}(\d+)"', xml) if int(r) > 1]
        assert data_cells == list(range(2, 2 + len(kept)))  # the rows left behind hold none
        masters = re.findall(rf'<c r="{col_letter(col)}(\d+)"[^>]*><f t="shared" ref="([^"]+)"', xml)
        assert masters == [("2", f"{col_letter(col)}2:{col_letter(col)}{1 + len(kept)}")]
    # The Tier of each account moved with it.
    tiers = read_rows(xml, range(2, 2 + n))
    tier_col = geo.acol(Col.TIER)
    moved = [re.search(r"<t>([^<]*)</t>", tiers[2 + k][tier_col]).group(1) for k in range(len(kept))]
    assert moved == [wb.old_tier[i] for i in kept]


def test_inserted_columns_carry_validations_widths_and_other_sheets_formulas(book: Path) -> None:
    package = Package.open(book)
    info = package.table(Tables.ACCOUNTS.table)
    override = info.column(Col.TIER_OVERRIDE)
    tier = info.column(Col.TIER)
    parts: dict[str, bytes | None] = {}
    xml = insert_columns(package, parts, Sheet.ACCOUNTS, override, 2)
    letter = col_letter(override)
    assert f'sqref="{col_letter(override + 2)}2:{col_letter(override + 2)}1048576"' in xml
    assert f'sqref="{letter}2:{letter}1048576"' not in xml
    widths = {int(m.group(1)): m.group(0) for m in re.finditer(r'<col min="(\d+)"[^>]*/>', xml)}
    wide = f'width="{COLUMNS[Col.TIER_REASON].width}.7109375"'  # XlsxWriter's stored width of the declared one
    assert wide in widths[info.column(Col.TIER_REASON) + 2]  # Tier Reason's wide column moved
    summary = parts[package.sheet_part(Sheet.SUMMARY)].decode()
    assert f"Accounts!${col_letter(tier + 2)}:${col_letter(tier + 2)}" in summary
    assert f"Accounts!${col_letter(tier)}:${col_letter(tier)}," not in summary
    table = parts[info.part].decode()
    assert re.search(r'<table\b[^>]*\sref="A1:([A-Z]+)\d+"', table).group(1) == col_letter(info.bounds[3] + 2)
    parts[info.part] = add_table_columns(table, override - info.bounds[1], ["Phone", "Type"]).encode()
    save_package(package, parts, book, backup=False)  # the workbook still opens and reads
    assert Package.open(book).table(Tables.ACCOUNTS.table).columns[override - 1:override + 2] == [
        "Phone", "Type", Col.TIER_OVERRIDE]
    assert read_book(Package.open(book)).account_cols[Col.TIER] == tier + 2
