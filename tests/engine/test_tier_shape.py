"""Which new tier keeps which old tier's data when a book's tiers change, and the settings that follow."""

import pytest

from tierbook.engine.settings import Settings
from tierbook.engine.tier_shape import parse_tiers, reshaped_settings
from tierbook.errors import SettingsError

OLD = ("High-touch", "Mid-touch", "Tech-touch")


def test_a_name_that_stays_keeps_its_data_and_old_equals_new_renames():
    shape = parse_tiers("High-touch=Strategic, mid-touch ,Tech-touch=Digital,Community", OLD)
    assert shape.new == ("Strategic", "mid-touch", "Digital", "Community")
    assert shape.source == ("High-touch", "Mid-touch", "Tech-touch", None)
    assert shape.renamed == (("High-touch", "Strategic"), ("Mid-touch", "mid-touch"), ("Tech-touch", "Digital"))
    assert shape.added == ("Community",) and shape.removed == ()


def test_an_old_tier_the_list_does_not_name_is_removed():
    shape = parse_tiers("High-touch,Mid-touch", OLD)
    assert shape.removed == ("Tech-touch",)
    assert shape.is_removed("TECH-TOUCH") and shape.moved("Tech-touch") is None and shape.moved("High-touch") == "High-touch"


@pytest.mark.parametrize("text, says", [
    ("", "the list is empty"),
    (" , ", "the list is empty"),
    ("High-touch,,Mid-touch", "a tier name is blank"),
    ("High-touch", "at least 2 tiers"),
    ("High-touch,Mid-touch,high-touch", "named twice"),
    ("High-touch=Strategic,High-touch", "would go to two tiers"),
    ("Nope=Strategic,Mid-touch", "'Nope', which is not a tier of the book"),
    ("=Strategic,Mid-touch", "both names filled in"),
    ("Strategic,Scale,Digital,Community", "none of the book's tiers"),
])
def test_a_bad_list_is_refused_with_what_is_wrong(text, says):
    with pytest.raises(SettingsError) as info:
        parse_tiers(text, OLD)
    assert says in str(info.value) and info.value.field == "tiers"


def test_kept_tiers_keep_their_shares_and_a_new_tier_splits_what_they_leave():
    settings = Settings(account_bands=(0.15, 0.40), arr_bands=(0.5, 0.35), score_cutoffs=(0.5, 0.4))
    out = reshaped_settings(settings, parse_tiers("High-touch=Strategic,Mid-touch,Tech-touch,Community", OLD))
    s = out.settings
    assert s.tier_names == ("Strategic", "Mid-touch", "Tech-touch", "Community")
    assert s.account_bands == (0.15, 0.40, 0.225) and s.arr_bands == (0.5, 0.35, 0.075)
    assert s.score_cutoffs == (0.5, 0.4, 0.2) and out.bands_set and out.cutoffs_set
    assert s.segment_tiers["Enterprise"] == "Strategic" and s.rules[0].tier == "Strategic"
    assert s.default_tier == "Tech-touch" and s.coverage_ranges == settings.coverage_ranges


def test_a_renamed_tier_is_followed_by_the_segment_map_the_rules_and_the_default_tier():
    out = reshaped_settings(Settings(), parse_tiers("High-touch,Mid-touch=Scale,Tech-touch=Digital", OLD))
    s = out.settings
    assert s.segment_tiers == {"Enterprise": "High-touch", "Major": "High-touch", "Large Opportunity": "Scale",
                               "SMB": "Digital"}
    assert [r.tier for r in s.rules] == ["High-touch", "High-touch", "Scale", "Scale"] and s.default_tier == "Digital"
    assert s.account_bands == Settings().account_bands and not out.bands_set


def test_a_removed_tier_that_a_segment_or_the_default_tier_names_is_refused_naming_each():
    with pytest.raises(SettingsError) as info:
        reshaped_settings(Settings(), parse_tiers("High-touch,Mid-touch", OLD))
    found = {(e.field, e.key) for e in info.value.errors}
    assert found == {("segment_tiers", "SMB"), ("default_tier", None)}
    assert "names the tier 'Tech-touch', which the new tiers remove" in str(info.value)


def test_a_default_tier_given_with_the_change_replaces_a_removed_one():
    settings = Settings(segment_tiers={"SMB": "Mid-touch"})
    out = reshaped_settings(settings, parse_tiers("High-touch,Mid-touch", OLD), {"default_tier": "Mid-touch"})
    assert out.settings.default_tier == "Mid-touch" and out.settings.tier_names == ("High-touch", "Mid-touch")
    assert out.settings.account_bands == (0.15,) and out.settings.score_cutoffs == (0.5,)


def test_a_new_tier_between_kept_ones_leaves_their_csm_coverage_in_place():
    settings = Settings(coverage_ranges=((20, 80), (80, 200), (500, 2000)))
    out = reshaped_settings(settings, parse_tiers("High-touch,Pooled,Mid-touch,Tech-touch", OLD)).settings
    assert out.coverage_ranges == ((20, 80), (0, None), (80, 200), (500, 2000))
    end = reshaped_settings(settings, parse_tiers("High-touch,Mid-touch,Tech-touch,Community", OLD)).settings
    assert end.coverage_ranges == ((20, 80), (80, 200), (500, 2000))
