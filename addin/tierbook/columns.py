"""The domain vocabulary: every column, tier word and table heading the engine speaks.

Each account column is declared once, with every fact about it (header,
kind, who owns it, how a sheet shows it, its width); the lists the engine and
the adapters use (required, numeric, category, output columns) are derived
from those declarations. Headings of the engine's tables (problems, prices,
summary, capacity, history, Pareto) are here too. Where things sit in a
workbook (sheets, table positions, buttons) is the workbook's business:
:mod:`tierbook.workbook.layout`.
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
    """Canonical account column headers (inputs first, then the columns Tierbook writes)."""

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
    OVERRIDE_BY = "Override By"
    OVERRIDE_SET_ON = "Override Set On"
    OVERRIDE_UNTIL = "Override Until"

    SEGMENT = "Segment"
    TIER = "Tier"
    TIER_REASON = "Tier Reason"
    PREVIOUS_TIER = "Previous Tier"
    COST_TO_SERVE = "Cost to Serve"
    CTS_PCT_ARR = "CTS % ARR"


# Kinds of value a column holds (how the engine reads it).
TEXT, CATEGORY, NUMBER, DATE = "text", "category", "number", "date"
# Who owns a column's cells.
CRM, USER, TIERBOOK = "crm", "user", "tierbook"
# How a sheet shows a column's values (the workbook maps each to a number format).
SHOW_TEXT, SHOW_WHOLE, SHOW_MONEY, SHOW_PERCENT, SHOW_DATE, SHOW_SCORE = (
    "text", "whole", "money", "percent", "date", "score")


@dataclass(frozen=True)
class Column:
    """One account column and every fact about it.

    Attributes:
        header: the canonical header (:class:`Col`).
        kind: how the engine reads it: text, category (spellings merged), number or date.
        owner: ``crm`` (comes with the export), ``user`` (the user's own, never
            rewritten) or ``tierbook`` (written by Tierbook on every run).
        required: the accounts cannot be tiered without the column.
        show: how a sheet shows the values (a number format, chosen by the workbook).
        width: the column's width in a sheet, in characters.
    """

    header: str
    kind: str
    owner: str
    required: bool = False
    show: str = SHOW_TEXT
    width: int = 14


ACCOUNT_COLUMNS: tuple[Column, ...] = (
    Column(Col.ACCOUNT_ID, TEXT, CRM, required=True),
    Column(Col.ACCOUNT_NAME, TEXT, CRM, required=True, width=30),
    Column(Col.ARR, NUMBER, CRM, required=True, show=SHOW_WHOLE),
    Column(Col.EMPLOYEES, NUMBER, CRM, show=SHOW_WHOLE),
    Column(Col.COMPANY_REVENUE, NUMBER, CRM, show=SHOW_WHOLE, width=18),
    Column(Col.INDUSTRY, CATEGORY, CRM, width=20),
    Column(Col.REGION, CATEGORY, CRM),
    Column(Col.PRODUCT, CATEGORY, CRM),
    Column(Col.NPS, NUMBER, CRM, show=SHOW_SCORE),
    Column(Col.USAGE_SCORE, NUMBER, CRM, show=SHOW_SCORE),
    Column(Col.EXPANSION_POTENTIAL, NUMBER, CRM, show=SHOW_SCORE, width=20),
    Column(Col.RENEWAL_DATE, DATE, CRM, show=SHOW_DATE),
    Column(Col.CSM, CATEGORY, CRM, width=18),
    Column(Col.TIER_OVERRIDE, TEXT, USER, width=16),
    Column(Col.OVERRIDE_REASON, TEXT, USER, width=26),
    Column(Col.OVERRIDE_BY, TEXT, USER, width=16),
    Column(Col.OVERRIDE_SET_ON, DATE, USER, show=SHOW_DATE, width=17),
    Column(Col.OVERRIDE_UNTIL, DATE, USER, show=SHOW_DATE, width=16),
    Column(Col.SEGMENT, TEXT, TIERBOOK, width=18),
    Column(Col.TIER, TEXT, TIERBOOK),
    Column(Col.TIER_REASON, TEXT, TIERBOOK, width=72),
    Column(Col.PREVIOUS_TIER, TEXT, TIERBOOK),
    Column(Col.COST_TO_SERVE, NUMBER, TIERBOOK, show=SHOW_MONEY),
    Column(Col.CTS_PCT_ARR, NUMBER, TIERBOOK, show=SHOW_PERCENT),
)
"""Every canonical account column, in the order a fresh Accounts table holds them."""

COLUMNS: dict[str, Column] = {c.header: c for c in ACCOUNT_COLUMNS}


def _headers(*, owners: tuple[str, ...] = (CRM, USER, TIERBOOK), kinds: tuple[str, ...] = (TEXT, CATEGORY, NUMBER, DATE),
             required: bool | None = None) -> tuple[str, ...]:
    return tuple(c.header for c in ACCOUNT_COLUMNS
                 if c.owner in owners and c.kind in kinds and (required is None or c.required == required))


REQUIRED_COLUMNS: tuple[str, ...] = _headers(required=True)
OPTIONAL_COLUMNS: tuple[str, ...] = _headers(owners=(CRM, USER), required=False)
INPUT_COLUMNS: tuple[str, ...] = _headers(owners=(CRM, USER))
NUMERIC_COLUMNS: tuple[str, ...] = _headers(owners=(CRM, USER), kinds=(NUMBER,))
CATEGORY_COLUMNS: tuple[str, ...] = _headers(kinds=(CATEGORY,))
TEXT_COLUMNS: tuple[str, ...] = _headers(owners=(CRM, USER), kinds=(TEXT, CATEGORY))
DATE_COLUMNS: tuple[str, ...] = _headers(owners=(CRM, USER), kinds=(DATE,))
USER_OWNED_COLUMNS: tuple[str, ...] = _headers(owners=(USER,))
OUTPUT_COLUMNS: tuple[str, ...] = _headers(owners=(TIERBOOK,))
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
    OVERRIDE_EXPIRED = "override expired"
    OVERRIDE_REVIEW = "override up for review"
    OVERRIDE_WITHOUT_REASON = "override without a reason"
    CATEGORY_SPELLING = "same category spelled differently"
    UNPARSEABLE_DATE = "not a date"
    OUT_OF_RANGE = "out of range"
    IMPLAUSIBLE_NUMBER = "implausible number"
    BLANK_AS_TEXT = "blank given as text"
    AMBIGUOUS_NUMBER = "ambiguous number"
    AMBIGUOUS_DATE = "ambiguous date"
    SEGMENT_UNKNOWN = "segment unknown"
    SEGMENT_UNMAPPED = "segment has no tier"
    MISSING_SCORE = "missing score criterion"
    SERVICE_NOT_IN_CATALOG = "Matrix service not in the catalog"
    SERVICE_NOT_IN_MATRIX = "catalog service not in the Matrix"
    # Findings about the policy itself (the rules, the segment map, the bands), checked before tiering.
    RULE_NO_COLUMN = "rule on a column that does not exist"
    RULE_TEXT_NUMBER = "rule compares text with a number"
    RULE_NEVER_MATCHES = "rule can never match"
    RULE_SHADOWED = "rule shadowed by an earlier rule"
    RULE_OVERLAP = "rules overlap; order decides"
    RULE_DEFAULT = "accounts fall through to the default tier"
    SEGMENT_NOT_MAPPED = "segment missing from the segment map"
    TIER_UNREACHED = "tier no account reaches"
    BAND_TIES = "ties push a band off its share"
    POLICY: tuple[str, ...] = (RULE_NO_COLUMN, RULE_TEXT_NUMBER, RULE_NEVER_MATCHES, RULE_SHADOWED, RULE_OVERLAP,
                               RULE_DEFAULT, SEGMENT_NOT_MAPPED, TIER_UNREACHED, BAND_TIES)


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


class CsmBookCol:
    """Columns of each named CSM's book: accounts, ARR and its share, accounts per tier; a Total row last."""

    CSM = "CSM"
    ACCOUNTS = "Accounts"
    ARR = "ARR"
    ARR_SHARE = "Share of ARR"
    TIER_MIX = "Accounts by Tier"
    ALL: tuple[str, ...] = (CSM, ACCOUNTS, ARR, ARR_SHARE, TIER_MIX)
    UNASSIGNED = "(unassigned)"
    """The book of the accounts with no CSM."""


class SegmentBookCol:
    """What the segment map shows of each segment the accounts fall in: its accounts and their ARR."""

    SEGMENT = "Segment"
    ACCOUNTS = "Accounts"
    ARR = "ARR"
    ALL: tuple[str, ...] = (SEGMENT, ACCOUNTS, ARR)


class ThresholdCol:
    """Columns of the ARR thresholds that replay an ARR-band cut."""

    TIER = "Tier"
    MIN_ARR = "Min ARR"
    MAX_ARR = "Max ARR"
    ACCOUNTS = "Accounts"
    ALL: tuple[str, ...] = (TIER, MIN_ARR, MAX_ARR, ACCOUNTS)


NEEDS_DATA = "Needs data"
UNKNOWN_SEGMENT = "Unknown"


class PriceCol:
    """Columns of the long prices table: one row per service and tier (the engine's service prices)."""

    SERVICE = ServiceCol.SERVICE
    TIER = "Tier"
    ALLOCATION = ServiceCol.ALLOCATION
    OWNER_ROLE = ServiceCol.OWNER_ROLE
    INTERVAL = "Interval"
    UNIT_COST = ServiceCol.UNIT_COST
    HOURS = ServiceCol.HOURS
    ANNUAL_COST = "Annual Cost"
    MARGIN_FACTOR = "Margin Factor"
    ASSESSED_VALUE = "Assessed Value"
    ALL: tuple[str, ...] = (SERVICE, TIER, ALLOCATION, OWNER_ROLE, INTERVAL, UNIT_COST, HOURS, ANNUAL_COST,
                            MARGIN_FACTOR, ASSESSED_VALUE)


TOTAL = "Total"

class BudgetItem:
    BUDGET = "CS Budget"
    ANNUAL_COST = "Annual Cost (priced accounts)"
    REMAINING = "Remaining"
    USED_SHARE = "Share of Budget Used"
    UNPRICED_ACCOUNTS = "Unpriced Accounts (Needs data)"
    UNPRICED_ARR = "Unpriced ARR (Needs data)"
    STATUS = "Status"
    ALL: tuple[str, ...] = (BUDGET, ANNUAL_COST, REMAINING, USED_SHARE, UNPRICED_ACCOUNTS, UNPRICED_ARR, STATUS)
    WITHIN = "within budget"
    OVER = "OVER budget"
    LEFT_OUT = "; unpriced accounts left out: "
    """Added to the status, with their count, when Needs data accounts are not in the annual cost."""

class ParetoCol:
    ACCOUNT_SHARE = "Share of Accounts"
    ARR_SHARE = "Cumulative Share of ARR"
    ALL: tuple[str, ...] = (ACCOUNT_SHARE, ARR_SHARE)

class CutoffCol:
    """Where each tier but the first starts on the Pareto curve (the accounts before it are the tiers above)."""

    TIER = "Tier Starts"
    ACCOUNT_SHARE = "Share of Accounts"
    ARR_SHARE = "Cumulative Share of ARR"
    ALL: tuple[str, ...] = (TIER, ACCOUNT_SHARE, ARR_SHARE)

PARETO_POINTS = 101
"""Points of the Pareto curve: 0 %, 1 %, ... 100 % of accounts."""

class HistoryCol:
    RUN = "Run"
    ACCOUNT_ID = "Account ID"
    ACCOUNT_NAME = "Account Name"
    OLD_TIER = "Old Tier"
    NEW_TIER = "New Tier"
    REASON = "Why"
    BY = "By"
    ALL: tuple[str, ...] = (RUN, ACCOUNT_ID, ACCOUNT_NAME, OLD_TIER, NEW_TIER, REASON, BY)


class RunItem:
    """Items of the last-run stamp: when Assign Tiers ran, on what, and what it found."""

    RUN_AT = "Last Assign Tiers run (UTC)"
    ACCOUNTS = "Accounts"
    POLICY = "Policy"
    PROBLEMS = "Data problems"
    CHANGES = "Tier changes"
    VERSION = "Tierbook version"
    ALL: tuple[str, ...] = (RUN_AT, ACCOUNTS, POLICY, PROBLEMS, CHANGES, VERSION)
