"""Books built to sit on the ARR band edges, for the live-band SQL tests (any size, vectorised).

``edge_book(n)`` has, among its tierable accounts (ARR a number above 0; a
multiple of 20 of them):

* a tie group whose r is exactly 15 % of n and one whose r is exactly 55 %
  (r/n equals the cut, so the whole group is in the lower tier; 0.15 + 0.40
  as floats is 0.55000000000000004, which would put it in the upper one);
* a tie group that spans 5 % of n (its r is below the cut, so all of it is above);
* a tie group whose S is exactly half of T in cents (S * 2 == T: the lower tier),
  with half-cent ARR above it and more below it, so that rounding half away
  from zero instead of half to even moves the group across the edge;
* ARR rounded to hundreds (ties everywhere), cents, binary-awkward values,
  ARR written as text ("$12,500.00"), Needs data rows (blank, "#N/A", "TBD",
  "12..5", 0, negative numbers and "(1,200)"), and overrides spelled loosely,
  some without a usable reason or naming no tier, some on the edge groups.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tierbook.columns import Col

EDGE_15, EDGE_55, SPAN_05 = 0.15, 0.55, 0.05
GROUP = 40  # accounts in each planted tie group (scaled up for big books)
NEEDS_DATA_VALUES = (None, "#N/A", "TBD", "12..5", 0.0, -500.0, "(1,200)", "  ")
HALF_CENTS_ABOVE, HALF_CENTS_BELOW = 5, 20


def _by_rank(n: int, rng: np.random.Generator) -> np.ndarray:
    """n descending ARR values: a long tail, rounded to hundreds (many ties), some with cents."""
    values = np.round(2_000_000 / (1 + np.arange(n) / (n / 20)) ** 1.5 + 200, -2)
    cents = rng.random(n) < 0.02
    values[cents] += rng.choice([0.01, 0.1, 0.3, 0.49, 0.5, 0.99], cents.sum())
    return values


def _plant_group(values: np.ndarray, start: int, size: int) -> float:
    """Make ranks start..start+size-1 one tie group, strictly below every rank above it."""
    g = float(values[start])
    values[start:start + size] = g
    values[:start] = np.maximum(values[:start], g + 0.5)
    values[start + size:] = np.minimum(values[start + size:], g - 0.5)
    return g


def _cents(values: np.ndarray) -> np.ndarray:
    return np.rint(values * 100).astype(np.int64)  # as the engine sums ARR


def _plant_share_edge(values: np.ndarray, size: int, pool_start: int, rng: np.random.Generator) -> float:
    """A tie group with exactly half of ARR above it: the pool (ranks >= pool_start) is refilled so that S * 2 == T.

    Some whole-dollar ARR near the top and in the lower middle becomes x.125
    (x.125 * 100 ends in exactly .5, which rint rounds to even, down here). There are more of them below the group than above it, so
    rounding them up instead would add more to T than twice to S.
    """
    n = values.size
    cum = np.cumsum(_cents(values))
    start = int(np.searchsorted(cum, cum[-1] // 2))
    g = _plant_group(values, start, size)
    for lo, hi, count in ((0, start // 2, HALF_CENTS_ABOVE), (int(n * 0.6), pool_start, HALF_CENTS_BELOW)):
        whole = lo + np.flatnonzero(values[lo:hi] % 1 == 0)
        values[rng.choice(whole, count, replace=False)] += 0.125
    pool = n - pool_start
    cap_cents = int(np.floor(values[:pool_start].min() * 100)) - 1  # the pool stays below every other account
    head = _cents(values[:pool_start])
    need = 2 * int(head[values[:pool_start] > g].sum()) - int(head.sum())  # what the pool must hold
    assert pool <= need <= pool * cap_cents, "the pool cannot balance the 50 % share edge"
    base, extra = divmod(need, pool)
    pool_cents = np.full(pool, base, dtype=np.int64)
    pool_cents[:extra] += 1
    values[pool_start:] = pool_cents / 100
    return g


def edge_arr(n: int, seed: int) -> tuple[np.ndarray, dict[str, float]]:
    """n tierable ARR values (n a multiple of 20), shuffled, and the planted groups' ARR."""
    assert n % 20 == 0 and n >= 2_000
    rng = np.random.default_rng(seed)
    size = max(GROUP, n // 2_000)
    values = _by_rank(n, rng)
    groups = {
        "span_05": _plant_group(values, int(n * SPAN_05) - size // 2, size),
        "edge_15": _plant_group(values, int(n * EDGE_15), size),
        "edge_55": _plant_group(values, int(n * EDGE_55), size),
    }
    groups["share_50"] = _plant_share_edge(values, size, int(n * 0.8), rng)
    assert np.all(np.isfinite(values)) and np.all(values > 0)
    for g in groups.values():
        assert (values == g).sum() == size
    half = values % 1 == 0.125
    g = groups["share_50"]
    assert (values[half] > g).sum() == HALF_CENTS_ABOVE and (values[half] < g).sum() == HALF_CENTS_BELOW
    return values[rng.permutation(n)], groups


def edge_book(n: int, seed: int = 5, needs_data: int | None = None) -> tuple[pd.DataFrame, dict[str, float]]:
    """A raw book: ``n`` tierable accounts plus Needs data rows, with overrides; and the planted groups."""
    rng = np.random.default_rng(seed + 1)
    values, groups = edge_arr(n, seed)
    bad = needs_data if needs_data is not None else max(len(NEEDS_DATA_VALUES), n // 50)
    total = n + bad
    arr = np.empty(total, dtype=object)
    where_bad = rng.choice(total, bad, replace=False)
    good = np.ones(total, dtype=bool)
    good[where_bad] = False
    arr[good] = values
    arr[where_bad] = np.array(NEEDS_DATA_VALUES, dtype=object)[np.arange(bad) % len(NEEDS_DATA_VALUES)]
    good_rows = np.flatnonzero(good)
    whole = good_rows[(values % 100 == 0)]
    as_text = rng.choice(whole, max(3, n // 100), replace=False)
    arr[as_text] = [f"${v:,.2f}" for v in arr[as_text]]
    ids = np.char.add("A", np.arange(total).astype(str)).astype(object)
    override = np.full(total, None, dtype=object)
    reason = np.full(total, None, dtype=object)
    picks = rng.choice(total, max(12, total // 100), replace=False)
    on_edges = [rng.choice(good_rows[values == g], 2, replace=False) for g in groups.values()]
    picks = np.unique(np.concatenate([picks, *on_edges]))
    spellings = np.array([" high-touch ", "MID-TOUCH", "tech_touch", "Tech-Touch", "High - touch",
                          "mid-touch\t", "Platinum"], dtype=object)
    reasons = np.array(["Strategic logo", "#N/A", "   ", None, "Exec sponsor", "Renewal risk"], dtype=object)
    override[picks] = spellings[np.arange(picks.size) % spellings.size]
    reason[picks] = reasons[np.arange(picks.size) % reasons.size]
    raw = pd.DataFrame({Col.ACCOUNT_ID: ids, Col.ACCOUNT_NAME: ids, Col.ARR: arr,
                        Col.TIER_OVERRIDE: override, Col.OVERRIDE_REASON: reason})
    return raw, groups
