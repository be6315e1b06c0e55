"""Applying a scenario: its values in their cells, then Assign Tiers; the figures are the scenario's."""

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from tierbook.columns import Col, HistoryCol
from tierbook.errors import SettingsError
from tierbook.workbook.assign import assign
from tierbook.workbook.package import Package
from tierbook.workbook.read import read_book
from tierbook.workbook.scenario import compare_book, parse_scenarios
from tierbook.workbook.scenario_apply import apply_scenario

QBR = "Quarterly Business Review"
STAMP = "2026-03-01 09:00:00"


def history(path: Path) -> pd.DataFrame:
    sheet = openpyxl.load_workbook(path, read_only=True)["Tier History"]
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True)]
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    return frame[frame[HistoryCol.RUN].notna()]


@pytest.mark.parametrize("changes", [
    ["policy=arr-share"],
    ["account_bands:High-touch=30%", "account_bands:Mid-touch=35%"],
    [f"interval:{QBR}:High-touch=9"],
    [f"unit_cost:{QBR}=2500"],
    ["headcount:CSM=12", "productive_hours:CSM=1400", "margin_pct=40%"],
    ["segment_tiers:SMB=Mid-touch", "policy=segment"],
], ids=["policy", "bands", "interval", "unit cost", "team and margin", "segment map"])
def test_a_scenarios_figures_are_assign_tiers_figures_after_applying_it(book: Path, changes: list[str]):
    scenario = parse_scenarios(["Try", *changes])[0]
    foreseen = compare_book(read_book(Package.open(book)), [scenario]).runs[1]
    apply_scenario(book, scenario, stamp=STAMP)
    tiered = assign(book, dry_run=True).run
    pd.testing.assert_frame_equal(foreseen.summary, tiered.summary)
    pd.testing.assert_frame_equal(foreseen.roles, tiered.roles)
    assert foreseen.budget == tiered.budget
    assert list(foreseen.tiers.tier) == list(tiered.tiers.tier)
    np.testing.assert_array_equal(foreseen.cost_to_serve, tiered.cost_to_serve)


def test_applying_writes_the_values_into_the_cells_they_come_from(book: Path):
    apply_scenario(book, parse_scenarios(["Try", "account_bands:High-touch=30%", f"interval:{QBR}:Mid-touch=3",
                                          f"unit_cost:{QBR}=2500", "cs_budget=8000000"])[0], stamp=STAMP)
    found = read_book(Package.open(book))
    assert found.settings.account_bands[0] == 0.3 and found.settings.cs_budget == 8_000_000
    assert found.matrix.loc[QBR, "Mid-touch"] == 3
    assert found.catalog.set_index("Service").at[QBR, "Unit Cost"] == 2500


def test_applying_logs_one_history_row_per_moved_account_naming_the_scenario(book: Path):
    scenario = parse_scenarios(["Wider top", "account_bands:High-touch=30%"])[0]
    movers = compare_book(read_book(Package.open(book)), [scenario]).movers["Wider top"]
    before = len(history(book))
    applied = apply_scenario(book, scenario, stamp=STAMP)
    rows = history(book).iloc[before:]
    moved_ids = sorted(str(i) for i in movers[Col.ACCOUNT_ID] if isinstance(i, str) and i.strip())
    assert len(moved_ids) > 10
    assert sorted(rows[HistoryCol.ACCOUNT_ID].astype(str)) == moved_ids
    assert applied.changes == len(moved_ids)
    assert (rows[HistoryCol.RUN] == STAMP).all()
    assert rows[HistoryCol.REASON].str.startswith("Scenario 'Wider top' applied: ").all()


def test_applying_the_current_settings_again_logs_nothing(book: Path):
    apply_scenario(book, parse_scenarios(["Same", "margin_pct=30%"])[0], stamp=STAMP)
    before = len(history(book))
    applied = apply_scenario(book, parse_scenarios(["Same", "margin_pct=30%"])[0], stamp=STAMP)
    assert applied.changes == 0 and len(history(book)) == before


@pytest.mark.parametrize("change, says", [
    ("tier:High-touch=Premium", "a tier's name is the heading of its Matrix column"),
    ("rule:1=ARR >= 1 -> High-touch", "edit it on the Tier Rules sheet"),
])
def test_a_change_the_book_cannot_hold_in_one_cell_is_refused_before_anything_is_written(book: Path, change, says):
    before = book.read_bytes()
    with pytest.raises(SettingsError, match=says):
        apply_scenario(book, parse_scenarios(["Try", "margin_pct=40%", change])[0])
    assert book.read_bytes() == before


def test_a_cell_holding_a_formula_is_refused_by_its_address(book: Path):
    from tierbook.workbook.cells import ref
    from tierbook.workbook.layout import Sheet, Tables
    from tierbook.workbook.package import save_package
    from tierbook.workbook.read import table_data
    from tierbook.workbook.sheetpatch import patch_rows

    package = Package.open(book)
    matrix = table_data(read_book(package).source, Tables.MATRIX)
    row = matrix.first_row + [str(s) for s in matrix.column("Service")].index(QBR)
    address = ref(row, matrix.info.column("High-touch"))
    part = package.sheet_part(Sheet.MATRIX)
    cell = f'<c r="{address}"><f>2+2</f><v>4</v></c>'
    save_package(package, {part: patch_rows(package.text(part), {row: {matrix.info.column("High-touch"): cell}})
                           .encode()}, book, backup=False)
    before = book.read_bytes()
    with pytest.raises(SettingsError, match=f"Matrix sheet, cell {address}: holds a formula"):
        apply_scenario(book, parse_scenarios(["Try", f"interval:{QBR}:High-touch=9"])[0])
    assert book.read_bytes() == before
