"""Every native formula of the workbook, and the figure the engine says it must show.

The template writes these formulas with the engine's figures as cached
results; Assign Tiers refreshes the cached results; the LibreOffice test
recalculates the book and compares. One function per table keeps the three
in step. Formulas use only functions that Excel 2010+, LibreOffice 7.4 and
Google Sheets compute (INDEX, MATCH, SUMIFS, COUNTIFS, IFERROR, IF, AND, N,
ISNUMBER, SUM, MAX; the checks add OR, ISNA, ISERROR, ISTEXT, LEN, ABS, ROW,
COUNTIF, COUNTA, SUMPRODUCT) and stay O(rows): per-row lookups into small
tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..engine.pipeline import Run
from ..engine.segments import segment_books
from ..engine.services import service_key
from ..columns import NEEDS_DATA, TOTAL, Allocation, BudgetItem, Col, PriceCol, ServiceCol, SummaryCol
from .layout import (
    ARR_USED,
    InForceItem,
    ItemCol,
    MatrixCol,
    Place,
    Quadrants,
    SegmentGridCol,
    SegmentMapCol,
    SettingCol,
    Sheet,
    TierCol,
    TierCostCol,
    Tables,
    MARGIN_FACTOR,
    CHECK,
    DERIVED_UNIT_COST,
)
from .cells import area, col_letter, column_ref, ref, sheet_ref

SUMMARY_COLUMNS: tuple[str, ...] = SummaryCol.ALL + TierCostCol.ALL
SERVICE_COLUMNS: tuple[str, ...] = ServiceCol.ALL + (MARGIN_FACTOR, DERIVED_UNIT_COST, CHECK)

Cells = dict[tuple[int, int], tuple[str, object]]
"""(row, column) -> (formula without '=', the figure it must show)."""


def matrix_columns(tiers: tuple[str, ...]) -> tuple[str, ...]:
    return (
        (MatrixCol.SERVICE,) + tuple(tiers)
        + (MatrixCol.ALLOCATION, MatrixCol.UNIT_COST, MatrixCol.MARGIN_FACTOR)
        + tuple(MatrixCol.annual_cost(t) for t in tiers)
        + tuple(MatrixCol.assessed_value(t) for t in tiers)
        + (CHECK,)
    )


def setting_lookup(key: str) -> str:
    """The value of one Settings key, found by key (robust to reordering the table)."""
    p = Tables.SETTINGS
    keys = sheet_ref(Sheet.SETTINGS, column_ref(p.col + SettingCol.ALL.index(SettingCol.KEY)))
    values = sheet_ref(Sheet.SETTINGS, column_ref(p.col + SettingCol.ALL.index(SettingCol.VALUE)))
    return f'INDEX({values},MATCH("{key}",{keys},0))'


def col_of(place: Place, columns: tuple[str, ...], header: str) -> int:
    return place.col + columns.index(header)


@dataclass(frozen=True)
class Geometry:
    """Where the cells the formulas refer to are, for one book's tiers and Accounts columns."""

    tiers: tuple[str, ...]
    account_cols: dict[str, int]

    # --------------------------------------------------------------- Summary
    def summary_row(self, tier_index: int) -> int:
        return Tables.SUMMARY.row + 1 + tier_index

    @property
    def needs_row(self) -> int:
        return self.summary_row(len(self.tiers))

    @property
    def total_row(self) -> int:
        return self.summary_row(len(self.tiers) + 1)

    def scol(self, header: str) -> int:
        return col_of(Tables.SUMMARY, SUMMARY_COLUMNS, header)

    def tier_range(self, header: str) -> str:
        """Summary cells of one column over the tier rows, absolute: $K$5:$K$7."""
        c = self.scol(header)
        return sheet_ref(Sheet.SUMMARY, area(self.summary_row(0), c, self.summary_row(len(self.tiers) - 1), c, True))

    def item_cell(self, place: Place, items: tuple[str, ...], item: str, absolute: bool = True) -> str:
        return ref(place.row + 1 + items.index(item), place.col + ItemCol.ALL.index(ItemCol.VALUE), absolute)

    @property
    def pooled_split_cell(self) -> str:
        return self.item_cell(Tables.IN_FORCE, InForceItem.ALL, InForceItem.POOLED_SPLIT)

    # --------------------------------------------------------------- Matrix
    def mcol(self, header: str) -> int:
        return col_of(Tables.MATRIX, matrix_columns(self.tiers), header)

    # -------------------------------------------------------------- Accounts
    def acol(self, header: str) -> int:
        return self.account_cols[header]


def services_cells(rows: list[int], catalog: pd.DataFrame | None = None, run: Run | None = None) -> Cells:
    """Margin Factor of each service row: the default margin unless the row overrides it."""
    p = Tables.SERVICES
    out: Cells = {}
    factor_col = col_of(p, SERVICE_COLUMNS, MARGIN_FACTOR)
    override = col_letter(col_of(p, SERVICE_COLUMNS, ServiceCol.MARGIN_OVERRIDE))
    for i, r in enumerate(rows):
        m = f"IF(ISNUMBER(${override}{r}),${override}{r},{setting_lookup('margin_pct')})"
        formula = f'IF({setting_lookup("margin_method")}="gross-margin",1/(1-{m}),1+{m})'
        value: object = None
        if run is not None and catalog is not None:
            own = catalog[ServiceCol.MARGIN_OVERRIDE].iloc[i]
            value = run.settings.margin_factor(None if pd.isna(own) else float(own))
        out[(r, factor_col)] = (formula, value)
    return out


def matrix_cells(geo: Geometry, services: list[tuple[int, str]], run: Run | None = None,
                 catalog: pd.DataFrame | None = None) -> Cells:
    """Per service row of the Matrix: allocation, unit cost and margin factor looked up, then cost and value per tier."""
    p = Tables.MATRIX
    sp = Tables.SERVICES
    out: Cells = {}
    svc_key = sheet_ref(Sheet.SERVICES, column_ref(col_of(sp, SERVICE_COLUMNS, ServiceCol.SERVICE)))

    def lookup(header: str, r: int, default: str) -> str:
        """The service's value on Services; blank for a service the catalog lacks (its Check says so).

        An error in the looked-up cell (a margin factor of cost / 0) shows
        here as that error: it is never replaced by a default.
        """
        values = sheet_ref(Sheet.SERVICES, column_ref(col_of(sp, SERVICE_COLUMNS, header)))
        match = f"MATCH(${col_letter(p.col)}{r},{svc_key},0)"
        return f"IF(ISNA({match}),{default},INDEX({values},{match}))"

    prices = cat = None
    if run is not None:
        prices = run.prices.set_index([PriceCol.SERVICE, PriceCol.TIER])
        cat = catalog.set_index(ServiceCol.SERVICE) if catalog is not None else None
    alloc_c, unit_c, factor_c = geo.mcol(MatrixCol.ALLOCATION), geo.mcol(MatrixCol.UNIT_COST), geo.mcol(MatrixCol.MARGIN_FACTOR)
    letter = col_letter
    names = {service_key(s): s for s in reversed(list(cat.index))} if cat is not None else {}
    for r, typed in services:
        service = names.get(service_key(typed), typed)  # the catalog's spelling, matched as MATCH matches
        known = prices is not None and cat is not None and service in cat.index
        out[(r, alloc_c)] = (lookup(ServiceCol.ALLOCATION, r, '""'),
                             cat.at[service, ServiceCol.ALLOCATION] if known else None)
        out[(r, unit_c)] = (lookup(ServiceCol.UNIT_COST, r, '""'),
                            float(prices.loc[(service, geo.tiers[0]), PriceCol.UNIT_COST]) if known else None)  # type: ignore[union-attr]
        factor = None
        if known:
            own = cat.at[service, ServiceCol.MARGIN_OVERRIDE]
            factor = run.settings.margin_factor(None if pd.isna(own) else float(own))  # type: ignore[union-attr]
        out[(r, factor_c)] = (lookup(MARGIN_FACTOR, r, '""'), factor)
        for tier in geo.tiers:
            cost_c, value_c, interval_c = geo.mcol(MatrixCol.annual_cost(tier)), geo.mcol(MatrixCol.assessed_value(tier)), geo.mcol(tier)
            cost = value = None
            if known:
                row = prices.loc[(service, tier)]  # type: ignore[union-attr]
                cost, value = float(row[PriceCol.ANNUAL_COST]), float(row[PriceCol.ASSESSED_VALUE])
            elif prices is not None:
                cost = value = 0.0  # priced nowhere, and flagged in the row's Check
            unit, factor_ref = f"${letter(unit_c)}{r}", f"${letter(factor_c)}{r}"
            out[(r, cost_c)] = (f'IF({unit}="",0,{unit}*{letter(interval_c)}{r})', cost)
            out[(r, value_c)] = (f'IF({factor_ref}="",0,{letter(cost_c)}{r}*{factor_ref})', value)
    return out


def summary_cells(geo: Geometry, run: Run | None = None) -> Cells:
    """The per-tier Summary, the budget check and the policy in force."""
    out: Cells = {}
    S, T = SummaryCol, TierCostCol
    L = {h: col_letter(geo.scol(h)) for h in SUMMARY_COLUMNS}
    tier_col = sheet_ref(Sheet.ACCOUNTS, column_ref(geo.acol(Col.TIER)))
    used_col = sheet_ref(Sheet.ACCOUNTS, column_ref(geo.acol(ARR_USED)))
    alloc = sheet_ref(Sheet.MATRIX, column_ref(geo.mcol(MatrixCol.ALLOCATION)))
    total = geo.total_row
    summary = run.summary.set_index(S.TIER) if run is not None else None
    costs = run.costs if run is not None else None

    def val(label: str, header: str) -> object:
        if summary is None:
            return None
        return float(summary.at[label, header])

    rows = [(geo.summary_row(i), t) for i, t in enumerate(geo.tiers)] + [(geo.needs_row, NEEDS_DATA)]
    for r, label in rows:
        c = lambda h: geo.scol(h)  # noqa: E731
        out[(r, c(S.ACCOUNTS))] = (f"COUNTIFS({tier_col},${L[S.TIER]}{r})", val(label, S.ACCOUNTS))
        out[(r, c(S.ACCOUNT_SHARE))] = (f'IF(${L[S.ACCOUNTS]}${total}>0,{L[S.ACCOUNTS]}{r}/${L[S.ACCOUNTS]}${total},"")', val(label, S.ACCOUNT_SHARE))
        out[(r, c(S.ARR))] = (f"SUMIFS({used_col},{tier_col},${L[S.TIER]}{r})", val(label, S.ARR))
        out[(r, c(S.ARR_SHARE))] = (f'IF(${L[S.ARR]}${total}>0,{L[S.ARR]}{r}/${L[S.ARR]}${total},"")', val(label, S.ARR_SHARE))
        # A pooled programme runs for a tier that has accounts: an empty tier costs nothing.
        served = f"IF({L[S.ACCOUNTS]}{r}>0,{{}}{r},0)"
        out[(r, c(S.ANNUAL_COST))] = (f"{L[T.PER_ACCOUNT_COST]}{r}*{L[S.ACCOUNTS]}{r}+" + served.format(L[T.POOLED_COST]),
                                      val(label, S.ANNUAL_COST))
        out[(r, c(S.ASSESSED_VALUE))] = (f"{L[T.PER_ACCOUNT_VALUE]}{r}*{L[S.ACCOUNTS]}{r}+" + served.format(L[T.POOLED_VALUE]),
                                         val(label, S.ASSESSED_VALUE))
        out[(r, c(S.MARGIN))] = (f"{L[S.ASSESSED_VALUE]}{r}-{L[S.ANNUAL_COST]}{r}", val(label, S.MARGIN))
        out[(r, c(S.CTS_PCT_ARR))] = (f'IF({L[S.ARR]}{r}>0,{L[S.ANNUAL_COST]}{r}/{L[S.ARR]}{r},"")', val(label, S.CTS_PCT_ARR))
        if label == NEEDS_DATA:
            continue
        k = geo.tiers.index(label)
        cost_col = sheet_ref(Sheet.MATRIX, column_ref(geo.mcol(MatrixCol.annual_cost(label))))
        value_col = sheet_ref(Sheet.MATRIX, column_ref(geo.mcol(MatrixCol.assessed_value(label))))
        figures = {}
        if costs is not None:
            figures = {T.PER_ACCOUNT_COST: float(costs.per_account_cost.iloc[k]),
                       T.POOLED_COST: float(costs.pooled_cost.iloc[k]),
                       T.PER_ACCOUNT_VALUE: float(costs.per_account_value.iloc[k]),
                       T.POOLED_VALUE: float(costs.pooled_value.iloc[k])}
            basis = val(label, S.ARR) if run.settings.pooled_split == "arr" else val(label, S.ACCOUNTS)  # type: ignore[union-attr]
            figures[T.POOLED_BASIS] = basis
        for header, column, kind in ((T.PER_ACCOUNT_COST, cost_col, Allocation.PER_ACCOUNT),
                                     (T.POOLED_COST, cost_col, Allocation.POOLED),
                                     (T.PER_ACCOUNT_VALUE, value_col, Allocation.PER_ACCOUNT),
                                     (T.POOLED_VALUE, value_col, Allocation.POOLED)):
            out[(r, c(header))] = (f'SUMIFS({column},{alloc},"{kind}")', figures.get(header))
        out[(r, c(T.POOLED_BASIS))] = (f'IF({geo.pooled_split_cell}="arr",{L[S.ARR]}{r},{L[S.ACCOUNTS]}{r})', figures.get(T.POOLED_BASIS))
    first, last = geo.summary_row(0), geo.needs_row
    r = total
    for header in (S.ACCOUNTS, S.ARR, S.ANNUAL_COST, S.ASSESSED_VALUE):
        out[(r, geo.scol(header))] = (f"SUM({L[header]}{first}:{L[header]}{last})", val(TOTAL, header))
    out[(r, geo.scol(S.ACCOUNT_SHARE))] = (f'IF({L[S.ACCOUNTS]}{r}>0,{L[S.ACCOUNTS]}{r}/{L[S.ACCOUNTS]}{r},"")', val(TOTAL, S.ACCOUNT_SHARE))
    out[(r, geo.scol(S.ARR_SHARE))] = (f'IF({L[S.ARR]}{r}>0,{L[S.ARR]}{r}/{L[S.ARR]}{r},"")', val(TOTAL, S.ARR_SHARE))
    out[(r, geo.scol(S.MARGIN))] = (f"{L[S.ASSESSED_VALUE]}{r}-{L[S.ANNUAL_COST]}{r}", val(TOTAL, S.MARGIN))
    out[(r, geo.scol(S.CTS_PCT_ARR))] = (f'IF({L[S.ARR]}{r}>0,{L[S.ANNUAL_COST]}{r}/{L[S.ARR]}{r},"")', val(TOTAL, S.CTS_PCT_ARR))

    # Budget check.
    b = Tables.BUDGET
    cell = lambda item: geo.item_cell(b, BudgetItem.ALL, item, absolute=False)  # noqa: E731
    pos = lambda item: (b.row + 1 + BudgetItem.ALL.index(item), b.col + 1)  # noqa: E731
    budget = run.budget if run is not None else None
    status = budget and budget["status"]
    out[pos(BudgetItem.BUDGET)] = (setting_lookup("cs_budget"), budget and budget["budget"])
    out[pos(BudgetItem.ANNUAL_COST)] = (f"{L[S.ANNUAL_COST]}{total}", budget and budget["annual_cost"])
    out[pos(BudgetItem.REMAINING)] = (f"{cell(BudgetItem.BUDGET)}-{cell(BudgetItem.ANNUAL_COST)}", budget and budget["remaining"])
    out[pos(BudgetItem.USED_SHARE)] = (f'IF({cell(BudgetItem.BUDGET)}>0,{cell(BudgetItem.ANNUAL_COST)}/{cell(BudgetItem.BUDGET)},"")',
                                       budget and budget["used_share"])
    needs = geo.needs_row
    out[pos(BudgetItem.UNPRICED_ACCOUNTS)] = (f"{L[S.ACCOUNTS]}{needs}", budget and budget["unpriced_accounts"])
    out[pos(BudgetItem.UNPRICED_ARR)] = (f"{L[S.ARR]}{needs}", budget and budget["unpriced_arr"])
    unpriced = cell(BudgetItem.UNPRICED_ACCOUNTS)
    out[pos(BudgetItem.STATUS)] = (f'IF({cell(BudgetItem.REMAINING)}>=0,"{BudgetItem.WITHIN}","{BudgetItem.OVER}")'
                                   f'&IF({unpriced}>0,"{BudgetItem.LEFT_OUT}"&{unpriced},"")', status)

    # Policy in force: says which margin convention and pooled split the figures use.
    f = Tables.IN_FORCE
    st = run.settings if run is not None else None
    for item, key in ((InForceItem.POLICY, "policy"), (InForceItem.MARGIN_METHOD, "margin_method"),
                      (InForceItem.MARGIN_PCT, "margin_pct"), (InForceItem.POOLED_SPLIT, "pooled_split"),
                      (InForceItem.CURRENCY, "currency")):
        out[(f.row + 1 + InForceItem.ALL.index(item), f.col + 1)] = (setting_lookup(key), getattr(st, key) if st else None)
    return out


def tiers_cells(tiers: tuple[str, ...], settings=None) -> Cells:  # type: ignore[no-untyped-def]
    """The last tier's shares: what the other tiers leave."""
    p = Tables.TIERS
    r = p.row + len(tiers)
    out: Cells = {}
    if len(tiers) < 2:
        return out
    for header, bands in ((TierCol.ACCOUNT_SHARE, "account_bands"), (TierCol.ARR_SHARE, "arr_bands")):
        c = col_of(p, TierCol.ALL, header)
        letter = col_letter(c)
        value = None
        if settings is not None:
            value = max(0.0, 1 - math.fsum(getattr(settings, bands)))
        out[(r, c)] = (f"MAX(0,1-SUM({letter}${p.row + 1}:{letter}{r - 1}))", value)
    return out


def quadrant_cells(geo: Geometry, run: Run | None = None) -> Cells:
    """The 2 x 2 segment picture: each quadrant's segment name (from the grid), its accounts and their ARR."""
    g = Tables.SEGMENT_GRID
    segment_col = sheet_ref(Sheet.ACCOUNTS, column_ref(geo.acol(Col.SEGMENT)))
    used_col = sheet_ref(Sheet.ACCOUNTS, column_ref(geo.acol(ARR_USED)))
    name_c = g.col + SegmentGridCol.ALL.index(SegmentGridCol.SEGMENT)
    names = run.settings.segment_names if run is not None else None
    accounts, arr = segment_books(run.segments, run.arr_used(), names) if run is not None else (None, None)
    out: Cells = {}
    for i, (size, contract) in enumerate(Quadrants.GRID_ORDER):
        r, c = Quadrants.cell(size, contract)
        name = ref(r, c)
        out[(r, c)] = (ref(g.row + 1 + i, name_c, True), names[i] if names is not None else None)
        out[(r + 1, c)] = (f"COUNTIFS({segment_col},{name})", int(accounts[i]) if accounts is not None else None)
        out[(r + 2, c)] = (f"SUMIFS({used_col},{segment_col},{name})", float(arr[i]) if arr is not None else None)
    return out


def segment_prompt_cells(waiting: tuple[int, int] | None = None) -> Cells:
    """The line above the segment map: how many segments with accounts have no tier yet, and their accounts.

    ``waiting``: (segments, accounts) as the engine counts them
    (:func:`~tierbook.engine.segments.unmapped_segments`), over the map's
    Accounts column as Assign Tiers writes it.
    """
    m = Tables.SEGMENT_MAP
    col = {h: m.col + SegmentMapCol.ALL.index(h) for h in (SegmentMapCol.TIER, SegmentMapCol.ACCOUNTS)}
    tier, accounts = (area(m.row + 1, col[h], m.row + SegmentMapCol.SPAN, col[h], True)
                      for h in (SegmentMapCol.TIER, SegmentMapCol.ACCOUNTS))
    which = f"(LEN({tier})=0)*({accounts}>0)"
    n, a = f"SUMPRODUCT({which})", f"SUMPRODUCT({which},{accounts})"
    formula = f'IF({n}=0,"{SEGMENTS_ALL_MAPPED}","{SEGMENTS_WAITING}"&{n}&", holding "&{a}&"{SEGMENTS_PICK}")'
    figure = None
    if waiting is not None:
        figure = (SEGMENTS_ALL_MAPPED if waiting[0] == 0
                  else f"{SEGMENTS_WAITING}{waiting[0]}, holding {waiting[1]}{SEGMENTS_PICK}")
    return {(SegmentMapCol.PROMPT_ROW, m.col): (formula, figure)}


SEGMENTS_ALL_MAPPED = "Every segment with accounts has a tier."
SEGMENTS_WAITING = "Segments with no tier yet: "
SEGMENTS_PICK = (" accounts. Pick a tier in the highlighted cells; until then the segment policy makes "
                 "their accounts Needs data.")


def account_formulas(geo: Geometry, row: int | str) -> dict[int, str]:
    """Cost to Serve and CTS % ARR of the account in ``row`` (a number, or a mark a writer replaces by one)."""
    tier = f"${col_letter(geo.acol(Col.TIER))}{row}"
    used = f"${col_letter(geo.acol(ARR_USED))}{row}"
    cts = f"${col_letter(geo.acol(Col.COST_TO_SERVE))}{row}"
    tiers = geo.tier_range(SummaryCol.TIER)
    match = f"MATCH({tier},{tiers},0)"
    T = TierCostCol
    per_account = f"INDEX({geo.tier_range(T.PER_ACCOUNT_COST)},{match})"
    pooled = f"INDEX({geo.tier_range(T.POOLED_COST)},{match})"
    basis = f"INDEX({geo.tier_range(T.POOLED_BASIS)},{match})"
    split = sheet_ref(Sheet.SUMMARY, geo.pooled_split_cell)
    share = f'IF({split}="arr",N({used}),1)'
    return {
        geo.acol(Col.COST_TO_SERVE): f'IFERROR({per_account}+IFERROR({pooled}*{share}/{basis},0),"")',
        geo.acol(Col.CTS_PCT_ARR): f'IF(AND(ISNUMBER({cts}),N({used})>0),{cts}/{used},"")',
    }


def nan_to_none(value: object) -> object:
    if isinstance(value, (float, np.floating)) and not math.isfinite(float(value)):
        return None
    return value
