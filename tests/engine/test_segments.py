import numpy as np

from tierbook.engine import Settings
from tierbook.engine.segments import segment_one, size_x_contract


def test_the_two_dimensional_segments_from_size_and_contract_value():
    s = Settings()
    got = size_x_contract(np.array([5_000, 50, 5_000, 50]), np.array([500_000, 500_000, 5_000, 5_000]), s)
    assert list(got) == ["Enterprise", "Major", "Large Opportunity", "SMB"]


def test_a_threshold_value_counts_as_large():
    assert segment_one(1_000, 100_000, Settings()) == "Enterprise"
    assert segment_one(999, 99_999, Settings()) == "SMB"


def test_size_can_be_company_revenue_with_its_own_threshold():
    s = Settings(size_basis="revenue", revenue_threshold=50_000_000)
    assert segment_one(75_000_000, 5_000, s) == "Large Opportunity"


def test_a_missing_size_or_arr_gives_an_unknown_segment():
    assert segment_one(None, 5_000, Settings()) == "Unknown"
    assert segment_one(50, -1, Settings()) == "Unknown"


def test_segment_names_are_the_users():
    s = Settings(segment_names=("Strategic", "Growth", "Whitespace", "Scale"))
    assert segment_one(50, 200_000, s) == "Growth"


def test_segment_books_count_each_named_segments_accounts_and_the_arr_the_totals_count():
    import pandas as pd

    from tierbook.engine.segments import segment_books

    segments = pd.Series(["SMB", "Enterprise", "SMB", "Unknown", "SMB"])
    used = np.array([1_000.0, 250_000.0, np.nan, np.nan, 2_500.5])
    accounts, arr = segment_books(segments, used, ("Enterprise", "Major", "SMB"))
    assert accounts.tolist() == [1, 0, 3]
    assert arr.tolist() == [250_000.0, 0.0, 3_500.5]


def _industry_book():
    import pandas as pd

    return pd.DataFrame({"Account ID": ["A1", "A2", "A3", "A4", "A5", "A6"],
                         "Account Name": ["Acme", "Beta", "Core", "Dune", "Echo", "Fjord"],
                         "ARR": [1_000.10, 2_500.25, 300.33, 0, 4_000.01, 750.5],
                         "Industry": ["Healthcare", "healthcare ", "Retail", "Retail", "Software", None]})


def test_found_segments_count_each_industrys_accounts_and_arr_to_the_cent_whatever_its_spelling():
    from tierbook.engine import run

    result = run(_industry_book(), Settings(segment_by="Industry", policy="segment", segment_tiers={}))
    found = result.found_segments().set_index("Segment")
    assert list(found.index) == ["Software", "Healthcare", "Retail"]  # largest ARR first, Unknown (blank) left out
    assert found.loc["Healthcare", "Accounts"] == 2 and round(found.loc["Healthcare", "ARR"], 2) == 3_500.35
    assert found.loc["Retail", "Accounts"] == 2 and round(found.loc["Retail", "ARR"], 2) == 300.33  # ARR 0 counts nothing


def test_the_map_keeps_its_rows_and_adds_the_segments_no_row_names():
    from tierbook.engine import run
    from tierbook.engine.segments import segment_map_rows

    result = run(_industry_book(), Settings(segment_by="Industry", policy="segment", segment_tiers={}))
    rows = segment_map_rows(["Enterprise", " RETAIL", None, "Retail"], result.found_segments())
    assert list(rows.accounts) == [0, 2, None, 0]  # a segment named twice counts on its first row
    assert round(rows.arr[1], 2) == 300.33
    assert list(rows.added["Segment"]) == ["Software", "Healthcare"]


def test_a_segment_whose_tier_is_blank_waits_for_one_and_its_accounts_are_needs_data():
    from tierbook.engine import run
    from tierbook.engine.segments import unmapped_note, unmapped_segments

    settings = Settings(segment_by="Industry", policy="segment", segment_tiers={"HEALTHCARE": "High-touch"})
    result = run(_industry_book(), settings)
    waiting = unmapped_segments(result.found_segments(), {"Healthcare": "High-touch", "Retail": ""})
    assert list(waiting["Segment"]) == ["Software", "Retail"]
    assert unmapped_note(result.found_segments(), settings.segment_tiers) == (
        "2 segments (3 accounts) wait for a tier in the segment map on Segments.")
    tiers = dict(zip(result.accounts.frame["Account Name"], result.tiers.tier))
    assert tiers["Beta"] == "High-touch" and tiers["Echo"] == "Needs data"
