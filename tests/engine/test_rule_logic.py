"""Facts about rules alone: which conditions contradict, and when an earlier rule takes every account of a later one."""

import pytest

from tierbook.engine.rule_logic import contradiction, implies
from tierbook.engine.rules import parse_rule

NUMBER_COLUMNS = {"arr"}


def rule(conditions: str):
    return parse_rule(f"{conditions} -> High-touch")


@pytest.mark.parametrize("earlier, later, shadowed", [
    ("ARR >= 50000", "ARR >= 250000", True),
    ("ARR >= 250000", "ARR >= 50000", False),
    ("ARR <= 100", "ARR < 100", True),
    ("ARR < 100", "ARR <= 100", False),
    ("ARR > 100", "ARR = 100", False),
    ("ARR >= 100", "ARR in 100, 200", True),
    ("ARR <> 5", "ARR > 10", True),
    ("ARR < 10", "ARR > 2 and ARR < 8", True),
    ("ARR > 5 and Region = EMEA", "ARR > 10", False),
    ("Region in EMEA, APAC", "Region = emea", True),
    ("Region = EMEA", "Region in EMEA, APAC", False),
    ("Region <> EMEA", "Region = APAC", True),
    ("Region <> EMEA", "Region contains E", False),
    ("Region <> EMEA", "ARR > 5", False),
    ("Industry contains bank", "Industry = Investment Banking", True),
    ("CSM is blank", "CSM is blank and ARR > 5", True),
    ("CSM is blank", "CSM = Ann", False),
    ("Segment = Enterprise", "Segment = enterprise and ARR > 5", True),
])
def test_an_earlier_rule_shadows_a_later_one_only_when_it_takes_every_account_the_later_could_match(
        earlier, later, shadowed):
    assert implies(rule(later), rule(earlier), NUMBER_COLUMNS) is shadowed


@pytest.mark.parametrize("conditions, contradicts", [
    ("ARR > 5 and ARR < 5", True),
    ("ARR >= 5 and ARR <= 5", False),
    ("ARR = 5 and ARR <> 5", True),
    ("ARR in 1, 2 and ARR > 5", True),
    ("ARR in 1, 7 and ARR > 5", False),
    ("ARR > 5 and Region = A", False),
    ("Region = A and Region = B", True),
    ("Region = EMEA and Region <> emea", True),
    ("Region in EMEA, APAC and Region <> EMEA", False),
    ("Region contains x and Region = abc", True),
    ("Region contains b and Region = abc", False),
    ("CSM is blank and CSM = Ann", True),
])
def test_conditions_on_one_column_that_cannot_all_hold_are_a_contradiction(conditions, contradicts):
    assert (contradiction(rule(conditions), NUMBER_COLUMNS) is not None) is contradicts
