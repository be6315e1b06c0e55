"""Capacity plan: the bottom-up check of the tiering, in hours and people.

Hours per tier and role = hours per occurrence x interval x accounts (once per
tier for pooled programmes, and none for a tier without accounts). FTE = hours / productive hours of the role. This
is the counterpart that validates or rejects the top-down tier cut: if the
plan needs 70 CSMs and there are 40, the bands or the matrix must change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import SettingsError
from ..columns import NEEDS_DATA, TOTAL, Allocation, CapacityCol, Col, CoverageCol, CsmBookCol, PriceCol, ServiceCol
from .settings import Settings

C = CapacityCol


def capacity_plan(prices: pd.DataFrame, tier_accounts: pd.Series, settings: Settings) -> pd.DataFrame:
    """FTE and loaded cost per tier and role.

    Args:
        prices: :func:`tierbook.engine.services.service_prices` output.
        tier_accounts: accounts per tier name.
    """
    roles = set(prices[ServiceCol.OWNER_ROLE])
    unknown = sorted(r for r in roles if r not in settings.productive_hours)
    if unknown:
        service = prices.loc[prices[ServiceCol.OWNER_ROLE] == unknown[0], ServiceCol.SERVICE].iloc[0]
        raise SettingsError(
            f"service catalog: owner role {unknown[0]!r} of {service!r} has no productive hours in "
            "Settings; the roles are " + ", ".join(settings.productive_hours)
        )
    per_account = prices[ServiceCol.ALLOCATION] == Allocation.PER_ACCOUNT
    accounts = prices[PriceCol.TIER].map(tier_accounts).fillna(0).to_numpy()
    multiplier = np.where(per_account, accounts, (accounts > 0).astype(float))  # no accounts: no programme
    hours = prices[ServiceCol.HOURS].to_numpy() * prices[PriceCol.INTERVAL].to_numpy() * multiplier
    frame = pd.DataFrame({C.TIER: prices[PriceCol.TIER], C.ROLE: prices[ServiceCol.OWNER_ROLE], C.HOURS: hours})
    plan = frame.groupby([C.TIER, C.ROLE], sort=False)[C.HOURS].sum().reset_index()
    plan = plan[plan[C.HOURS] > 0].reset_index(drop=True)
    plan.insert(2, C.ACCOUNTS, plan[C.TIER].map(tier_accounts).fillna(0).astype(np.int64))
    plan[C.PRODUCTIVE_HOURS] = plan[C.ROLE].map(settings.productive_hours).astype(float)
    plan[C.FTE] = plan[C.HOURS] / plan[C.PRODUCTIVE_HOURS]
    plan[C.LOADED_COST] = plan[C.FTE] * plan[C.ROLE].map(lambda r: settings.loaded_cost.get(r, 0.0)).astype(float)
    order = {t: i for i, t in enumerate(settings.tier_names)}
    plan = plan.sort_values([C.TIER, C.ROLE], key=lambda s: s.map(order) if s.name == C.TIER else s, kind="stable")
    return plan[list(C.ALL_PLAN)].reset_index(drop=True)


def fte_by_tier(plan: pd.DataFrame) -> pd.Series:
    """Total FTE per tier."""
    return plan.groupby(C.TIER, sort=False)[C.FTE].sum()


def role_gaps(plan: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Per role: FTE needed against current headcount (gap > 0: hire; < 0: spare)."""
    roles = list(dict.fromkeys(list(settings.roles()) + list(plan[C.ROLE])))
    needed = plan.groupby(C.ROLE)[[C.HOURS, C.FTE, C.LOADED_COST]].sum().reindex(roles, fill_value=0.0)
    table = needed.reset_index().rename(columns={"index": C.ROLE})
    table[C.HEADCOUNT] = table[C.ROLE].map(lambda r: settings.headcount.get(r, 0.0)).astype(float)
    table[C.GAP] = table[C.FTE] - table[C.HEADCOUNT]
    return table[list(C.ALL_ROLES)]


def team_need(roles: pd.DataFrame) -> tuple[float, float]:
    """FTE needed across all roles, and the gap against headcount (> 0: hire; < 0: spare), from :func:`role_gaps`."""
    return float(roles[C.FTE].sum()), float(roles[C.GAP].sum())


def csm_coverage(plan: pd.DataFrame, tier_accounts: pd.Series, tier_arr: pd.Series, settings: Settings) -> pd.DataFrame:
    """Accounts and ARR per CSM FTE for each tier, against the tier's sanity range."""
    csm = plan[plan[C.ROLE] == settings.csm_role].groupby(C.TIER)[C.FTE].sum()
    rows = []
    for k, tier in enumerate(settings.tier_names):
        accounts = int(tier_accounts.get(tier, 0))
        arr = float(tier_arr.get(tier, 0.0))
        fte = float(csm.get(tier, 0.0))
        per = accounts / fte if fte > 0 else np.nan
        lo, hi = settings.coverage_ranges[k] if k < len(settings.coverage_ranges) else (None, None)
        if lo is None:
            shown, status = "", ""
        else:
            shown = f"{lo:,.0f}-{hi:,.0f}" if hi is not None else f"{lo:,.0f}+"
            if not np.isfinite(per):
                status = "no CSM time planned" if accounts else ""
            elif per < lo:
                status = "below range: CSMs have few accounts (costly coverage)"
            elif hi is not None and per > hi:
                status = "above range: CSMs are stretched"
            else:
                status = "within range"
        rows.append({CoverageCol.TIER: tier, CoverageCol.ACCOUNTS: accounts, CoverageCol.ARR: arr,
                     CoverageCol.CSM_FTE: fte, CoverageCol.ACCOUNTS_PER_CSM: per,
                     CoverageCol.ARR_PER_CSM: arr / fte if fte > 0 else np.nan,
                     CoverageCol.RANGE: shown, CoverageCol.STATUS: status})
    return pd.DataFrame(rows, columns=list(CoverageCol.ALL))


def csm_books(csm: pd.Series, tiers: pd.Series, arr: np.ndarray) -> pd.DataFrame:
    """Each named CSM's book today: accounts, ARR and accounts per tier."""
    frame = pd.DataFrame({Col.CSM: csm.fillna(CsmBookCol.UNASSIGNED).to_numpy(), Col.TIER: tiers.to_numpy(),
                          Col.ARR: np.where(np.isfinite(arr) & (arr > 0), arr, 0.0)})
    books = frame.groupby(Col.CSM).agg(**{"Accounts": (Col.TIER, "size"), "ARR": (Col.ARR, "sum")})
    mix = frame.pivot_table(index=Col.CSM, columns=Col.TIER, values=Col.ARR, aggfunc="size", fill_value=0)
    return books.join(mix).sort_values("ARR", ascending=False).reset_index()


def csm_book_table(books: pd.DataFrame, tiers: tuple[str, ...]) -> pd.DataFrame:
    """The CSM books as the Capacity sheet shows them: one row per CSM (largest ARR first), then the Total.

    ``books`` is :func:`csm_books`; its per-tier counts become one text
    ("High-touch 3, Tech-touch 40"), tiers in their order and Needs data last,
    so that the table's columns do not depend on the tiers' names.
    """
    order = [t for t in (*tiers, NEEDS_DATA) if t in books.columns]
    order += [t for t in books.columns if t not in order and t not in (Col.CSM, "Accounts", "ARR")]
    total_arr = float(books["ARR"].sum())

    def mix(row: pd.Series) -> str:
        return ", ".join(f"{t} {int(row[t]):,}" for t in order if row[t])

    share = books["ARR"] / total_arr if total_arr > 0 else pd.Series(np.nan, index=books.index)
    table = pd.DataFrame({CsmBookCol.CSM: books[Col.CSM].astype(str), CsmBookCol.ACCOUNTS: books["Accounts"].astype(int),
                          CsmBookCol.ARR: books["ARR"].astype(float), CsmBookCol.ARR_SHARE: share.astype(float),
                          CsmBookCol.TIER_MIX: [mix(r) for _, r in books.iterrows()]})
    totals = books[order].sum() if order else pd.Series(dtype=int)
    total = {CsmBookCol.CSM: TOTAL, CsmBookCol.ACCOUNTS: int(books["Accounts"].sum()), CsmBookCol.ARR: total_arr,
             CsmBookCol.ARR_SHARE: 1.0 if total_arr > 0 else np.nan, CsmBookCol.TIER_MIX: mix(totals)}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)[list(CsmBookCol.ALL)]
