"""The words of the workbook: the Start sheet, the sheets' hints, notes.

What each setting means is declared with the setting itself
(:class:`tierbook.engine.settings.Settings`).
Kept apart from the layout so a writer can edit them without touching code
that places cells. Input messages of data validation hold at most 255
characters; ``tests/workbook`` checks that.
"""

from __future__ import annotations

TIERS_HINT = ("Tiers, most engaged first. Shares apply to the arr-accounts and arr-share policies (the last tier "
              "takes the rest); score cut-offs to the score policy; accounts per CSM is the sane coverage range.")
ROLES_HINT = "CS roles: productive hours and loaded cost per FTE, and today's headcount (Capacity sheet)."
SCORE_HINT = "Score policy: account columns and their weights (scaled 0 to 1, then weighted)."
CRM_FIELDS_HINT = ("CRM fields: filled by tierbook import (the export's names for Tierbook's columns); "
                   "tierbook export and Export for CRM use them.")
SETTINGS_HINT = ("Yellow cells are yours. Pick a value from the list where there is one; hover a value for "
                 "what it means. Then run Assign Tiers.")
ACCOUNTS_HINT = "Paste the CRM export here."
SEGMENTS_HINT = ("Segments say who the customer is. The grid names the four 2-D segments (company size x "
                 "contract value); the map gives each segment its tier (segment policy) and its playbook.")
RULES_HINT = ("Rules policy: the first rule that matches an account decides its tier; accounts no rule matches "
              "get default_tier (Settings). Operators: = <> < <= > >= in (comma list) contains, is blank. "
              "And: more conditions that must hold too, e.g. Industry = Healthcare and Region = EMEA.")
SERVICES_HINT = ("Finance: unit cost per occurrence, hours, and a margin override where a service differs. "
                 "Allocation: per account, or pooled (one programme shared by the tier's accounts).")
MATRIX_HINT = ("Intervals: how many times a year each tier receives each service (0 = not at all). Annual cost "
               "= unit cost x interval; assessed value = annual cost x margin factor. Grey cells are formulas.")
SUMMARY_HINT = ("Per tier: accounts, ARR, annual cost to serve and assessed value. Costs and values are live "
                "formulas over Services, Matrix and Accounts; tiers and FTE come from the last Assign Tiers run.")
CAPACITY_HINT = ("Written by Assign Tiers: hours x interval x accounts / productive hours = FTE per tier and "
                 "role, against headcount, and CSM coverage against each tier's sane range.")
QUALITY_HINT = "Written by Assign Tiers: one row per problem found in Accounts (row, column, value, what to do)."
HISTORY_HINT = "Appended by Assign Tiers: each change of tier (first tiers too) or of override: when, why, by whom."
QUADRANTS_HEADING = "Company size (down) x contract value (across)"
QUADRANTS_NOTE = "ARR counted as in Summary (above 0). Accounts without a size or an ARR are in no quadrant (Unknown)."
SIZE_LABELS = {"large": "Large company", "small": "Small company"}
CONTRACT_LABELS = {"large": "Large contract value", "small": "Small contract value"}
PARETO_HINT = ("Pareto: cumulative share of ARR held by the largest accounts, and where each tier starts. "
               "Only accounts with an ARR above 0 are on the curve.")
SUMMARY_NOTES: tuple[str, ...] = (
    "Share of Accounts counts every row of Accounts, Needs data included; the Pareto chart counts only the "
    "accounts with an ARR above 0, so a tier's start on the curve can differ from the shares here.",
    "Pooled Split Basis: what a tier's pooled programmes are shared by among its accounts: its accounts "
    "(pooled_split = equal; each account bears 1 of them) or its ARR (pooled_split = arr; each account bears "
    "its ARR of it). An account's Cost to Serve = per-account services + pooled programmes x its part / the basis.",
    "Money is a year's worth, in the Settings currency; CTS % ARR = annual cost / ARR; FTE = full-time people "
    "(from the last Assign Tiers run).",
)
TABLE_HINTS: dict[str, str] = {
    "CapacityPlan": "Hours a year each tier's services take, per role, and the FTE they need.",
    "RoleGaps": "Gap (FTE) = FTE needed - headcount: above 0, hire that many; below 0, that many spare.",
    "CsmCoverage": "Accounts per CSM against the tier's sane range (Settings, Tiers).",
    "CsmBooks": "Each named CSM's book today (Accounts, CSM column): accounts, ARR and its share, accounts per tier.",
}
AMOUNT_PROMPTS = {
    "Unit Cost": ("Cost of one occurrence, 0 or more. By default hours x the owner role's loaded hourly rate "
                  "(Derived Unit Cost); type a figure to override it, and the Check column says so."),
    "Hours per Occurrence": "Hours one occurrence takes the owner role, 0 or more (Capacity counts them).",
}
MARGIN_OVERRIDE_PROMPT = ("This service's own margin, 0 % to 100 % (a gross margin below 100 %); blank: the default "
                          "margin (Settings, margin_pct).")
INTERVAL_PROMPT = "Times a year this tier receives the service: 0 or more (0 = not at all; 0.5 = every other year)."

START_TITLE = "Tierbook"
START_LINES: tuple[tuple[str, str], ...] = (
    ("subtitle", "Customer Success segmentation, tiering, cost to serve and capacity in one workbook."),
    ("", ""),
    ("heading", "What this is"),
    ("text", "Segments say who each customer is (company size x contract value). Tiers say how Customer Success "
             "engages them (high-touch to tech-touch)."),
    ("text", "Each tier receives a set of services at set intervals; the workbook prices them (annual cost, "
             "assessed value), gives every account its cost to serve, and plans the people it takes."),
    ("", ""),
    ("heading", "Order of work"),
    ("text", "1. Finance: Services (unit cost, hours, margin override), then Matrix (times a year per tier)."),
    ("text", "2. CS ops: Accounts (paste the CRM export: Account ID, Account Name, ARR and any other columns), "
             "then Settings (policy, tiers, bands, margin, budget, roles); Segments and Tier Rules as the policy needs."),
    ("text", "3. Assign Tiers: checks the data, segments, tiers (with reasons), writes cost to serve, Data Quality, "
             "Capacity and Tier History."),
    ("text", "4. Read Summary: cost, value and budget per tier, with charts. Tier Override + Override Reason in "
             "Accounts are yours and always win."),
    ("", ""),
    ("heading", "How to run it"),
    ("text", "With Excel: add the free xlwings Lite add-in (Home > Add-ins), then click Assign Tiers on this sheet. "
             "The first time, xlwings Lite asks whether to trust this workbook: choose Trust and Continue. "
             "Costs, values and the Summary are formulas: they update as you type, in Excel, LibreOffice or "
             "Google Sheets, with no Python."),
    ("text", "Without Excel: in a copy of the Tierbook source,  ./run tierbook assign Tierbook.xlsx  (also: check, "
             "capacity, summary, settings)."),
    ("", ""),
    ("heading", "Legend"),
)
LEGEND_INPUT = "Input: yours to edit"
LEGEND_COMPUTED = "Computed: a formula, or written by Assign Tiers; do not edit"
RUN_HEADING = "Last run"
BUTTONS_HEADING = "Buttons (xlwings Lite add-in)"
DESKTOP_BUTTON_HEADING = "Button (desktop Excel with xlwings)"
BUTTON_TIPS = {
    "Assign Tiers": "Check the data, segment, tier, price and plan; write the results",
    "Check Data": "Rewrite the Data Quality sheet only",
    "Plan Capacity": "Rewrite the Capacity sheet for the tiers as they stand",
    "Export for CRM": "Write the CRM upload table and the tier rule as formulas to the CRM Export sheet",
}

SEGMENT_NOTES: dict[str, tuple[str, str]] = {
    "Enterprise": ("Named CSM and technical lead, executive sponsor, QBRs, success plan.",
                   "Gross and net retention, executive engagement, adoption depth"),
    "Major": ("Named CSM on a pooled book, proactive health checks, renewal plan.",
              "Net retention, product adoption, expansion pipeline"),
    "Large Opportunity": ("Expansion plays with sales, adoption campaigns, periodic reviews.",
                          "Expansion ARR, seats activated, usage growth"),
    "SMB": ("Digital journeys, community, webinars, in-app guidance; escalations on demand.",
            "Logo retention, onboarding completion, self-service adoption"),
}

SCENARIOS_HINT = ("Scenarios: yours on the left, one change per row (Scenario, Key, Value; the keys of tierbook "
                  "whatif). Compare Scenarios writes the tables on the right; nothing else changes. Apply Scenario "
                  "writes the named scenario's settings and assigns tiers.")
SCENARIO_TABLE_HINTS: dict[str, str] = {
    "Scenarios": "One change per row: account_bands:High-touch = 20%, interval:SERVICE:TIER = 4, unit_cost:SERVICE = 25.",
    "ScenarioToApply": "The scenario Apply Scenario writes into the settings.",
    "ScenarioTiers": "Per run and tier (by position): the figures Assign Tiers gives once the scenario is applied.",
    "ScenarioRoles": "FTE needed per role against headcount (gap above 0: hire).",
    "ScenarioBudget": "The budget check of each run.",
    "ScenarioMoves": "Accounts that change tier against the current settings.",
    "ScenarioMovers": "The largest ARR movers of each scenario.",
    "ScenarioChart": "Annual cost and FTE per tier, one row per run (the charts' data).",
}
SCENARIO_BUTTON_TIPS = {
    "Compare Scenarios": "Write the current settings and each stored scenario side by side on this sheet",
    "Apply Scenario": "Write the named scenario's settings, then Assign Tiers; Tier History names the scenario",
}
