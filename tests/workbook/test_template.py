"""The template: regenerated from code, committed up to date, no macros, the promised structure."""

from __future__ import annotations

import re
import zipfile

import openpyxl

from tierbook.engine.settings import setting_facts, sheet_settings
from tierbook.workbook.layout import Sheet, Tables
from tierbook.workbook import text
from tierbook.workbook.template import build_template
from tools.template import default_path, fingerprint, is_stale

ALLOWED_FUNCTIONS = {"INDEX", "MATCH", "SUMIFS", "COUNTIFS", "IFERROR", "IF", "AND", "N", "ISNUMBER", "SUM", "MAX",
                     "OR", "ISNA", "ISERROR", "ISTEXT", "LEN", "ABS", "ROW", "COUNTIF", "COUNTA", "SUMPRODUCT"}


def test_committed_template_is_up_to_date() -> None:
    assert not is_stale(default_path()), (
        "workbook_template/Tierbook.xlsx is stale: run  .venv/bin/python tools/template.py  and commit it")


def test_a_stale_template_is_caught(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tierbook.engine.settings import Settings

    stale = tmp_path / "Tierbook.xlsx"
    stale.write_bytes(build_template(Settings(margin_pct=0.25)))
    assert is_stale(stale)
    assert fingerprint(stale.read_bytes()) != fingerprint(build_template())


def test_build_is_deterministic() -> None:
    assert build_template() == build_template()


def test_no_macros_and_sheets_in_order() -> None:
    path = default_path()
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        types = z.read("[Content_Types].xml").decode()
    assert not any("vbaProject" in n for n in names)
    assert "macroEnabled" not in types
    wb = openpyxl.load_workbook(path)
    assert tuple(wb.sheetnames) == Sheet.ORDER


def test_every_table_has_its_stable_name_and_frozen_header() -> None:
    wb = openpyxl.load_workbook(default_path())
    tables = {name for ws in wb.worksheets for name in ws.tables}
    expected = {p.table for p in vars(Tables).values() if hasattr(p, "table")}
    assert expected <= tables
    for name in Sheet.ORDER[1:]:
        assert wb[name].freeze_panes is not None, f"{name} has no frozen header"


def test_settings_keys_have_input_messages_and_lists() -> None:
    wb = openpyxl.load_workbook(default_path())
    ws = wb[Sheet.SETTINGS]
    p = Tables.SETTINGS
    prompts = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in range(rng.min_row, rng.max_row + 1):
                if rng.min_col <= p.col + 1 <= rng.max_col:
                    prompts[row] = dv
    for i, key in enumerate(sheet_settings()):
        row = p.row + 1 + i
        assert ws.cell(row, p.col).value == key
        dv = prompts.get(row)
        assert dv is not None and dv.prompt, f"no input message on {key}"
        assert len(dv.prompt) <= 255
        facts = setting_facts(key)
        if facts.kind == "choice":
            assert dv.type == "list" and all(c in dv.formula1 for c in facts.choices)
        if key == "margin_pct":  # the declared range, not a second copy of it
            # "between" is the default operator, which the file leaves out
            assert (dv.type, dv.operator or "between", float(dv.formula1), float(dv.formula2)) == (
                "decimal", "between", 0, 1)


def test_formulas_use_only_portable_functions() -> None:
    wb = openpyxl.load_workbook(default_path())
    used = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", re.sub(r'"[^"]*"', "", cell.value)))
    assert used and used <= ALLOWED_FUNCTIONS, used - ALLOWED_FUNCTIONS


def test_start_explains_and_has_a_legend_and_summary_has_three_charts() -> None:
    wb = openpyxl.load_workbook(default_path())
    texts = [c.value for row in wb[Sheet.START].iter_rows() for c in row if isinstance(c.value, str)]
    assert text.LEGEND_INPUT in texts and text.LEGEND_COMPUTED in texts
    assert any("tierbook assign" in t for t in texts)
    with zipfile.ZipFile(default_path()) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 3 + 2  # the Summary's three, the Scenarios sheet's cost and FTE by scenario


def test_the_scenarios_charts_show_cost_and_fte_per_tier_from_the_chart_table() -> None:
    from tierbook.workbook import scenario_layout as sl

    with zipfile.ZipFile(default_path()) as z:
        charts = [z.read(n).decode() for n in sorted(z.namelist()) if n.startswith("xl/charts/chart")]
    scenario_charts = [c for c in charts if "Scenarios!" in c]
    assert len(scenario_charts) == 2
    c = Tables.SCENARIO_CHART
    last = c.row + sl.CHART_RUNS
    for chart, title in zip(scenario_charts, ("Annual cost to serve", "FTE needed")):
        assert title in chart
        assert chart.count("<c:ser>") == 3  # one series per tier
        assert f"Scenarios!$AW${c.row + 1}:$AW${last}" in chart  # the runs' names as categories


def test_no_number_format_shows_a_whole_number_with_a_trailing_point() -> None:
    """A format whose decimals are all optional ('#,##0.##') shows 40 as "40." in Excel and LibreOffice."""
    wb = openpyxl.load_workbook(default_path())
    formats = {cell.number_format for ws in wb.worksheets for row in ws.iter_rows() for cell in row}
    trailing = sorted(f for f in formats if re.search(r"\.#+(?![#0])", f))
    assert trailing == []
    assert "General" in formats and "#,##0" in formats and "#,##0.00" in formats
