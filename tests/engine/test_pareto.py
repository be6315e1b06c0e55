"""The Pareto curve of ARR and where each tier starts on it."""

import numpy as np
import pytest

from tierbook.columns import CutoffCol, ParetoCol
from tierbook.engine.pareto import pareto

TIERS = ("High-touch", "Mid-touch", "Tech-touch")


def test_each_tier_but_the_first_starts_where_the_tiers_above_it_end_on_the_curve():
    arr = np.array([400.0, 300.0, 200.0, 100.0])
    found = pareto(arr, np.array([0, 0, 1, 2]), TIERS)
    cut = found.cutoffs.set_index(CutoffCol.TIER)
    assert list(cut.index) == ["Mid-touch", "Tech-touch"]
    assert cut.at["Mid-touch", CutoffCol.ACCOUNT_SHARE] == 0.5
    assert cut.at["Mid-touch", CutoffCol.ARR_SHARE] == pytest.approx(0.7)
    assert cut.at["Tech-touch", CutoffCol.ACCOUNT_SHARE] == 0.75
    assert cut.at["Tech-touch", CutoffCol.ARR_SHARE] == pytest.approx(0.9)


def test_the_curve_runs_from_nothing_to_all_arr_largest_accounts_first():
    curve = pareto(np.array([400.0, 300.0, 200.0, 100.0]), np.array([0, 0, 1, 2]), TIERS).curve
    assert len(curve) == 101 and curve[ParetoCol.ACCOUNT_SHARE].iloc[25] == pytest.approx(0.25)
    assert curve[ParetoCol.ARR_SHARE].iloc[[0, 25, 100]].tolist() == pytest.approx([0.0, 0.4, 1.0])


def test_accounts_without_usable_arr_are_not_on_the_curve():
    arr = np.array([400.0, np.nan, 300.0, 0.0, 200.0, -5.0, 100.0])
    codes = np.array([0, -1, 0, -1, 1, -1, 2])
    with_gaps = pareto(arr, codes, TIERS)
    clean = pareto(np.array([400.0, 300.0, 200.0, 100.0]), np.array([0, 0, 1, 2]), TIERS)
    assert with_gaps.cutoffs.equals(clean.cutoffs) and with_gaps.curve.equals(clean.curve)


def test_a_book_without_usable_arr_has_an_empty_curve_and_keeps_its_tier_rows():
    found = pareto(np.array([np.nan, 0.0]), np.array([-1, -1]), TIERS)
    assert found.curve[ParetoCol.ARR_SHARE].isna().all()
    assert found.cutoffs[CutoffCol.TIER].tolist() == ["Mid-touch", "Tech-touch"]
    assert found.cutoffs[CutoffCol.ACCOUNT_SHARE].isna().all()
