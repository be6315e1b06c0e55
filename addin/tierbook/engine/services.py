"""Service economics: what each tier receives, what it costs, what it is worth.

Annual cost of a service = unit cost x interval (times a year). A per-account
service costs that for every account of the tier; a pooled programme (a
webinar, the knowledge base) costs it once for the whole tier and is spread
over the tier's accounts; a tier with no accounts runs no programme and costs
nothing. Assessed value applies the margin convention in
force: markup, cost x (1 + m), or gross margin, cost / (1 - m).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import SettingsError
from ..columns import NEEDS_DATA, Allocation, BudgetItem, Delivery, PriceCol, ServiceCol, SummaryCol
from .reading import AMBIGUOUS, BLANK, BLANK_TEXT, READ, quoted, read_numbers
from .settings import Role, Settings, setting_facts

S = ServiceCol
P = PriceCol
_H, _A, _L = Delivery.HUMAN, Delivery.AUTOMATED, Delivery.LEADERSHIP
_PER, _POOL = Allocation.PER_ACCOUNT, Allocation.POOLED

# service, definition, delivery, owner role, hours per occurrence, allocation,
# intervals per year for (first tier, middle tiers, last tier).
_DEFAULT_SERVICES: tuple[tuple[str, str, str, str, float, str, tuple[float, float, float]], ...] = (
    ("Executive Sponsorship", "A CS executive owns the relationship, joins strategy sessions and steps in on risk.", _L, Role.LEADERSHIP, 2.0, _PER, (4, 0, 0)),
    ("Quarterly Business Review", "The customer's goals, results and return on investment reviewed with them, with open issues and the plan ahead.", _H, Role.CSM, 3.0, _PER, (4, 1, 0)),
    ("Proactive Communications", "Outreach on health, usage, billing or support before the customer has to ask.", _H, Role.CSM, 0.25, _PER, (12, 4, 0)),
    ("Assigned CSM", "A named Customer Success Manager the customer reaches directly, with regular check-ins.", _H, Role.CSM, 0.5, _PER, (12, 0, 0)),
    ("Assigned Technical Resource", "A named technical success manager or CS engineer for technical questions.", _H, Role.TECHNICAL, 1.5, _PER, (12, 0, 0)),
    ("Adoption Monitoring", "Usage trends watched for adoption gaps, training needs and expansion signals.", _H, Role.CSM, 0.25, _PER, (12, 4, 0)),
    ("NPS/CSAT Survey Monitoring", "Survey answers tracked, and detractors followed up.", _A, Role.DIGITAL, 0.1, _PER, (2, 2, 2)),
    ("Best Practice Advice", "Unprompted advice on getting more out of the product.", _H, Role.CSM, 0.5, _PER, (4, 2, 0)),
    ("Training", "Training sessions the CSM runs at no charge.", _H, Role.CSM, 1.5, _PER, (2, 1, 0)),
    ("Health Check", "A technical review of set-up, configuration and reporting against best practice.", _H, Role.TECHNICAL, 4.0, _PER, (2, 0.5, 0)),
    ("Renewal", "The contract renewal run with the customer so it never lapses.", _H, Role.CSM, 2.0, _PER, (1, 1, 0)),
    ("Escalations Management", "First contact for escalations; the remediation plan tracked to closure.", _H, Role.CSM, 1.5, _PER, (2, 1, 1)),
    ("Support Case Monitoring", "Open support cases watched; the CSM steps in past a threshold.", _A, Role.CSM, 0.1, _PER, (12, 4, 0)),
    ("Upsell", "Expansion opportunities spotted and closed, or handed to sales.", _H, Role.CSM, 1.0, _PER, (2, 1, 0)),
    ("Program Management", "Onboarding, re-implementation and other programmes run with the account.", _H, Role.CSM, 4.0, _PER, (1, 0.25, 0)),
    ("Knowledge Base", "Self-service articles written and kept current.", _A, Role.DIGITAL, 40.0, _POOL, (0, 0, 12)),
    ("Webinars", "Live one-to-many sessions on the product and best practice.", _H, Role.DIGITAL, 8.0, _POOL, (0, 4, 12)),
    ("Digital Onboarding", "Automated onboarding journeys for new accounts.", _A, Role.DIGITAL, 24.0, _POOL, (0, 0, 4)),
    ("Community", "A moderated customer community for peer help.", _A, Role.DIGITAL, 12.0, _POOL, (0, 0, 12)),
    ("Digital Campaigns", "Targeted adoption and renewal e-mails and in-app messages.", _A, Role.DIGITAL, 6.0, _POOL, (0, 12, 12)),
    ("Self-guided Training", "On-demand courses and certification.", _A, Role.DIGITAL, 16.0, _POOL, (0, 0, 4)),
)


def service_key(name: object) -> str:
    """How a service name is matched between the catalog and the matrix: trimmed, case ignored (as MATCH does)."""
    return str(name).strip().casefold()


def hourly_rate(settings: Settings, role: str) -> float:
    """Loaded cost per productive hour of a role."""
    return settings.loaded_cost[role] / settings.productive_hours[role]


def derived_unit_cost(settings: Settings, role: str, hours: float) -> float | None:
    """Hours x the role's loaded hourly rate (the workbook's default Unit Cost); None without a rate or hours.

    Computed in the default formula's order, so the engine and the sheet give the same double.
    """
    if role not in settings.productive_hours or role not in settings.loaded_cost or pd.isna(hours):
        return None
    return float(hours) * hourly_rate(settings, role)


def rederived_unit_costs(catalog: pd.DataFrame, before: Settings, after: Settings) -> pd.Series:
    """Unit costs once the roles' rates change: a derived cost follows its role's new rate, a typed one stays.

    A unit cost is the derived one when it equals hours x the owner role's
    loaded hourly rate under ``before`` (the workbook's default formula, and
    its Check, tell them apart the same way); only those follow ``after``.
    """
    costs = catalog[S.UNIT_COST].astype(float).copy()
    for i, (role, hours, cost) in enumerate(zip(catalog[S.OWNER_ROLE], catalog[S.HOURS], costs)):
        old, new = derived_unit_cost(before, str(role), hours), derived_unit_cost(after, str(role), hours)
        if old is not None and new is not None and np.isclose(cost, old, rtol=1e-12, atol=0):
            costs.iloc[i] = new
    return costs


def default_catalog(settings: Settings | None = None) -> pd.DataFrame:
    """The default service catalog; unit cost = hours x the owner role's loaded hourly rate.

    The unit cost keeps its full precision (0.25 h x 83.333... = 20.8333...):
    rounded to cents here, twelve occurrences would cost 249.96 instead of 250.
    Sheets round it only in display.
    """
    settings = settings or Settings()
    rows = [
        {
            S.SERVICE: name,
            S.DEFINITION: definition,
            S.DELIVERY: delivery,
            S.OWNER_ROLE: role,
            S.UNIT_COST: hours * hourly_rate(settings, role),
            S.HOURS: hours,
            S.ALLOCATION: allocation,
            S.MARGIN_OVERRIDE: np.nan,
        }
        for name, definition, delivery, role, hours, allocation, _ in _DEFAULT_SERVICES
    ]
    return pd.DataFrame(rows, columns=list(S.ALL))


def default_matrix(tier_names: tuple[str, ...]) -> pd.DataFrame:
    """Default intervals per year: first tier, middle tiers and last tier as in the catalog."""
    columns = {}
    last = len(tier_names) - 1
    for k, tier in enumerate(tier_names):
        slot = 0 if k == 0 else (2 if k == last else 1)
        columns[tier] = [float(s[6][slot]) for s in _DEFAULT_SERVICES]
    return pd.DataFrame(columns, index=pd.Index([s[0] for s in _DEFAULT_SERVICES], name=S.SERVICE))


def validate_catalog(catalog: pd.DataFrame, settings: Settings | None = None) -> pd.DataFrame:
    """Typed copy of a catalog, or a SettingsError naming every bad service and value.

    Each error carries ``field="catalog"`` and ``key`` = the row's position
    in ``catalog``, so a reader that knows where the rows sit can name the cell.
    A blank Unit Cost is the derived one, hours x the owner role's loaded
    hourly rate (what the workbook's default formula shows), filled in when
    ``settings`` give the roles.
    """
    missing = [c for c in (S.SERVICE, S.UNIT_COST, S.HOURS, S.ALLOCATION, S.OWNER_ROLE) if c not in catalog.columns]
    if missing:
        raise SettingsError("service catalog: missing column " + ", ".join(repr(m) for m in missing),
                            field="catalog", value=missing, expected="the catalog's columns")
    out = catalog.copy().reset_index(drop=True)
    problems: list[SettingsError] = []
    for column in (S.DEFINITION, S.DELIVERY, S.MARGIN_OVERRIDE):
        if column not in out.columns:
            out[column] = np.nan if column == S.MARGIN_OVERRIDE else ""
    out[S.SERVICE] = out[S.SERVICE].astype(str).str.strip()
    for i in np.flatnonzero(out[S.SERVICE].duplicated().to_numpy()):
        name = out[S.SERVICE].iloc[i]
        first = int(np.flatnonzero((out[S.SERVICE] == name).to_numpy())[0])
        problems.append(SettingsError(
            f"service catalog: service {quoted(name)} is listed twice (first at catalog row {first + 1}); "
            "each service needs one row", field="catalog", key=(int(i), S.SERVICE), value=name,
            expected="a service name used once"))
    margin = setting_facts("margin_pct")  # a service's own margin has the default margin's range
    for column in (S.UNIT_COST, S.HOURS, S.MARGIN_OVERRIDE):
        values, bad = _amounts(out[column], blank_ok=column in (S.MARGIN_OVERRIDE, S.UNIT_COST))
        expected = "a number of 0 or more"
        if column == S.MARGIN_OVERRIDE:
            with np.errstate(invalid="ignore"):
                bad |= values > margin.high  # type: ignore[operator]
            expected = margin.expectation()
        for i in np.flatnonzero(bad):
            problems.append(SettingsError(
                f"service catalog: {column} of {quoted(out[S.SERVICE].iloc[i])} is {quoted(out[column].iloc[i])}; "
                f"expected {expected}", field="catalog", key=(int(i), column), value=out[column].iloc[i],
                expected=expected))
        out[column] = values
    allocation = out[S.ALLOCATION].astype(str).str.strip().str.lower()
    for i in np.flatnonzero((~allocation.isin(Allocation.ALL)).to_numpy()):
        problems.append(SettingsError(
            f"service catalog: Allocation of {quoted(out[S.SERVICE].iloc[i])} is {quoted(out[S.ALLOCATION].iloc[i])}; "
            "expected " + " or ".join(Allocation.ALL), field="catalog", key=(int(i), S.ALLOCATION),
            value=out[S.ALLOCATION].iloc[i], expected=" or ".join(Allocation.ALL)))
    if settings is not None:
        problems.extend(_derive_blank_unit_costs(out, settings))
    if problems:
        raise SettingsError.combine(problems)
    out[S.ALLOCATION] = allocation
    return out


def _derive_blank_unit_costs(catalog: pd.DataFrame, settings: Settings) -> list[SettingsError]:
    """Fill each blank Unit Cost with hours x the owner role's loaded hourly rate; a role without one is an error."""
    problems = []
    for i in np.flatnonzero(catalog[S.UNIT_COST].isna().to_numpy()):
        role = str(catalog[S.OWNER_ROLE].iloc[i]).strip()
        cost = derived_unit_cost(settings, role, catalog[S.HOURS].iloc[i])
        if role not in settings.productive_hours or role not in settings.loaded_cost:
            expected = "a unit cost, or an owner role of the Roles table: " + ", ".join(settings.roles())
            problems.append(SettingsError(
                f"service catalog: Unit Cost of {quoted(catalog[S.SERVICE].iloc[i])} is blank and its owner role "
                f"{quoted(role)} has no loaded rate; expected {expected}", field="catalog", key=(int(i), S.UNIT_COST),
                value=catalog[S.UNIT_COST].iloc[i], expected=expected))
            continue
        catalog.iloc[i, catalog.columns.get_loc(S.UNIT_COST)] = cost
    return problems


def validate_matrix(matrix: pd.DataFrame, catalog: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Intervals aligned to the catalog's services and the settings' tiers.

    A service missing from the matrix is not delivered (all zeros) and a
    matrix row whose service the catalog lacks is priced nowhere: both are
    data problems (:func:`tierbook.engine.checks.service_problems`), reported,
    not fatal. Names match as :func:`service_key` says. A tier missing from
    the matrix or a value that is not a number of 0 or more is an error
    (``field="matrix"``, ``key`` = (row position, tier)), every one of them
    reported.
    """
    columns = {str(c).strip().casefold(): c for c in matrix.columns}
    absent = [t for t in settings.tier_names if t.strip().casefold() not in columns]
    if absent:
        raise SettingsError(
            "service matrix: no column for tier " + ", ".join(repr(a) for a in absent)
            + "; its columns are " + ", ".join(map(repr, map(str, matrix.columns))),
            field="matrix", value=absent, expected="one interval column per tier")
    index = pd.Index([str(i).strip() for i in matrix.index])
    problems: list[SettingsError] = []
    out = pd.DataFrame(index=pd.Index(catalog[S.SERVICE], name=S.SERVICE))
    keys = pd.Index([service_key(s) for s in index])
    catalog_keys = pd.Index([service_key(s) for s in catalog[S.SERVICE]])
    for tier in settings.tier_names:
        raw = pd.Series(matrix[columns[tier.strip().casefold()]].to_numpy(), index=index)
        numbers, bad = _amounts(raw, blank_ok=True)
        for i in np.flatnonzero(bad):
            problems.append(SettingsError(
                f"service matrix: interval of {quoted(index[i])} for {tier!r} is {quoted(raw.iloc[i])}; "
                "expected times a year, 0 or more", field="matrix", key=(int(i), tier), value=raw.iloc[i],
                expected="times a year, 0 or more"))
        if not problems:
            values = pd.Series(numbers, index=keys)
            values = values[~values.index.duplicated(keep="first")]
            out[tier] = values.reindex(catalog_keys).fillna(0.0).astype(float).to_numpy()
    if problems:
        raise SettingsError.combine(problems)
    return out


def _amounts(column: pd.Series, blank_ok: bool) -> tuple[np.ndarray, np.ndarray]:
    """A column of costs, hours or intervals by the engine's reading of numbers, and where it is not 0 or more.

    A value that reads two ways ("1,500") is refused rather than guessed.
    """
    parsed = read_numbers(column.reset_index(drop=True))
    blank = np.isin(parsed.status, (BLANK, BLANK_TEXT))
    with np.errstate(invalid="ignore"):
        bad = (~np.isin(parsed.status, READ) & ~(blank & blank_ok)) | (parsed.status == AMBIGUOUS) | (parsed.values < 0)
    return parsed.values, bad


@dataclass(frozen=True)
class TierCosts:
    """Per tier: per-account and pooled annual cost and value (index = tier names)."""

    per_account_cost: pd.Series
    pooled_cost: pd.Series
    per_account_value: pd.Series
    pooled_value: pd.Series


def service_prices(catalog: pd.DataFrame, matrix: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Long table: one row per service and tier with interval, annual cost and assessed value.

    For a per-account service the annual cost is per account; for a pooled
    programme it is for the whole tier.
    """
    margin = catalog[S.MARGIN_OVERRIDE].where(catalog[S.MARGIN_OVERRIDE].notna(), settings.margin_pct)
    if settings.margin_method == "gross-margin" and (margin >= 1).any():
        i = int(np.flatnonzero((margin >= 1).to_numpy())[0])
        service = catalog[S.SERVICE].iloc[i]
        expected = "a gross margin below 100 % (at 100 % the value is cost / 0)"
        raise SettingsError(f"service catalog: margin of {service!r} is {margin.iloc[i]:.0%}; expected {expected}",
                            field="catalog", key=(i, S.MARGIN_OVERRIDE), value=margin.iloc[i], expected=expected)
    factor = margin.map(settings.margin_factor).to_numpy()
    frames = []
    for tier in settings.tier_names:
        interval = matrix[tier].to_numpy()
        cost = catalog[S.UNIT_COST].to_numpy() * interval
        frames.append(
            pd.DataFrame(
                {
                    P.SERVICE: catalog[S.SERVICE].to_numpy(),
                    P.TIER: tier,
                    P.ALLOCATION: catalog[S.ALLOCATION].to_numpy(),
                    P.OWNER_ROLE: catalog[S.OWNER_ROLE].to_numpy(),
                    P.INTERVAL: interval,
                    P.UNIT_COST: catalog[S.UNIT_COST].to_numpy(),
                    P.HOURS: catalog[S.HOURS].to_numpy(),
                    P.ANNUAL_COST: cost,
                    P.MARGIN_FACTOR: factor,
                    P.ASSESSED_VALUE: cost * factor,
                },
                columns=list(P.ALL),
            )
        )
    return pd.concat(frames, ignore_index=True)


def tier_costs(prices: pd.DataFrame, settings: Settings) -> TierCosts:
    """Sum the service prices by tier, per account and pooled."""
    pooled = prices[S.ALLOCATION] == Allocation.POOLED
    tiers = list(settings.tier_names)

    def total(mask: pd.Series, column: str) -> pd.Series:
        return prices[mask].groupby(P.TIER)[column].sum().reindex(tiers, fill_value=0.0).astype(float)

    return TierCosts(
        per_account_cost=total(~pooled, P.ANNUAL_COST),
        pooled_cost=total(pooled, P.ANNUAL_COST),
        per_account_value=total(~pooled, P.ASSESSED_VALUE),
        pooled_value=total(pooled, P.ASSESSED_VALUE),
    )


def cost_to_serve(codes: np.ndarray, arr: np.ndarray, costs: TierCosts, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Per account: annual cost to serve and that cost as a share of ARR.

    CTS = the tier's per-account services + the account's share of the tier's
    pooled programmes (equal shares, or in proportion to ARR). Needs data
    accounts receive no defined service: their CTS is NaN, as is CTS % ARR
    where ARR is not a number above 0.
    """
    k = len(settings.tier_names)
    tiered = codes >= 0
    safe = np.where(tiered, codes, 0)
    usable = np.isfinite(arr) & (arr > 0)
    counts = np.bincount(safe[tiered], minlength=k).astype(float)
    per_account = costs.per_account_cost.to_numpy()[safe]
    pooled = costs.pooled_cost.to_numpy()
    if settings.pooled_split == "arr":
        tier_arr = np.bincount(safe[tiered & usable], weights=arr[tiered & usable], minlength=k)
        share = np.where(usable, arr, 0.0) / np.where(tier_arr[safe] > 0, tier_arr[safe], np.nan)
        share = np.nan_to_num(share)
    else:
        share = 1.0 / np.where(counts[safe] > 0, counts[safe], np.nan)
    cts = np.where(tiered, per_account + pooled[safe] * share, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(usable & tiered, cts / np.where(usable, arr, 1.0), np.nan)
    return cts, pct


def tier_summary(codes: np.ndarray, arr: np.ndarray, costs: TierCosts, settings: Settings,
                 fte: pd.Series | None = None) -> pd.DataFrame:
    """Per tier (then Needs data, then Total): accounts, ARR, cost, value, margin, CTS % ARR, FTE."""
    k = len(settings.tier_names)
    slot = np.where(codes >= 0, codes, k)
    usable = np.isfinite(arr) & (arr > 0)
    accounts = np.bincount(slot, minlength=k + 1).astype(float)
    tier_arr = np.bincount(slot[usable], weights=arr[usable], minlength=k + 1)
    served = accounts[:k] > 0  # a pooled programme runs only for a tier that has accounts
    cost = np.append(costs.per_account_cost.to_numpy() * accounts[:k] + costs.pooled_cost.to_numpy() * served, 0.0)
    value = np.append(costs.per_account_value.to_numpy() * accounts[:k] + costs.pooled_value.to_numpy() * served, 0.0)
    names = list(settings.tier_names) + [NEEDS_DATA]
    table = pd.DataFrame({SummaryCol.TIER: names, SummaryCol.ACCOUNTS: accounts, SummaryCol.ARR: tier_arr,
                          SummaryCol.ANNUAL_COST: cost, SummaryCol.ASSESSED_VALUE: value})
    table.loc[len(table)] = ["Total", accounts.sum(), tier_arr.sum(), cost.sum(), value.sum()]
    n_total, arr_total = accounts.sum(), tier_arr.sum()
    table[SummaryCol.ACCOUNTS] = table[SummaryCol.ACCOUNTS].astype(np.int64)
    table.insert(2, SummaryCol.ACCOUNT_SHARE, table[SummaryCol.ACCOUNTS] / n_total if n_total else np.nan)
    table.insert(4, SummaryCol.ARR_SHARE, table[SummaryCol.ARR] / arr_total if arr_total else np.nan)
    table[SummaryCol.MARGIN] = table[SummaryCol.ASSESSED_VALUE] - table[SummaryCol.ANNUAL_COST]
    with np.errstate(divide="ignore", invalid="ignore"):
        table[SummaryCol.CTS_PCT_ARR] = np.where(table[SummaryCol.ARR] > 0, table[SummaryCol.ANNUAL_COST] / table[SummaryCol.ARR], np.nan)
    if fte is not None:
        per_tier = fte.reindex(settings.tier_names, fill_value=0.0).to_numpy()
        table[SummaryCol.FTE] = np.append(per_tier, [0.0, per_tier.sum()])
    else:
        table[SummaryCol.FTE] = np.nan
    return table[list(SummaryCol.ALL)]


def budget_check(summary: pd.DataFrame, settings: Settings) -> dict[str, object]:
    """Total annual cost against the CS budget: what is left (negative = over), and what it leaves out.

    Needs data accounts receive no defined service, so the annual cost does
    not price them; how many there are and how much ARR they hold is part of
    the verdict, so a budget is never called sufficient without saying so.
    """
    rows = summary.set_index(SummaryCol.TIER)
    total = float(rows.at["Total", SummaryCol.ANNUAL_COST])
    unpriced = int(rows.at[NEEDS_DATA, SummaryCol.ACCOUNTS])
    remaining = float(settings.cs_budget) - total
    return {
        "budget": float(settings.cs_budget),
        "annual_cost": total,
        "remaining": remaining,
        "used_share": total / settings.cs_budget if settings.cs_budget else float("nan"),
        "unpriced_accounts": unpriced,
        "unpriced_arr": float(rows.at[NEEDS_DATA, SummaryCol.ARR]),
        "verdict": budget_verdict(remaining),
        "status": budget_status(remaining, unpriced),
    }


def budget_verdict(remaining: float) -> str:
    """"within budget" (nothing over, a remainder of 0 included) or "OVER budget"."""
    return BudgetItem.WITHIN if remaining >= 0 else BudgetItem.OVER


def budget_status(remaining: float, unpriced_accounts: int) -> str:
    """The verdict, and how many unpriced accounts the cost leaves out."""
    return budget_verdict(remaining) + (f"{BudgetItem.LEFT_OUT}{unpriced_accounts}" if unpriced_accounts > 0 else "")
