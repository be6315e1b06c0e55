"""Assign Tiers on a file: nothing lost, atomic, idempotent, overrides kept, clear errors."""

from __future__ import annotations

import os
import re
from pathlib import Path

import openpyxl
import pytest

from tierbook.errors import OutputError, SettingsError, WorkbookError
from tierbook.columns import Col
from tierbook.workbook.layout import (RUN_STAMP_CELLS, InForceItem, Sheet, Tables, WORKBOOK_ACCOUNT_COLUMNS,
                                      WORKBOOK_OUTPUT_COLUMNS)
from tierbook.sample import sample_accounts
from tierbook.workbook.assign import assign
from tierbook.workbook.create import accounts_input_parts
from tierbook.workbook.edit import set_settings
from tierbook.workbook.package import Package, backup_path, save_package
from tierbook.workbook.sheetxml import read_rows
from tierbook.workbook.template import build_template

from .helpers import add_table_column, members, set_cells

STAMP1, STAMP2 = "2026-02-01 09:00:00", "2026-02-02 09:00:00"


def owned_parts(path: Path) -> set[str]:
    """The parts Assign Tiers may rewrite."""
    package = Package.open(path)
    sheets = {package.sheet_part(s) for s in (Sheet.START, Sheet.ACCOUNTS, Sheet.SUMMARY, Sheet.CAPACITY,
                                               Sheet.DATA_QUALITY, Sheet.HISTORY)}
    tables = {package.table(p.table).part for p in (Tables.ACCOUNTS, Tables.CAPACITY, Tables.ROLE_GAPS,
                                                    Tables.COVERAGE, Tables.DATA_QUALITY, Tables.HISTORY)}
    return sheets | tables | {package.workbook_part}


def add_foreign_parts(path: Path) -> None:
    """Parts another tool put in the file (a second Office add-in's, custom XML): Tierbook must carry them over."""
    import zipfile

    extra = {"xl/webextensions/webextension2.xml": b'<we:webextension xmlns:we="x" id="{2}"><we:reference id="wa104379501"/></we:webextension>',
             "customXml/item1.xml": b"<data>kept</data>"}
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename))
        for name, data in extra.items():
            zout.writestr(name, data)
    os.replace(tmp, path)


def non_owned_account_cells(path: Path) -> dict[int, dict[int, str]]:
    package = Package.open(path)
    info = package.table(Tables.ACCOUNTS.table)
    owned = {info.column(h) for h in WORKBOOK_OUTPUT_COLUMNS}
    rows = read_rows(package.text(package.sheet_part(Sheet.ACCOUNTS)), range(1, 400))
    return {r: {c: x for c, x in cells.items() if c not in owned} for r, cells in rows.items()}


def test_nothing_is_lost(book: Path) -> None:
    add_foreign_parts(book)
    notes = [f"note {i} & <b>" for i in range(150)]
    user_col = add_table_column(book, Tables.ACCOUNTS.table, "My Notes", notes)
    set_settings(book, ["policy=arr-share"])  # so that tiers really change
    before, cells_before = members(book), non_owned_account_cells(book)
    result = assign(book, stamp=STAMP1)
    after, cells_after = members(book), non_owned_account_cells(book)
    assert result.changes > 0
    assert list(after) == list(before), "members added, removed or reordered"
    changed = {name for name in before if before[name] != after[name]}
    assert changed <= owned_parts(book), changed - owned_parts(book)
    for name in ("xl/webextensions/webextension1.xml", "xl/webextensions/taskpanes.xml",
                 "xl/webextensions/webextension2.xml", "customXml/item1.xml", "xl/styles.xml",
                 "xl/sharedStrings.xml", "xl/charts/chart1.xml", "xl/drawings/drawing1.xml"):
        assert before[name] == after[name]
    # Inside Accounts, every input and user cell is byte for byte what it was.
    assert cells_after == cells_before
    ws = openpyxl.load_workbook(book)[Sheet.ACCOUNTS]
    assert ws.cell(1, user_col).value == "My Notes" and ws.cell(3, user_col).value == notes[1]
    assert "My Notes" in [c.name for c in ws.tables[Tables.ACCOUNTS.table].tableColumns]


def test_second_run_changes_only_the_stamp(book: Path) -> None:
    assign(book, stamp=STAMP1)
    first = members(book)
    result = assign(book, stamp=STAMP2)
    second = members(book)
    package = Package.open(book)
    start = package.sheet_part(Sheet.START)
    changed = {n for n in first if first[n] != second[n]}
    assert changed == {package.sheet_part(s) for s in (Sheet.START, *(s for s, _, _ in RUN_STAMP_CELLS))}
    for name in changed - {start}:  # the title rows name the run, and nothing else moved
        assert second[name].replace(STAMP2.encode(), STAMP1.encode()) == first[name], name
    assert result.changes == 0
    diff = set(re.findall(rb"<c [^>]*>.*?</c>", second[start])) - set(re.findall(rb"<c [^>]*>.*?</c>", first[start]))
    assert len(diff) == 1 and STAMP2.encode() in diff.pop()


def test_overrides_are_never_rewritten_and_always_applied(book: Path) -> None:
    set_cells(book, Sheet.ACCOUNTS, {"N7": "high-touch ", "O7": "Board-level relationship", "N8": "Mid-touch"})
    before = non_owned_account_cells(book)
    assign(book, stamp=STAMP1)
    assign(book, stamp=STAMP2)
    assert non_owned_account_cells(book) == before
    ws = openpyxl.load_workbook(book, data_only=True)[Sheet.ACCOUNTS]
    assert ws["N7"].value == "high-touch " and ws[f"{letter(Col.TIER)}7"].value == "High-touch"
    assert ws[f"{letter(Col.TIER_REASON)}7"].value == "Override -> High-touch: Board-level relationship"
    assert "not applied" in ws[f"{letter(Col.TIER_REASON)}8"].value  # an override needs a reason


def letter(header: str) -> str:
    """The column letter of an Accounts column in a fresh book."""
    return openpyxl.utils.get_column_letter([c.header for c in WORKBOOK_ACCOUNT_COLUMNS].index(header) + 1)


def test_history_logs_changed_tiers_and_previous_tier_follows(book: Path) -> None:
    set_settings(book, ["policy=score"])
    result = assign(book, stamp=STAMP1)
    assert result.changes > 0
    wb = openpyxl.load_workbook(book, data_only=True)
    history = wb[Sheet.HISTORY].tables[Tables.HISTORY.table]
    rows = list(wb[Sheet.HISTORY].iter_rows(min_row=Tables.HISTORY.row + 1, values_only=True))
    rows = [r for r in rows if any(v is not None for v in r)]
    assert len(rows) == result.changes and all(r[0] == STAMP1 for r in rows)
    assert history.ref.endswith(str(Tables.HISTORY.row + result.changes))
    acc = wb[Sheet.ACCOUNTS]
    previous = [c.header for c in WORKBOOK_ACCOUNT_COLUMNS].index(Col.PREVIOUS_TIER) + 1
    moved = [r for r in range(2, 152) if acc.cell(r, previous).value]
    assert len(moved) == result.changes
    # Another run logs nothing new and keeps Previous Tier.
    assert assign(book, stamp=STAMP2).changes == 0


def edit_rows_as_a_user(path: Path, order: list[int | None], new_account: dict[str, object]) -> None:
    """Rearrange the Accounts rows as Excel does (whole rows move, formulas follow their row).

    ``order`` lists, for each new row, the old data row it shows (0-based), or
    None for a row the user inserts and fills with ``new_account``; old rows
    not listed are deleted.
    """
    from openpyxl.formula.translate import Translator

    wb = openpyxl.load_workbook(path)
    ws = wb[Sheet.ACCOUNTS]
    table = ws.tables[Tables.ACCOUNTS.table]
    width = ws.max_column
    header = [ws.cell(1, c).value for c in range(1, width + 1)]
    old = [[ws.cell(r, c).value for c in range(1, width + 1)] for r in range(2, ws.max_row + 1)]
    for r in range(2, ws.max_row + 1):
        for c in range(1, width + 1):
            ws.cell(r, c).value = None
    for i, source in enumerate(order):
        r = 2 + i
        for c in range(1, width + 1):
            if source is None:
                value = new_account.get(header[c - 1])
            else:
                value = old[source][c - 1]
                if isinstance(value, str) and value.startswith("="):
                    value = Translator(value, origin=f"{openpyxl.utils.get_column_letter(c)}{2 + source}") \
                        .translate_formula(f"{openpyxl.utils.get_column_letter(c)}{r}")
            ws.cell(r, c).value = value
    table.ref = f"A1:{openpyxl.utils.get_column_letter(width)}{1 + len(order)}"
    wb.save(path)


def test_previous_tier_and_history_follow_accounts_a_user_sorted_inserted_and_deleted(tmp_path: Path) -> None:
    path = tmp_path / "Tierbook.xlsx"
    package = Package.open(path.name, build_template())
    save_package(package, accounts_input_parts(package, sample_accounts(120, seed=9, defects=False)), path,
                 backup=False)
    assign(path, stamp=STAMP1, backup=False)
    set_settings(path, ["policy=arr-share"])
    assign(path, stamp=STAMP2, backup=False)  # Previous Tier is now filled for some accounts
    old_rows = _account_rows(path)
    before = {r[0]: r for r in old_rows}
    # Sort by ARR, smallest first; delete one account; insert a new one in the middle.
    rows: list[int | None] = sorted(range(120), key=lambda i: float(old_rows[i][2]))
    rows.remove(rows[30])
    rows.insert(60, None)
    edit_rows_as_a_user(path, rows, {"Account ID": "NEW-0001", "Account Name": "Newco", "ARR": 45000,
                                     "Employees": 300, "Industry": "Retail", "Region": "EMEA", "Product": "Pro",
                                     "CSM": "Scaled CS Team"})
    result = assign(path, stamp="2026-02-03 09:00:00", backup=False)
    after = {r[0]: r for r in _account_rows(path)}
    header = _account_header(path)
    tier, previous = header.index("Tier"), header.index("Previous Tier")
    real = {i for i in after if i in before and after[i][tier] != before[i][tier]}
    assert result.changes == len(real)
    assert after["NEW-0001"][previous] is None
    assert all(after[i][previous] == (before[i][tier] if i in real else before[i][previous])
               for i in after if i in before)


def _account_header(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path, data_only=True)[Sheet.ACCOUNTS]
    return [c.value for c in ws[1]]


def _account_rows(path: Path) -> list[tuple]:
    ws = openpyxl.load_workbook(path, data_only=True)[Sheet.ACCOUNTS]
    return [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]


def test_accounts_table_grows_and_shrinks_with_the_pasted_export(book: Path) -> None:
    for n in (40, 25, 60):
        package = Package.open(book)
        save_package(package, accounts_input_parts(package, sample_accounts(n, seed=n)), book, backup=False)
        assign(book, stamp=STAMP1)
        wb = openpyxl.load_workbook(book)
        ws = wb[Sheet.ACCOUNTS]
        width = len(WORKBOOK_ACCOUNT_COLUMNS)
        cost = [c.header for c in WORKBOOK_ACCOUNT_COLUMNS].index(Col.COST_TO_SERVE) + 1
        assert ws.tables[Tables.ACCOUNTS.table].ref == f"A1:{openpyxl.utils.get_column_letter(width)}{n + 1}"
        assert ws.cell(n + 1, cost).data_type == "f" and ws.cell(n + 1, 1).value
        assert all(ws.cell(n + 2, c).value is None for c in range(1, width + 1)), f"leftovers below row {n + 1}"
        assert openpyxl.load_workbook(book, data_only=True)[Sheet.SUMMARY]["B9"].value == n


def test_open_in_excel_gets_a_clear_message(book: Path) -> None:
    lock = book.with_name("~$" + book.name)
    lock.write_text("")
    before = book.read_bytes()
    with pytest.raises(WorkbookError, match="open in Excel"):
        assign(book)
    assert book.read_bytes() == before


def test_read_only_workbook_gets_a_clear_message(book: Path) -> None:
    book.chmod(0o444)
    try:
        with pytest.raises(WorkbookError, match="read-only"):
            assign(book)
    finally:
        book.chmod(0o644)


def test_bad_settings_value_names_sheet_row_column_and_value(book: Path) -> None:
    row = Tables.SETTINGS.row + 1 + 8  # margin_method
    set_cells(book, Sheet.SETTINGS, {f"B{row}": "markupp"})
    with pytest.raises(SettingsError) as err:
        assign(book)
    message = str(err.value)
    for part in ("Settings sheet", f"row {row}", "'Value'", "'markupp'", "markup, gross-margin"):
        assert part in message


def test_bad_unit_cost_names_the_services_cell(book: Path) -> None:
    set_cells(book, Sheet.SERVICES, {f"E{Tables.SERVICES.row + 3}": "lots"})
    with pytest.raises(SettingsError, match=r"Services sheet.*row 7.*'Unit Cost'.*'lots'"):
        assign(book)


def test_failed_write_leaves_the_workbook_as_it_was(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = book.read_bytes()

    def broken(self, target, replaced):  # type: ignore[no-untyped-def]
        Path(target).write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(Package, "write_zip", broken)
    with pytest.raises(OutputError, match=f"{book}: could not be written"):
        assign(book)
    assert book.read_bytes() == before
    assert sorted(p.name for p in book.parent.iterdir()) == [book.name]


def test_one_backup_of_the_previous_version(book: Path) -> None:
    v1 = book.read_bytes()
    assign(book, stamp=STAMP1)
    assert backup_path(book).read_bytes() == v1
    v2 = book.read_bytes()
    assign(book, stamp=STAMP2)
    assert backup_path(book).read_bytes() == v2
    assert len(list(book.parent.glob("*.xlsx"))) == 2


def test_excel_calculation_chain_is_dropped_with_its_references(book: Path) -> None:
    """Excel saves a calcChain.xml listing formula cells; a stale one makes Excel 'repair' the file."""
    import zipfile

    tmp = book.with_suffix(".tmp")
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>')
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats'
                                    b'.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>')
            zout.writestr(info, data)
        zout.writestr("xl/calcChain.xml", b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="U2" i="3"/></calcChain>')
    os.replace(tmp, book)
    set_settings(book, ["policy=arr-share"])
    assign(book, stamp=STAMP1)
    after = members(book)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["[Content_Types].xml"] and b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    openpyxl.load_workbook(book)  # still a valid package


def test_the_summary_budget_check_shows_the_unpriced_accounts_and_says_it_leaves_them_out(book: Path) -> None:
    result = assign(book, stamp=STAMP1)
    ws = openpyxl.load_workbook(book, data_only=True)[Sheet.SUMMARY]
    p = Tables.BUDGET
    items = {ws.cell(p.row + 1 + i, p.col).value: ws.cell(p.row + 1 + i, p.col + 1).value for i in range(7)}
    needs = result.run.summary.set_index("Tier").loc["Needs data"]
    assert needs["Accounts"] > 0
    assert items["Unpriced Accounts (Needs data)"] == needs["Accounts"]
    assert items["Unpriced ARR (Needs data)"] == pytest.approx(needs["ARR"])
    assert items["Status"].endswith(f"; unpriced accounts left out: {int(needs['Accounts'])}")
    formula = openpyxl.load_workbook(book)[Sheet.SUMMARY].cell(p.row + 7, p.col + 1).value
    assert "unpriced accounts left out" in formula  # a native formula, recalculated by LibreOffice in its test


def test_a_summary_table_kept_elsewhere_by_an_earlier_version_is_left_alone(book: Path) -> None:
    package = Package.open(book)
    info = package.table(Tables.IN_FORCE.table)
    old_ref = "Q12:R17"  # where an earlier template put the policy-in-force table
    save_package(package, {info.part: info.with_ref(old_ref).encode()}, book, backup=False)
    last = Tables.IN_FORCE.row + len(InForceItem.ALL)
    set_cells(book, Sheet.SUMMARY, {f"R{last}": "my note"})
    assign(book, stamp=STAMP1)
    assert openpyxl.load_workbook(book)[Sheet.SUMMARY][f"R{last}"].value == "my note"
