"""A book given other tiers: rebuilt for them, keeping what users typed, adding up as before."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

from tierbook.columns import INPUT_COLUMNS, Col, HistoryCol, ServiceCol
from tierbook.errors import SettingsError, TierShapeError, WorkbookError
from tierbook.workbook.addin import WEBEXTENSION_PART, read_embedded
from tierbook.workbook.cells import ref
from tierbook.workbook.checkcells import BLANK_INTERVAL, BLANKS_FOUND, TYPED_OVER
from tierbook.workbook.assign import assign
from tierbook.workbook.edit import change_tiers, set_settings
from tierbook.workbook.layout import CHECK, CheckItem, MatrixCol, SegmentMapCol, Sheet, Tables, TierCol
from tierbook.workbook.package import Package
from tierbook.workbook.read import read_book
from tierbook.workbook.reshape import assign_book, reshape_book
from tierbook.workbook.source import FileSource
from tierbook.workbook.tabledata import table_data
from tools.libreoffice import recalculate, soffice

from .helpers import members, set_cells

FOUR = "High-touch=Strategic,Mid-touch=Scale,Tech-touch=Digital,Community"
STAMP = "2026-06-01 09:00:00"


def rows(path: Path, place, key: str) -> dict[str, dict[str, object]]:
    """A table's rows by their key cell: header -> value as stored."""
    t = table_data(FileSource(Package.open(path)), place, extend=place == Tables.ACCOUNTS)
    return {str(r[t.headers.index(key)]): dict(zip(t.headers, r)) for r in t.rows if str(r[t.headers.index(key)])}


def column_of(place, header: str, path: Path) -> int:
    info = Package.open(path).table(place.table)
    return info.bounds[1] + info.columns.index(header)


def test_a_book_given_four_tiers_is_laid_out_for_them(book: Path) -> None:
    result = reshape_book(book, FOUR, stamp=STAMP)
    info = Package.open(book).table(Tables.MATRIX.table)
    assert info.columns[1:5] == ["Strategic", "Scale", "Digital", "Community"]
    assert "Annual Cost: Community" in info.columns and "Assessed Value: Community" in info.columns
    summary = rows(book, Tables.SUMMARY, "Tier")
    assert list(summary)[:4] == ["Strategic", "Scale", "Digital", "Community"]
    capacity = {r["Tier"] for r in rows(book, Tables.CAPACITY, "Role").values()} | {
        str(r[0]) for r in table_data(FileSource(Package.open(book)), Tables.CAPACITY).rows}
    assert {"Strategic", "Scale", "Digital"} <= capacity
    assert result.shape.added == ("Community",) and result.assigned.accounts == 150
    assert read_book(Package.open(book)).settings.tier_names == ("Strategic", "Scale", "Digital", "Community")


def test_the_tiers_that_stay_keep_their_intervals_cell_for_cell(book: Path) -> None:
    before = rows(book, Tables.MATRIX, MatrixCol.SERVICE)
    reshape_book(book, FOUR, stamp=STAMP)
    after = rows(book, Tables.MATRIX, MatrixCol.SERVICE)
    assert list(after) == list(before)
    for service, row in before.items():
        for old, new in (("High-touch", "Strategic"), ("Mid-touch", "Scale"), ("Tech-touch", "Digital")):
            assert after[service][new] == row[old], (service, new)
        assert after[service]["Community"] in ("", None), service
        assert after[service][CHECK] == BLANK_INTERVAL, service


def test_a_renamed_tier_keeps_its_accounts_overrides(book: Path) -> None:
    override, reason = column_of(Tables.ACCOUNTS, Col.TIER_OVERRIDE, book), column_of(Tables.ACCOUNTS, Col.OVERRIDE_REASON, book)
    set_cells(book, Sheet.ACCOUNTS, {ref(9, override): "Tech-touch", ref(9, reason): "Pilot on the digital programme"})
    reshape_book(book, FOUR, stamp=STAMP)
    wb = openpyxl.load_workbook(book, data_only=True)[Sheet.ACCOUNTS]
    tier = column_of(Tables.ACCOUNTS, Col.TIER, book)
    assert wb.cell(9, override).value == "Digital" and wb.cell(9, reason).value == "Pilot on the digital programme"
    assert wb.cell(9, tier).value == "Digital"


def test_a_pure_rename_moves_no_account_and_logs_no_tier_change(book: Path) -> None:
    before = rows(book, Tables.ACCOUNTS, Col.ACCOUNT_ID)
    result = reshape_book(book, "High-touch=Strategic,Mid-touch,Tech-touch", stamp=STAMP)
    after = rows(book, Tables.ACCOUNTS, Col.ACCOUNT_ID)
    assert result.assigned.changes == 0
    renamed = {"High-touch": "Strategic"}
    assert {k: renamed.get(str(v[Col.TIER]), v[Col.TIER]) for k, v in before.items()} == \
        {k: v[Col.TIER] for k, v in after.items()}


def test_an_override_of_a_removed_tier_is_reported_by_row_and_kept_as_typed(book: Path) -> None:
    override, reason = column_of(Tables.ACCOUNTS, Col.TIER_OVERRIDE, book), column_of(Tables.ACCOUNTS, Col.OVERRIDE_REASON, book)
    set_cells(book, Sheet.ACCOUNTS, {ref(12, override): "Tech-touch", ref(12, reason): "Self-serve by contract",
                                     ref(30, override): "tech-touch", ref(30, reason): "Asked for it"})
    smap = Tables.SEGMENT_MAP
    tier_col = smap.col + SegmentMapCol.ALL.index(SegmentMapCol.TIER)
    segments = rows(book, smap, SegmentMapCol.SEGMENT)
    smb_row = smap.row + 1 + list(segments).index("SMB")
    set_cells(book, Sheet.SEGMENTS, {ref(smb_row, tier_col): "Mid-touch"})
    result = change_tiers(book, "High-touch,Mid-touch", ["default_tier=Mid-touch"])
    assert result.stranded == ((12, "Tech-touch"), (30, "tech-touch"))
    line = next(x for x in result.lines() if "Tier Override" in x)
    assert "row(s) 12, 30" in line and "Tech-touch" in line and "not applied" in line
    wb = openpyxl.load_workbook(book, data_only=True)[Sheet.ACCOUNTS]
    assert wb.cell(12, override).value == "Tech-touch" and wb.cell(30, override).value == "tech-touch"
    quality = {(r[0], r[2]) for r in table_data(FileSource(Package.open(book)), Tables.DATA_QUALITY).rows}
    assert (12, Col.TIER_OVERRIDE) in quality and (30, Col.TIER_OVERRIDE) in quality


def test_a_removed_tier_that_the_segment_map_names_stops_the_change_naming_the_cell(book: Path) -> None:
    before = book.read_bytes()
    with pytest.raises(SettingsError) as info:
        reshape_book(book, "High-touch,Mid-touch")
    text = str(info.value)
    assert "Segments sheet, table SegmentMap" in text and "'SMB'" in text and "Tech-touch" in text
    assert "default_tier" in text and book.read_bytes() == before


@pytest.mark.parametrize("spec, says", [
    ("", "the list is empty"),
    ("High-touch,Mid-touch,High-touch", "named twice"),
    ("High-touch", "at least 2 tiers"),
    ("Strategic,Scale,Digital,Community", "none of the book's tiers"),
    ("High-touch, Mid-touch ,Tech-touch", "already High-touch, Mid-touch, Tech-touch; nothing was written"),
])
def test_a_bad_tiers_value_leaves_the_book_byte_for_byte_with_one_error(book: Path, spec: str, says: str) -> None:
    before = book.read_bytes()
    with pytest.raises(SettingsError) as info:
        reshape_book(book, spec)
    assert says in str(info.value) and len(info.value.errors) == 1
    assert book.read_bytes() == before and not book.with_name("Tierbook.bak.xlsx").exists()


def test_the_cells_users_typed_elsewhere_come_through_unchanged(book: Path) -> None:
    services = Tables.SERVICES
    unit = column_of(services, ServiceCol.UNIT_COST, book)
    smap = Tables.SEGMENT_MAP
    playbook = smap.col + SegmentMapCol.ALL.index(SegmentMapCol.PLAYBOOK)
    note = Tables.RULES.col + 5
    set_cells(book, Sheet.SERVICES, {ref(services.row + 2, unit): 31.5})
    set_cells(book, Sheet.SEGMENTS, {ref(smap.row + 1, playbook): "Quarterly exec sponsor call"})
    set_cells(book, Sheet.RULES, {ref(Tables.RULES.row + 1, note): "Agreed with finance"})
    set_settings(book, ["policy=arr-share"])
    assign(book, stamp="2026-05-01 08:00:00")
    before_history = table_data(FileSource(Package.open(book)), Tables.HISTORY).rows
    before_accounts = rows(book, Tables.ACCOUNTS, Col.ACCOUNT_ID)
    before_services = rows(book, services, ServiceCol.SERVICE)
    old_members = members(book)
    reshape_book(book, FOUR, stamp=STAMP)
    after_accounts = rows(book, Tables.ACCOUNTS, Col.ACCOUNT_ID)
    inputs = [c for c in next(iter(before_accounts.values())) if c not in
              (Col.SEGMENT, Col.TIER, Col.TIER_REASON, Col.PREVIOUS_TIER, "ARR Used", Col.COST_TO_SERVE, Col.CTS_PCT_ARR)]
    assert {k: {c: v[c] for c in inputs} for k, v in before_accounts.items()} == \
        {k: {c: v[c] for c in inputs} for k, v in after_accounts.items()}
    after_services = rows(book, services, ServiceCol.SERVICE)
    assert {k: {c: x for c, x in v.items() if c != CHECK} for k, v in after_services.items()} == \
        {k: {c: x for c, x in v.items() if c != CHECK} for k, v in before_services.items()}
    typed = list(before_services)[1]
    assert after_services[typed][ServiceCol.UNIT_COST] == 31.5 and after_services[typed][CHECK] == TYPED_OVER
    segment = openpyxl.load_workbook(book)[Sheet.SEGMENTS]
    assert segment.cell(smap.row + 1, playbook).value == "Quarterly exec sponsor call"
    assert openpyxl.load_workbook(book)[Sheet.RULES].cell(Tables.RULES.row + 1, note).value == "Agreed with finance"
    settings = read_book(Package.open(book)).settings
    assert settings.margin_pct == 0.30 and settings.cs_budget == 9_000_000 and settings.policy == "arr-share"
    history = table_data(FileSource(Package.open(book)), Tables.HISTORY).rows
    assert len(before_history) > 0 and history[:len(before_history)] == before_history
    old_id = read_embedded(old_members[WEBEXTENSION_PART])["xlwingsWorkbookId"]
    assert read_embedded(members(book)[WEBEXTENSION_PART])["xlwingsWorkbookId"] == old_id


def test_a_sheet_of_the_users_own_stops_the_change_before_anything_is_written(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    wb.create_sheet("My notes")
    wb.save(book)
    before = book.read_bytes()
    with pytest.raises(WorkbookError, match="'My notes' would not be kept"):
        reshape_book(book, FOUR)
    assert book.read_bytes() == before


def test_editing_the_tiers_table_then_assign_rebuilds_the_book_for_it(book: Path) -> None:
    t = Tables.TIERS
    name = t.col + TierCol.ALL.index(TierCol.TIER)
    set_cells(book, Sheet.SETTINGS, {ref(t.row + 3, name): "Tech-touch=Digital"})
    with pytest.raises(TierShapeError) as info:
        read_book(Package.open(book))
    assert "tierbook assign" in str(info.value) and "nothing was written" in str(info.value)
    before = rows(book, Tables.MATRIX, MatrixCol.SERVICE)
    result = assign_book(book)
    assert result.reshaped is not None and result.reshaped.shape.renamed == (("Tech-touch", "Digital"),)
    after = rows(book, Tables.MATRIX, MatrixCol.SERVICE)
    assert all(after[s]["Digital"] == before[s]["Tech-touch"] for s in before)
    settings = read_book(Package.open(book)).settings
    assert settings.tier_names == ("High-touch", "Mid-touch", "Digital") and settings.default_tier == "Digital"
    assert settings.segment_tiers["SMB"] == "Digital"


def test_a_dry_run_of_a_book_whose_tiers_were_edited_writes_nothing_and_says_what_to_run(book: Path) -> None:
    t = Tables.TIERS
    set_cells(book, Sheet.SETTINGS, {ref(t.row + 1, t.col): "Strategic"})
    before = book.read_bytes()
    with pytest.raises(TierShapeError, match="tierbook assign"):
        assign_book(book, dry_run=True)
    assert book.read_bytes() == before


needs_lo = pytest.mark.skipif(soffice() is None and os.environ.get("CI", "").lower() not in ("1", "true", "yes"),
                              reason="LibreOffice is not installed")


@needs_lo
def test_after_four_tiers_the_summary_recalculated_in_libreoffice_equals_the_engine_to_the_cent(
        book: Path, tmp_path: Path) -> None:
    from .test_libreoffice import check_book

    reshape_book(book, FOUR, stamp=STAMP)
    matrix = Tables.MATRIX
    community = column_of(matrix, "Community", book)
    set_cells(book, Sheet.MATRIX, {ref(matrix.row + 1 + i, community): v for i, v in enumerate((1, 0, 4, 2))})
    result = assign_book(book)
    check_book(book, tmp_path / "lo")
    status = ref(Tables.CHECKS.row + 1 + CheckItem.ALL.index(CheckItem.STATUS), Tables.CHECKS.col + 1)
    assert openpyxl.load_workbook(book, data_only=True)[Sheet.SUMMARY][status].value == BLANKS_FOUND
    recalculated = openpyxl.load_workbook(recalculate(book, tmp_path / "lo2"), data_only=True)[Sheet.SUMMARY]
    info = Package.open(book).table(Tables.SUMMARY.table)
    r1, c1, r2, _ = info.bounds
    cost = c1 + info.columns.index("Annual Cost")
    shown = {recalculated.cell(r, c1).value: recalculated.cell(r, cost).value for r in range(r1 + 1, r2 + 1)}
    engine = result.run.summary.set_index("Tier")["Annual Cost"]
    for tier in ("Strategic", "Scale", "Digital", "Community", "Total"):
        assert round(shown[tier], 2) == round(float(engine[tier]), 2), tier
    assert round(float(engine["Community"]), 2) > 0


def test_long_new_tier_names_show_whole_in_every_header_and_every_cell_that_names_a_tier(book: Path) -> None:
    from .test_legible import clipped_headers, hidden_texts

    reshape_book(book, "High-touch=Strategic Enterprise Accounts,Mid-touch=Scale,Tech-touch,Community Programmes",
                 stamp=STAMP)
    assert "Annual Cost: Strategic Enterprise Accounts" in Package.open(book).table(Tables.MATRIX.table).columns
    assert clipped_headers(book) == []
    info = Package.open(book).table(Tables.ACCOUNTS.table)
    users = frozenset((Sheet.ACCOUNTS, info.column(h)) for h in INPUT_COLUMNS)  # the CRM's names and the user's notes
    history = Package.open(book).table(Tables.HISTORY.table)
    users |= {(Sheet.HISTORY, history.column(HistoryCol.ACCOUNT_NAME))}  # account names come from the CRM too
    assert hidden_texts(book, users) == []


def test_the_users_own_accounts_columns_come_through_and_a_dropped_total_row_is_said(book: Path) -> None:
    from .helpers import add_table_column, add_total_row

    add_table_column(book, Tables.ACCOUNTS.table, "Phone", [f"+44 20 {i:04d}" for i in range(150)])
    add_total_row(book, Tables.ACCOUNTS.table, Col.ACCOUNT_ID, (Col.ARR,))
    before = rows(book, Tables.ACCOUNTS, Col.ACCOUNT_ID)
    result = reshape_book(book, FOUR, stamp=STAMP)
    after = rows(book, Tables.ACCOUNTS, Col.ACCOUNT_ID)
    assert {k: v["Phone"] for k, v in after.items()} == {k: v["Phone"] for k, v in before.items()}
    assert len(after) == len(before)
    assert result.totals_dropped == (Tables.ACCOUNTS.table,)
    assert any("Total Row of Accounts was not carried over" in line for line in result.lines())


def test_settings_tiers_on_a_book_whose_tiers_table_was_edited_says_to_run_assign(book: Path) -> None:
    t = Tables.TIERS
    set_cells(book, Sheet.SETTINGS, {ref(t.row + 1, t.col): "Strategic"})
    before = book.read_bytes()
    with pytest.raises(SettingsError, match="already edited there .*run  tierbook assign"):
        reshape_book(book, "High-touch,Mid-touch,Tech-touch,Community")
    assert book.read_bytes() == before


def test_a_rename_in_the_tiers_table_of_a_tier_the_book_lacks_names_the_table(book: Path) -> None:
    t = Tables.TIERS
    set_cells(book, Sheet.SETTINGS, {ref(t.row + 1, t.col): "Top=Strategic"})
    before = book.read_bytes()
    with pytest.raises(SettingsError, match="Settings sheet, table Tiers, column 'Tier': tiers: 'Top=Strategic' renames"):
        assign_book(book)
    assert book.read_bytes() == before


def test_the_stored_scenarios_and_the_one_to_apply_come_through_a_reshape(book: Path) -> None:
    from tierbook import tasks

    tasks.workbook_whatif(book, ["Lean", "headcount:CSM=12", "margin_pct=40%"], save=True)
    set_cells(book, Sheet.SCENARIOS, {"F5": "Lean"})
    stored = table_data(FileSource(Package.open(book)), Tables.SCENARIOS).rows
    reshape_book(book, FOUR, stamp=STAMP)
    after = FileSource(Package.open(book))
    assert table_data(after, Tables.SCENARIOS).rows == stored
    assert [r[:3] for r in stored[-2:]] == [["Lean", "headcount:CSM", "12"], ["Lean", "margin_pct", "40%"]]
    assert table_data(after, Tables.SCENARIO_PICK).rows[0][0] == "Lean"
