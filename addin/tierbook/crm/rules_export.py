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

The program and its conditions live in :mod:`.rule_ir`, the compilers per
policy in :mod:`.rule_compile`, the SQL lowering in :mod:`.rule_sql` and the
spreadsheet formulas in :mod:`.rule_formula`; this module is the export that
puts them together (the statement to paste, with its comment).
:mod:`.live_bands` lowers the same overrides and Needs data with ARR bands
recomputed by window functions on every run.

The input the expression reads (the "rule input", :func:`rule_input_table`):
one row per account, numbers typed (``arr DOUBLE``; NULL where blank or not a
number, as Tierbook reads them), text as text with NULL for blank. A CRM's
typed fields are exactly that; from a spreadsheet, ``tierbook export BOOK
--rule-input`` writes the table. The ``score`` policy does not compile (see
:class:`NotCompilable`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlglot
from sqlglot import exp

from ..engine.pipeline import Run
from ..errors import TierbookError
from ..columns import DATE_COLUMNS, NEEDS_DATA, Col
from .mapping import SALESFORCE, CrmFormat
from .rule_compile import NotCompilable, rule_program
from .rule_formula import excel_formula, rule_input_layout, salesforce_formula
from .rule_ir import Program, fields_of
from .rule_sql import block_comment, sql_case, sql_name
from .rule_targets import SQL_TARGETS, TARGETS

SALESFORCE_MAX_CHARS = 3_900


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
        elif column in DATE_COLUMNS:
            data[name] = pd.to_datetime(frame[column]).dt.date.astype(object).where(frame[column].notna(), None)
        else:
            values = frame[column].astype(object)
            data[name] = values.map(str, na_action="ignore").where(values.notna(), None).astype(object)
    return pd.DataFrame(data)



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
