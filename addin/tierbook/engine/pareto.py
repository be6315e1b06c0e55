"""The Pareto curve of ARR: what share of ARR the largest accounts hold, and where each tier starts on it.

A rank-based figure, so it is computed here and written as values (the
workbook's formulas stay O(rows)). Arrays in, DataFrames out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..columns import PARETO_POINTS, CutoffCol, ParetoCol


@dataclass(frozen=True)
class Pareto:
    """The curve and the tier cut-offs on it.

    Attributes:
        curve: :class:`~tierbook.columns.ParetoCol` at 0, 1, ... 100 % of the
            accounts with usable ARR, largest first (NaN shares when there are none).
        cutoffs: :class:`~tierbook.columns.CutoffCol`, one row per tier but the
            first, named by that tier: where it starts, as the share of accounts
            in the tiers above it and the share of ARR they hold.
    """

    curve: pd.DataFrame
    cutoffs: pd.DataFrame


def pareto(arr: np.ndarray, codes: np.ndarray, tier_names: tuple[str, ...]) -> Pareto:
    """The Pareto curve of the accounts whose ARR is a number above 0, and where each tier but the first starts on it.

    Args:
        arr: ARR per account (NaN where unusable).
        codes: tier index per account (-1: Needs data).
        tier_names: the tiers, most engaged first.
    """
    usable = np.isfinite(arr) & (arr > 0)
    x = np.linspace(0, 1, PARETO_POINTS)
    values = arr[usable]
    n = values.size
    starts = list(tier_names[1:])
    if n == 0:
        curve = pd.DataFrame({ParetoCol.ACCOUNT_SHARE: x, ParetoCol.ARR_SHARE: np.full(PARETO_POINTS, np.nan)})
        cutoffs = pd.DataFrame({CutoffCol.TIER: starts, CutoffCol.ACCOUNT_SHARE: np.full(len(starts), np.nan),
                                CutoffCol.ARR_SHARE: np.full(len(starts), np.nan)})
        return Pareto(curve, cutoffs[list(CutoffCol.ALL)])
    order = np.sort(values)[::-1]
    xs = np.arange(n + 1) / n
    ys = np.concatenate(([0.0], np.cumsum(order) / order.sum()))
    codes = codes[usable]
    shares = np.array([np.count_nonzero((codes >= 0) & (codes <= k)) / n for k in range(len(starts))], dtype=float)
    curve = pd.DataFrame({ParetoCol.ACCOUNT_SHARE: x, ParetoCol.ARR_SHARE: np.interp(x, xs, ys)})
    cutoffs = pd.DataFrame({CutoffCol.TIER: starts, CutoffCol.ACCOUNT_SHARE: shares,
                            CutoffCol.ARR_SHARE: np.interp(shares, xs, ys)})
    return Pareto(curve, cutoffs[list(CutoffCol.ALL)])


__all__ = ["Pareto", "pareto"]
