"""The Scenarios sheet: scenarios stored by row, the comparison written there, a stored scenario applied."""

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.workbook.helpers import set_cells
from tierbook import tasks
from tierbook.columns import HistoryCol, SummaryCol
from tierbook.errors import SettingsError
from tierbook.workbook import scenario_layout as sl
from tierbook.workbook.assign import assign
from tierbook.workbook.layout import ScenarioCol, Sheet, Tables
from tierbook.workbook.package import Package
from tierbook.workbook.read import read_book
from tierbook.workbook.scenario_sheet import stored_scenarios

QBR = "Quarterly Business Review"


def table(path: Path, place) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """A table of the book as its cells hold it (cached results), header row first."""
    ws = openpyxl.load_workbook(path, data_only=True)[place.sheet]
    rows = [list(r) for r in ws[ws.tables[place.table].ref]]
    return pd.DataFrame([[c.value for c in r] for r in rows[1:]], columns=[c.value for c in rows[0]])


def store(book: Path, name: str, changes: list[str]) -> None:
    tasks.workbook_whatif(book, [name, *changes], save=True)


@pytest.mark.parametrize("changes", [
    ["policy=arr-share"],
    ["account_bands:High-touch=30%", "account_bands:Mid-touch=35%"],
    [f"interval:{QBR}:High-touch=9"],
    [f"unit_cost:{QBR}=2500"],
], ids=["policy", "bands", "interval", "unit cost"])
def test_the_sheets_scenario_figures_are_assign_tiers_figures_after_applying_it(book: Path, changes: list[str]):
    store(book, "Try", changes)
    sheet = table(book, Tables.SCENARIO_TIERS)
    foreseen = sheet[sheet[sl.RUN] == "Try"].reset_index(drop=True)
    tasks.workbook_whatif(book, [], apply="Try")
    summary = assign(book, dry_run=True).run.summary
    assert list(foreseen[SummaryCol.TIER]) == list(summary[SummaryCol.TIER])
    for figure in sl.FIGURES:
        got, want = foreseen[figure].astype(float).fillna(-1), summary[figure].astype(float).fillna(-1)
        assert got.round(6).tolist() == want.round(6).tolist(), figure


def test_applying_a_stored_scenario_logs_one_history_row_per_moved_account_with_its_name(book: Path):
    store(book, "Wider", ["account_bands:High-touch=30%"])
    moves = table(book, Tables.SCENARIO_MOVES).set_index(sl.RUN)
    moved = int(moves.at["Wider", sl.MOVED])
    logged = lambda: table(book, Tables.HISTORY).dropna(subset=[HistoryCol.RUN])  # noqa: E731
    before = logged()
    _, applied, _ = tasks.workbook_whatif(book, [], apply="wider")
    after = logged().iloc[len(before):]
    assert moved > 10 and applied.changes == moved == len(after)
    assert after[HistoryCol.REASON].str.startswith("Scenario 'Wider' applied: ").all()
    assert after[HistoryCol.ACCOUNT_ID].is_unique


def test_comparing_leaves_accounts_capacity_and_tier_history_byte_identical(book: Path):
    package = Package.open(book)
    parts = {s: package.data[package.sheet_part(s)] for s in (Sheet.ACCOUNTS, Sheet.CAPACITY, Sheet.HISTORY)}
    tasks.workbook_whatif(book, [], write=True)
    after = Package.open(book)
    assert {s: after.data[after.sheet_part(s)] for s in parts} == parts
    assert len(table(book, Tables.SCENARIO_TIERS)) == 3 * 5  # Current and the two example scenarios


def test_a_stored_scenario_with_a_bad_value_is_reported_by_its_row(book: Path):
    set_cells(book, Sheet.SCENARIOS, {"C6": "lots", "B7": "interval:Health Check:Platinum"})
    with pytest.raises(SettingsError) as caught:
        tasks.workbook_whatif(book, [])
    text = str(caught.value)
    assert "Scenarios sheet, table Scenarios, row 6, column 'Value' ('lots')" in text
    assert "Scenarios sheet, table Scenarios, row 7, column 'Key' ('interval:Health Check:Platinum')" in text
    assert "'Platinum' is not a tier" in text


def test_a_row_with_a_change_but_no_scenario_name_is_refused_not_given_to_the_row_above(book: Path):
    set_cells(book, Sheet.SCENARIOS, {"A7": None})
    with pytest.raises(SettingsError, match=r"row 7, column 'Scenario' \(blank\): expected a scenario's name"):
        stored_scenarios(read_book(Package.open(book)).source)


def test_saving_appends_the_scenarios_rows_and_refuses_a_name_already_stored(book: Path):
    store(book, "Lean", ["headcount:CSM=12", "margin_pct=40%"])
    rows = table(book, Tables.SCENARIOS)
    assert rows[[ScenarioCol.SCENARIO, ScenarioCol.KEY, ScenarioCol.VALUE]].values.tolist()[-2:] == [
        ["Lean", "headcount:CSM", "12"], ["Lean", "margin_pct", "40%"]]
    names = [s.name for s in stored_scenarios(read_book(Package.open(book)).source)]
    assert names == ["Wider top band", "Leaner reviews", "Lean"]
    before = book.read_bytes()
    with pytest.raises(SettingsError, match="a scenario 'lean' is stored already"):
        store(book, "lean", ["margin_pct=20%"])
    assert book.read_bytes() == before


def test_a_stored_tier_rename_is_refused_before_anything_is_written_pointing_to_tierbook_settings(book: Path):
    set_cells(book, Sheet.SCENARIOS, {"B5": "tier:High-touch", "C5": "Premium"})
    before = book.read_bytes()
    with pytest.raises(SettingsError, match=r"can be compared but not applied: .*tierbook settings BOOK tiers="):
        tasks.workbook_whatif(book, [], apply="Wider top band")
    assert book.read_bytes() == before
