"""The written form of rules: one parser for the Tier Rules sheet's And column and the command line."""

import pytest

from tierbook.engine.rules import Condition, Rule, parse_condition, parse_conditions, parse_rule
from tierbook.errors import SettingsError


def test_a_rule_reads_its_conditions_and_tier():
    rule = parse_rule("ARR >= 50000 and Industry = Healthcare -> High-touch")
    assert rule == Rule("ARR", ">=", "50000", "High-touch", also=(Condition("Industry", "=", "Healthcare"),))
    assert rule.describe() == "ARR >= 50000 and Industry = Healthcare"


def test_column_names_with_spaces_and_every_operator_are_read():
    assert parse_conditions("Usage Score <= 40 and Region in EMEA, APAC and CSM is blank and Industry contains bank"
                            " and Product <> Lite") == (
        Condition("Usage Score", "<=", "40"), Condition("Region", "in", ("EMEA", "APAC")),
        Condition("CSM", "is blank"), Condition("Industry", "contains", "bank"), Condition("Product", "<>", "Lite"))


def test_quotes_keep_and_commas_and_operator_words_inside_a_name_or_value():
    assert parse_conditions('Industry = "Food and Beverage" and "Days in Trial" > 30') == (
        Condition("Industry", "=", "Food and Beverage"), Condition("Days in Trial", ">", "30"))
    assert parse_condition('Region in "North, South", EMEA').value == ("North, South", "EMEA")


@pytest.mark.parametrize("text", ['ARR >= 50000', 'Industry = "Food and Beverage"', 'Region in EMEA, "A, B"',
                                  '"Days in Trial" > 3', 'CSM is blank', 'Note contains "say ""hi"""'])
def test_a_condition_written_out_reads_back_the_same(text):
    condition = parse_condition(text)
    assert parse_condition(condition.written()) == condition


@pytest.mark.parametrize("text, says", [
    ("ARR 50000", "no operator"),
    ("ARR >=", "no value after '>='"),
    ("CSM is blank today", "'is blank' takes no value, got 'today'"),
    ("ARR >= 5 and", "a condition is missing around 'and'"),
    ("ARR => 5", "operator '=>' is not one of"),
])
def test_a_badly_written_condition_is_refused_with_what_was_expected(text, says):
    with pytest.raises(SettingsError, match=says):
        parse_conditions(text)


def test_a_rule_without_a_tier_is_refused():
    with pytest.raises(SettingsError, match=r"expected conditions -> tier"):
        parse_rule("ARR >= 50000")
