"""Where things sit in a Tierbook workbook: sheets, tables, their headers, the buttons.

Only the workbook adapters (the file writer and reader, the Excel scripts)
use this module. Positions are 1-based (row 1 is the first row, column 1 is
column A); the adapters turn them into addresses, no other module spells one.
The domain's columns and headings are in :mod:`tierbook.columns`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..columns import (
    ACCOUNT_COLUMNS,
    NUMBER,
    SHOW_WHOLE,
    TIERBOOK,
    Col,
    Column,
    PriceCol,
    SegmentBookCol,
    ServiceCol,
)


ARR_USED = "ARR Used"
"""The ARR the engine counted (blank when unusable): the workbook's formulas sum this column."""

ARR_USED_COLUMN = Column(ARR_USED, NUMBER, TIERBOOK, show=SHOW_WHOLE)

WORKBOOK_ACCOUNT_COLUMNS: tuple[Column, ...] = tuple(
    column for c in ACCOUNT_COLUMNS for column in ((c, ARR_USED_COLUMN) if c.header == Col.PREVIOUS_TIER else (c,))
)
"""The Accounts table of a fresh workbook: the canonical columns, with ARR Used after Previous Tier."""

WORKBOOK_OUTPUT_COLUMNS: tuple[str, ...] = tuple(c.header for c in WORKBOOK_ACCOUNT_COLUMNS if c.owner == TIERBOOK)
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
    SCENARIOS = "Scenarios"
    ORDER: tuple[str, ...] = (START, SETTINGS, ACCOUNTS, SEGMENTS, RULES, SERVICES, MATRIX, SUMMARY,
                              CAPACITY, DATA_QUALITY, HISTORY, SCENARIOS)


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


class Quadrants:
    """The segment grid drawn as its 2 x 2 picture on Segments: company size down, contract value across.

    Each quadrant shows its segment's name, its accounts and their ARR
    (formulas over the grid and the Accounts table). Rows and columns are
    1-based: ``ROW`` holds the contract-value headings, ``COL`` the company sizes.
    """

    ROW = 11
    COL = 1
    SIZES: tuple[str, ...] = (SegmentGridCol.LARGE, SegmentGridCol.SMALL)
    CONTRACTS: tuple[str, ...] = (SegmentGridCol.SMALL, SegmentGridCol.LARGE)
    GRID_ORDER: tuple[tuple[str, str], ...] = ((SegmentGridCol.LARGE, SegmentGridCol.LARGE),
                                               (SegmentGridCol.SMALL, SegmentGridCol.LARGE),
                                               (SegmentGridCol.LARGE, SegmentGridCol.SMALL),
                                               (SegmentGridCol.SMALL, SegmentGridCol.SMALL))
    """(company size, contract value) of the SegmentGrid's rows, in order."""
    LINES = 3
    """Rows of one quadrant: the segment's name, its accounts, its ARR."""

    @classmethod
    def cell(cls, size: str, contract: str) -> tuple[int, int]:
        """(row, column) of the quadrant's name cell; its accounts and ARR are the two cells below."""
        return cls.ROW + 1 + cls.LINES * cls.SIZES.index(size), cls.COL + 1 + cls.CONTRACTS.index(contract)


class SegmentMapCol:
    """Segment -> tier map with playbook notes (Segments sheet)."""

    SEGMENT = "Segment"
    TIER = "Tier"
    ACCOUNTS = SegmentBookCol.ACCOUNTS
    ARR = SegmentBookCol.ARR
    PLAYBOOK = "Playbook"
    KPIS = "KPIs"
    ALL: tuple[str, ...] = (SEGMENT, TIER, ACCOUNTS, ARR, PLAYBOOK, KPIS)
    WRITTEN: tuple[str, ...] = (ACCOUNTS, ARR)
    """Written by Assign Tiers: each segment's accounts and ARR (a book made before them has neither)."""
    SPAN = 1000
    """Rows below the header that the prompt for segments without a tier, and their highlight, cover."""
    PROMPT_ROW = 3
    """The row (above the header) that says how many segments with accounts still have no tier."""


class RuleCol:
    """Ordered rules of the rules policy (Tier Rules sheet): first match wins."""

    COLUMN = "Column"
    OPERATOR = "Operator"
    VALUE = "Value"
    AND = "And"  # further conditions, all of which must hold too: "Industry = Healthcare and Region = EMEA"
    TIER = "Tier"
    NOTE = "Note"
    ALL: tuple[str, ...] = (COLUMN, OPERATOR, VALUE, AND, TIER, NOTE)




MARGIN_FACTOR = PriceCol.MARGIN_FACTOR
"""Computed column of the Services table: assessed value / cost of the service."""

DERIVED_UNIT_COST = "Derived Unit Cost"
"""Computed column of the Services table: hours per occurrence x the owner role's loaded hourly rate."""

CHECK = "Check"
"""Last column of the Services and Matrix tables: what is wrong with the row, in words (blank: nothing)."""


class MatrixCol:
    """The Matrix table: Service, one interval column per tier (headers = tier names), then computed columns."""

    SERVICE = ServiceCol.SERVICE
    ALLOCATION = ServiceCol.ALLOCATION
    UNIT_COST = ServiceCol.UNIT_COST
    MARGIN_FACTOR = PriceCol.MARGIN_FACTOR

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




class ItemCol:
    """Two-column item/value tables (budget check, policy in force, last run)."""

    ITEM = "Item"
    VALUE = "Value"
    ALL: tuple[str, ...] = (ITEM, VALUE)


class InForceItem:
    MARGIN_METHOD = "Margin Convention"
    MARGIN_PCT = "Default Margin"
    POOLED_SPLIT = "Pooled Programmes Split"
    CURRENCY = "Currency"
    POLICY = "Tiering Policy"
    ALL: tuple[str, ...] = (POLICY, MARGIN_METHOD, MARGIN_PCT, POOLED_SPLIT, CURRENCY)


class CheckItem:
    """Rows of the Summary's Checks table: counts of what the Check columns flag, and the cost reconciliation."""

    NOT_IN_CATALOG = "Matrix rows not in the catalog"
    NOT_IN_MATRIX = "Services not in the Matrix"
    MARGIN_ERRORS = "Margin factors in error"
    NEGATIVES = "Negative costs, hours or intervals"
    TYPED_OVER = "Unit costs typed over"
    LOADED_COST = "Capacity loaded cost (last run)"
    DIFFERENCE = "Loaded cost less annual cost"
    STATUS = "Status"
    ALL: tuple[str, ...] = (NOT_IN_CATALOG, NOT_IN_MATRIX, MARGIN_ERRORS, NEGATIVES, TYPED_OVER, LOADED_COST,
                            DIFFERENCE, STATUS)
    PROBLEMS: tuple[str, ...] = (NOT_IN_CATALOG, NOT_IN_MATRIX, MARGIN_ERRORS, NEGATIVES)


class InputCol:
    """The RunInputs table on Start: a checksum of each input of the Python-only figures, then and now."""

    INPUT = "Input"
    LAST_RUN = "At Last Run"
    NOW = "Now"
    CHANGED = "Changed"
    ALL: tuple[str, ...] = (INPUT, LAST_RUN, NOW, CHANGED)


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
    CSM_BOOKS = Place(Sheet.CAPACITY, "CsmBooks", 4, 25)
    DATA_QUALITY = Place(Sheet.DATA_QUALITY, "DataQuality", 4, 1)
    HISTORY = Place(Sheet.HISTORY, "TierHistory", 4, 1)
    CHECKS = Place(Sheet.SUMMARY, "Checks", 23, 17)
    RUN_INPUTS = Place(Sheet.START, "RunInputs", 34, 1)
    SCENARIOS = Place(Sheet.SCENARIOS, "Scenarios", 4, 1)
    SCENARIO_PICK = Place(Sheet.SCENARIOS, "ScenarioToApply", 4, 6)
    SCENARIO_TIERS = Place(Sheet.SCENARIOS, "ScenarioTiers", 4, 11)
    SCENARIO_ROLES = Place(Sheet.SCENARIOS, "ScenarioRoles", 4, 22)
    SCENARIO_BUDGET = Place(Sheet.SCENARIOS, "ScenarioBudget", 4, 28)
    SCENARIO_MOVES = Place(Sheet.SCENARIOS, "ScenarioMoves", 4, 35)
    SCENARIO_MOVERS = Place(Sheet.SCENARIOS, "ScenarioMovers", 4, 42)
    SCENARIO_CHART = Place(Sheet.SCENARIOS, "ScenarioChart", 4, 49)


class ScenarioCol:
    """The Scenarios table (Scenarios sheet, the user's): one change of one named scenario per row."""

    SCENARIO = "Scenario"
    KEY = "Key"
    VALUE = "Value"
    NOTE = "Note"
    ALL: tuple[str, ...] = (SCENARIO, KEY, VALUE, NOTE)
    PICK = "Scenario to apply"
    """The one item of the ScenarioToApply table: the name the Apply Scenario button applies."""


STALE_CELLS: tuple[tuple[str, int, int], ...] = ((Sheet.START, 23, 2), (Sheet.SUMMARY, 3, 1), (Sheet.CAPACITY, 3, 1))
"""(sheet, row, column) of the cells that say when tiers and capacity are out of date."""

RUN_STAMP_CELLS: tuple[tuple[str, int, int], ...] = (
    (Sheet.SUMMARY, 1, 4), (Sheet.CAPACITY, 1, 4), (Sheet.CAPACITY, 1, Tables.ROLE_GAPS.col),
    (Sheet.CAPACITY, 1, Tables.COVERAGE.col), (Sheet.CAPACITY, 1, Tables.CSM_BOOKS.col),
    (Sheet.DATA_QUALITY, 1, 4), (Sheet.HISTORY, 1, 4))
"""(sheet, row, column) of the cells in the title rows (repeated on every printed page) that name the last run:
one above each group of tables that prints on pages of its own."""


@dataclass(frozen=True)
class ButtonPlace:
    """A sheet button: a named shape covering, and linking to, one cell of its sheet (Start unless said)."""

    shape: str
    cell: str
    label: str
    sheet: str = Sheet.START


class Buttons:
    """The buttons on Start; xlwings Lite runs a script when its button's cell is selected."""

    ASSIGN_TIERS = ButtonPlace("btnAssignTiers", "D24", "Assign Tiers")
    CHECK_DATA = ButtonPlace("btnCheckData", "D26", "Check Data")
    PLAN_CAPACITY = ButtonPlace("btnPlanCapacity", "D28", "Plan Capacity")
    EXPORT_FOR_CRM = ButtonPlace("btnExportForCRM", "D30", "Export for CRM")
    ALL: tuple[ButtonPlace, ...] = (ASSIGN_TIERS, CHECK_DATA, PLAN_CAPACITY, EXPORT_FOR_CRM)
    COMPARE_SCENARIOS = ButtonPlace("btnCompareScenarios", "F8", "Compare Scenarios", Sheet.SCENARIOS)
    APPLY_SCENARIO = ButtonPlace("btnApplyScenario", "F10", "Apply Scenario", Sheet.SCENARIOS)
    ON_SCENARIOS: tuple[ButtonPlace, ...] = (COMPARE_SCENARIOS, APPLY_SCENARIO)
    """The buttons on the Scenarios sheet (``ALL`` are Start's)."""


CRM_EXPORT_SHEET = "CRM Export"
"""The sheet the Export for CRM button writes (added to the workbook on first use)."""


class CrmExport:
    """Headings of the CRM Export sheet's rule cells."""

    SALESFORCE_FORMULA = "Tier rule as a Salesforce formula field"
    SQL_CASE = "Tier rule as SQL"


TEMPLATE_FILE = "Tierbook.xlsx"
"""File name of the committed template in ``workbook_template/``."""
