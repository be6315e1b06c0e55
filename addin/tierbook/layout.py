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
    IMPLAUSIBLE_NUMBER = "implausible number"
    BLANK_AS_TEXT = "blank given as text"
    AMBIGUOUS_NUMBER = "ambiguous number"
    AMBIGUOUS_DATE = "ambiguous date"
    SEGMENT_UNKNOWN = "segment unknown"
    SEGMENT_UNMAPPED = "segment has no tier"
    MISSING_SCORE = "missing score criterion"


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


# ============================================================== the workbook
# Sheets, tables and the columns of the tables that only the workbook has.
# Positions are 1-based (row 1 is the first row, column 1 is column A); the
# workbook adapter turns them into addresses, no other module spells one.

ARR_USED = "ARR Used"
"""The ARR the engine counted (blank when unusable): the workbook's formulas sum this column."""

WORKBOOK_OUTPUT_COLUMNS: tuple[str, ...] = (
    Col.SEGMENT,
    Col.TIER,
    Col.TIER_REASON,
    Col.PREVIOUS_TIER,
    ARR_USED,
    Col.COST_TO_SERVE,
    Col.CTS_PCT_ARR,
)
"""The Accounts columns Assign Tiers owns (the engine's outputs plus ARR Used)."""


class Sheet:
    """Sheet names, in the workbook's order."""

    START = "Start"
    SETTINGS = "Settings"
    ACCOUNTS = "Accounts"
    SEGMENTS = "Segments"
    RULES = "Tier Rules"
    SERVICES = "Services"
    MATRIX = "Matrix"
    SUMMARY = "Summary"
    CAPACITY = "Capacity"
    DATA_QUALITY = "Data Quality"
    HISTORY = "Tier History"
    ORDER: tuple[str, ...] = (START, SETTINGS, ACCOUNTS, SEGMENTS, RULES, SERVICES, MATRIX, SUMMARY,
                              CAPACITY, DATA_QUALITY, HISTORY)


class SettingCol:
    """The key/value table of the Settings sheet."""

    KEY = "Key"
    VALUE = "Value"
    MEANING = "Meaning"
    ALL: tuple[str, ...] = (KEY, VALUE, MEANING)


class TierCol:
    """One row per tier, most engaged first (Settings sheet)."""

    TIER = "Tier"
    ACCOUNT_SHARE = "Share of Accounts"
    ARR_SHARE = "Share of ARR"
    SCORE_CUTOFF = "Score Cut-off"
    COVERAGE_LOW = "Accounts per CSM (low)"
    COVERAGE_HIGH = "Accounts per CSM (high)"
    ALL: tuple[str, ...] = (TIER, ACCOUNT_SHARE, ARR_SHARE, SCORE_CUTOFF, COVERAGE_LOW, COVERAGE_HIGH)


class CrmFieldCol:
    """The CRM field names the last import used (Settings sheet): written by import, read by export."""

    ITEM = "Item"
    FIELD = "CRM Field"
    ALL: tuple[str, ...] = (ITEM, FIELD)


class RoleCol:
    """One row per CS role (Settings sheet)."""

    ROLE = "Role"
    PRODUCTIVE_HOURS = "Productive Hours per FTE"
    LOADED_COST = "Loaded Cost per FTE"
    HEADCOUNT = "Headcount"
    ALL: tuple[str, ...] = (ROLE, PRODUCTIVE_HOURS, LOADED_COST, HEADCOUNT)


class ScoreCol:
    """Criteria of the weighted-score policy (Settings sheet)."""

    CRITERION = "Criterion"
    WEIGHT = "Weight"
    ALL: tuple[str, ...] = (CRITERION, WEIGHT)


class SegmentGridCol:
    """The 2-D segment names: company size x contract value (Segments sheet)."""

    SIZE = "Company Size"
    CONTRACT = "Contract Value"
    SEGMENT = "Segment"
    ALL: tuple[str, ...] = (SIZE, CONTRACT, SEGMENT)
    LARGE = "large"
    SMALL = "small"


class SegmentMapCol:
    """Segment -> tier map with playbook notes (Segments sheet)."""

    SEGMENT = "Segment"
    TIER = "Tier"
    PLAYBOOK = "Playbook"
    KPIS = "KPIs"
    ALL: tuple[str, ...] = (SEGMENT, TIER, PLAYBOOK, KPIS)


class RuleCol:
    """Ordered rules of the rules policy (Tier Rules sheet): first match wins."""

    COLUMN = "Column"
    OPERATOR = "Operator"
    VALUE = "Value"
    TIER = "Tier"
    NOTE = "Note"
    ALL: tuple[str, ...] = (COLUMN, OPERATOR, VALUE, TIER, NOTE)


MARGIN_FACTOR = "Margin Factor"
"""Computed column of the Services table: assessed value / cost of the service."""


class MatrixCol:
    """The Matrix table: Service, one interval column per tier (headers = tier names), then computed columns."""

    SERVICE = ServiceCol.SERVICE
    ALLOCATION = ServiceCol.ALLOCATION
    UNIT_COST = ServiceCol.UNIT_COST
    MARGIN_FACTOR = MARGIN_FACTOR

    @staticmethod
    def annual_cost(tier: str) -> str:
        return f"Annual Cost: {tier}"

    @staticmethod
    def assessed_value(tier: str) -> str:
        return f"Assessed Value: {tier}"


class TierCostCol:
    """Helper columns of the Summary table that the per-account formulas look up."""

    PER_ACCOUNT_COST = "Per-Account Services Cost"
    POOLED_COST = "Pooled Programmes Cost"
    PER_ACCOUNT_VALUE = "Per-Account Services Value"
    POOLED_VALUE = "Pooled Programmes Value"
    POOLED_BASIS = "Pooled Split Basis"
    ALL: tuple[str, ...] = (PER_ACCOUNT_COST, POOLED_COST, PER_ACCOUNT_VALUE, POOLED_VALUE, POOLED_BASIS)


TOTAL = "Total"


class ItemCol:
    """Two-column item/value tables (budget check, policy in force, last run)."""

    ITEM = "Item"
    VALUE = "Value"
    ALL: tuple[str, ...] = (ITEM, VALUE)


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


class InForceItem:
    MARGIN_METHOD = "Margin Convention"
    MARGIN_PCT = "Default Margin"
    POOLED_SPLIT = "Pooled Programmes Split"
    CURRENCY = "Currency"
    POLICY = "Tiering Policy"
    ALL: tuple[str, ...] = (POLICY, MARGIN_METHOD, MARGIN_PCT, POOLED_SPLIT, CURRENCY)


class ParetoCol:
    ACCOUNT_SHARE = "Share of Accounts"
    ARR_SHARE = "Cumulative Share of ARR"
    ALL: tuple[str, ...] = (ACCOUNT_SHARE, ARR_SHARE)


class CutoffCol:
    TIER = "Tier Ends"
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
    ALL: tuple[str, ...] = (RUN, ACCOUNT_ID, ACCOUNT_NAME, OLD_TIER, NEW_TIER, REASON)


class RunItem:
    """Rows of the last-run stamp on Start."""

    RUN_AT = "Last Assign Tiers run (UTC)"
    ACCOUNTS = "Accounts"
    POLICY = "Policy"
    PROBLEMS = "Data problems"
    CHANGES = "Tier changes"
    VERSION = "Tierbook version"
    ALL: tuple[str, ...] = (RUN_AT, ACCOUNTS, POLICY, PROBLEMS, CHANGES, VERSION)


@dataclass(frozen=True)
class Place:
    """Where a table sits: its sheet, Excel table name and header cell (1-based)."""

    sheet: str
    table: str
    row: int
    col: int


class Tables:
    """Every Excel table of the workbook, with its stable name and header cell."""

    RUN = Place(Sheet.START, "LastRun", 24, 1)
    SETTINGS = Place(Sheet.SETTINGS, "Settings", 4, 1)
    TIERS = Place(Sheet.SETTINGS, "Tiers", 4, 5)
    ROLES = Place(Sheet.SETTINGS, "Roles", 4, 12)
    SCORE = Place(Sheet.SETTINGS, "ScoreCriteria", 4, 17)
    CRM_FIELDS = Place(Sheet.SETTINGS, "CrmFields", 4, 20)
    ACCOUNTS = Place(Sheet.ACCOUNTS, "Accounts", 1, 1)
    SEGMENT_GRID = Place(Sheet.SEGMENTS, "SegmentGrid", 4, 1)
    SEGMENT_MAP = Place(Sheet.SEGMENTS, "SegmentMap", 4, 5)
    RULES = Place(Sheet.RULES, "TierRules", 4, 1)
    SERVICES = Place(Sheet.SERVICES, "Services", 4, 1)
    MATRIX = Place(Sheet.MATRIX, "Matrix", 4, 1)
    SUMMARY = Place(Sheet.SUMMARY, "TierSummary", 4, 1)
    BUDGET = Place(Sheet.SUMMARY, "BudgetCheck", 4, 17)
    IN_FORCE = Place(Sheet.SUMMARY, "PolicyInForce", 14, 17)
    PARETO = Place(Sheet.SUMMARY, "Pareto", 4, 20)
    CUTOFFS = Place(Sheet.SUMMARY, "ParetoCutoffs", 4, 23)
    CAPACITY = Place(Sheet.CAPACITY, "CapacityPlan", 4, 1)
    ROLE_GAPS = Place(Sheet.CAPACITY, "RoleGaps", 4, 9)
    COVERAGE = Place(Sheet.CAPACITY, "CsmCoverage", 4, 16)
    DATA_QUALITY = Place(Sheet.DATA_QUALITY, "DataQuality", 4, 1)
    HISTORY = Place(Sheet.HISTORY, "TierHistory", 4, 1)


@dataclass(frozen=True)
class ButtonPlace:
    """A sheet button: a named shape covering, and linking to, one cell of Start."""

    shape: str
    cell: str
    label: str


class Buttons:
    """The buttons on Start; xlwings Lite runs a script when its button's cell is selected."""

    ASSIGN_TIERS = ButtonPlace("btnAssignTiers", "D24", "Assign Tiers")
    CHECK_DATA = ButtonPlace("btnCheckData", "D26", "Check Data")
    PLAN_CAPACITY = ButtonPlace("btnPlanCapacity", "D28", "Plan Capacity")
    EXPORT_FOR_CRM = ButtonPlace("btnExportForCRM", "D30", "Export for CRM")
    ALL: tuple[ButtonPlace, ...] = (ASSIGN_TIERS, CHECK_DATA, PLAN_CAPACITY, EXPORT_FOR_CRM)


CRM_EXPORT_SHEET = "CRM Export"
"""The sheet the Export for CRM button writes (added to the workbook on first use)."""


class CrmExport:
    """Headings of the CRM Export sheet's rule cells."""

    SALESFORCE_FORMULA = "Tier rule as a Salesforce formula field"
    SQL_CASE = "Tier rule as SQL"


TEMPLATE_FILE = "Tierbook.xlsx"
"""File name of the committed template in ``workbook_template/``."""
