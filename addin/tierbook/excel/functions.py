"""Tierbook's custom functions for Excel (xlwings Lite, and desktop xlwings on Windows).

Each is a thin wrapper: argument help for Excel's function dialog, then a call
to the pure function in :mod:`tierbook.cellfunctions`. A bad argument shows as a
one-line message in the cell instead of a stack trace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from xlwings import arg, func

from .. import cellfunctions as pure
from ..errors import TierbookError

T = TypeVar("T")
ERROR_PREFIX = "Tierbook: "


def _in_cell(call: Callable[[], T]) -> T | str:
    """The result, or the error as text the cell can show."""
    try:
        return call()
    except TierbookError as exc:
        return ERROR_PREFIX + str(exc)


@func
@arg("size", doc="Company size of the account: employees (or company revenue, with a matching threshold).")
@arg("arr", doc="Annual recurring revenue of the account's contract.")
@arg("size_threshold", doc="Size at or above which the company counts as large. Default 1,000.")
@arg("arr_threshold", doc="ARR at or above which the contract counts as large. Default 100,000.")
@arg("names", doc='Four segment names: large/large, small company/large contract, large company/small contract, small/small. Default "Enterprise,Major,Large Opportunity,SMB".')
def tb_segment(size=None, arr=None, size_threshold=1_000, arr_threshold=100_000, names=None):
    """Segment of an account from company size and contract value (the 2-D model)."""
    return _in_cell(lambda: pure.segment(size, arr, size_threshold, arr_threshold, names))


@func
@arg("arr", ndim=2, doc="The whole ARR column, one account per row (blank or non-numbers become Needs data).")
@arg("policy", doc='"arr-accounts" (share of accounts ranked above) or "arr-share" (share of ARR held above). Default arr-accounts.')
@arg("bands", doc='Shares for every tier but the last, e.g. "0.15,0.40". Default 0.15,0.40 (arr-accounts) or 0.50,0.35 (arr-share).')
@arg("tier_names", doc='Tier names, most engaged first. Default "High-touch,Mid-touch,Tech-touch".')
def tb_tiers(arr, policy="arr-accounts", bands=None, tier_names=None):
    """Tiers of a whole ARR column as one spilled column; equal ARR always gets an equal tier."""
    result = _in_cell(lambda: pure.tiers_for_arr(arr, policy, bands, tier_names))
    return [[result]] if isinstance(result, str) else result


@func
@arg("unit_cost", doc="Cost of one occurrence of the service.")
@arg("interval", doc="Times a year the tier receives the service (0 = never).")
def tb_annual_cost(unit_cost, interval):
    """Annual cost of a service: unit cost x interval."""
    return _in_cell(lambda: pure.annual_cost(unit_cost, interval))


@func
@arg("cost", doc="Annual cost of the service.")
@arg("margin", doc="Margin as a share, e.g. 0.3. Default 0.3.")
@arg("method", doc='"markup": cost x (1 + margin); "gross-margin": cost / (1 - margin). Default markup.')
def tb_assessed_value(cost, margin=0.30, method="markup"):
    """Assessed value of a service: its annual cost with margin."""
    return _in_cell(lambda: pure.assessed_value(cost, margin, method))


@func
@arg("tier", doc="Tier name, as in the matrix header.")
@arg("catalog", ndim=2, doc="Service catalog with its header row: Service, Unit Cost, Hours per Occurrence, Allocation, Owner Role (Margin Override optional).")
@arg("matrix", ndim=2, doc="Tier x service matrix with its header row: Service, then one column of intervals per tier.")
@arg("accounts", doc="Accounts in the tier, to share out pooled programmes. Default 1.")
@arg("margin", doc="Optional margin; when given, returns the assessed value instead of the cost.")
@arg("method", doc='"markup" or "gross-margin" (with margin). Default markup.')
def tb_cost_to_serve(tier, catalog, matrix, accounts=1, margin=None, method="markup"):
    """Annual cost to serve one account of a tier, pooled programmes shared over its accounts."""
    return _in_cell(lambda: pure.tier_cost_to_serve(tier, catalog, matrix, accounts, margin, method))
