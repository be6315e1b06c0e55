"""The rule program lowered to SQL: one sqlglot tree, generated per dialect.

Conditions become boolean expressions over the rule-input table (numbers
typed, NULL where blank; :func:`sql_name` spells each column), so the same
tree prints for DuckDB, Spark, Databricks, Snowflake, BigQuery and PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlglot import exp

from ..engine.reading import plain_number
from .rule_ir import (
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
)


def sql_name(column: str) -> str:
    """The SQL column name of an account column: "Account ID" -> account_id."""
    name = re.sub(r"[^0-9a-z]+", "_", str(column).casefold()).strip("_")
    return name if name and not name[0].isdigit() else f"c_{name}"


def _sql_column(fld: Field) -> exp.Expression:
    return exp.column(sql_name(fld.column))


def sql_string(value: str) -> exp.Literal:
    """A string literal; each dialect escapes quotes its own way."""
    return exp.Literal.string(value)


def _num(value: float) -> exp.Expression:
    text = plain_number(value)
    if text.startswith("-"):
        return exp.Neg(this=exp.Literal.number(text[1:]))
    return exp.Literal.number(text)


def _sql_norm(e: exp.Expression) -> exp.Expression:
    """Lower case, runs of white space as one space, trimmed: the engine's category key."""
    collapsed = exp.RegexpReplace(this=e, expression=sql_string(r"\s+"), replacement=sql_string(" "))
    return exp.Lower(this=exp.Trim(this=collapsed))


def _sql_name_key(e: exp.Expression) -> exp.Expression:
    """Lower case without spaces and underscores: the engine's header key."""
    return exp.Lower(this=exp.RegexpReplace(this=e, expression=sql_string(r"[\s_]+"), replacement=sql_string("")))


def sql_condition(cond: Condition) -> exp.Expression:
    """A condition as a sqlglot boolean expression over the rule-input columns."""
    if isinstance(cond, All):
        return exp.and_(*(sql_condition(c) for c in cond.items))
    if isinstance(cond, Any_):
        return exp.or_(*(sql_condition(c) for c in cond.items))
    col = _sql_column(cond.field)  # type: ignore[union-attr]
    if isinstance(cond, (Blank, Present)):
        if cond.field.kind == "number" or not cond.field.clean:
            null = exp.Is(this=col, expression=exp.Null())
            return null if isinstance(cond, Blank) else exp.Not(this=null)
        # COALESCE(LOWER(TRIM(x)), '') IN ('', '#n/a', '#null!'): blank as Tierbook reads text.
        key = exp.Coalesce(this=exp.Lower(this=exp.Trim(this=col)), expressions=[sql_string("")])
        blank = exp.In(this=key, expressions=[sql_string(""), *(sql_string(t) for t in BLANK_TOKENS)])
        return blank if isinstance(cond, Blank) else exp.Not(this=blank)
    if isinstance(cond, NotNull):
        return exp.Not(this=exp.Is(this=col, expression=exp.Null()))
    if isinstance(cond, Compare):
        ops = {"<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE, "=": exp.EQ, "<>": exp.NEQ}
        return ops[cond.op](this=col, expression=_num(cond.value))
    if isinstance(cond, NumberIn):
        return exp.In(this=col, expressions=[_num(v) for v in cond.values])
    if isinstance(cond, TextIs):
        norm = _sql_norm(col)
        if len(cond.keys) == 1:
            return exp.EQ(this=norm, expression=sql_string(cond.keys[0]))
        return exp.In(this=norm, expressions=[sql_string(k) for k in cond.keys])
    if isinstance(cond, TextIsNot):
        return exp.NEQ(this=_sql_norm(col), expression=sql_string(cond.key))
    if isinstance(cond, TextHas):
        return exp.GT(this=exp.StrPosition(this=_sql_norm(col), substr=sql_string(cond.needle)),
                      expression=exp.Literal.number(0))
    if isinstance(cond, NameIs):
        key = _sql_name_key(col)
        if len(cond.keys) == 1:
            return exp.EQ(this=key, expression=sql_string(cond.keys[0]))
        return exp.In(this=key, expressions=[sql_string(k) for k in cond.keys])
    raise TypeError(f"unknown condition {cond!r}")


def sql_case(program: Program) -> exp.Case:
    """The program as a sqlglot ``CASE`` expression."""
    case = exp.Case()
    for cond, label in program.branches:
        case = case.when(sql_condition(cond), sql_string(label), copy=False)
    return case.else_(sql_string(program.default), copy=False)


def block_comment(lines: Iterable[str]) -> str:
    """Lines as one ``/* ... */`` comment that no line can close early."""
    return "/*\n" + "\n".join(" * " + line.replace("*/", "* /") for line in lines) + "\n */\n"
