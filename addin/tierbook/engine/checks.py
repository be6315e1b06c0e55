"""Data-quality checks: one row per problem, naming the row a user can find.

Checks only report; they never drop, reorder or fix an input row. The tiering
step reads the same facts (which ARR is usable, which override is valid) from
here, so the Data Quality sheet and the tier reasons always agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..columns import (
    CATEGORY_COLUMNS,
    DATE_COLUMNS,
    NUMERIC_COLUMNS,
    UNKNOWN_SEGMENT,
    Col,
    Problem,
    ProblemCol,
    ServiceCol,
    Severity,
    header_key,
)
from .accounts import Accounts, by_code, distinct_values, first_rows, map_unique_array
from .reading import (
    AMBIGUOUS,
    BLANK,
    BLANK_TEXT,
    BY_COLUMN,
    FROM_TEXT,
    IMPLAUSIBLE,
    PLAUSIBLE_LIMIT,
    UNPARSEABLE,
    excel_error,
    plain_number,
    shorten,
)
from .overrides import REVIEW_DAYS, OverrideStatus, override_status
from .segments import assign_segments, segment_tier_codes
from .services import service_key
from .settings import SIZE_X_CONTRACT, Settings
from .wording import counted

SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
VALUE_LIMIT = 255
"""Characters of a raw value shown in the problem table (a cell holds at most 32,767)."""


def usable_arr(accounts: Accounts) -> np.ndarray:
    """Mask of accounts whose ARR is a number above zero."""
    arr = accounts.numbers[Col.ARR].values
    return np.isfinite(arr) & (arr > 0)


def check_accounts(accounts: Accounts, settings: Settings, segments: pd.Series | None = None,
                   today: dt.date | None = None, overrides: OverrideStatus | None = None) -> pd.DataFrame:
    """Every data problem of the accounts, in row order, including every gap that changes a result.

    Returns a table with the columns of :class:`~tierbook.columns.ProblemCol`:
    the spreadsheet row, Account ID, column, offending value, problem type,
    severity (error, warning, info) and a detail a user can act on. A problem
    with a whole column (one that is absent) names the header row.
    ``segments`` are the accounts' segments when already computed; ``overrides``
    the overrides as tiering found them on ``today`` (else they are read here, for ``today``).
    """
    parts: list[pd.DataFrame] = []
    add = parts.append
    frame = accounts.frame

    for column in (Col.ACCOUNT_ID, Col.ACCOUNT_NAME):
        add(_rows(accounts, frame[column].isna().to_numpy(), column, Problem.MISSING_REQUIRED,
                  Severity.ERROR, "the account cannot be matched to the CRM without it"
                  if column == Col.ACCOUNT_ID else "fill in the account's name"))
    arr = accounts.numbers[Col.ARR]
    needs = "the account is tiered as Needs data under an ARR-based policy"
    add(_rows(accounts, arr.status == BLANK, Col.ARR, Problem.MISSING_REQUIRED, Severity.ERROR, needs))
    add(_rows(accounts, arr.status == BLANK_TEXT, Col.ARR, Problem.MISSING_REQUIRED, Severity.ERROR,
              "a word for no value, read as blank; " + needs))
    add(_duplicates(accounts))
    non_positive = np.isfinite(arr.values) & (arr.values <= 0)
    add(_rows(accounts, non_positive, Col.ARR, Problem.NON_POSITIVE_ARR, Severity.ERROR,
              "ARR must be above 0; " + needs))
    for column in NUMERIC_COLUMNS:
        if accounts.has(column):
            parts.extend(_number_problems(accounts, column))
    if accounts.has(Col.NPS):
        nps = accounts.numbers[Col.NPS].values
        add(_rows(accounts, np.isfinite(nps) & ((nps < -100) | (nps > 100)), Col.NPS,
                  Problem.OUT_OF_RANGE, Severity.WARNING, "NPS runs from -100 to 100"))
    for column in (Col.EMPLOYEES, Col.COMPANY_REVENUE):
        values = accounts.numbers[column].values
        add(_rows(accounts, np.isfinite(values) & (values < 0), column, Problem.OUT_OF_RANGE,
                  Severity.WARNING, "a company size cannot be negative; the segment is Unknown"))
    add(_overrides(accounts, settings, overrides or override_status(accounts, settings.tier_names, today)))
    for column in CATEGORY_COLUMNS:
        if accounts.has(column):
            add(_spellings(accounts, column))
    for column in DATE_COLUMNS:
        if accounts.has(column):
            parts.extend(_date_problems(accounts, column))
    segments = assign_segments(accounts, settings) if segments is None else segments
    parts.extend(_segment_gaps(accounts, segments, settings))
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_problems()  # a table of its own, which the caller may extend
    table = pd.concat(parts, ignore_index=True)
    order = np.lexsort((table[ProblemCol.SEVERITY].map(SEVERITY_ORDER).to_numpy(), table[ProblemCol.ROW].to_numpy()))
    return table.iloc[order].reset_index(drop=True)


def service_problems(catalog_services: Sequence[str], matrix_services: Sequence[str],
                     catalog_rows: Sequence[int] | None = None,
                     matrix_rows: Sequence[int] | None = None) -> pd.DataFrame:
    """Services the catalog and the matrix do not share: each one drops a cost from every total without a sign.

    A matrix row whose service the catalog lacks is priced nowhere; a catalog
    service with no matrix row is never delivered. Renaming a service in the
    catalog does both at once. Both are errors, named by the row of the table
    they sit in (``catalog_rows`` / ``matrix_rows``: the spreadsheet rows,
    else 1-based positions).
    """
    catalog_rows = list(catalog_rows) if catalog_rows is not None else list(range(1, len(catalog_services) + 1))
    matrix_rows = list(matrix_rows) if matrix_rows is not None else list(range(1, len(matrix_services) + 1))
    in_catalog = {service_key(s) for s in catalog_services}
    in_matrix = {service_key(s) for s in matrix_services}
    records = []
    for row, name in zip(matrix_rows, matrix_services):
        if service_key(name) and service_key(name) not in in_catalog:
            records.append((row, name, Problem.SERVICE_NOT_IN_CATALOG,
                            f"service matrix row {row} names {shorten(name)!r}, which the service catalog lacks: its "
                            "intervals cost nothing in any total; add it to the catalog or correct the name"))
    for row, name in zip(catalog_rows, catalog_services):
        if service_key(name) and service_key(name) not in in_matrix:
            records.append((row, name, Problem.SERVICE_NOT_IN_MATRIX,
                            f"service catalog row {row}: {shorten(name)!r} has no row in the service matrix, so no "
                            "tier receives it and it costs nothing; add its intervals to the matrix"))
    if not records:
        return _nothing()
    return pd.DataFrame({ProblemCol.ROW: np.array([r[0] for r in records], dtype=np.int64),
                         ProblemCol.ACCOUNT_ID: "", ProblemCol.COLUMN: ServiceCol.SERVICE,
                         ProblemCol.VALUE: [_problem_value(r[1]) for r in records],
                         ProblemCol.PROBLEM: [r[2] for r in records], ProblemCol.SEVERITY: Severity.ERROR,
                         ProblemCol.DETAIL: [r[3] for r in records]})


def with_service_problems(problems: pd.DataFrame, services: pd.DataFrame) -> pd.DataFrame:
    """The accounts' problems followed by the service problems (those come after every account row)."""
    if services.empty:
        return problems
    if problems.empty:
        return services.reset_index(drop=True)
    return pd.concat([problems, services], ignore_index=True)


def _number_problems(accounts: Accounts, column: str) -> list[pd.DataFrame]:
    """What reading a number column took: values not read, read from text, read one of two ways."""
    parsed = accounts.numbers[column]
    required = column == Col.ARR
    severe = Severity.ERROR if required else Severity.WARNING
    out = []
    unparsed = parsed.status == UNPARSEABLE
    if unparsed.any():
        header = accounts.source[column]
        raw = accounts.raw[header].reset_index(drop=True).to_numpy(dtype=object)
        detail = np.array(["the cell shows the error " + e + "; treated as blank" if e else
                           "not read as a number; treated as blank"
                           for e in (excel_error(v) for v in raw[unparsed])], dtype=object)
        out.append(_rows(accounts, unparsed, column, Problem.UNPARSEABLE_NUMBER, severe, detail))
    out.append(_rows(accounts, parsed.status == IMPLAUSIBLE, column, Problem.IMPLAUSIBLE_NUMBER, severe,
                     f"beyond {PLAUSIBLE_LIMIT:,.0f} either way: not a plausible figure; treated as blank"))
    if not required:
        out.append(_rows(accounts, parsed.status == BLANK_TEXT, column, Problem.BLANK_AS_TEXT, Severity.INFO,
                         "a word for no value, read as blank"))
    from_text = parsed.status == FROM_TEXT
    if from_text.any():
        details = pd.Series(parsed.values[from_text]).map(lambda v: f"read as {v:,.10g}").to_numpy()
        out.append(_rows(accounts, from_text, column, Problem.NUMBER_FROM_TEXT, Severity.INFO, details))
    by_column = parsed.status == BY_COLUMN
    if by_column.any():
        marks = ("'.' for thousands and ',' for decimals" if parsed.decimal == "comma"
                 else "',' for thousands and '.' for decimals")
        why = f" (the column's other values use {marks}, e.g. {shorten(parsed.evidence)!r})"
        details = pd.Series(parsed.values[by_column]).map(lambda v: "read as " + plain_number(v) + why).to_numpy()
        out.append(_rows(accounts, by_column, column, Problem.NUMBER_FROM_TEXT, Severity.INFO, details))
    ambiguous = parsed.status == AMBIGUOUS
    if ambiguous.any():
        other = parsed.other[ambiguous] if parsed.other is not None else np.full(int(ambiguous.sum()), np.nan)
        details = [f"ambiguous: read as {plain_number(v)} ('.' as the decimal mark); with ',' as the decimal mark "
                   f"it is {plain_number(o)}; set decimal_mark (tierbook --decimal) to point or comma"
                   for v, o in zip(parsed.values[ambiguous], other)]
        out.append(_rows(accounts, ambiguous, column, Problem.AMBIGUOUS_NUMBER, Severity.WARNING,
                         np.array(details, dtype=object)))
    return out


_DATE_EFFECT = {Col.OVERRIDE_UNTIL: (Severity.ERROR, "; the override applies as if it had no end date until "
                                                     "this cell holds a date")}
"""What an unreadable date does to a result, where it does something, and how severe that is."""


def _date_problems(accounts: Accounts, column: str) -> list[pd.DataFrame]:
    parsed = accounts.dates[column]
    dates = parsed.values[parsed.status == AMBIGUOUS]
    ambiguous = [f"ambiguous: read as {d:%Y-%m-%d} (month first); nothing in the column tells day from month"
                 for d in dates]
    severity, effect = _DATE_EFFECT.get(column, (Severity.WARNING, ""))
    return [
        _rows(accounts, parsed.status == UNPARSEABLE, column, Problem.UNPARSEABLE_DATE, severity,
              "use a date such as 2026-03-31" + effect),
        _rows(accounts, parsed.status == AMBIGUOUS, column, Problem.AMBIGUOUS_DATE, Severity.WARNING,
              np.array(ambiguous, dtype=object)),
        _rows(accounts, parsed.status == BLANK_TEXT, column, Problem.BLANK_AS_TEXT, Severity.INFO,
              "a word for no value, read as blank"),
    ]


def _segment_gaps(accounts: Accounts, segments: pd.Series, settings: Settings) -> list[pd.DataFrame]:
    """Missing values that make a segment Unknown, a score incomplete, or a segment tierless."""
    out = []
    by_segment = settings.policy == "segment"
    severity = Severity.ERROR if by_segment else Severity.WARNING
    needs = "; the account is tiered as Needs data" if by_segment else ""
    column = settings.size_column if settings.segment_by == SIZE_X_CONTRACT else settings.segment_by
    if not accounts.has(column):
        why = f"no {column} column: every account's segment is Unknown{needs}"
        out.append(_column_row(accounts, column, Problem.SEGMENT_UNKNOWN, severity, why))
    else:
        present = (np.isfinite(accounts.numbers[column].values) if column in accounts.numbers
                   else accounts.frame[column].notna().to_numpy())
        out.append(_rows(accounts, ~present, column, Problem.SEGMENT_UNKNOWN, severity,
                         f"{column} is missing, so the segment is Unknown{needs}"))
    if by_segment:
        unknown = (segments == UNKNOWN_SEGMENT).to_numpy(dtype=bool)
        unmapped = (segment_tier_codes(segments, settings) < 0) & ~unknown
        if unmapped.any():
            names = segments.astype(object).to_numpy()[unmapped]
            details = np.array([f"segment {shorten(s)!r} has no tier in the segment map; the account is tiered "
                                "as Needs data" for s in names], dtype=object)
            out.append(_rows(accounts, unmapped, Col.SEGMENT, Problem.SEGMENT_UNMAPPED, Severity.ERROR, details,
                             values=names))
    if settings.policy == "score":
        for criterion, _ in settings.score_criteria:
            parsed = accounts.numbers_of(criterion)
            if parsed is None:
                out.append(_column_row(accounts, criterion, Problem.MISSING_SCORE, Severity.ERROR,
                                       f"no {criterion} column for the score criterion"))
            elif header_key(criterion) != header_key(Col.ARR):  # ARR's own problems are errors already
                out.append(_rows(accounts, ~np.isfinite(parsed.values), accounts.column_named(criterion),
                                 Problem.MISSING_SCORE, Severity.ERROR,
                                 f"{criterion} is a score criterion; the account is tiered as Needs data"))
    return out


_NOTHING: list[pd.DataFrame] = []


def _nothing() -> pd.DataFrame:
    """The empty problem table, built once: most checks find nothing, and a new frame costs more than the check."""
    if not _NOTHING:
        _NOTHING.append(empty_problems())
    return _NOTHING[0]


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


def error_count(problems: pd.DataFrame) -> int:
    """How many problems are errors (what makes ``tierbook check`` exit with status 1)."""
    return int((problems[ProblemCol.SEVERITY] == Severity.ERROR).sum()) if len(problems) else 0


def _rows(accounts: Accounts, mask: np.ndarray, column: str, problem: str, severity: str,
          detail: object, values: np.ndarray | None = None) -> pd.DataFrame:
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return _nothing()
    header = accounts.source.get(column, column if column in accounts.raw.columns else None)
    if values is not None:
        raw_values = np.array([_problem_value(v) for v in values], dtype=object)
    elif header is not None:
        raw_values = _shown_values(accounts.raw[header].iloc[idx])
    else:
        raw_values = ""
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


def _column_row(accounts: Accounts, column: str, problem: str, severity: str, detail: str) -> pd.DataFrame:
    """One problem with a whole column, on the header row."""
    return pd.DataFrame({ProblemCol.ROW: [accounts.first_row - 1], ProblemCol.ACCOUNT_ID: [""],
                         ProblemCol.COLUMN: [column], ProblemCol.VALUE: [""], ProblemCol.PROBLEM: [problem],
                         ProblemCol.SEVERITY: [severity], ProblemCol.DETAIL: [detail]})


def _shown_values(cells: pd.Series) -> np.ndarray:
    """The cells as the problem table shows them: text columns once per distinct value."""
    if isinstance(cells.dtype, pd.StringDtype):  # exact text: factorising merges nothing that reads differently
        return map_unique_array(cells, _problem_value, "")
    return cells.map(_problem_value).to_numpy()  # mixed cells (1, 1.0, True) keep each its own reading


def _problem_value(value: object) -> str:
    """A cell value as a user would read it in the problem table (long text cut short)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return shorten(value, VALUE_LIMIT)


def _duplicates(accounts: Accounts) -> pd.DataFrame:
    ids = accounts.frame[Col.ACCOUNT_ID]
    dup = ids.duplicated(keep=False).to_numpy() & ids.notna().to_numpy()
    if not dup.any():
        return _nothing()
    rows = pd.Series(accounts.rows, index=ids.index)
    first = rows[dup].groupby(ids[dup]).transform("min")
    count = ids[dup].map(ids[dup].value_counts())
    detail = [f"{c} rows share this ID; first in row {f}" for c, f in zip(count, first)]
    return _rows(accounts, dup, Col.ACCOUNT_ID, Problem.DUPLICATE_ID, Severity.ERROR, detail)


def _overrides(accounts: Accounts, settings: Settings, status: OverrideStatus) -> pd.DataFrame:
    frame = accounts.frame
    index = status.tier
    given = frame[Col.TIER_OVERRIDE].notna().to_numpy()
    unknown = given & (index < 0)
    choices = ", ".join(settings.tier_names)
    no_reason = given & (index >= 0) & frame[Col.OVERRIDE_REASON].isna().to_numpy()
    ended = [f"expired on {d:%Y-%m-%d}: not applied since {d + pd.Timedelta(days=1):%Y-%m-%d}; the account is back "
             "on the policy tier (clear the override, or move Override Until on)" for d in status.until[status.expired]]
    left = status.days_left[status.review]
    due = [f"applies until {d:%Y-%m-%d}, {counted(int(k), 'day')} from today (review within "
           f"{REVIEW_DAYS} days): renew it by moving Override Until on, or let it lapse"
           for d, k in zip(status.until[status.review], left)]
    return pd.concat(
        [
            _rows(accounts, unknown, Col.TIER_OVERRIDE, Problem.UNKNOWN_OVERRIDE, Severity.ERROR,
                  f"not applied; the tiers are {choices}"),
            _rows(accounts, no_reason, Col.TIER_OVERRIDE, Problem.OVERRIDE_WITHOUT_REASON,
                  Severity.ERROR, f"not applied until {Col.OVERRIDE_REASON} says why"),
            _rows(accounts, status.expired, Col.OVERRIDE_UNTIL, Problem.OVERRIDE_EXPIRED, Severity.WARNING,
                  np.array(ended, dtype=object)),
            _rows(accounts, status.review, Col.OVERRIDE_UNTIL, Problem.OVERRIDE_REVIEW, Severity.INFO,
                  np.array(due, dtype=object)),
        ],
        ignore_index=True,
    )


def _spellings(accounts: Accounts, column: str) -> pd.DataFrame:
    # The canonical spelling follows from the cell's text, so each distinct spelling is judged once.
    codes, spellings = (accounts.distinct.get(column)
                        or distinct_values(accounts.raw[accounts.source[column]].reset_index(drop=True)))
    counted_as = accounts.frame[column].to_numpy(dtype=object)[first_rows(codes, len(spellings))]
    other = [isinstance(v, str) and bool(v.strip()) and not pd.isna(c) and v != c for v, c in zip(spellings, counted_as)]
    differs = by_code(codes, other, False).astype(bool)
    if not differs.any():
        return _nothing()
    detail = by_code(codes, [f"counted as {shorten(c)!r}" if o else "" for c, o in zip(counted_as, other)], "")[differs]
    return _rows(accounts, differs, column, Problem.CATEGORY_SPELLING, Severity.WARNING, detail)
