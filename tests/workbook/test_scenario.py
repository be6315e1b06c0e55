"""Scenarios on a workbook: KEY=VALUE read as the Settings sheet reads a cell; comparing writes nothing."""

from pathlib import Path

import pytest

from tierbook.engine.scenarios import INTERVAL, TIER_NAME, UNIT_COST
from tierbook.errors import SettingsError
from tierbook.workbook.package import Package
from tierbook.workbook.read import read_book
from tierbook.workbook.scenario import compare_book, parse_change, parse_scenarios, sweep_scenarios


@pytest.mark.parametrize("item, field, key, value", [
    ("margin_pct=35%", "margin_pct", None, 0.35),
    ("margin_pct=0,35", "margin_pct", None, 0.35),
    ("policy=ARR-Share", "policy", None, "arr-share"),
    ("account_bands:High-touch=20%", "account_bands", "High-touch", 0.2),
    ("headcount:CSM=45", "headcount", "CSM", 45.0),
    ("interval:Quarterly Business Review:High-touch=6", INTERVAL, ("Quarterly Business Review", "High-touch"), 6.0),
    ("unit_cost:QBR=1,5", UNIT_COST, "QBR", 1.5),
    ("tier:High-touch=Premium", TIER_NAME, "High-touch", "Premium"),
])
def test_a_change_is_read_as_the_settings_sheet_reads_that_value(item, field, key, value):
    change = parse_change(item)
    assert (change.field, change.key, change.value) == (field, key, value)


def test_a_rule_is_read_by_the_one_rule_parser():
    change = parse_change("rule:2=ARR >= 50000 and Industry = Healthcare -> High-touch")
    assert (change.field, change.key, change.value.tier, len(change.value.conditions)) == ("rules", 2, "High-touch", 2)


@pytest.mark.parametrize("item, says", [
    ("margin_pct=lots", "margin_pct must be a number"),
    ("cs_budget=1,000", "reads as 1000 or as 1"),
    ("headcount:CSM=many", "headcount:CSM=many: expected a number, got 'many'"),
    ("colour:High-touch=red", "unknown key 'colour'"),
    ("tier_names=A,B", "tier_names is edited in the workbook's tables"),
    ("margin_pct", "expected KEY=VALUE"),
])
def test_a_bad_change_is_refused_with_its_key_and_value(item, says):
    with pytest.raises(SettingsError, match=says):
        parse_change(item)


def test_tokens_group_into_named_scenarios_and_every_bad_one_is_reported():
    scenarios = parse_scenarios(["Wider", "account_bands:High-touch=20%", "Lean", "headcount:CSM=30",
                                 "margin_pct=25%"])
    assert [(s.name, len(s.changes)) for s in scenarios] == [("Wider", 1), ("Lean", 2)]
    with pytest.raises(SettingsError) as caught:
        parse_scenarios(["Bad", "margin_pct=x", "headcount:CSM=y"])
    assert len(caught.value.errors) == 2
    with pytest.raises(SettingsError, match="changes nothing"):
        parse_scenarios(["Empty"])
    with pytest.raises(SettingsError, match="name the scenario first"):
        parse_scenarios(["margin_pct=30%"])


def test_a_sweep_is_one_scenario_per_value_read_like_the_setting():
    names = [s.name for s in sweep_scenarios("account_bands:High-touch=10%:20%:5%")]
    assert names == ["account_bands:High-touch=0.1", "account_bands:High-touch=0.15", "account_bands:High-touch=0.2"]
    with pytest.raises(SettingsError, match="START <= STOP"):
        sweep_scenarios("margin_pct=50%:10%:5%")


def test_comparing_leaves_the_book_byte_for_byte(book: Path):
    before = book.read_bytes()
    found = read_book(Package.open(book))
    result = compare_book(found, parse_scenarios(["Wider", "account_bands:High-touch=30%", "Shares",
                                                  "policy=arr-share"]))
    assert result.moves.set_index("Scenario").at["Wider", "up"] > 0
    assert book.read_bytes() == before


def test_a_value_the_book_cannot_take_names_the_change(book: Path):
    found = read_book(Package.open(book))
    with pytest.raises(SettingsError, match="unit_cost:Séance=5: 'Séance' is not a service"):
        compare_book(found, parse_scenarios(["X", "unit_cost:Séance=5"]))
