"""The ARR bands recomputed where the data lives: one SQL statement with window functions.

The frozen export (:mod:`.rules_export`) replays a run's cut as ARR
thresholds, which go stale as the book changes. This export recomputes the
bands from the table on every run, exactly as the engine defines them
(:func:`tierbook.engine.tiers.arr_band_codes`):

* ``arr-accounts``: n = tierable accounts (ARR a number above 0), r = the
  tierable accounts with strictly larger ARR; tier k is the first with
  r/n < p1 + ... + pk.
* ``arr-share``: the same with S = the ARR of the strictly larger accounts
  and T = the total ARR, both in whole cents (ARR x 100 rounded half to even,
  which is how the engine sums them).

Before the bands come the valid overrides and Needs data, from the same rule
program and SQL lowering as the frozen export (:mod:`.rule_ir`,
:mod:`.rule_sql`).

How the SQL stays exact in every dialect
----------------------------------------
* "Strictly larger" is "the whole partition less every account up to and
  including this ARR": a window ``ORDER BY arr ASC RANGE BETWEEN UNBOUNDED
  PRECEDING AND CURRENT ROW``. A RANGE frame takes in every peer (equal ARR),
  so equal ARR always gets equal r and S and a tie never splits. The frame is
  written out, never left to a dialect's default. Windows are partitioned by
  "tierable or not", so blanks, zeros and negatives are neither counted nor
  sorted among the tierable accounts, whatever a dialect's NULL ordering.
* Each cumulative share is read as the exact fraction p/q that the engine's
  rounding (:func:`~tierbook.engine.tiers.cumulative_cuts`) gives (0.15 +
  0.40 is 11/20), and r/n < p/q is tested as ``r * q < p * n``: no division,
  no float. Dividing counts means something different in each dialect
  (PostgreSQL truncates 5 / 2 to 2, Snowflake keeps a few decimals, DuckDB,
  Spark and BigQuery return a double), and any rounded quotient can land on
  the wrong side of a cut; a product of integers cannot.
* Counts and cents are ``DECIMAL(38, 0)`` (BigQuery: BIGNUMERIC), so sums
  and products cannot overflow the way a 64-bit ``SUM`` may wrap in Spark,
  and every dialect compares them exactly. 38 digits hold r * q for a cent
  total below 10^26 even with cuts of twelve decimals.
* Cents are computed from the double ARR with ``FLOOR`` and exact double
  arithmetic (x - FLOOR(x) and FLOOR(x / 2) are exact), so the rounding is
  half to even in every dialect, unlike ``ROUND``, which rounds half away
  from zero in most of them.

The engine itself compares the quotient r/n (or S/T) as a double with the
cut; the two readings agree whenever n * q (or T * q, T in cents) is below
about 9 * 10^15, which holds for every realistic book (it allows, at the
default bands, a total ARR of 4.5 trillion).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction

import pandas as pd
from sqlglot import exp

from ..engine.pipeline import Run
from ..engine.settings import Settings
from ..engine.tiers import cumulative_cuts
from ..columns import NEEDS_DATA, Col
from .rule_ir import Program, arr_needs_data, fields_of, override_branches
from .rule_sql import block_comment, sql_case, sql_condition, sql_name, sql_string
from .rule_targets import LIVE_SUFFIX, LIVE_TARGETS, SQL_TARGETS, is_live
from .rule_compile import NotCompilable
from .rules_export import RuleExport, comment_lines, compile_rule

ARR_POLICIES = ("arr-accounts", "arr-share")
WHOLE = "tierbook_whole"      # n, or T in cents
LARGER = "tierbook_larger"    # r, or S in cents
CENTS = "tierbook_cents"


def band_cuts(bands: Sequence[float]) -> list[Fraction]:
    """The cumulative band shares as exact fractions, rounded as the engine rounds them."""
    return [Fraction(repr(float(c))) for c in cumulative_cuts(tuple(bands))]


# ------------------------------------------------------------ building blocks
def _integer(value: exp.Expression) -> exp.Expression:
    return exp.Cast(this=value, to=exp.DataType.build("DECIMAL(38, 0)"))


def _tierable() -> exp.Expression:
    """1 for an account with usable ARR, else 0: the partition every window runs in."""
    return exp.Case().when(sql_condition(arr_needs_data()), exp.Literal.number(0)).else_(exp.Literal.number(1))


def _window(func: exp.Expression, cumulative: bool) -> exp.Window:
    """``func OVER (PARTITION BY tierable [ORDER BY arr RANGE ... CURRENT ROW])``."""
    window = exp.Window(this=func, partition_by=[_tierable()])
    if cumulative:
        window.set("order", exp.Order(expressions=[exp.Ordered(this=exp.column(sql_name(Col.ARR)), nulls_first=True)]))
        window.set("spec", exp.WindowSpec(kind="RANGE", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW"))
    return window


def _half_even_cents() -> exp.Expression:
    """ARR x 100 rounded half to even (numpy.rint), as an integer; NULL where ARR is unusable."""
    x = exp.Mul(this=exp.Cast(this=exp.column(sql_name(Col.ARR)), to=exp.DataType.build("DOUBLE")),
                expression=exp.Literal.number(100))

    def floor(e: exp.Expression) -> exp.Expression:
        return exp.Floor(this=e.copy())

    frac = exp.Sub(this=x.copy(), expression=floor(x))
    odd = exp.NEQ(this=exp.Mul(this=floor(exp.Div(this=x.copy(), expression=exp.Literal.number(2))),
                               expression=exp.Literal.number(2)),
                  expression=floor(x))
    up = exp.or_(exp.GT(this=frac, expression=exp.Literal.number("0.5")),
                 exp.and_(exp.EQ(this=frac.copy(), expression=exp.Literal.number("0.5")), odd))
    whole = exp.Cast(this=floor(x), to=exp.DataType.build("BIGINT"))
    step = exp.Case().when(up, exp.Literal.number(1)).else_(exp.Literal.number(0))
    cents = _integer(exp.Add(this=whole, expression=step))
    return exp.Case().when(sql_condition(arr_needs_data()), exp.Null()).else_(cents)


def _bands_select(policy: str, table: exp.Expression) -> exp.Select:
    """``SELECT *, whole, larger FROM table``: n and r, or T and S, per account."""
    if policy == "arr-accounts":
        whole = _window(exp.Count(this=exp.Star()), cumulative=False)
        up_to = _window(exp.Count(this=exp.Star()), cumulative=True)
        source: exp.Expression = table
    else:
        whole = _window(exp.Sum(this=exp.column(CENTS)), cumulative=False)
        up_to = _window(exp.Sum(this=exp.column(CENTS)), cumulative=True)
        source = exp.select(exp.Star(), exp.alias_(_half_even_cents(), CENTS)).from_(table).subquery(CENTS)
    larger = exp.Sub(this=whole.copy(), expression=up_to)
    columns = (exp.alias_(_integer(whole), WHOLE), exp.alias_(_integer(larger), LARGER))
    return exp.select(exp.Star(), *columns).from_(source)


def _band_branches(settings: Settings) -> list[tuple[exp.Expression, str]]:
    """``larger * q < p * whole`` per tier but the last (first match wins)."""
    out = []
    for cut, tier in zip(band_cuts(settings.bands), settings.tier_names):
        test = exp.LT(this=exp.Mul(this=exp.column(LARGER), expression=exp.Literal.number(cut.denominator)),
                      expression=exp.Mul(this=exp.Literal.number(cut.numerator), expression=exp.column(WHOLE)))
        out.append((test, tier))
    return out


def live_program(settings: Settings) -> Program:
    """Overrides, then Needs data; the bands follow (they read window columns, not account columns)."""
    branches = (*override_branches(settings), (arr_needs_data(), NEEDS_DATA))
    used = {f.column: f for cond, _ in branches for f in fields_of(cond)}
    return Program(tuple(branches), settings.tier_names[-1], tuple(used.values()), _notes(settings))


def live_query(settings: Settings, table: str = "accounts", dialect: str = "duckdb",
               carry: Sequence[str] = ()) -> exp.Select:
    """The statement as one sqlglot tree: account ID, any ``carry`` columns, and the tier.

    ``dialect`` only says how to read ``table`` (``project.dataset.accounts``);
    the tree prints in any dialect.
    """
    if settings.policy not in ARR_POLICIES:
        raise NotCompilable(f"live bands need an ARR policy ({', '.join(ARR_POLICIES)}); "
                            f"the policy is {settings.policy}")
    case = sql_case(live_program(settings))
    for test, tier in _band_branches(settings):
        case.when(test, sql_string(tier), copy=False)
    bands = _bands_select(settings.policy, exp.to_table(table, dialect=dialect)).subquery("tierbook_bands")
    columns = [exp.column(sql_name(Col.ACCOUNT_ID)), *(exp.column(c) for c in carry)]
    return exp.select(*columns, exp.alias_(case, "tier")).from_(bands)


def _notes(settings: Settings) -> tuple[str, ...]:
    accounts = settings.policy == "arr-accounts"
    n, r = ("n", "r") if accounts else ("T", "S")
    head = (f"ARR bands ({settings.policy}), recomputed from the table on every run: "
            + ("n = accounts with ARR above 0, r = those with strictly larger ARR."
               if accounts else
               "T = total ARR of accounts with ARR above 0, S = the ARR of those with strictly larger ARR, "
               "both in whole cents (ARR x 100 rounded half to even)."))
    lines = [head, "Equal ARR always gets the same tier. Each test is exact: integers (DECIMAL(38, 0)), no division."]
    cuts = band_cuts(settings.bands)
    for cut, tier in zip(cuts, settings.tier_names):
        lines.append(f"  {tier}: {r}/{n} < {float(cut):g}, tested as {r} * {cut.denominator} < {cut.numerator} * {n}")
    lines.append(f"  {settings.tier_names[-1]}: every other ARR above 0")
    return tuple(lines)


def compile_live_rule(run: Run, target: str, *, table: str = "accounts", carry: Sequence[str] = (),
                      exported_at: str | None = None) -> RuleExport:
    """The run's policy as a statement that recomputes the ARR bands on every run.

    Args:
        run: a run of the engine (its settings; the bands do not depend on its accounts).
        target: one of :data:`LIVE_TARGETS` (``duckdb-live``, ``snowflake-live``, ...).
        table: the table the statement reads.
        carry: more columns of ``table`` to return next to the account ID.
        exported_at: the date stated in the comment (default: today).

    Policies that tier each account on its own columns (``segment``,
    ``rules``) have nothing to recompute: their ordinary statement is
    returned, with a note. ``score`` does not compile (:class:`NotCompilable`).
    """
    if not is_live(target):
        raise NotCompilable(f"--rule {target!r} is not one of " + ", ".join(LIVE_TARGETS))
    plain = target[: -len(LIVE_SUFFIX)]
    dialect = SQL_TARGETS[plain]
    settings = run.settings
    exported_at = exported_at or pd.Timestamp.now().strftime("%Y-%m-%d")
    if settings.policy not in ARR_POLICIES:
        rule = compile_rule(run, plain, table=table, exported_at=exported_at)
        note = block_comment([f"The {settings.policy} policy tiers each account on its own columns, so nothing "
                              f"is recomputed across the table: this is the same statement as --rule {plain}."])
        return replace(rule, target=target, text=note + rule.text)
    program = live_program(settings)
    query = live_query(settings, table, dialect, carry)
    columns = {f.column: sql_name(f.column) for f in program.fields}
    comment = comment_lines(run, program, plain, exported_at, columns)
    statement = query.sql(dialect=dialect, pretty=True)
    return RuleExport(target, statement, block_comment(comment) + statement + ";\n", program, columns)
