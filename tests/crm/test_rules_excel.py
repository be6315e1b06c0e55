"""The exported Excel formula, filled down a sheet and recalculated by LibreOffice, gives the engine's tiers.

One workbook holds the rule-input table of a 300-account book with CRM
defects and, for every policy that compiles, a column with the formula filled
down. LibreOffice (headless, "always recalculate on load") recalculates it
once; every cell must equal the engine's tier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xlsxwriter

from tierbook.crm.rule_compile import NotCompilable, rule_program
from tierbook.crm.rule_formula import excel_formula, rule_input_layout, salesforce_formula
from tierbook.crm.rules_export import compile_rule, rule_input_table
from tierbook.crm.mapping import SALESFORCE
from tierbook.engine import Settings, run

from .conftest import compilable_policies, libreoffice_recalc


def write_sheet(path, table: pd.DataFrame, formulas: dict[str, list[str]]) -> None:
    """The typed table (numbers as numbers, blanks empty) and one formula column per policy."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("Accounts")
    headers = list(table.columns) + list(formulas)
    for c, header in enumerate(headers):
        sheet.write_string(0, c, str(header))
    for c, column in enumerate(table.columns):
        for r, value in enumerate(table[column].to_numpy(dtype=object), start=1):
            if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
                continue
            if isinstance(value, (int, float, np.integer, np.floating)):
                sheet.write_number(r, c, float(value))
            else:
                sheet.write_string(r, c, str(value))
    for c, cells in enumerate(formulas.values(), start=len(table.columns)):
        for r, formula in enumerate(cells, start=1):
            sheet.write_formula(r, c, formula, None, "")
    book.close()


@pytest.mark.libreoffice
def test_libreoffice_recalculates_every_policy_to_the_engine_s_tiers(book_300, tmp_path):
    runs = {name: run(book_300, settings) for name, settings in compilable_policies().items()}
    first = next(iter(runs.values()))
    table = rule_input_table(first)
    layout = rule_input_layout(first)
    formulas = {}
    for name, result in runs.items():
        program = rule_program(result)
        formulas[name] = [excel_formula(program, layout, row=r) for r in range(2, len(table) + 2)]
    source = tmp_path / "rules.xlsx"
    write_sheet(source, table, formulas)
    recalculated = libreoffice_recalc(source, tmp_path / "out")
    got = pd.read_excel(recalculated, sheet_name="Accounts", engine="calamine", keep_default_na=False, na_values=[""])
    for name, result in runs.items():
        expected = result.tiers.tier.to_numpy(dtype=object)
        cells = got[name].to_numpy(dtype=object)
        bad = np.flatnonzero(cells != expected)
        assert bad.size == 0, (
            f"{name}: {bad.size} of {len(expected)} cells differ, e.g. rows "
            + ", ".join(f"{i + 2}: got {cells[i]!r}, engine {expected[i]!r}" for i in bad[:5])
        )


def test_excel_formula_reads_the_book_layout():
    raw = pd.DataFrame({"Account ID": ["A", "B"], "Account Name": ["a", "b"], "ARR": [100.0, 50.0]})
    result = run(raw, Settings(account_bands=(0.5, 0.25)))
    rule = compile_rule(result, "excel", sheet_columns={"ARR": "C", "Tier Override": "N", "Override Reason": "O"})
    assert rule.expression.startswith("=IF(")
    assert "$C2>=100" in rule.expression and "$N2" in rule.expression
    assert "Fill down from row 2" in rule.text


def test_excel_formula_missing_column_is_named():
    raw = pd.DataFrame({"Account ID": ["A"], "Account Name": ["a"], "ARR": [100.0], "Employees": [5]})
    with pytest.raises(NotCompilable, match="Employees"):
        compile_rule(run(raw, Settings(policy="segment")), "excel", sheet_columns={"ARR": "C"})


def test_excel_formula_for_a_sheet_without_override_columns():
    raw = pd.DataFrame({"Account ID": ["A", "B"], "Account Name": ["a", "b"], "ARR": [100.0, 5.0]})
    rule = compile_rule(run(raw, Settings()), "excel", sheet_columns={"Account ID": "A", "ARR": "C"})
    assert "no override branches" in rule.text and "$C2" in rule.expression


def test_salesforce_formula_uses_api_names_and_picklists(book_300):
    result = run(book_300, compilable_policies()["rules-rich"])
    formula = compile_rule(result, "salesforce").expression
    assert "TEXT(Tier_Override__c)" in formula and "TEXT(Industry)" in formula  # picklists
    assert 'CONTAINS(LOWER(TRIM(TEXT(Industry))), "serv")' in formula
    assert "ISBLANK(NumberOfEmployees)" in formula and "ISBLANK(NPS__c)" in formula
    assert 'LOWER(TRIM(Health))="green"' in formula  # a user column that is already an API name
    assert formula.count("(") == formula.count(")")
    arr = compile_rule(run(book_300, Settings()), "salesforce")
    assert "ARR__c>=" in arr.expression and len(arr.text) < 3_900
    assert "Treat blank fields as blanks" in arr.text


def test_salesforce_formula_asks_for_an_api_name_when_a_column_has_none(book_300):
    from dataclasses import replace

    from tierbook.engine import Rule

    book = book_300.rename(columns={"Health": "Health Score"})
    settings = Settings(policy="rules", rules=(Rule("Health Score", "=", "green", "High-touch"),))
    result = run(book, settings)
    with pytest.raises(NotCompilable, match="Health Score"):
        compile_rule(result, "salesforce")
    crm = replace(SALESFORCE, formula_fields={**SALESFORCE.formula_fields, "Health Score": "Health_Score__c"})
    assert 'LOWER(TRIM(Health_Score__c))="green"' in compile_rule(result, "salesforce", crm=crm).expression


def test_salesforce_strings_escape_quotes_and_backslashes(book_300):
    settings = Settings().with_tiers(['Say "hi"', "Back\\slash", "Rest"])
    program = rule_program(run(book_300, settings))
    formula = salesforce_formula(program)
    assert '"Say \\"hi\\""' in formula and '"Back\\\\slash"' in formula
