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
