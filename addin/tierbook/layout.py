"""Every name a user sees: sheets, tables and columns.

This is the single place that spells a header. The engine, the workbook
adapter, the Excel scripts and the CLI all refer to columns through these
constants, so renaming a column is a one-line change and no module guesses a
spelling of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def header_key(header: object) -> str:
    """Return the matching key of a header: case-, space- and underscore-blind.

    CRM exports spell the same column "Account ID", "account_id" or
    " ACCOUNT  ID "; all of them must find the canonical column.
    """
    return re.sub(r"[\s_]+", "", str(header)).casefold()


class Col:
    """Canonical account columns (inputs first, then the columns Tierbook writes)."""

    ACCOUNT_ID = "Account ID"
    ACCOUNT_NAME = "Account Name"
    ARR = "ARR"
    EMPLOYEES = "Employees"
    COMPANY_REVENUE = "Company Revenue"
    INDUSTRY = "Industry"
    REGION = "Region"
    PRODUCT = "Product"
    NPS = "NPS"
    USAGE_SCORE = "Usage Score"
    EXPANSION_POTENTIAL = "Expansion Potential"
    RENEWAL_DATE = "Renewal Date"
    CSM = "CSM"
    TIER_OVERRIDE = "Tier Override"
    OVERRIDE_REASON = "Override Reason"

    SEGMENT = "Segment"
    TIER = "Tier"
    TIER_REASON = "Tier Reason"
    PREVIOUS_TIER = "Previous Tier"
    COST_TO_SERVE = "Cost to Serve"
    CTS_PCT_ARR = "CTS % ARR"


REQUIRED_COLUMNS: tuple[str, ...] = (Col.ACCOUNT_ID, Col.ACCOUNT_NAME, Col.ARR)
OPTIONAL_COLUMNS: tuple[str, ...] = (
    Col.EMPLOYEES,
    Col.COMPANY_REVENUE,
    Col.INDUSTRY,
    Col.REGION,
    Col.PRODUCT,
    Col.NPS,
    Col.USAGE_SCORE,
    Col.EXPANSION_POTENTIAL,
    Col.RENEWAL_DATE,
    Col.CSM,
    Col.TIER_OVERRIDE,
    Col.OVERRIDE_REASON,
)
INPUT_COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
NUMERIC_COLUMNS: tuple[str, ...] = (
    Col.ARR,
    Col.EMPLOYEES,
    Col.COMPANY_REVENUE,
    Col.NPS,
    Col.USAGE_SCORE,
    Col.EXPANSION_POTENTIAL,
)
CATEGORY_COLUMNS: tuple[str, ...] = (Col.INDUSTRY, Col.REGION, Col.PRODUCT, Col.CSM)
TEXT_COLUMNS: tuple[str, ...] = (
    Col.ACCOUNT_ID,
    Col.ACCOUNT_NAME,
    *CATEGORY_COLUMNS,
    Col.TIER_OVERRIDE,
    Col.OVERRIDE_REASON,
)
USER_OWNED_COLUMNS: tuple[str, ...] = (Col.TIER_OVERRIDE, Col.OVERRIDE_REASON)
OUTPUT_COLUMNS: tuple[str, ...] = (
    Col.SEGMENT,
    Col.TIER,
    Col.TIER_REASON,
    Col.PREVIOUS_TIER,
    Col.COST_TO_SERVE,
    Col.CTS_PCT_ARR,
)
CANONICAL_KEYS: dict[str, str] = {header_key(c): c for c in INPUT_COLUMNS + OUTPUT_COLUMNS}


class ProblemCol:
    """Columns of the data-quality table."""

    ROW = "Row"
    ACCOUNT_ID = "Account ID"
    COLUMN = "Column"
    VALUE = "Value"
    PROBLEM = "Problem"
    SEVERITY = "Severity"
    DETAIL = "Detail"
    ALL: tuple[str, ...] = (ROW, ACCOUNT_ID, COLUMN, VALUE, PROBLEM, SEVERITY, DETAIL)


class Severity:
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Problem:
    """The kinds of data problem, worded as a CS-ops user reads them."""

    MISSING_REQUIRED = "missing required value"
    DUPLICATE_ID = "duplicate Account ID"
    NON_POSITIVE_ARR = "zero or negative ARR"
    UNPARSEABLE_NUMBER = "not a number"
    NUMBER_FROM_TEXT = "number read from text"
    UNKNOWN_OVERRIDE = "override names no tier"
    OVERRIDE_WITHOUT_REASON = "override without a reason"
    CATEGORY_SPELLING = "same category spelled differently"
    UNPARSEABLE_DATE = "not a date"
    OUT_OF_RANGE = "out of range"


class ServiceCol:
    """Columns of the service catalog."""

    SERVICE = "Service"
    DEFINITION = "Definition"
    DELIVERY = "Delivery"
    OWNER_ROLE = "Owner Role"
    UNIT_COST = "Unit Cost"
    HOURS = "Hours per Occurrence"
    ALLOCATION = "Allocation"
    MARGIN_OVERRIDE = "Margin Override"
    ALL: tuple[str, ...] = (
        SERVICE,
        DEFINITION,
        DELIVERY,
        OWNER_ROLE,
        UNIT_COST,
        HOURS,
        ALLOCATION,
        MARGIN_OVERRIDE,
    )


class Delivery:
    HUMAN = "human"
    AUTOMATED = "automated"
    LEADERSHIP = "leadership"
    ALL: tuple[str, ...] = (HUMAN, AUTOMATED, LEADERSHIP)


class Allocation:
    PER_ACCOUNT = "per account"
    POOLED = "pooled"
    ALL: tuple[str, ...] = (PER_ACCOUNT, POOLED)


class SummaryCol:
    """Columns of the per-tier summary."""

    TIER = "Tier"
    ACCOUNTS = "Accounts"
    ACCOUNT_SHARE = "Share of Accounts"
    ARR = "ARR"
    ARR_SHARE = "Share of ARR"
    ANNUAL_COST = "Annual Cost"
    ASSESSED_VALUE = "Assessed Value"
    MARGIN = "Margin"
    CTS_PCT_ARR = "CTS % ARR"
    FTE = "FTE"
    ALL: tuple[str, ...] = (
        TIER,
        ACCOUNTS,
        ACCOUNT_SHARE,
        ARR,
        ARR_SHARE,
        ANNUAL_COST,
        ASSESSED_VALUE,
        MARGIN,
        CTS_PCT_ARR,
        FTE,
    )


class CapacityCol:
    """Columns of the capacity plan."""

    TIER = "Tier"
    ROLE = "Role"
    ACCOUNTS = "Accounts"
    HOURS = "Hours"
    PRODUCTIVE_HOURS = "Productive Hours per FTE"
    FTE = "FTE"
    LOADED_COST = "Loaded Cost"
    HEADCOUNT = "Headcount"
    GAP = "Gap (FTE)"
    ALL_PLAN: tuple[str, ...] = (TIER, ROLE, ACCOUNTS, HOURS, PRODUCTIVE_HOURS, FTE, LOADED_COST)
    ALL_ROLES: tuple[str, ...] = (ROLE, HOURS, FTE, HEADCOUNT, GAP, LOADED_COST)


class CoverageCol:
    """Columns of the per-tier CSM coverage check."""

    TIER = "Tier"
    ACCOUNTS = "Accounts"
    ARR = "ARR"
    CSM_FTE = "CSM FTE"
    ACCOUNTS_PER_CSM = "Accounts per CSM"
    ARR_PER_CSM = "ARR per CSM"
    RANGE = "Sanity Range"
    STATUS = "Status"
    ALL: tuple[str, ...] = (TIER, ACCOUNTS, ARR, CSM_FTE, ACCOUNTS_PER_CSM, ARR_PER_CSM, RANGE, STATUS)


class ThresholdCol:
    """Columns of the ARR thresholds that replay an ARR-band cut."""

    TIER = "Tier"
    MIN_ARR = "Min ARR"
    MAX_ARR = "Max ARR"
    ACCOUNTS = "Accounts"
    ALL: tuple[str, ...] = (TIER, MIN_ARR, MAX_ARR, ACCOUNTS)


NEEDS_DATA = "Needs data"
UNKNOWN_SEGMENT = "Unknown"
