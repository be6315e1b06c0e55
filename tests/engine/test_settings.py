"""Settings are validated by the engine: every bad value at once, each error carrying its facts."""

from __future__ import annotations

import pytest

from tierbook.engine.settings import Settings
from tierbook.errors import SettingsError


def test_every_bad_setting_is_one_error_each_carrying_its_field_value_and_what_was_expected():
    with pytest.raises(SettingsError) as caught:
        Settings(policy="nope", margin_pct=3.0, cs_budget=-5)
    found = {e.field: (e.value, e.expected) for e in caught.value.errors}
    assert found == {"policy": ("nope", "one of arr-accounts, arr-share, segment, score, rules"),
                     "margin_pct": (3.0, "a share from 0 (0 %) to 1 (100 %), e.g. 0.3 or 30%"),
                     "cs_budget": (-5, "a number of 0 or more")}
    assert str(caught.value).startswith("3 problems in the settings:")


def test_an_engine_error_located_by_an_adapter_keeps_its_facts_and_names_the_cell():
    with pytest.raises(SettingsError) as caught:
        Settings(margin_pct=3.0)
    where = "Settings sheet, table Settings, row 9, column 'Value'"
    located = caught.value.located(where)
    assert (located.field, located.value, located.where) == ("margin_pct", 3.0, where)
    assert str(located) == f"{where}: margin_pct: 3 is not allowed; expected a share from 0 (0 %) to 1 (100 %), " \
                           "e.g. 0.3 or 30%"
