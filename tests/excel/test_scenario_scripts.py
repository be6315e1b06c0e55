"""The Scenarios sheet's buttons run as xlwings Lite runs them, through xlwings' own engine."""

from pathlib import Path

import openpyxl
import pytest
import xlwings

import tierbook.excel.scripts as scripts
import tierbook.workbook.assign as file_assign
import tierbook.workbook.scenario_apply as file_apply
from tests.excel.officejs import cells, differences
from tests.excel.test_scripts import STAMP, lite_and_file, untiered_book
from tests.workbook.helpers import set_cells
from tierbook import tasks
from tierbook.workbook.layout import Sheet, Tables
from tierbook.workbook.package import Package
from tierbook.workbook.scenario_sheet import stored_scenarios
from tierbook.workbook.source import FileSource

UNTOUCHED = (Sheet.ACCOUNTS, Sheet.CAPACITY, Sheet.HISTORY)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(file_assign, "now_stamp", lambda: STAMP)
    monkeypatch.setattr(file_apply, "now_stamp", lambda: STAMP)
    monkeypatch.setattr(scripts, "now_stamp", lambda: STAMP)
    yield
    xlwings.pro._xlremote.get_range_api.cache_clear()


@pytest.fixture
def tiered(tmp_path: Path) -> Path:
    book = untiered_book(tmp_path / "Tierbook.xlsx")
    file_assign.assign(book, backup=False)
    return book


def pick(book: Path, name: str) -> None:
    p = Tables.SCENARIO_PICK
    set_cells(book, Sheet.SCENARIOS, {f"G{p.row + 1}": name})


def test_compare_scenarios_in_lite_writes_exactly_what_whatif_write_writes(tmp_path, tiered):
    by_file, by_lite, messages = lite_and_file(tmp_path, tiered, "compare_scenarios", scripts.COMPARE_SHEETS)
    _, _, written = tasks.workbook_whatif(by_file, [], write=True)
    assert differences(cells(by_lite), cells(by_file)) == []
    assert [m.split("\n")[0] for m in messages] == [written.message]
    lite = cells(by_lite)[Sheet.SCENARIOS]
    assert lite["K5"] == "Current" and lite["L5"] == "High-touch"
    assert lite[f"table {Tables.SCENARIO_TIERS.table}"] == "K4:T19"  # 3 runs x (3 tiers, Needs data, Total)


def test_compare_scenarios_in_lite_changes_no_other_sheet(tmp_path, tiered):
    _, by_lite, _ = lite_and_file(tmp_path, tiered, "compare_scenarios", scripts.COMPARE_SHEETS)
    before, after = cells(tiered), cells(by_lite)
    assert {d[0] for d in differences(after, before)} == {Sheet.SCENARIOS}


def test_apply_scenario_in_lite_writes_exactly_what_whatif_apply_writes(tmp_path, tiered):
    pick(tiered, "wider TOP band")
    by_file, by_lite, messages = lite_and_file(tmp_path, tiered, "apply_scenario", scripts.APPLY_SHEETS)
    stored = stored_scenarios(FileSource(Package.open(by_file)))
    applied = file_apply.apply_scenario(by_file, next(s for s in stored if s.name == "Wider top band"),
                                        by="")  # the by tierbook whatif --apply takes; Lite gives Python no user name
    assert differences(cells(by_lite), cells(by_file)) == []
    assert [m.split("\n")[0] for m in messages] == [applied.plan.message]
    assert applied.changes > 0
    before = sum(1 for r in openpyxl.load_workbook(tiered)[Sheet.HISTORY].iter_rows(min_row=5, values_only=True)
                 if r[0] is not None)  # the book's first run logged its first tiers
    history = openpyxl.load_workbook(by_lite)[Sheet.HISTORY]
    whys = [r[5] for r in history.iter_rows(min_row=5 + before, values_only=True) if r[0] == STAMP]
    assert len(whys) == applied.changes
    assert all(w.startswith("Scenario 'Wider top band' applied:") for w in whys)


def test_apply_scenario_in_lite_names_the_cell_when_no_stored_scenario_has_that_name(tmp_path, tiered):
    pick(tiered, "Nowhere")
    _, by_lite, messages = lite_and_file(tmp_path, tiered, "apply_scenario", scripts.APPLY_SHEETS)
    assert len(messages) == 1
    assert messages[0].startswith("Scenarios sheet, table ScenarioToApply, row 5, column 'Value' ('Nowhere')")
    assert "Wider top band, Leaner reviews" in messages[0]
    assert differences(cells(by_lite), cells(tiered)) == []
