"""A seeded, realistic book of business for demos, tests and benchmarks.

ARR is heavy-tailed (a few whales, a long tail of small contracts) and loosely
tied to company size, with both mismatches the 2-D segment model exists for:
large companies on small contracts and small companies on large ones. With
``defects=True`` the table carries what real CRM exports carry: currency
text, blanks, #N/A, duplicate IDs, zero and negative ARR, stray spaces and
case, and overrides without a reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import Col

MAX_ROWS = 1_048_575  # an Excel sheet's rows less the header

INDUSTRIES = ("Software", "Financial Services", "Healthcare", "Retail", "Manufacturing", "Education",
              "Media", "Professional Services", "Logistics", "Public Sector")
INDUSTRY_WEIGHTS = (0.2, 0.14, 0.12, 0.1, 0.1, 0.08, 0.07, 0.08, 0.06, 0.05)
REGIONS = ("NA", "EMEA", "APAC", "LATAM")
REGION_WEIGHTS = (0.45, 0.3, 0.17, 0.08)
PRODUCTS = ("Lite", "Core", "Pro")
_PREFIX = ("North", "Blue", "Bright", "Silver", "Iron", "Red", "Green", "Summit", "Harbor", "Pioneer",
           "Cedar", "Atlas", "Nova", "Vertex", "Granite", "Lumen", "Orbit", "Crest", "Delta", "Evergreen",
           "Falcon", "Golden", "Helix", "Keystone", "Maple", "Meridian", "Oak", "Pacific", "Quantum", "River")
_CORE = ("wind", "stone", "field", "point", "bridge", "gate", "line", "path", "works", "wave",
         "light", "forge", "peak", "brook", "ridge", "spark", "vale", "port", "view", "shore")
_KIND = ("Analytics", "Health", "Logistics", "Foods", "Capital", "Systems", "Labs", "Retail", "Energy",
         "Media", "Partners", "Manufacturing", "Learning", "Networks", "Bank")
_SUFFIX = ("Inc", "Ltd", "GmbH", "LLC", "SA", "Corp", "plc", "BV")
_CSMS = ("Avery Chen", "Jordan Patel", "Sam Okafor", "Riley Novak", "Morgan Silva", "Casey Dubois",
         "Taylor Berg", "Jamie Rossi", "Alex Moreau", "Drew Tanaka", "Quinn Larsen", "Reese Alvarez",
         "Harper Singh", "Rowan Keller", "Emerson Costa", "Finley Walsh", "Hayden Ito", "Kendall Park",
         "Logan Meyer", "Parker Haas")
SCALED_TEAM = "Scaled CS Team"
_OVERRIDE_REASONS = ("Strategic logo", "Board-level relationship", "Reference customer",
                     "Exec escalation in progress", "Partner-managed")


def sample_accounts(n: int = 5_000, seed: int = 7, defects: bool = False,
                    tier_names: tuple[str, ...] = ("High-touch", "Mid-touch", "Tech-touch"),
                    as_of: str = "2026-01-01") -> pd.DataFrame:
    """Generate ``n`` accounts (at most one Excel sheet's worth) from ``seed``.

    Args:
        n: number of accounts, 0 to 1,048,575.
        seed: the same seed always gives the same table.
        defects: plant the defects of a real CRM export (see module docstring).
        tier_names: the tiers overrides may name.
        as_of: renewals fall in the year after this date.
    """
    if not 0 <= n <= MAX_ROWS:
        raise ValueError(f"n: expected 0 to {MAX_ROWS:,} accounts (one Excel sheet), got {n:,}")
    rng = np.random.default_rng(seed)
    employees = np.clip(np.rint(rng.lognormal(np.log(180), 1.7, n)), 2, 400_000).astype(np.int64)
    revenue = np.rint(employees * rng.lognormal(np.log(220_000), 0.45, n)).astype(np.int64) // 1000 * 1000
    # ARR grows with company size, with wide scatter (the seed-004 mismatches)...
    log_arr = np.log(9_000) + 0.42 * np.log(employees / 180) + rng.normal(0, 0.85, n)
    arr = np.exp(log_arr)
    # ...plus a thin Pareto tail of whales and explicit mismatches.
    whales = rng.random(n) < 0.01
    arr[whales] *= rng.pareto(1.3, whales.sum()) * 8 + 4
    big_small = (employees >= 5_000) & (rng.random(n) < 0.25)
    arr[big_small] = rng.uniform(3_000, 25_000, big_small.sum())
    small_big = (employees < 300) & (rng.random(n) < 0.015)
    arr[small_big] = rng.uniform(120_000, 600_000, small_big.sum())
    arr = np.clip(np.round(arr, -2), 1_200, 8_000_000)

    usage = np.clip(rng.normal(62, 18, n), 0, 100).round(0)
    nps = np.clip(np.rint((usage - 55) * 1.6 + rng.normal(0, 30, n)), -100, 100)
    nps = np.where(rng.random(n) < 0.08, np.nan, nps)
    room = np.log(np.maximum(revenue, 1) * 0.002 / arr)  # headroom: wallet vs contract
    expansion = np.clip(np.rint(50 + 12 * room + rng.normal(0, 10, n)), 0, 100)
    product = np.where(arr >= 150_000, "Pro", np.where(arr >= 20_000, "Core", "Lite")).astype(object)
    switch = rng.random(n) < 0.1
    product[switch] = rng.choice(PRODUCTS, switch.sum())
    csm = rng.choice(_CSMS, n).astype(object)
    csm[arr < 15_000] = SCALED_TEAM
    renewal = pd.Timestamp(as_of) + pd.to_timedelta(rng.integers(1, 366, n), unit="D")

    name = (
        pd.Series(rng.choice(_PREFIX, n)) + pd.Series(rng.choice(_CORE, n)) + " "
        + pd.Series(rng.choice(_KIND, n)) + " " + pd.Series(rng.choice(_SUFFIX, n))
    )
    override = np.full(n, None, dtype=object)
    reason = np.full(n, None, dtype=object)
    chosen = rng.random(n) < 0.004
    override[chosen] = tier_names[0]
    reason[chosen] = rng.choice(_OVERRIDE_REASONS, chosen.sum())

    table = pd.DataFrame(
        {
            Col.ACCOUNT_ID: pd.Series(np.arange(1, n + 1)).map("ACC-{:07d}".format),
            Col.ACCOUNT_NAME: name,
            Col.ARR: arr,
            Col.EMPLOYEES: employees,
            Col.COMPANY_REVENUE: revenue,
            Col.INDUSTRY: rng.choice(INDUSTRIES, n, p=INDUSTRY_WEIGHTS),
            Col.REGION: rng.choice(REGIONS, n, p=REGION_WEIGHTS),
            Col.PRODUCT: product,
            Col.NPS: nps,
            Col.USAGE_SCORE: usage,
            Col.EXPANSION_POTENTIAL: expansion,
            Col.RENEWAL_DATE: renewal.normalize(),
            Col.CSM: csm,
            Col.TIER_OVERRIDE: override,
            Col.OVERRIDE_REASON: reason,
        }
    )
    if defects:
        _plant_defects(table, rng, tier_names)
    return table


def _pick(rng: np.random.Generator, n: int, share: float, taken: np.ndarray) -> np.ndarray:
    """Row positions (not yet taken) for one kind of defect."""
    k = int(round(n * share))
    free = np.flatnonzero(~taken)
    rows = rng.choice(free, size=min(k, free.size), replace=False) if k else np.array([], dtype=np.int64)
    taken[rows] = True
    return rows


def _plant_defects(table: pd.DataFrame, rng: np.random.Generator, tier_names: tuple[str, ...]) -> None:
    n = len(table)
    arr = table[Col.ARR].to_numpy(dtype=object, copy=True)
    taken = np.zeros(n, dtype=bool)
    for share, text in (
        (0.03, "${:,.2f}".format),
        (0.01, lambda v: f"{v:,.0f}".replace(",", " ")),
        (0.005, "USD {:,.0f}".format),
    ):
        rows = _pick(rng, n, share, taken)
        arr[rows] = [text(v) for v in arr[rows]]
    for rows, value in ((_pick(rng, n, 0.005, taken), None), (_pick(rng, n, 0.003, taken), "#N/A"),
                        (_pick(rng, n, 0.001, taken), "TBD"), (_pick(rng, n, 0.002, taken), 0.0)):
        arr[rows] = value
    negative = _pick(rng, n, 0.002, taken)
    arr[negative] = [f"({v:,.0f})" for v in table[Col.ARR].to_numpy()[negative]]
    table[Col.ARR] = arr

    employees = table[Col.EMPLOYEES].to_numpy(dtype=object, copy=True)
    employees[rng.random(n) < 0.03] = None
    employees[rng.random(n) < 0.01] = "#N/A"
    table[Col.EMPLOYEES] = employees

    for column, variants in ((Col.INDUSTRY, (str.lower, lambda s: s + " ", str.upper)),
                             (Col.REGION, (str.lower, lambda s: " " + s, str.title))):
        values = table[column].to_numpy(dtype=object, copy=True)
        for change in variants:
            rows = np.flatnonzero(rng.random(n) < 0.01)
            values[rows] = [change(v) for v in values[rows]]
        values[rng.random(n) < 0.02] = None
        table[column] = values

    dup = rng.choice(n, size=max(1, n // 300) if n > 1 else 0, replace=False)
    if dup.size:
        source = rng.choice(n, size=dup.size)
        table.loc[dup, Col.ACCOUNT_ID] = table[Col.ACCOUNT_ID].to_numpy()[source]
    override = table[Col.TIER_OVERRIDE].to_numpy(dtype=object, copy=True)
    reason = table[Col.OVERRIDE_REASON].to_numpy(dtype=object, copy=True)
    lost = np.flatnonzero(rng.random(n) < 0.002)
    override[lost] = rng.choice(tier_names, lost.size)
    reason[lost] = None
    bogus = np.flatnonzero(rng.random(n) < 0.0005)
    override[bogus] = "Platinum"
    reason[bogus] = "Largest logo in region"
    table[Col.TIER_OVERRIDE] = override
    table[Col.OVERRIDE_REASON] = reason
