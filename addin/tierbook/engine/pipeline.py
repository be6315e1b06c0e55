"""One run of the whole job: check, segment, tier, price, plan.

Every front end (CLI, workbook, Excel scripts) calls :func:`run` and shows
parts of the :class:`Run` it returns; none of them computes a figure itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..columns import OUTPUT_COLUMNS, Col, ServiceCol
from .accounts import Accounts, prepare_accounts
from .capacity import capacity_plan, csm_books, csm_coverage, fte_by_tier, role_gaps
from .checks import check_accounts, service_problems, with_service_problems
from .segments import assign_segments
from .services import (
    TierCosts,
    budget_check,
    cost_to_serve,
    default_catalog,
    default_matrix,
    service_prices,
    tier_costs,
    tier_summary,
    validate_catalog,
    validate_matrix,
)
from .settings import Settings
from .tiers import TierResult, assign_tiers


@dataclass(frozen=True)
class Run:
    """Everything one run produced; each attribute is a plain DataFrame or Series."""

    accounts: Accounts
    settings: Settings
    problems: pd.DataFrame
    segments: pd.Series
    tiers: TierResult
    prices: pd.DataFrame
    costs: TierCosts
    cost_to_serve: np.ndarray
    cts_pct_arr: np.ndarray
    summary: pd.DataFrame
    capacity: pd.DataFrame
    roles: pd.DataFrame
    coverage: pd.DataFrame
    budget: dict[str, object]

    def outputs(self) -> pd.DataFrame:
        """The output columns per account: Segment, Tier, Tier Reason, Previous Tier, CTS, CTS % ARR."""
        return pd.DataFrame(
            {
                Col.SEGMENT: self.segments.to_numpy(),
                Col.TIER: self.tiers.tier.to_numpy(),
                Col.TIER_REASON: self.tiers.reason.to_numpy(),
                Col.PREVIOUS_TIER: self.accounts.previous_tier.to_numpy(),
                Col.COST_TO_SERVE: self.cost_to_serve,
                Col.CTS_PCT_ARR: self.cts_pct_arr,
            },
            index=self.accounts.raw.index,
        )[list(OUTPUT_COLUMNS)]

    def annotated(self, columns: tuple[str, ...] = OUTPUT_COLUMNS) -> pd.DataFrame:
        """The input table, every column in input order, with the output columns.

        An output column the input already had (a previous run's Tier, say) is
        rewritten where it stands; the others are appended in canonical order.
        """
        table = self.accounts.raw.copy()
        outputs = self.outputs()
        for column in columns:
            header = self.accounts.source.get(column, column)
            table[header] = outputs[column].to_numpy()
        return table

    def csm_books(self) -> pd.DataFrame:
        """Accounts and ARR of each named CSM today."""
        return csm_books(self.accounts.frame[Col.CSM], self.tiers.tier, self.accounts.numbers[Col.ARR].values)


def run(
    raw: pd.DataFrame,
    settings: Settings | None = None,
    catalog: pd.DataFrame | None = None,
    matrix: pd.DataFrame | None = None,
    first_row: int = 2,
    catalog_rows: list[int] | None = None,
    matrix_rows: list[int] | None = None,
) -> Run:
    """Run the whole job on a raw account table.

    Args:
        raw: accounts as exported from a CRM (any extra columns ride along).
        settings: policy and parameters (defaults: :class:`Settings`).
        catalog / matrix: services and intervals (defaults: the built-in ones).
        first_row: spreadsheet row number of the first data row.
        catalog_rows / matrix_rows: spreadsheet rows of the catalog's and the matrix's services, so that a
            service the two do not share is reported where it sits.
    """
    settings = settings or Settings()
    catalog = validate_catalog(default_catalog(settings) if catalog is None else catalog, settings)
    matrix = default_matrix(settings.tier_names) if matrix is None else matrix
    gaps = service_problems(list(catalog[ServiceCol.SERVICE]), [str(s) for s in matrix.index], catalog_rows, matrix_rows)
    matrix = validate_matrix(matrix, catalog, settings)
    accounts = prepare_accounts(raw, first_row=first_row, decimal=settings.decimal_mark)
    segments = assign_segments(accounts, settings)
    problems = with_service_problems(check_accounts(accounts, settings, segments), gaps)
    tiers = assign_tiers(accounts, segments, settings)
    return price(accounts, settings, catalog, matrix, problems, segments, tiers)


def price(accounts: Accounts, settings: Settings, catalog: pd.DataFrame, matrix: pd.DataFrame,
          problems: pd.DataFrame, segments: pd.Series, tiers: TierResult) -> Run:
    """Cost, value and capacity for tiered accounts (the second half of :func:`run`)."""
    arr = accounts.numbers[Col.ARR].values
    prices = service_prices(catalog, matrix, settings)
    costs = tier_costs(prices, settings)
    cts, pct = cost_to_serve(tiers.code, arr, costs, settings)
    k = len(settings.tier_names)
    counts = np.bincount(tiers.code[tiers.code >= 0], minlength=k)
    usable = np.isfinite(arr) & (arr > 0) & (tiers.code >= 0)
    arr_by_tier = np.bincount(tiers.code[usable], weights=arr[usable], minlength=k)
    tier_accounts = pd.Series(counts, index=list(settings.tier_names))
    plan = capacity_plan(prices, tier_accounts, settings)
    summary = tier_summary(tiers.code, arr, costs, settings, fte=fte_by_tier(plan))
    return Run(
        accounts=accounts,
        settings=settings,
        problems=problems,
        segments=segments,
        tiers=tiers,
        prices=prices,
        costs=costs,
        cost_to_serve=cts,
        cts_pct_arr=pct,
        summary=summary,
        capacity=plan,
        roles=role_gaps(plan, settings),
        coverage=csm_coverage(plan, tier_accounts, pd.Series(arr_by_tier, index=list(settings.tier_names)), settings),
        budget=budget_check(summary, settings),
    )
