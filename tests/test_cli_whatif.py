"""``tierbook whatif``: scenarios side by side, a sweep, and --apply through Assign Tiers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tierbook.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def tiered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "Book.xlsx"
    assert main(["new", str(path), "--sample", "200", "--seed", "4"]) == 0
    capsys.readouterr()
    return path


def accounts_row(out: str, tier: str) -> list[str]:
    """The figures of a tier's Accounts row in the side-by-side table."""
    line = next(l for l in out.splitlines() if l.startswith(tier) and "Accounts" in l)
    return re.split(r"\s{2,}", line.split("Accounts", 1)[1].strip())


def test_whatif_prints_the_runs_side_by_side_and_leaves_the_book_as_it_was(tiered: Path, capsys):
    before = tiered.read_bytes()
    code, out, err = run(capsys, "whatif", str(tiered), "Wider", "account_bands:High-touch=30%",
                         "Dearer", "unit_cost:Quarterly Business Review=2500")
    assert code == 0, err
    header = out.splitlines()[0].split()
    assert header[-3:] == ["Current", "Wider", "Dearer"]
    _, summary, _ = run(capsys, "summary", str(tiered))
    now = next(l for l in summary.splitlines() if l.startswith("High-touch")).split()[1]
    current, wider, dearer = accounts_row(out, "High-touch")
    assert current == dearer == now and int(wider) > int(current)
    assert "Who moves, against Current:" in out and "Wider: largest ARR movers" in out
    assert "Dearer: no account changes tier." in out
    assert f"{tiered} is unchanged." in out
    assert tiered.read_bytes() == before


def test_compare_shows_only_the_named_scenarios(tiered: Path, capsys):
    code, out, _ = run(capsys, "whatif", str(tiered), "A", "margin_pct=40%", "B", "margin_pct=20%", "--compare", "b")
    assert code == 0 and out.splitlines()[0].split()[-2:] == ["Current", "B"]


def test_apply_writes_the_scenario_and_assign_tiers_then_shows_its_figures(tiered: Path, capsys):
    _, foreseen, _ = run(capsys, "whatif", str(tiered), "Wider", "account_bands:High-touch=30%")
    code, out, err = run(capsys, "whatif", str(tiered), "Wider", "account_bands:High-touch=30%", "--apply", "Wider")
    assert code == 0, err
    assert "Applied scenario 'Wider'" in out and "tier changes logged in Tier History" in out
    _, summary, _ = run(capsys, "summary", str(tiered))
    assert next(l for l in summary.splitlines() if l.startswith("High-touch")).split()[1] == \
        accounts_row(foreseen, "High-touch")[1]


def test_sweep_prints_one_row_per_value(tiered: Path, capsys):
    before = tiered.read_bytes()
    code, out, err = run(capsys, "whatif", str(tiered), "--sweep", "account_bands:High-touch=10%:20%:5%")
    assert code == 0, err
    lines = out.splitlines()
    start = lines.index("Sweep of account_bands:High-touch:")
    assert [l.split()[0] for l in lines[start + 3:start + 6]] == ["0.1", "0.15", "0.2"]
    assert "High-touch Annual Cost" in lines[start + 1] and "FTE Gap" in lines[start + 1]
    assert tiered.read_bytes() == before


@pytest.mark.parametrize("argv, says", [
    (["Bad", "headcount:CSM=many"], "headcount:CSM=many: expected a number, got 'many'"),
    (["A", "margin_pct=40%", "--apply", "B"], "no scenario 'B' on the command line"),
    (["A", "tier:High-touch=Premium", "--apply", "A"], "can be compared but not applied"),
])
def test_a_bad_scenario_is_one_line_and_the_book_stays(tiered: Path, capsys, argv, says):
    before = tiered.read_bytes()
    code, _, err = run(capsys, "whatif", str(tiered), *argv)
    assert code == 2 and says in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert tiered.read_bytes() == before


def test_whatif_without_scenarios_compares_those_stored_on_the_scenarios_sheet(tiered: Path, capsys):
    before = tiered.read_bytes()
    code, out, _ = run(capsys, "whatif", str(tiered))
    assert code == 0
    header = out.splitlines()[0]
    assert re.split(r"\s{2,}", header.strip()) == ["Tier", "Figure", "Current", "Wider top band", "Leaner reviews"]
    assert tiered.read_bytes() == before


def test_whatif_save_stores_the_scenario_and_the_next_run_compares_it(tiered: Path, capsys):
    code, out, _ = run(capsys, "whatif", str(tiered), "Lean", "headcount:CSM=12", "--save")
    assert code == 0 and "Scenarios stored on the Scenarios sheet. Compared 1 scenario" in out
    _, again, _ = run(capsys, "whatif", str(tiered), "--compare", "lean")
    assert re.split(r"\s{2,}", again.splitlines()[0].strip()) == ["Tier", "Figure", "Current", "Lean"]
    code, _, err = run(capsys, "whatif", str(tiered), "--save")
    assert code != 0 and "--save stores the scenarios named on the command line" in err


def test_a_bad_stored_row_does_not_stop_a_comparison_given_on_the_command_line(tiered: Path, capsys):
    from tests.workbook.helpers import set_cells

    set_cells(tiered, "Scenarios", {"C5": "lots"})
    code, out, _ = run(capsys, "whatif", str(tiered), "A", "margin_pct=40%")
    assert code == 0 and "Current" in out
    code, _, err = run(capsys, "whatif", str(tiered))
    assert code != 0 and "Scenarios sheet, table Scenarios, row 5, column 'Value' ('lots')" in err


def test_a_sweep_written_onto_the_scenarios_sheet_charts_each_value_with_the_figures_it_prints(tiered: Path, capsys):
    import openpyxl

    from tierbook.workbook.layout import Sheet

    code, out, err = run(capsys, "whatif", str(tiered), "--sweep", "account_bands:High-touch=10%:20%:5%", "--write")
    assert code == 0, err
    lines = out.splitlines()
    start = lines.index("Sweep of account_bands:High-touch:")
    printed = {l.split()[0]: re.split(r"\s{2,}", l.strip())[1] for l in lines[start + 3:start + 6]}
    ws = openpyxl.load_workbook(tiered, data_only=True)[Sheet.SCENARIOS]
    chart = ws.tables["ScenarioChart"]
    rows = [[c.value for c in r] for r in ws[chart.ref]]
    cost = rows[0].index("Annual Cost: High-touch")
    charted = {r[0]: r[cost] for r in rows[1:] if r[0]}
    assert list(charted) == ["Current", *(f"account_bands:High-touch={v}" for v in printed)]
    assert {v: f"{charted[f'account_bands:High-touch={v}']:,.0f}" for v in printed} == printed
