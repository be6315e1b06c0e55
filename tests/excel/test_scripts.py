"""The workbook's buttons run as xlwings Lite runs them, through xlwings' own engine."""

import asyncio
import re
import copy
import re
import shutil
from pathlib import Path

import pytest
import xlwings as xw
import xlwings.server

import tierbook.excel.scripts as scripts
import tierbook.workbook.assign as file_assign
from tests.excel.officejs import apply_actions, cells, differences, payload
from tests.workbook.helpers import set_cells
import openpyxl

from tierbook.columns import NEEDS_DATA, CsmBookCol
from tierbook.workbook.layout import CRM_EXPORT_SHEET, RUN_STAMP_CELLS, CrmExport, Sheet, Tables
from tierbook.sample import sample_accounts
from tierbook.workbook.cells import ref
from tierbook.workbook.create import accounts_input_parts
from tierbook.workbook.edit import set_settings
from tierbook.workbook.package import Package, save_package
from tierbook.workbook.plan import RUN_SHEETS
from tierbook.workbook.printing import RUN_LABEL, UNSTAMPED
from tierbook.workbook.template import build_template

STAMP = "2026-11-24 09:30:00"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(file_assign, "now_stamp", lambda: STAMP)
    monkeypatch.setattr(scripts, "now_stamp", lambda: STAMP)
    yield
    xlwings.pro._xlremote.get_range_api.cache_clear()


def untiered_book(path: Path, n: int = 300, seed: int = 5) -> Path:
    package = Package.open(path.name, build_template())
    save_package(package, accounts_input_parts(package, sample_accounts(n, seed=seed, defects=True)), path, backup=False)
    return path


def run_script(path: Path, name: str, include: list[str]) -> tuple[dict, list[dict]]:
    book_payload = payload(path, include)
    book = xw.Book(json=copy.deepcopy(book_payload))
    asyncio.run(xlwings.server.custom_scripts_call(module=scripts, script_name=name,
                                                   typehint_to_value={xw.Book: book}))
    actions = book.json()["actions"]
    book.close()
    return book_payload, actions


def lite_and_file(tmp_path: Path, book: Path, script: str, include) -> tuple[Path, Path, list[str]]:
    by_file = tmp_path / "by_file.xlsx"
    by_lite = tmp_path / "by_lite.xlsx"
    shutil.copy(book, by_file)
    book_payload, actions = run_script(book, script, list(include))
    messages = apply_actions(book, book_payload, actions, by_lite)
    return by_file, by_lite, messages


def test_assign_tiers_in_lite_writes_exactly_what_tierbook_assign_writes(tmp_path):
    book = untiered_book(tmp_path / "Tierbook.xlsx")
    by_file, by_lite, messages = lite_and_file(tmp_path, book, "assign_tiers", scripts.ASSIGN_SHEETS)
    result = file_assign.assign(by_file, backup=False)
    assert differences(cells(by_lite), cells(by_file)) == []
    needs = int((result.run.tiers.code < 0).sum())
    arr = result.run.summary.set_index("Tier").at["Needs data", "ARR"]
    assert len(messages) == 1
    said, steps = messages[0].split("\n")
    assert said == f"300 accounts tiered, {needs} need data ({arr:,.0f} ARR, not priced in the annual cost), 0 changed tier."
    assert steps.startswith("Steps: Reading 300 accounts ")


def test_the_assign_button_lists_its_steps_in_order_with_their_seconds(tmp_path):
    book = untiered_book(tmp_path / "Tierbook.xlsx", n=50)
    _, _, messages = lite_and_file(tmp_path, book, "assign_tiers", scripts.ASSIGN_SHEETS)
    steps = messages[0].split("\n")[1].removeprefix("Steps: ").removesuffix(".").split("; ")
    names = [re.fullmatch(r"(.+) (\d+\.\d) s", step).group(1) for step in steps]
    assert names[:5] == ["Reading 50 accounts", "Segmenting 50 accounts", "Tiering 50 accounts",
                         "Checking the data of 50 accounts", "Pricing and planning 50 accounts"]
    assert {f"Writing the {sheet} sheet" for sheet in (Sheet.ACCOUNTS, Sheet.SUMMARY, Sheet.CAPACITY,
                                                       Sheet.DATA_QUALITY)} <= set(names[5:])


def test_assign_tiers_in_lite_lists_the_industries_on_the_segment_map_as_tierbook_assign_does(tmp_path):
    book = untiered_book(tmp_path / "Tierbook.xlsx")
    set_settings(book, ["segment_by=Industry", "policy=segment"])
    by_file, by_lite, messages = lite_and_file(tmp_path, book, "assign_tiers", scripts.ASSIGN_SHEETS)
    file_assign.assign(by_file, backup=False)
    assert differences(cells(by_lite), cells(by_file)) == []
    smap = openpyxl.load_workbook(by_lite)[Sheet.SEGMENTS].tables[Tables.SEGMENT_MAP.table]
    assert smap.ref != "E4:J8"  # the four 2-D rows, then every industry found
    assert len(messages) == 1 and "wait for a tier in the segment map on Segments." in messages[0]


def test_plan_capacity_in_lite_writes_the_csm_books_as_tierbook_assign_does(tmp_path):
    book = untiered_book(tmp_path / "Tierbook.xlsx")  # no CSM book on Capacity yet
    by_file, by_lite, _ = lite_and_file(tmp_path, book, "plan_capacity", scripts.CAPACITY_SHEETS)
    file_assign.assign(by_file, backup=False)
    lite, filed = cells(by_lite)[Sheet.CAPACITY], cells(by_file)[Sheet.CAPACITY]
    mine = tuple(re.sub(r"\d", "", ref(1, Tables.CSM_BOOKS.col + j)) for j in range(len(CsmBookCol.ALL)))
    books = [k for k in filed if re.sub(r"\d", "", k) in mine] + [f"table {Tables.CSM_BOOKS.table}"]
    assert len(books) > 5 * 10
    assert differences({"books": {k: lite.get(k) for k in books}}, {"books": {k: filed[k] for k in books}}) == []


def test_after_a_run_in_lite_the_printed_pages_say_what_they_say_after_tierbook_assign(tmp_path):
    book = untiered_book(tmp_path / "Tierbook.xlsx")
    file_assign.assign(book, backup=False, stamp="2026-11-20 08:00:00")  # an earlier run from the command line
    by_file, by_lite, _ = lite_and_file(tmp_path, book, "assign_tiers", scripts.ASSIGN_SHEETS)
    file_assign.assign(by_file, backup=False)
    lite, filed = openpyxl.load_workbook(by_lite), openpyxl.load_workbook(by_file)
    for sheet in RUN_SHEETS:  # the footers point to Start, where both name this run
        assert lite[sheet].oddFooter.center.text.endswith(RUN_LABEL + UNSTAMPED), sheet
        assert filed[sheet].oddFooter.center.text.endswith(RUN_LABEL + UNSTAMPED), sheet
    assert lite[Sheet.START]["B25"].value == filed[Sheet.START]["B25"].value == STAMP
    for sheet, r, c in RUN_STAMP_CELLS:  # the title rows name the run with one formula over Start, in both
        assert lite[sheet].cell(r, c).value == filed[sheet].cell(r, c).value, sheet
        assert "Start!$B$25" in lite[sheet].cell(r, c).value, sheet


@pytest.mark.parametrize("script, include", [("assign_tiers", scripts.ASSIGN_SHEETS),
                                             ("check_data", scripts.CHECK_SHEETS)])
def test_the_buttons_work_on_a_book_whose_category_columns_are_blank(tmp_path, script, include):
    raw = sample_accounts(40, seed=5)
    for column in ("Industry", "Region", "Product", "CSM"):
        raw[column] = None
    book = tmp_path / "Tierbook.xlsx"
    package = Package.open(book.name, build_template())
    save_package(package, accounts_input_parts(package, raw), book, backup=False)
    by_file, by_lite, messages = lite_and_file(tmp_path, book, script, include)
    assert len(messages) == 1 and messages[0].startswith("40 accounts ")
    if script == "assign_tiers":
        file_assign.assign(by_file, backup=False)
        assert differences(cells(by_lite), cells(by_file)) == []


def test_a_retier_in_lite_logs_the_same_history_as_the_command_line(tmp_path):
    book = untiered_book(tmp_path / "Tierbook.xlsx")
    file_assign.assign(book, backup=False)
    set_settings(book, ["policy=arr-share"])
    by_file, by_lite, messages = lite_and_file(tmp_path, book, "assign_tiers", scripts.ASSIGN_SHEETS)
    result = file_assign.assign(by_file, backup=False)
    assert result.changes > 0
    assert differences(cells(by_lite), cells(by_file)) == []
    history = cells(by_lite)[Sheet.HISTORY]
    first = sum(1 for k, v in history.items() if k.startswith("F") and str(v).startswith("First tier: "))
    assert first > 0  # the book's first run logged each account's first tier
    assert sum(1 for k, v in history.items() if k.startswith("A") and v == STAMP) == first + result.changes
    assert messages[0].split("\n")[0].endswith(f"{result.changes} changed tier.")


def test_check_data_rewrites_only_the_data_quality_table(tmp_path):
    book = untiered_book(tmp_path / "Tierbook.xlsx", n=120)
    by_file, by_lite, messages = lite_and_file(tmp_path, book, "check_data", scripts.CHECK_SHEETS)
    before, after = cells(book), cells(by_lite)
    assert {d[0] for d in differences(after, before)} == {Sheet.DATA_QUALITY}
    file_assign.assign(by_file, backup=False)
    assert differences({1: after[Sheet.DATA_QUALITY]}, {1: cells(by_file)[Sheet.DATA_QUALITY]}) == []
    assert messages[0].startswith("120 accounts checked:")


@pytest.mark.parametrize("script, include", [("assign_tiers", scripts.ASSIGN_SHEETS),
                                             ("check_data", scripts.CHECK_SHEETS)])
def test_the_buttons_message_names_a_rule_that_can_never_match(tmp_path, script, include):
    book = untiered_book(tmp_path / "Tierbook.xlsx", n=60)
    p = Tables.RULES
    set_cells(book, Sheet.RULES, {ref(p.row + 2, p.col + 2): "Enterprize"})
    set_settings(book, ["policy=rules"])
    _, by_lite, messages = lite_and_file(tmp_path, book, script, include)
    assert "rule can never match (rule 2: Segment = Enterprize -> High-touch)" in messages[0]
    quality = cells(by_lite)[Sheet.DATA_QUALITY]
    row = next(k[1:] for k, v in quality.items() if v == "rule 2: Segment = Enterprize -> High-touch")
    assert (quality[f"A{row}"], quality[f"C{row}"]) == (p.row + 2, "Tier Rules")


def test_plan_capacity_writes_the_capacity_tables_and_fte(tmp_path):
    book = untiered_book(tmp_path / "Tierbook.xlsx", n=120)
    file_assign.assign(book, backup=False)
    _, by_lite, messages = lite_and_file(tmp_path, book, "plan_capacity", scripts.CAPACITY_SHEETS)
    assert differences({1: cells(by_lite)[Sheet.CAPACITY]}, {1: cells(book)[Sheet.CAPACITY]}) == []
    assert messages[0].startswith("Capacity plan:")


def test_a_bad_setting_shows_a_message_naming_the_cell(tmp_path):
    book = untiered_book(tmp_path / "Tierbook.xlsx", n=20)
    package = Package.open(book)
    info = package.table(Tables.SETTINGS.table)
    _, _, messages = lite_and_file(tmp_path, _broken_margin(book, tmp_path), "assign_tiers", scripts.ASSIGN_SHEETS)
    assert len(messages) == 1 and "Settings sheet" in messages[0] and "margin_pct" in messages[0]
    assert info.name == Tables.SETTINGS.table


def _broken_margin(book: Path, tmp_path: Path) -> Path:
    import openpyxl

    wb = openpyxl.load_workbook(book)
    ws = wb[Sheet.SETTINGS]
    for row in ws.iter_rows():
        if row[0].value == "margin_pct":
            row[1].value = "lots"
    target = tmp_path / "broken.xlsx"
    wb.save(target)
    return target


def test_export_for_crm_writes_the_upload_table_and_the_rule_on_its_own_sheet(tmp_path):
    book = untiered_book(tmp_path / "Tierbook.xlsx", n=120)
    file_assign.assign(book, backup=False)
    _, by_lite, messages = lite_and_file(tmp_path, book, "export_for_crm", scripts.EXPORT_SHEETS)
    sheet = openpyxl.load_workbook(by_lite)[CRM_EXPORT_SHEET]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:3] == ["Id", "Tier__c", "Segment__c"]
    result = file_assign.assign(book, backup=False).run
    tiers = dict(zip(result.accounts.frame["Account ID"], result.tiers.tier))
    uploaded = [r[:3] for r in rows[1:] if r[0]]
    # Needs data is not a tier to upload: its cell stays blank, and the message counts those accounts.
    needs = [i for i, t, _ in uploaded if tiers[i] == NEEDS_DATA]
    assert uploaded and needs
    assert all(t == (None if tiers[i] == NEEDS_DATA else tiers[i]) for i, t, _ in uploaded)
    assert rows[0][4] == CrmExport.SALESFORCE_FORMULA and "IF(" in rows[1][4]
    assert rows[2][4] == CrmExport.SQL_CASE and "CASE" in rows[3][4]
    assert messages[0].startswith(f"Export for CRM: {len(uploaded)} accounts on sheet {CRM_EXPORT_SHEET}")
    assert f"{len(needs)} account is {NEEDS_DATA}: Tier__c left blank" in messages[0]


def test_every_script_names_its_button_and_reads_only_the_sheets_it_needs():
    meta = {m["function_name"]: m for m in xlwings.server.custom_scripts_meta(scripts)}
    assert set(meta) == {"assign_tiers", "check_data", "plan_capacity", "export_for_crm", "compare_scenarios",
                         "apply_scenario"}
    assert meta["assign_tiers"]["button"] == "[btnAssignTiers]Start!D24"
    assert meta["compare_scenarios"]["button"] == "[btnCompareScenarios]Scenarios!F8"
    assert Sheet.ACCOUNTS in meta["compare_scenarios"]["include"].split(",")
    assert Sheet.HISTORY not in meta["compare_scenarios"]["include"].split(",")
    assert Sheet.SUMMARY not in meta["check_data"]["include"].split(",")


def test_a_book_too_large_for_lite_points_to_the_command_line(tmp_path, monkeypatch):
    book = untiered_book(tmp_path / "Tierbook.xlsx", n=30)
    monkeypatch.setattr(scripts, "LITE_MAX_ACCOUNTS", 20)
    monkeypatch.setattr(scripts.sys, "platform", "emscripten")  # as inside xlwings Lite (Pyodide)
    _, by_lite, messages = lite_and_file(tmp_path, book, "assign_tiers", scripts.ASSIGN_SHEETS)
    assert messages == ["30 accounts are more than xlwings Lite can hold in its 2 GB of browser memory; "
                        "save the workbook and run `tierbook assign BOOK.xlsx` on a computer with Python"]
    assert differences(cells(by_lite), cells(book)) == []


def test_assign_tiers_in_lite_records_the_inputs_it_read_so_the_book_is_not_out_of_date(tmp_path):
    from tierbook.workbook.fingerprint import input_areas, input_values, last_run_values
    from tierbook.workbook.plan import geometry
    from tierbook.workbook.read import read_book
    from tierbook.workbook.source import FileSource

    book = untiered_book(tmp_path / "Tierbook.xlsx")
    _, by_lite, _ = lite_and_file(tmp_path, book, "assign_tiers", scripts.ASSIGN_SHEETS)
    wb = read_book(Package.open(by_lite))
    geo = geometry(wb)
    recorded = last_run_values(geo, wb.source.grid(Sheet.START))
    before = last_run_values(geo, FileSource(Package.open(book)).grid(Sheet.START))
    assert recorded != before  # 300 accounts were pasted since the template's run
    sheets = {a.sheet for _, areas in input_areas(geo) for a in areas}
    assert recorded == pytest.approx(input_values(geo, {s: wb.source.grid(s) for s in sheets}), rel=1e-12)


def test_assign_tiers_in_lite_keeps_a_total_row_below_the_accounts_and_a_note_below_the_table(tmp_path):
    from tests.workbook.helpers import add_total_row, set_cells
    from tierbook.columns import Col
    from tierbook.workbook.cells import col_letter
    from tierbook.workbook.layout import WORKBOOK_OUTPUT_COLUMNS

    book = untiered_book(tmp_path / "Tierbook.xlsx", n=150)
    file_assign.assign(book, backup=False)
    total = add_total_row(book, Tables.ACCOUNTS.table, Col.ACCOUNT_ID, (Col.ARR,))
    info = Package.open(book).table(Tables.ACCOUNTS.table)
    tier = col_letter(info.column(Col.TIER))
    # The user empties the last 20 accounts' own cells (Tierbook's are left) and types a note below the table.
    inputs = [col_letter(info.column(h)) for h in info.columns if h not in WORKBOOK_OUTPUT_COLUMNS]
    set_cells(book, Sheet.ACCOUNTS, {f"{c}{r}": None for c in inputs for r in range(total - 20, total)}
              | {f"{tier}{total + 2}": "checked by Ann"})
    by_file, by_lite, messages = lite_and_file(tmp_path, book, "assign_tiers", scripts.ASSIGN_SHEETS)
    file_assign.assign(by_file, backup=False)
    assert differences(cells(by_lite), cells(by_file)) == []
    accounts = cells(by_lite)[Sheet.ACCOUNTS]
    assert messages[0].startswith("130 accounts tiered")  # the Total Row is not an account
    last_column = info.ref.split(":")[1].rstrip("0123456789")
    assert accounts[f"table {Tables.ACCOUNTS.table}"] == f"A1:{last_column}{total - 20}"
    assert accounts[f"A{total - 20}"] == "Total" and accounts[f"{tier}{total + 2}"] == "checked by Ann"
    assert f"{tier}{total - 21}" in accounts and f"{tier}{total - 19}" not in accounts and f"A{total}" not in accounts


def test_a_total_row_that_would_land_on_a_note_stops_assign_tiers_before_any_cell_is_written(tmp_path):
    from tests.workbook.helpers import add_total_row, set_cells
    from tierbook.columns import HistoryCol
    from tierbook.errors import WorkbookError

    book = untiered_book(tmp_path / "Tierbook.xlsx", n=150)
    file_assign.assign(book, backup=False)
    logged = sum(1 for k, v in cells(book)[Sheet.HISTORY].items() if k.startswith("A") and v == STAMP)  # first tiers
    set_settings(book, ["policy=arr-share"])
    changes = file_assign.assign(book, dry_run=True).changes
    add_total_row(book, Tables.HISTORY.table, HistoryCol.RUN)
    landing = Tables.HISTORY.row + logged + changes + 1  # where the Total Row goes below this run's rows
    set_cells(book, Sheet.HISTORY, {f"A{landing}": "reviewed"})
    by_file, by_lite, messages = lite_and_file(tmp_path, book, "assign_tiers", scripts.ASSIGN_SHEETS)
    assert changes > 1
    assert len(messages) == 1 and messages[0].startswith(f"Tier History sheet, cell A{landing}: table TierHistory's "
                                                         f"Total Row moves to row {landing}")
    assert differences(cells(by_lite), cells(book)) == []  # the Accounts, written before the history, are untouched
    with pytest.raises(WorkbookError, match=f"cell A{landing}"):
        file_assign.assign(by_file, backup=False)
    assert differences(cells(by_file), cells(book)) == []


def test_check_data_in_lite_lists_a_renamed_service_as_tierbook_assign_does(tmp_path):
    from tierbook.columns import ServiceCol
    from tierbook.workbook.formulas import SERVICE_COLUMNS

    book = untiered_book(tmp_path / "Tierbook.xlsx", n=60)
    first = Tables.SERVICES.row + 1  # Executive Sponsorship: first row of Services and of Matrix
    set_cells(book, Sheet.SERVICES, {ref(first, Tables.SERVICES.col + SERVICE_COLUMNS.index(ServiceCol.SERVICE)):
                                     "Executive Sponsor Programme"})
    by_file, by_lite, messages = lite_and_file(tmp_path, book, "check_data", scripts.CHECK_SHEETS)
    quality = cells(by_lite)[Sheet.DATA_QUALITY]
    rows = {v: k[1:] for k, v in quality.items() if v in ("Executive Sponsorship", "Executive Sponsor Programme")}
    assert len(rows) == 2 and all(quality[f"A{r}"] == first for r in rows.values())
    file_assign.assign(by_file, backup=False)
    assert differences({1: quality}, {1: cells(by_file)[Sheet.DATA_QUALITY]}) == []
    assert "errors" in messages[0] and not messages[0].endswith(" 0 of them errors.")


@pytest.mark.parametrize("script, include", [("assign_tiers", scripts.ASSIGN_SHEETS),
                                             ("check_data", scripts.CHECK_SHEETS),
                                             ("plan_capacity", scripts.CAPACITY_SHEETS)])
def test_a_tiers_table_edited_in_excel_makes_the_button_say_what_to_run_and_write_nothing(tmp_path, script, include):
    book = untiered_book(tmp_path / "Tierbook.xlsx", n=40)
    file_assign.assign(book, backup=False)
    t = Tables.TIERS
    set_cells(book, Sheet.SETTINGS, {ref(t.row + 3, t.col): "Tech-touch=Digital"})
    _, actions = run_script(book, script, list(include))
    messages = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert [a["func"] for a in actions] == ["alert"]  # the message, and not one cell written
    assert len(messages) == 1 and "nothing was written" in messages[0]
    assert "tierbook assign Tierbook.xlsx" in messages[0]
    assert "the tiers are now High-touch, Mid-touch, Tech-touch=Digital" in messages[0]
    assert "laid out for High-touch, Mid-touch, Tech-touch" in messages[0]
