"""ARR bands: tier codes by the share of accounts, or of ARR, held by larger accounts.

Pure functions of an ARR column (the engine's tiers, the TB_TIERS custom
function and the rule export all use them). The cuts are exact: cumulative
shares are rounded so 0.15 + 0.40 is 0.55, and ARR is summed in whole cents
in integers that cannot overflow, so equal ARR always gets an equal tier.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import SettingsError
from ..columns import ThresholdCol
from .reading import PLAUSIBLE_LIMIT

NEEDS = -1
"""The tier code of an account that cannot be tiered (Needs data)."""


def cumulative_cuts(bands: tuple[float, ...] | list[float]) -> np.ndarray:
    """Cumulative band shares, rounded so that 0.15 + 0.40 is exactly 0.55.

    Without the rounding, 0.15 + 0.40 is 0.55000000000000004 in binary, and an
    account with exactly 55 % of accounts above it would land in the wrong tier.
    """
    return np.array([round(math.fsum(bands[: i + 1]), 12) for i in range(len(bands))])


def arr_band_codes(arr: np.ndarray, bands: tuple[float, ...] | list[float], by: str) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Tier codes for an ARR column under ``arr-accounts`` (by="accounts") or ``arr-share``.

    With n tierable accounts (ARR a number above 0) and, for each account, r =
    the number of tierable accounts with strictly higher ARR and S = their
    total ARR: the tier is the first k with r/n (or S/T) below the cumulative
    share of bands 1..k. Accounts without usable ARR get -1.

    Returns:
        (codes, position, n, total): position is r/n or S/T per account.
    """
    arr = np.asarray(arr, dtype=float)
    with np.errstate(invalid="ignore"):
        tierable = np.isfinite(arr) & (arr > 0) & (arr <= PLAUSIBLE_LIMIT)
    codes = np.full(arr.shape, NEEDS, dtype=np.int64)
    position = np.full(arr.shape, np.nan)
    values = arr[tierable]
    n = int(values.size)
    if n == 0:
        return codes, position, 0, 0.0
    # One sort: for each account, the sorted position where strictly larger ARR begins.
    order = np.argsort(values, kind="stable")
    ascending = values[order]
    run_starts = np.flatnonzero(ascending[1:] != ascending[:-1]) + 1
    run_end = np.append(run_starts, n)
    run_of = np.zeros(n, dtype=np.int64)
    run_of[run_starts] = 1
    np.cumsum(run_of, out=run_of)
    above = np.empty(n, dtype=np.int64)
    above[order] = run_end[run_of]
    if by == "accounts":
        pos = (n - above) / n
        total = float(n)
    elif by == "share":
        prefix = _cents_prefix(ascending)
        total_cents = int(prefix[-1])
        # All ARR under half a cent: every account equals every other in cents, one tie at the top.
        pos = (np.asarray((total_cents - prefix[above]) / total_cents, dtype=float) if total_cents
               else np.zeros(n, dtype=float))
        total = total_cents / 100
    else:
        raise SettingsError(f"ARR bands: by={by!r} is not 'accounts' or 'share'")
    codes[tierable] = np.searchsorted(cumulative_cuts(bands), pos, side="right")
    position[tierable] = pos
    return codes, position, n, total


def _cents_prefix(ascending: np.ndarray) -> np.ndarray:
    """Exact running totals of ARR in whole cents, starting at 0.

    64-bit integers hold the sum of up to about 92 accounts at the largest
    plausible ARR; beyond that the sums are taken in Python's unbounded
    integers, so a share is never computed from an overflowed total.
    """
    cents = np.rint(ascending * 100)
    if float(cents.sum()) < 2.0**62:
        return np.concatenate(([0], np.cumsum(cents.astype(np.int64))))
    exact = np.array([int(c) for c in cents], dtype=object)
    return np.concatenate((np.array([0], dtype=object), np.cumsum(exact)))


def arr_thresholds(arr: np.ndarray, codes: np.ndarray, tier_names: tuple[str, ...]) -> pd.DataFrame:
    """Lowest and highest ARR of each tier: "ARR >= Min ARR" replays the cut."""
    rows = []
    for k, name in enumerate(tier_names):
        in_tier = arr[codes == k]
        rows.append(
            {
                ThresholdCol.TIER: name,
                ThresholdCol.MIN_ARR: float(in_tier.min()) if in_tier.size else np.nan,
                ThresholdCol.MAX_ARR: float(in_tier.max()) if in_tier.size else np.nan,
                ThresholdCol.ACCOUNTS: int(in_tier.size),
            }
        )
    return pd.DataFrame(rows, columns=list(ThresholdCol.ALL))
