"""The workbook's own checks, in native formulas: what a total would otherwise hide, said where it happens.

Services and Matrix end with a Check column that says, in words, what is
wrong with the row: a service the other table lacks (a renamed service drops
its cost from every total), a margin factor that is an error, a negative
cost, hours or interval, a unit cost typed over the derived one. The
Summary's Checks table counts them and reconciles the capacity plan's loaded
cost (hours x rate, from the last run) with the Summary's annual cost (unit
cost x interval). The rules behind the counts are the engine's
(:func:`tierbook.engine.checks.service_problems`); each function here also
gives the figure the engine says the formula must show, as
:mod:`.formulas` does.
"""

from __future__ import annotations

import pandas as pd

from ..columns import CapacityCol, Problem, ProblemCol, ServiceCol, SummaryCol
from ..engine.pipeline import Run
from ..engine.services import derived_unit_cost as engine_derived_unit_cost
from ..engine.services import service_key
from .cells import area, col_letter, column_ref, ref, sheet_ref
from .formulas import SERVICE_COLUMNS, Cells, Geometry, col_of
from .layout import CHECK, DERIVED_UNIT_COST, MARGIN_FACTOR, CheckItem, ItemCol, MatrixCol, RoleCol, Sheet, Tables

SPAN = 1000
"""Rows below a small table's header that a count reaches (the Services and Matrix tables stay far smaller)."""

NOT_IN_MATRIX = "not in the Matrix: no tier receives it"
NO_RATE = "owner role not in Roles: no loaded rate"
MARGIN_ERROR = "margin factor is an error"
NEGATIVE = "negative unit cost or hours"
TYPED_OVER = "unit cost typed over the derived one"
NOT_IN_CATALOG = "not in the Services catalog: not priced"
NEGATIVE_INTERVAL = "negative interval"
COST_ERROR = "unit cost or margin factor is an error (see Services)"
BLANK_INTERVAL = "interval blank: type it (0 if none)"
"""A tier's interval left blank (a tier just added has all of them blank): it costs nothing until typed."""
ALL_PASS = "all checks pass"
PROBLEMS_FOUND = "problems: see the Check column of Services and Matrix"
COSTS_DIFFER = "loaded cost and annual cost differ: typed-over unit costs, or press Assign Tiers"
BLANKS_FOUND = "blank intervals: see the Matrix's Check"
RECONCILE_TOLERANCE = 0.005
"""Half a cent: the loaded cost and the annual cost agree when they differ by less."""


def _services_col(header: str) -> int:
    return col_of(Tables.SERVICES, SERVICE_COLUMNS, header)


def _role_lookup(header: str, role: str) -> str:
    ro = Tables.ROLES
    roles = sheet_ref(Sheet.SETTINGS, column_ref(ro.col + RoleCol.ALL.index(RoleCol.ROLE)))
    values = sheet_ref(Sheet.SETTINGS, column_ref(ro.col + RoleCol.ALL.index(header)))
    return f"INDEX({values},MATCH({role},{roles},0))"


def derived_unit_cost(run: Run | None, role: str, hours: float) -> float | None:
    """Hours x the role's loaded hourly rate, computed in the formula's order (so both give the same double)."""
    return None if run is None else engine_derived_unit_cost(run.settings, role, hours)


def services_check_cells(rows: list[int], catalog: pd.DataFrame | None = None, run: Run | None = None,
                         matrix_services: list[str] | None = None) -> Cells:
    """Per Services row: the derived unit cost, the default Unit Cost (= the derived one) and the Check."""
    L = {h: col_letter(_services_col(h)) for h in SERVICE_COLUMNS}
    S = ServiceCol
    matrix_key = sheet_ref(Sheet.MATRIX, column_ref(Tables.MATRIX.col))
    in_matrix = {service_key(s) for s in matrix_services} if matrix_services is not None else None
    out: Cells = {}
    for i, r in enumerate(rows):
        c = lambda h: f"${L[h]}{r}"  # noqa: E731
        rate = f"({_role_lookup(RoleCol.LOADED_COST, c(S.OWNER_ROLE))}/{_role_lookup(RoleCol.PRODUCTIVE_HOURS, c(S.OWNER_ROLE))})"
        derived = check = unit = None
        if run is not None and catalog is not None:
            row = catalog.iloc[i]
            derived = derived_unit_cost(run, str(row[S.OWNER_ROLE]), row[S.HOURS])
            unit = derived
            if in_matrix is not None and service_key(row[S.SERVICE]) not in in_matrix:
                check = NOT_IN_MATRIX
            elif derived is None:
                check = NO_RATE
            elif not pd.isna(row[S.UNIT_COST]) and float(row[S.UNIT_COST]) != derived:
                check = TYPED_OVER
            else:
                check = ""
        out[(r, _services_col(DERIVED_UNIT_COST))] = (f"{c(S.HOURS)}*{rate}", derived)
        out[(r, _services_col(S.UNIT_COST))] = (f"{c(DERIVED_UNIT_COST)}", unit)
        formula = (f'IF({c(S.SERVICE)}="","",IF(ISNA(MATCH({c(S.SERVICE)},{matrix_key},0)),"{NOT_IN_MATRIX}",'
                   f'IF(ISERROR({c(DERIVED_UNIT_COST)}),"{NO_RATE}",IF(ISERROR({c(MARGIN_FACTOR)}),"{MARGIN_ERROR}",'
                   f'IF(ISERROR({c(S.UNIT_COST)}),"{COST_ERROR}",'
                   f'IF(OR(N({c(S.UNIT_COST)})<0,N({c(S.HOURS)})<0),"{NEGATIVE}",'
                   f'IF({c(S.UNIT_COST)}<>{c(DERIVED_UNIT_COST)},"{TYPED_OVER}","")))))))')
        out[(r, _services_col(CHECK))] = (formula, check)
    return out


def matrix_check_cells(geo: Geometry, services: list[tuple[int, str]], catalog: pd.DataFrame | None = None,
                       blanks: frozenset[int] = frozenset()) -> Cells:
    """Per Matrix row: the Check (not in the catalog, a negative interval, a cost or factor in error, a blank interval).

    ``blanks``: the sheet rows with a blank interval, for the figures.
    """
    svc_key = sheet_ref(Sheet.SERVICES, column_ref(_services_col(ServiceCol.SERVICE)))
    known = {service_key(s) for s in catalog[ServiceCol.SERVICE]} if catalog is not None else None
    first, last = col_letter(geo.mcol(geo.tiers[0])), col_letter(geo.mcol(geo.tiers[-1]))
    unit, factor = col_letter(geo.mcol(MatrixCol.UNIT_COST)), col_letter(geo.mcol(MatrixCol.MARGIN_FACTOR))
    name = col_letter(Tables.MATRIX.col)
    out: Cells = {}
    for r, service in services:
        s = f"${name}{r}"
        formula = (f'IF({s}="","",IF(ISNA(MATCH({s},{svc_key},0)),"{NOT_IN_CATALOG}",'
                   f'IF(COUNTIF(${first}{r}:${last}{r},"<0")>0,"{NEGATIVE_INTERVAL}",'
                   f'IF(OR(ISERROR(${unit}{r}),ISERROR(${factor}{r})),"{COST_ERROR}",'
                   f'IF(SUMPRODUCT((LEN(${first}{r}:${last}{r})=0)*1)>0,"{BLANK_INTERVAL}","")))))')
        figure = None if known is None else (NOT_IN_CATALOG if service_key(service) not in known else
                                             BLANK_INTERVAL if r in blanks else "")
        out[(r, geo.mcol(CHECK))] = (formula, figure)
    return out


def _span(sheet: str, col: int, header_row: int) -> str:
    """One column of a table's rows and the rows below it, absolute: Services!$K$5:$K$1004."""
    return sheet_ref(sheet, area(header_row + 1, col, header_row + SPAN, col, True))


def check_counts(run: Run, catalog: pd.DataFrame, blank_rows: int = 0) -> dict[str, object]:
    """The engine's figures for the Summary's Checks table."""
    kinds = run.problems[ProblemCol.PROBLEM].value_counts() if len(run.problems) else pd.Series(dtype=int)
    typed = 0
    for _, row in catalog.iterrows():
        derived = derived_unit_cost(run, str(row[ServiceCol.OWNER_ROLE]), row[ServiceCol.HOURS])
        typed += (derived is not None and not pd.isna(row[ServiceCol.UNIT_COST])
                  and float(row[ServiceCol.UNIT_COST]) != derived)
    loaded = float(run.capacity[CapacityCol.LOADED_COST].sum()) if len(run.capacity) else 0.0
    total = float(run.summary.set_index(SummaryCol.TIER).at["Total", SummaryCol.ANNUAL_COST])
    counts = {CheckItem.NOT_IN_CATALOG: int(kinds.get(Problem.SERVICE_NOT_IN_CATALOG, 0)),
              CheckItem.NOT_IN_MATRIX: int(kinds.get(Problem.SERVICE_NOT_IN_MATRIX, 0)),
              CheckItem.MARGIN_ERRORS: 0, CheckItem.NEGATIVES: 0,  # a run refuses both, naming the cell
              CheckItem.TYPED_OVER: int(typed), CheckItem.LOADED_COST: loaded, CheckItem.DIFFERENCE: loaded - total}
    problems = sum(int(counts[i]) for i in CheckItem.PROBLEMS)  # type: ignore[call-overload]
    counts[CheckItem.STATUS] = (PROBLEMS_FOUND if problems else BLANKS_FOUND if blank_rows else
                                COSTS_DIFFER if abs(loaded - total) >= RECONCILE_TOLERANCE else ALL_PASS)
    return counts


def summary_check_cells(geo: Geometry, run: Run | None = None, catalog: pd.DataFrame | None = None,
                        blank_rows: int = 0) -> Cells:
    """The Summary's Checks table: one count per kind of problem, the reconciliation line and a status.

    ``blank_rows``: Matrix rows whose Check says an interval is blank (the status says so).
    """
    p = Tables.CHECKS
    sp, mp = Tables.SERVICES, Tables.MATRIX
    figures = check_counts(run, catalog, blank_rows) if run is not None and catalog is not None else {}
    services_check = _span(Sheet.SERVICES, _services_col(CHECK), sp.row)
    matrix_check = _span(Sheet.MATRIX, geo.mcol(CHECK), mp.row)
    factors = _span(Sheet.SERVICES, _services_col(MARGIN_FACTOR), sp.row)
    costs = sheet_ref(Sheet.SERVICES, area(sp.row + 1, _services_col(ServiceCol.UNIT_COST), sp.row + SPAN,
                                           _services_col(ServiceCol.HOURS), True))
    intervals = sheet_ref(Sheet.MATRIX, area(mp.row + 1, geo.mcol(geo.tiers[0]), mp.row + SPAN,
                                             geo.mcol(geo.tiers[-1]), True))
    cap = Tables.CAPACITY
    loaded = sheet_ref(Sheet.CAPACITY, column_ref(cap.col + CapacityCol.ALL_PLAN.index(CapacityCol.LOADED_COST)))
    value_col = p.col + ItemCol.ALL.index(ItemCol.VALUE)
    cell = lambda item: ref(p.row + 1 + CheckItem.ALL.index(item), value_col)  # noqa: E731
    annual = ref(geo.total_row, geo.scol(SummaryCol.ANNUAL_COST))
    problems = "+".join(cell(i) for i in CheckItem.PROBLEMS)
    formulas = {
        CheckItem.NOT_IN_CATALOG: f'COUNTIF({matrix_check},"{NOT_IN_CATALOG}")',
        CheckItem.NOT_IN_MATRIX: f'COUNTIF({services_check},"{NOT_IN_MATRIX}")',
        CheckItem.MARGIN_ERRORS: f"SUMPRODUCT(--ISERROR({factors}))",
        CheckItem.NEGATIVES: f'COUNTIF({costs},"<0")+COUNTIF({intervals},"<0")',
        CheckItem.TYPED_OVER: f'COUNTIF({services_check},"{TYPED_OVER}")',
        CheckItem.LOADED_COST: f"SUM({loaded})",
        CheckItem.DIFFERENCE: f"{cell(CheckItem.LOADED_COST)}-{annual}",
        CheckItem.STATUS: (f'IF(({problems})>0,"{PROBLEMS_FOUND}",'
                           f'IF(COUNTIF({matrix_check},"{BLANK_INTERVAL}")>0,"{BLANKS_FOUND}",'
                           f'IF(ABS({cell(CheckItem.DIFFERENCE)})'
                           f'>={RECONCILE_TOLERANCE},"{COSTS_DIFFER}","{ALL_PASS}")))'),
    }
    return {(p.row + 1 + i, value_col): (formulas[item], figures.get(item)) for i, item in enumerate(CheckItem.ALL)}
