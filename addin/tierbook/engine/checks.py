"""Data-quality checks: one row per problem, naming the row a user can find.

Checks only report; they never drop, reorder or fix an input row. The tiering
step reads the same facts (which ARR is usable, which override is valid) from
here, so the Data Quality sheet and the tier reasons always agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..layout import (
    CATEGORY_COLUMNS,
    NUMERIC_COLUMNS,
    Col,
    Problem,
    ProblemCol,
    Severity,
    header_key,
)
from .accounts import BLANK, FROM_TEXT, UNPARSEABLE, Accounts, map_unique_array
from .settings import Settings

SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def usable_arr(accounts: Accounts) -> np.ndarray:
    """Mask of accounts whose ARR is a number above zero."""
    arr = accounts.numbers[Col.ARR].values
    return np.isfinite(arr) & (arr > 0)


def override_status(accounts: Accounts, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Per account: the override's tier index (-1 if none or not a tier) and whether it applies.

    An override applies when it names a tier and carries a reason; an override
    without a reason is reported and not applied, because an unexplained
    exception cannot be reviewed at the next tiering.
    """
    frame = accounts.frame
    keys = {header_key(t): i for i, t in enumerate(settings.tier_names)}
    index = map_unique_array(frame[Col.TIER_OVERRIDE], lambda v: keys.get(header_key(v), -1), -1)
    has_reason = frame[Col.OVERRIDE_REASON].notna().to_numpy()
    return index, (index >= 0) & has_reason


def check_accounts(accounts: Accounts, settings: Settings) -> pd.DataFrame:
    """Every data problem of the accounts, in row order.

    Returns a table with the columns of :class:`~tierbook.layout.ProblemCol`:
    the spreadsheet row, Account ID, column, offending value, problem type,
    severity (error, warning, info) and a detail a user can act on.
    """
    parts: list[pd.DataFrame] = []
    add = parts.append
    frame = accounts.frame

    for column in (Col.ACCOUNT_ID, Col.ACCOUNT_NAME):
        add(_rows(accounts, frame[column].isna().to_numpy(), column, Problem.MISSING_REQUIRED,
                  Severity.ERROR, "the account cannot be matched to the CRM without it"
                  if column == Col.ACCOUNT_ID else "fill in the account's name"))
    arr = accounts.numbers[Col.ARR]
    add(_rows(accounts, arr.status == BLANK, Col.ARR, Problem.MISSING_REQUIRED, Severity.ERROR,
              "the account is tiered as Needs data under an ARR-based policy"))
    add(_duplicates(accounts))
    non_positive = np.isfinite(arr.values) & (arr.values <= 0)
    add(_rows(accounts, non_positive, Col.ARR, Problem.NON_POSITIVE_ARR, Severity.ERROR,
              "ARR must be above 0; the account is tiered as Needs data under an ARR-based policy"))
    for column in NUMERIC_COLUMNS:
        if not accounts.has(column):
            continue
        parsed = accounts.numbers[column]
        required = column == Col.ARR
        add(_rows(accounts, parsed.status == UNPARSEABLE, column, Problem.UNPARSEABLE_NUMBER,
                  Severity.ERROR if required else Severity.WARNING,
                  "not read as a number; treated as blank"))
        from_text = parsed.status == FROM_TEXT
        if from_text.any():
            details = pd.Series(parsed.values[from_text]).map(lambda v: f"read as {v:,.10g}").to_numpy()
            add(_rows(accounts, from_text, column, Problem.NUMBER_FROM_TEXT, Severity.INFO, details))
    if accounts.has(Col.NPS):
        nps = accounts.numbers[Col.NPS].values
        add(_rows(accounts, np.isfinite(nps) & ((nps < -100) | (nps > 100)), Col.NPS,
                  Problem.OUT_OF_RANGE, Severity.WARNING, "NPS runs from -100 to 100"))
    for column in (Col.EMPLOYEES, Col.COMPANY_REVENUE):
        values = accounts.numbers[column].values
        add(_rows(accounts, np.isfinite(values) & (values < 0), column, Problem.OUT_OF_RANGE,
                  Severity.WARNING, "a company size cannot be negative"))
    add(_overrides(accounts, settings))
    for column in CATEGORY_COLUMNS:
        if accounts.has(column):
            add(_spellings(accounts, column))
    if accounts.has(Col.RENEWAL_DATE):
        raw = accounts.raw[accounts.source[Col.RENEWAL_DATE]].reset_index(drop=True)
        given = raw.notna().to_numpy() & ~raw.astype(str).str.strip().str.casefold().isin(
            ("", "#n/a", "n/a", "nan", "nat", "none")
        ).to_numpy()
        unreadable = given & frame[Col.RENEWAL_DATE].isna().to_numpy()
        add(_rows(accounts, unreadable, Col.RENEWAL_DATE, Problem.UNPARSEABLE_DATE, Severity.WARNING,
                  "use a date such as 2026-03-31"))
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_problems()
    table = pd.concat(parts, ignore_index=True)
    order = np.lexsort((table[ProblemCol.SEVERITY].map(SEVERITY_ORDER).to_numpy(), table[ProblemCol.ROW].to_numpy()))
    return table.iloc[order].reset_index(drop=True)


def empty_problems() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in ProblemCol.ALL}).astype(
        {ProblemCol.ROW: "int64"}
    )


def problem_counts(problems: pd.DataFrame) -> pd.DataFrame:
    """Problems counted by type and severity, most severe first."""
    if problems.empty:
        return pd.DataFrame(columns=[ProblemCol.PROBLEM, ProblemCol.SEVERITY, "Count"])
    counts = problems.groupby([ProblemCol.PROBLEM, ProblemCol.SEVERITY], sort=False).size()
    counts = counts.reset_index(name="Count")
    counts["_order"] = counts[ProblemCol.SEVERITY].map(SEVERITY_ORDER)
    return counts.sort_values(["_order", "Count"], ascending=[True, False]).drop(columns="_order").reset_index(drop=True)


def _rows(accounts: Accounts, mask: np.ndarray, column: str, problem: str, severity: str,
          detail: object) -> pd.DataFrame:
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return empty_problems()
    header = accounts.source.get(column)
    raw_values = (
        accounts.raw[header].iloc[idx].map(_shown).to_numpy() if header is not None else ""
    )
    return pd.DataFrame(
        {
            ProblemCol.ROW: accounts.rows[idx],
            ProblemCol.ACCOUNT_ID: accounts.frame[Col.ACCOUNT_ID].iloc[idx].fillna("").to_numpy(),
            ProblemCol.COLUMN: header if header is not None else column,
            ProblemCol.VALUE: raw_values,
            ProblemCol.PROBLEM: problem,
            ProblemCol.SEVERITY: severity,
            ProblemCol.DETAIL: detail,
        }
    )


def _shown(value: object) -> str:
    """A cell value as a user would read it in the problem table."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _duplicates(accounts: Accounts) -> pd.DataFrame:
    ids = accounts.frame[Col.ACCOUNT_ID]
    dup = ids.duplicated(keep=False).to_numpy() & ids.notna().to_numpy()
    if not dup.any():
        return empty_problems()
    rows = pd.Series(accounts.rows, index=ids.index)
    first = rows[dup].groupby(ids[dup]).transform("min")
    count = ids[dup].map(ids[dup].value_counts())
    detail = [f"{c} rows share this ID; first in row {f}" for c, f in zip(count, first)]
    return _rows(accounts, dup, Col.ACCOUNT_ID, Problem.DUPLICATE_ID, Severity.ERROR, detail)


def _overrides(accounts: Accounts, settings: Settings) -> pd.DataFrame:
    frame = accounts.frame
    index, applies = override_status(accounts, settings)
    given = frame[Col.TIER_OVERRIDE].notna().to_numpy()
    unknown = given & (index < 0)
    choices = ", ".join(settings.tier_names)
    no_reason = given & (index >= 0) & ~applies
    return pd.concat(
        [
            _rows(accounts, unknown, Col.TIER_OVERRIDE, Problem.UNKNOWN_OVERRIDE, Severity.ERROR,
                  f"not applied; the tiers are {choices}"),
            _rows(accounts, no_reason, Col.TIER_OVERRIDE, Problem.OVERRIDE_WITHOUT_REASON,
                  Severity.ERROR, f"not applied until {Col.OVERRIDE_REASON} says why"),
        ],
        ignore_index=True,
    )


def _spellings(accounts: Accounts, column: str) -> pd.DataFrame:
    raw = accounts.raw[accounts.source[column]].reset_index(drop=True)
    canonical = accounts.frame[column]
    is_text = map_unique_array(raw, lambda v: isinstance(v, str), False)
    differs = is_text & canonical.notna().to_numpy() & (raw.astype(object).to_numpy() != canonical.to_numpy())
    blank = raw.astype(str).str.strip().eq("").to_numpy()
    differs &= ~blank
    if not differs.any():
        return empty_problems()
    detail = canonical[differs].map(lambda v: f"counted as {v!r}").to_numpy()
    return _rows(accounts, differs, column, Problem.CATEGORY_SPELLING, Severity.WARNING, detail)
