"""The tiering rule as one expression: a SQL CASE, a Salesforce formula, an Excel formula.

The current policy and its parameters are compiled to a small program of
ordered branches (first match wins, then a default), which is then lowered to

* a SQL ``CASE`` built as a sqlglot syntax tree and generated per dialect
  (DuckDB, Spark, Snowflake, BigQuery, PostgreSQL, ...);
* a Salesforce formula field (nested ``IF``) on the CRM's API field names;
* an Excel formula (nested ``IF``) to fill down a sheet.

Branch order mirrors the engine: valid overrides first (a tier name, matched
ignoring case, spaces and underscores, with a reason), then "Needs data",
then the policy. ARR bands compile to the ARR thresholds of the run (tier k
when ARR >= its lowest ARR), stated with the date in a comment; they are
shares of the book, so the thresholds move as the book changes.

The program and its conditions live in :mod:`.rule_ir`, their SQL lowering
in :mod:`.rule_sql`; :mod:`.live_bands` lowers the same overrides and Needs
data with ARR bands recomputed by window functions on every run.

The input the expression reads (the "rule input", :func:`rule_input_table`):
one row per account, numbers typed (``arr DOUBLE``; NULL where blank or not a
number, as Tierbook reads them), text as text with NULL for blank. A CRM's
typed fields are exactly that; from a spreadsheet, ``tierbook export BOOK
--rule-input`` writes the table. The ``score`` policy does not compile (see
:class:`NotCompilable`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlglot
from sqlglot import exp

from ..engine.accounts import category_key
from ..engine.pipeline import Run
from ..engine.settings import SIZE_X_CONTRACT, Rule, Settings
from ..engine.tiers import rule_number, text_key  # the engine's own readings of rule values
from ..errors import TierbookError
from ..columns import INPUT_COLUMNS, NEEDS_DATA, UNKNOWN_SEGMENT, Col, ThresholdCol, header_key
from .mapping import SALESFORCE, CrmFormat
from .rule_ir import (
    ARR,
    BLANK_TOKENS,
    All,
    Any_,
    Blank,
    Compare,
    Condition,
    Field,
    NameIs,
    NotNull,
    NumberIn,
    Present,
    Program,
    TextHas,
    TextIs,
    TextIsNot,
    all_of,
    any_of,
    arr_needs_data,
    field_for,
    fields_of,
    override_branches,
)
from .rule_sql import SQL_TARGETS, block_comment, sql_case, sql_name
from ..engine.reading import plain_number

TARGETS: tuple[str, ...] = (*SQL_TARGETS, "salesforce", "excel")
EXCEL_MAX_NESTING = 64
SALESFORCE_MAX_CHARS = 3_900


class NotCompilable(TierbookError):
    """The policy in force cannot be written as a per-account formula without changing its result."""


def _label(settings: Settings, index: int | None) -> str:
    return NEEDS_DATA if index is None or index < 0 else settings.tier_names[index]


# ------------------------------------------------------------------ compiling
def _arr_program(run: Run) -> Program:
    settings = run.settings
    thresholds = run.tiers.thresholds
    assert thresholds is not None
    branches = override_branches(settings)
    branches.append((arr_needs_data(), NEEDS_DATA))
    notes = []
    rows = thresholds.to_dict("records")
    last = len(settings.tier_names) - 1
    for k, row in enumerate(rows):
        low, count = row[ThresholdCol.MIN_ARR], int(row[ThresholdCol.ACCOUNTS])
        if k == last:
            notes.append(f"{row[ThresholdCol.TIER]}: every other ARR above 0 ({count:,} accounts)")
        elif np.isfinite(low):
            branches.append((Compare(ARR, ">=", float(low)), settings.tier_names[k]))
            notes.append(f"{row[ThresholdCol.TIER]}: ARR >= {low:,.2f}".rstrip("0").rstrip(".")
                         + f" ({count:,} accounts)")
        else:
            notes.append(f"{row[ThresholdCol.TIER]}: no account today, so the formula never assigns it")
    by = "shares of accounts" if settings.policy == "arr-accounts" else "shares of total ARR"
    bands = ", ".join(f"{b:.0%}" for b in settings.bands)
    head = (f"ARR bands ({settings.policy}: {by} {bands}, the last tier the rest) replayed as the ARR "
            f"thresholds of {int(thresholds[ThresholdCol.ACCOUNTS].sum()):,} accounts with ARR above 0:")
    notes = [head, *("  " + n for n in notes),
             "The bands are shares of the book: re-export the rule after the book changes."]
    return Program(tuple(branches), settings.tier_names[last], (), tuple(notes))


def _size_fields(settings: Settings) -> tuple[Field, float]:
    return field_for(settings.size_column), float(settings.size_threshold)


def _segment_conditions(settings: Settings) -> tuple[Condition, list[Condition]]:
    """(unknown, [condition per 2-D segment]) exactly as :func:`size_x_contract` decides."""
    size, size_cut = _size_fields(settings)
    arr_cut = float(settings.arr_threshold)
    unknown = any_of(Blank(size), Compare(size, "<", 0.0), Blank(ARR), Compare(ARR, "<=", 0.0))
    big_contract = Compare(ARR, ">=", arr_cut)
    small_contract = all_of(Compare(ARR, ">", 0.0), Compare(ARR, "<", arr_cut))
    big_company = Compare(size, ">=", size_cut)
    small_company = all_of(Compare(size, ">=", 0.0), Compare(size, "<", size_cut))
    return unknown, [
        all_of(big_contract, big_company),
        all_of(big_contract, small_company),
        all_of(small_contract, big_company),
        all_of(small_contract, small_company),
    ]


def _segment_tier(settings: Settings, segment: str) -> str:
    mapping = {header_key(k): settings.tier_index(v) for k, v in settings.segment_tiers.items()}
    return _label(settings, mapping.get(header_key(segment)))


def _segment_program(run: Run) -> Program:
    settings = run.settings
    branches = override_branches(settings)
    if settings.segment_by == SIZE_X_CONTRACT:
        size, size_cut = _size_fields(settings)
        unknown, _ = _segment_conditions(settings)
        tiers = [_segment_tier(settings, s) for s in settings.segment_names]
        branches.append((unknown, _segment_tier(settings, UNKNOWN_SEGMENT)))
        big_contract = Compare(ARR, ">=", float(settings.arr_threshold))
        big_company = Compare(size, ">=", size_cut)
        # Known accounts only from here: the 2-D grid as a decision list.
        if tiers[0] == tiers[1]:
            branches.append((big_contract, tiers[0]))
        else:
            branches += [(all_of(big_contract, big_company), tiers[0]), (big_contract, tiers[1])]
        if tiers[2] != tiers[3]:
            branches.append((big_company, tiers[2]))
        names = settings.segment_names
        notes = (f"Segment map on the 2-D segment: contract large at ARR >= {plain_number(float(settings.arr_threshold))}, "
                 f"company large at {settings.size_column} >= {plain_number(size_cut)}; "
                 + ", ".join(f"{s} -> {t}" for s, t in zip(names, tiers)),)
        return Program(tuple(branches), tiers[3], (), notes)
    column = field_for(settings.segment_by)
    by_tier: dict[str, list[str]] = {}
    for segment, tier in settings.segment_tiers.items():
        by_tier.setdefault(_label(settings, settings.tier_index(tier)), []).append(header_key(segment))
    unknown_tier = _segment_tier(settings, UNKNOWN_SEGMENT)
    if unknown_tier != NEEDS_DATA:
        branches.append((Blank(column), unknown_tier))
    for tier in settings.tier_names:
        keys = tuple(k for k in by_tier.get(tier, []) if k != header_key(UNKNOWN_SEGMENT))
        if keys:
            branches.append((all_of(Present(column), NameIs(column, keys)), tier))
    notes = (f"Segment map on {settings.segment_by}: "
             + ", ".join(f"{s} -> {t}" for s, t in settings.segment_tiers.items())
             + f"; any other or blank {settings.segment_by} -> {NEEDS_DATA}",)
    return Program(tuple(branches), NEEDS_DATA, (), notes)


def _rule_column(run: Run, rule: Rule) -> str:
    """The account column a rule reads, found as the engine finds it."""
    key = header_key(rule.column)
    for name in list(run.accounts.frame.columns) + [Col.SEGMENT]:
        if header_key(name) == key:
            return str(name)
    raise NotCompilable(f"rule on {rule.column!r}: no such account column")


def _text_match(rule: Rule, keys_of: Sequence[str] | None = None) -> tuple[str, object]:
    """(kind, argument) of a text rule: = / <> / in / contains, with the engine's keys."""
    if rule.op == "=":
        return "is", (text_key(rule.value),)
    if rule.op == "<>":
        return "is not", text_key(rule.value)
    if rule.op == "in":
        items = rule.value if isinstance(rule.value, (list, tuple)) else str(rule.value).split(",")
        return "is", tuple(dict.fromkeys(text_key(i) for i in items if text_key(i)))
    if rule.op == "contains":
        return "has", text_key(rule.value)
    raise NotCompilable(f"rule {rule.describe()}: {rule.op} compares numbers, and {rule.column} holds text")


def _segment_rule(run: Run, i: int, rule: Rule) -> list[tuple[Condition, str]]:
    settings = run.settings
    tier = settings.tier_names[settings.tier_index(rule.tier)]  # type: ignore[index]
    if settings.segment_by != SIZE_X_CONTRACT:
        return _column_rule(run, i, replace_column(rule, settings.segment_by), settings.segment_by)
    unknown, conditions = _segment_conditions(settings)
    if rule.op == "is blank":
        return [(unknown, tier)]
    kind, arg = _text_match(rule)
    names = list(settings.segment_names)
    keys = category_key(pd.Series(names, dtype=object)).tolist()
    if kind == "is":
        chosen = [k in arg for k in keys]  # type: ignore[operator]
    elif kind == "is not":
        chosen = [k != arg for k in keys]
    else:
        chosen = [str(arg) in k for k in keys]
    matching = [c for c, yes in zip(conditions, chosen) if yes]
    out: list[tuple[Condition, str]] = [(unknown, NEEDS_DATA)]
    if matching:
        out.append((any_of(*matching), tier))
    return out


def replace_column(rule: Rule, column: str) -> Rule:
    return Rule(column, rule.op, rule.value, rule.tier)


def _column_rule(run: Run, i: int, rule: Rule, column: str) -> list[tuple[Condition, str]]:
    settings = run.settings
    tier = settings.tier_names[settings.tier_index(rule.tier)]  # type: ignore[index]
    if column == Col.RENEWAL_DATE or pd.api.types.is_datetime64_any_dtype(run.accounts.frame[column].dtype):
        raise NotCompilable(f"rule {i} ({rule.describe()}): rules on dates do not compile to a formula yet")
    is_number = column in run.accounts.numbers
    fld = Field(column, "number" if is_number else "text", clean=column in INPUT_COLUMNS)
    if rule.op == "is blank":
        return [(Blank(fld), tier)]
    blank = (Blank(fld), NEEDS_DATA)
    ordering = rule.op in ("<", "<=", ">", ">=")
    number = rule_number(rule.value, settings.decimal_mark, f"rule {i}", i)
    if is_number:
        if ordering or (rule.op in ("=", "<>") and number is not None):
            return [blank, (Compare(fld, rule.op, float(number)), tier)]  # type: ignore[arg-type]
        if rule.op == "in":
            items = rule.value if isinstance(rule.value, (list, tuple)) else str(rule.value).split(",")
            numbers = [rule_number(v, settings.decimal_mark, f"rule {i}", i) for v in items]
            if all(n is not None for n in numbers):
                return [blank, (NumberIn(fld, tuple(float(n) for n in numbers)), tier)]  # type: ignore[arg-type]
        raise NotCompilable(
            f"rule {i} ({rule.describe()}): {column} holds numbers, and this rule compares it as text; "
            "write the value as a number"
        )
    kind, arg = _text_match(rule)
    if kind == "is":
        cond: Condition = TextIs(fld, arg) if arg else None  # type: ignore[arg-type,assignment]
    elif kind == "is not":
        cond = TextIsNot(fld, arg)  # type: ignore[arg-type]
    else:
        cond = TextHas(fld, arg)  # type: ignore[arg-type]
    return [blank] + ([(cond, tier)] if cond is not None else [])


def _rules_program(run: Run) -> Program:
    settings = run.settings
    branches = override_branches(settings)
    notes = ["Rules, first match wins; a rule whose column is blank gives Needs data:"]
    seen: set[object] = set()
    for i, rule in enumerate(settings.rules, start=1):
        column = _rule_column(run, rule)
        if header_key(column) == header_key(Col.SEGMENT):
            compiled = _segment_rule(run, i, rule)
        else:
            compiled = _column_rule(run, i, rule, column)
        for cond, label in compiled:
            if label == NEEDS_DATA and cond in seen:
                continue  # the same blank check already sent these accounts to Needs data
            if label == NEEDS_DATA:
                seen.add(cond)
            branches.append((cond, label))
        notes.append(f"  {i}. {rule.describe()} -> {rule.tier}")
    notes.append(f"  otherwise -> {settings.default_tier}")
    default = settings.tier_names[settings.tier_index(settings.default_tier)]  # type: ignore[index]
    return Program(tuple(branches), default, (), tuple(notes))


def rule_program(run: Run) -> Program:
    """The policy of a run as ordered branches.

    Raises:
        NotCompilable: the ``score`` policy, or a rule that no formula can
            reproduce; the message says why.
    """
    policy = run.settings.policy
    if policy in ("arr-accounts", "arr-share"):
        program = _arr_program(run)
    elif policy == "segment":
        program = _segment_program(run)
    elif policy == "rules":
        program = _rules_program(run)
    else:
        criteria = ", ".join(c for c, _ in run.settings.score_criteria)
        raise NotCompilable(
            f"the {policy} policy does not compile to a formula: each criterion ({criteria}) is scaled "
            "between the lowest and highest value in the whole book (min-max normalisation), so an "
            "account's score and tier depend on every other account, and any per-account formula would "
            "drift from Tierbook as soon as one account changes. Upload the tiers instead (export --crm), "
            "or choose arr-accounts, arr-share, segment or rules, which compile exactly"
        )
    branches = _simplify(program.branches, program.default)
    used = {f.column: f for cond, _ in branches for f in fields_of(cond)}
    return Program(branches, program.default, tuple(used.values()), program.notes)


def _simplify(branches: Sequence[tuple[Condition, str]], default: str) -> tuple[tuple[Condition, str], ...]:
    """Drop trailing branches that give the default anyway."""
    out = list(branches)
    while out and out[-1][1] == default:
        out.pop()
    return tuple(out)


# ------------------------------------------------------------ the rule input
def rule_input_table(run: Run) -> pd.DataFrame:
    """The table the SQL reads: one row per account, typed, blank = NULL.

    Columns: every canonical input column under its :func:`sql_name`
    (numbers as nullable doubles exactly as Tierbook read them, so "$1,200"
    is 1200 and "TBD" is NULL; text stripped, "#N/A" as NULL; Renewal Date as
    a date), then the user's other columns as text.
    """
    frame = run.accounts.frame
    data: dict[str, object] = {}
    for column in frame.columns:
        name = sql_name(column)
        if name in data:
            raise TierbookError(f"columns {column!r} and another one both become {name!r} in SQL; rename one")
        if column in run.accounts.numbers:
            data[name] = pd.array(run.accounts.numbers[column].values, dtype="Float64")
            data[name][~np.isfinite(run.accounts.numbers[column].values)] = pd.NA  # type: ignore[index]
        elif column == Col.RENEWAL_DATE:
            data[name] = pd.to_datetime(frame[column]).dt.date.astype(object).where(frame[column].notna(), None)
        else:
            values = frame[column].astype(object)
            data[name] = values.map(str, na_action="ignore").where(values.notna(), None).astype(object)
    return pd.DataFrame(data)


# ------------------------------------------------------- spreadsheet formulas
def _xl_str(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _sf_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class _Sheet:
    """How a spreadsheet dialect spells things."""

    ref: Mapping[str, str]      # column -> reference (cell, field, TEXT(field))
    string: object              # python callable: str -> literal
    salesforce: bool = False


def _formula(cond: Condition, sh: _Sheet) -> str:
    s = sh.string
    if isinstance(cond, All):
        return "AND(" + ", ".join(_formula(c, sh) for c in cond.items) + ")"
    if isinstance(cond, Any_):
        return "OR(" + ", ".join(_formula(c, sh) for c in cond.items) + ")"
    fld = cond.field  # type: ignore[union-attr]
    ref = sh.ref[fld.column]
    trim = f"TRIM({ref})"
    norm = f"LOWER({trim})"
    if isinstance(cond, (Blank, Present)):
        if fld.kind == "number":
            blank = f"ISBLANK({ref})" if sh.salesforce else f"NOT(ISNUMBER({ref}))"
        elif not fld.clean:
            blank = f"ISBLANK({ref})" if sh.salesforce else f"{ref}={s('')}"  # type: ignore[operator]
        else:
            empty = f"LEN({trim})=0" if sh.salesforce else f"{trim}={s('')}"  # type: ignore[operator]
            tokens = ", ".join(f"{norm}={s(t)}" for t in BLANK_TOKENS)  # type: ignore[operator]
            blank = f"OR({'ISBLANK(' + ref + '), ' if sh.salesforce else ''}{empty}, {tokens})"
        if isinstance(cond, Blank):
            return blank
        if blank.startswith("NOT(") and blank.endswith(")") and blank.count("(") == 2:
            return blank[4:-1]
        return f"NOT({blank})"
    if isinstance(cond, NotNull):
        return f"NOT(ISBLANK({ref}))" if sh.salesforce else f"{ref}<>{s('')}"  # type: ignore[operator]
    if isinstance(cond, Compare):
        op = cond.op
        present = f"NOT(ISBLANK({ref}))" if sh.salesforce else f"ISNUMBER({ref})"
        return f"AND({present}, {ref}{op}{plain_number(cond.value)})"
    if isinstance(cond, NumberIn):
        present = f"NOT(ISBLANK({ref}))" if sh.salesforce else f"ISNUMBER({ref})"
        return f"AND({present}, OR(" + ", ".join(f"{ref}={plain_number(v)}" for v in cond.values) + "))"
    if isinstance(cond, TextIs):
        parts = [f"{norm}={s(k)}" for k in cond.keys]  # type: ignore[operator]
        return parts[0] if len(parts) == 1 else "OR(" + ", ".join(parts) + ")"
    if isinstance(cond, TextIsNot):
        return f"{norm}<>{s(cond.key)}"  # type: ignore[operator]
    if isinstance(cond, TextHas):
        if sh.salesforce:
            return f"CONTAINS({norm}, {s(cond.needle)})"  # type: ignore[operator]
        return f"ISNUMBER(FIND({s(cond.needle)}, {norm}))"  # type: ignore[operator]
    if isinstance(cond, NameIs):
        key = f'LOWER(SUBSTITUTE(SUBSTITUTE({ref}, " ", ""), "_", ""))'
        parts = [f"{key}={s(k)}" for k in cond.keys]  # type: ignore[operator]
        return parts[0] if len(parts) == 1 else "OR(" + ", ".join(parts) + ")"
    raise TypeError(f"unknown condition {cond!r}")


def _nested_if(program: Program, sh: _Sheet) -> str:
    s = sh.string
    out = s(program.default)  # type: ignore[operator]
    for cond, label in reversed(program.branches):
        out = f"IF({_formula(cond, sh)}, {s(label)}, {out})"  # type: ignore[operator]
    return out


def _letter(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def excel_columns(headers: Sequence[str]) -> dict[str, str]:
    """Account column -> sheet column letter, for a sheet with these headers in row 1.

    Canonical columns are found ignoring case and spaces (as Tierbook reads
    them); a header that is a :func:`sql_name` of a column also counts, so the
    rule-input table's sheet works too.
    """
    out: dict[str, str] = {}
    for i, header in enumerate(headers):
        out.setdefault(str(header), _letter(i))
    for column in INPUT_COLUMNS:
        for i, header in enumerate(headers):
            if header_key(header) == header_key(column) or str(header) == sql_name(column):
                out[column] = _letter(i)
                break
    return out


def rule_input_layout(run: Run) -> dict[str, str]:
    """Account column -> sheet column letter of the rule-input table (:func:`rule_input_table`) on a sheet."""
    return {str(c): _letter(i) for i, c in enumerate(run.accounts.frame.columns)}


def excel_formula(program: Program, columns: Mapping[str, str], row: int = 2) -> str:
    """The program as an Excel formula for one row (fill it down), e.g. ``=IF(...)``."""
    missing = [f.column for f in program.fields if f.column not in columns]
    if missing:
        raise NotCompilable("the Excel formula needs the column(s) " + ", ".join(missing) + " on the sheet")
    if len(program.branches) > EXCEL_MAX_NESTING:
        raise NotCompilable(f"the rule has {len(program.branches)} branches; Excel nests at most "
                            f"{EXCEL_MAX_NESTING} IFs. Export it as SQL instead")
    refs = {c: f"${letter}{row}" for c, letter in columns.items()}
    return "=" + _nested_if(program, _Sheet(refs, _xl_str))


def salesforce_formula(program: Program, crm: CrmFormat = SALESFORCE) -> str:
    """The program as a Salesforce formula field (return type Text)."""
    refs: dict[str, str] = {}
    for fld in program.fields:
        name = crm.formula_fields.get(fld.column, fld.column)
        if not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", name):
            raise NotCompilable(f"the Salesforce formula needs an API field name for {fld.column!r}; "
                                "name it in the mapping file's [formula.fields]")
        refs[fld.column] = f"TEXT({name})" if name in crm.picklists else name
    return _nested_if(program, _Sheet(refs, _sf_str, salesforce=True))


# ---------------------------------------------------------------- the export
@dataclass(frozen=True)
class RuleExport:
    """A compiled rule, ready to paste.

    Attributes:
        target: the target asked for (``sql``, ``spark``, ``salesforce``, ...).
        expression: the bare expression (the ``CASE``, or the formula).
        text: the comment, then the statement to paste (SQL: a ``SELECT``).
        program: the branches it was compiled from.
        columns: account column -> the name the expression uses for it.
    """

    target: str
    expression: str
    text: str
    program: Program
    columns: dict[str, str] = field(default_factory=dict)


def comment_lines(run: Run, program: Program, target: str, exported_at: str,
                   columns: Mapping[str, str]) -> list[str]:
    settings = run.settings
    lines = [f"Tierbook tier rule, policy {settings.policy}, exported {exported_at}.",
             *program.notes,
             f"Overrides first: a {Col.TIER_OVERRIDE} naming a tier (case, spaces and underscores ignored) "
             f"with an {Col.OVERRIDE_REASON} wins.",
             f"{NEEDS_DATA}: accounts the policy cannot tier (a blank or non-positive ARR, a missing column value)."]
    used = ", ".join(f"{columns[f.column]} = {f.column} ({f.kind})" for f in program.fields)
    lines.append(f"Reads: {used}.")
    if target == "salesforce":
        lines.append("Create a Text formula field; set Blank Field Handling to 'Treat blank fields as blanks'.")
    elif target == "excel":
        lines.append("Fill down from row 2; numbers must be numbers (text such as '$1,200' counts as blank).")
    else:
        lines.append("Blank means NULL; numbers are typed (DOUBLE) as Tierbook reads them "
                     "(tierbook export BOOK --rule-input writes such a table).")
    return lines


def compile_rule(run: Run, target: str, *, table: str = "accounts", crm: CrmFormat = SALESFORCE,
                 sheet_columns: Mapping[str, str] | None = None, exported_at: str | None = None) -> RuleExport:
    """Compile the run's policy for one target.

    Args:
        run: a run of the engine (its settings, thresholds and account columns).
        target: one of :data:`TARGETS`.
        table: the table the SQL reads (``project.dataset.accounts`` works).
        crm: the field names a Salesforce formula uses.
        sheet_columns: for ``excel``, account column -> sheet column letter
            (default: the rule-input table's layout).
        exported_at: the date stated in the comment (default: today).

    Raises:
        NotCompilable: the policy or a rule cannot be written as a formula.
    """
    if target not in TARGETS:
        raise NotCompilable(f"--rule {target!r} is not one of " + ", ".join(TARGETS))
    exported_at = exported_at or pd.Timestamp.now().strftime("%Y-%m-%d")
    program = rule_program(run)
    if target in SQL_TARGETS:
        dialect = SQL_TARGETS[target]
        case = sql_case(program)
        columns = {f.column: sql_name(f.column) for f in program.fields}
        query = exp.select(exp.column(sql_name(Col.ACCOUNT_ID)), exp.alias_(case, "tier")).from_(
            exp.to_table(table, dialect=dialect)
        )
        comment = comment_lines(run, program, target, exported_at, columns)
        text = block_comment(comment) + query.sql(dialect=dialect, pretty=True) + ";\n"
        return RuleExport(target, case.sql(dialect=dialect), text, program, columns)
    if target == "salesforce":
        formula = salesforce_formula(program, crm)
        columns = {f.column: crm.formula_fields.get(f.column, f.column) for f in program.fields}
        comment = comment_lines(run, program, target, exported_at, columns)
        text = block_comment(comment) + formula + "\n"
        if len(text) > SALESFORCE_MAX_CHARS:
            text = ("/* Over Salesforce's 3,900-character formula limit: shorten the rules, "
                    "or export SQL instead. */\n" + text)
        return RuleExport(target, formula, text, program, columns)
    layout = dict(sheet_columns) if sheet_columns is not None else rule_input_layout(run)
    absent = [c for c in (Col.TIER_OVERRIDE, Col.OVERRIDE_REASON) if c not in layout]
    if absent:  # a sheet without override columns: no override can apply, so drop those branches
        kept = tuple(b for b in program.branches if not {f.column for f in fields_of(b[0])} & set(absent))
        used = {f.column: f for cond, _ in kept for f in fields_of(cond)}
        program = Program(kept, program.default, tuple(used.values()),
                          program.notes + (f"The sheet has no {' / '.join(absent)} column, so the formula "
                                           "has no override branches; add the columns and export again to get them.",))
    formula = excel_formula(program, layout)
    columns = {f.column: layout[f.column] for f in program.fields}
    comment = comment_lines(run, program, target, exported_at, {c: f"column {v}" for c, v in columns.items()})
    text = "\n".join(comment) + "\n" + formula + "\n"
    return RuleExport(target, formula, text, program, columns)


def transpile_check(sql: str, dialect: str) -> None:
    """Parse generated SQL back in its dialect (raises sqlglot.ParseError if it does not)."""
    sqlglot.parse_one(sql, read=dialect)
