import numpy as np
import pandas as pd
import pytest

from tierbook.engine import Settings, run
from tierbook.columns import Col, Problem, ProblemCol
from tierbook.sample import MAX_ROWS, sample_accounts


def test_the_same_seed_gives_the_same_book():
    pd.testing.assert_frame_equal(sample_accounts(500, seed=3), sample_accounts(500, seed=3))
    assert not sample_accounts(500, seed=3).equals(sample_accounts(500, seed=4))


def test_arr_is_heavy_tailed_a_few_whales_and_a_long_tail():
    arr = np.sort(sample_accounts(20_000)[Col.ARR].to_numpy())[::-1]
    top_1_pct = arr[:200].sum() / arr.sum()
    assert top_1_pct > 0.15
    assert np.median(arr) < arr.mean() / 1.5


def test_the_book_holds_both_kinds_of_size_and_contract_mismatch():
    book = sample_accounts(20_000)
    big_small = (book[Col.EMPLOYEES] >= 5_000) & (book[Col.ARR] < 25_000)
    small_big = (book[Col.EMPLOYEES] < 300) & (book[Col.ARR] >= 120_000)
    assert big_small.sum() > 50 and small_big.sum() > 50


def test_clean_samples_have_no_errors():
    result = run(sample_accounts(3_000))
    assert (result.problems[ProblemCol.SEVERITY] == "error").sum() == 0


def test_defects_plant_every_kind_of_crm_problem():
    result = run(sample_accounts(5_000, defects=True))
    kinds = set(result.problems[ProblemCol.PROBLEM])
    assert {Problem.MISSING_REQUIRED, Problem.DUPLICATE_ID, Problem.NON_POSITIVE_ARR, Problem.UNPARSEABLE_NUMBER,
            Problem.NUMBER_FROM_TEXT, Problem.UNKNOWN_OVERRIDE, Problem.OVERRIDE_WITHOUT_REASON,
            Problem.CATEGORY_SPELLING} <= kinds
    assert len(result.accounts) == 5_000


def test_overrides_name_the_tiers_given():
    book = sample_accounts(5_000, tier_names=("Gold", "Silver", "Bronze"))
    assert set(book[Col.TIER_OVERRIDE].dropna()) == {"Gold"}


def test_a_book_larger_than_a_sheet_is_refused():
    with pytest.raises(ValueError, match="1,048,575"):
        sample_accounts(MAX_ROWS + 1)
