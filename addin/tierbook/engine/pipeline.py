"""One run of the whole job: check, segment, tier, price, plan.

Every front end (CLI, workbook, Excel scripts) calls :func:`run` and shows
parts of the :class:`Run` it returns; none of them computes a figure itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..columns import OUTPUT_COLUMNS, Col, RunItem, ServiceCol
from .progress import report
from .accounts import Accounts, prepare_accounts
from .capacity import capacity_plan, csm_book_table, csm_books, csm_coverage, fte_by_tier, role_gaps
from .checks import check_accounts, service_problems, usable_arr, with_service_problems
from .rule_checks import check_policy
from .segments import assign_segments, found_segments
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
from .tiers import TierResult, assign_tiers, tier_codes


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

    def arr_used(self) -> np.ndarray:
        """The ARR the engine counted per account: a number above 0, else NaN (what the totals sum)."""
        arr = self.accounts.numbers[Col.ARR].values
        return np.where(usable_arr(self.accounts), arr, np.nan)

    def csm_books(self) -> pd.DataFrame:
        """Accounts and ARR of each named CSM today."""
        return csm_books(self.accounts.frame[Col.CSM], self.tiers.tier, self.arr_used())

    def csm_book_table(self) -> pd.DataFrame:
        """The CSM books as the Capacity sheet shows them, with their Total."""
        return csm_book_table(self.csm_books(), self.settings.tier_names)

    def found_segments(self) -> pd.DataFrame:
        """Every segment the accounts fall in, with its accounts and ARR (what the segment map lists)."""
        return found_segments(self.segments, self.arr_used())


def run(
    raw: pd.DataFrame,
    settings: Settings | None = None,
    catalog: pd.DataFrame | None = None,
    matrix: pd.DataFrame | None = None,
    first_row: int = 2,
    catalog_rows: list[int] | None = None,
    matrix_rows: list[int] | None = None,
    today: dt.date | None = None,
) -> Run:
    """Run the whole job on a raw account table.

    Args:
        raw: accounts as exported from a CRM (any extra columns ride along).
        settings: policy and parameters (defaults: :class:`Settings`).
        catalog / matrix: services and intervals (defaults: the built-in ones).
        first_row: spreadsheet row number of the first data row.
        catalog_rows / matrix_rows: spreadsheet rows of the catalog's and the matrix's services, so that a
            service the two do not share is reported where it sits.
        today: the day of the run, which decides whether an override has expired or is up for review (the
            front end reads the clock; None: no override expires).
    """
    settings = settings or Settings()
    catalog = validate_catalog(default_catalog(settings) if catalog is None else catalog, settings)
    matrix = default_matrix(settings.tier_names) if matrix is None else matrix
    gaps = service_gaps(catalog, matrix, catalog_rows, matrix_rows)
    matrix = validate_matrix(matrix, catalog, settings)
    n = f"{len(raw):,} accounts"
    report(f"Reading {n}")
    accounts = prepare_accounts(raw, first_row=first_row, decimal=settings.decimal_mark)
    report(f"Segmenting {n}")
    segments = assign_segments(accounts, settings)
    report(f"Tiering {n}")
    tiers = assign_tiers(accounts, segments, settings, today)
    report(f"Checking the data of {n}")
    problems = with_findings(check_policy(accounts, segments, settings, tiers),
                             with_service_problems(check_accounts(accounts, settings, segments,
                                                                  overrides=tiers.overrides), gaps))
    report(f"Pricing and planning {n}")
    return price(accounts, settings, catalog, matrix, problems, segments, tiers)


def with_findings(findings: pd.DataFrame, problems: pd.DataFrame) -> pd.DataFrame:
    """The policy's findings first (they concern every account), then the data problems in row order."""
    if findings.empty:
        return problems
    return findings if problems.empty else pd.concat([findings, problems], ignore_index=True)


def service_gaps(catalog: pd.DataFrame, matrix: pd.DataFrame, catalog_rows: list[int] | None = None,
                 matrix_rows: list[int] | None = None) -> pd.DataFrame:
    """The services ``catalog`` and ``matrix`` (indexed by service) do not share, as data problems."""
    return service_problems([str(s) for s in catalog[ServiceCol.SERVICE]], [str(s) for s in matrix.index],
                            catalog_rows, matrix_rows)


def check(accounts: Accounts, settings: Settings, catalog: pd.DataFrame | None = None,
          matrix: pd.DataFrame | None = None, catalog_rows: list[int] | None = None,
          matrix_rows: list[int] | None = None, today: dt.date | None = None) -> pd.DataFrame:
    """The problem table of :func:`run` without pricing: data problems and the policy's findings.

    With ``catalog`` and ``matrix``, the services they do not share are listed
    too (after the accounts' problems), as :func:`run` lists them.
    """
    segments = assign_segments(accounts, settings)
    tiers = assign_tiers(accounts, segments, settings, today)
    problems = check_accounts(accounts, settings, segments, overrides=tiers.overrides)
    if catalog is not None and matrix is not None:
        problems = with_service_problems(problems, service_gaps(catalog, matrix, catalog_rows, matrix_rows))
    return with_findings(check_policy(accounts, segments, settings, tiers), problems)


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


def price_standing(raw: pd.DataFrame, settings: Settings, catalog: pd.DataFrame, matrix: pd.DataFrame,
                   tiers: np.ndarray, reasons: np.ndarray, segments: np.ndarray, first_row: int = 2,
                   catalog_rows: list[int] | None = None, matrix_rows: list[int] | None = None,
                   today: dt.date | None = None) -> Run | None:
    """Price the tiers as they stand, without tiering again; None when some account has no tier to price.

    After a setting changes, this is what a book's formulas compute: the same
    tiers, priced under the new settings. A blank tier, or a tier name the
    settings no longer know, has no price: only a new run can say.

    Args:
        raw: the accounts.
        tiers / reasons / segments: each account's Tier, Tier Reason and Segment as they stand.
        catalog_rows / matrix_rows / today: as for :func:`run` (``today``: which overrides Data Quality lists
            as expired or up for review).
    """
    codes = tier_codes(tiers, settings.tier_names)
    if codes is None:
        return None
    catalog = validate_catalog(catalog, settings)
    gaps = service_gaps(catalog, matrix, catalog_rows, matrix_rows)
    matrix = validate_matrix(matrix, catalog, settings)
    accounts = prepare_accounts(raw, first_row=first_row, decimal=settings.decimal_mark)
    index = accounts.frame.index
    reason = pd.Series(reasons, index=index, dtype=object)
    standing = TierResult(code=codes, policy_code=codes, thresholds=None, tier_names=settings.tier_names,
                          explain=lambda: reason)
    return price(accounts, settings, catalog, matrix,
                 with_service_problems(check_accounts(accounts, settings, today=today), gaps),
                 pd.Series(segments, index=index, dtype=object), standing)


def run_stamp(result: Run, stamp: str, changes: int, version: str) -> dict[str, object]:
    """The last-run stamp, by :class:`~tierbook.columns.RunItem`: when, accounts, policy, problems, changes, and
    the ``version`` of Tierbook that ran (the front end knows it; the engine reads no package metadata)."""
    return {RunItem.RUN_AT: stamp, RunItem.ACCOUNTS: len(result.accounts), RunItem.POLICY: result.settings.policy,
            RunItem.PROBLEMS: len(result.problems), RunItem.CHANGES: changes, RunItem.VERSION: version}
