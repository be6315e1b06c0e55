"""The policy in force compiled to a rule program: ordered branches, first match wins, then a default.

One compiler per policy (:func:`rule_program` picks it): ARR bands become
the ARR thresholds of the run, the segment map becomes the 2-D grid (or the
attribute) as a decision list, tier rules become their conditions with the
blank checks the engine makes. Branch order mirrors the engine: valid
overrides first, then "Needs data", then the policy. The program
(:mod:`.rule_ir`) is lowered elsewhere: SQL in :mod:`.rule_sql`, spreadsheet
formulas in :mod:`.rule_formula`; :mod:`.rules_export` puts them together.
The ``score`` policy does not compile (see :class:`NotCompilable`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..engine.accounts import category_key
from ..engine.pipeline import Run
from ..engine.reading import plain_number
from ..engine.rule_match import find_column, list_items, rule_number, text_key  # the engine's own readings
from ..engine.rules import Condition as RuleCondition
from ..engine.rules import Rule
from ..engine.settings import SIZE_X_CONTRACT, Settings
from ..errors import TierbookError
from ..columns import INPUT_COLUMNS, NEEDS_DATA, UNKNOWN_SEGMENT, Col, ThresholdCol, header_key
from .rule_ir import (
    ARR,
    All,
    Blank,
    Compare,
    Condition,
    Field,
    NameIs,
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


class NotCompilable(TierbookError):
    """The policy in force cannot be written as a per-account formula without changing its result."""


def _label(settings: Settings, index: int | None) -> str:
    return NEEDS_DATA if index is None or index < 0 else settings.tier_names[index]


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


def _rule_column(run: Run, cond: RuleCondition) -> str:
    """The account column a condition reads, found as the engine finds it."""
    column = find_column(run.accounts, cond.column, extra=(Col.SEGMENT,))
    if column is None:
        raise NotCompilable(f"rule on {cond.column!r}: no such account column")
    return column


def _text_match(cond: RuleCondition) -> tuple[str, object]:
    """(kind, argument) of a text condition: = / <> / in / contains, with the engine's keys."""
    if cond.op == "=":
        return "is", (text_key(cond.value),)
    if cond.op == "<>":
        return "is not", text_key(cond.value)
    if cond.op == "in":
        return "is", tuple(dict.fromkeys(text_key(i) for i in list_items(cond.value) if text_key(i)))
    if cond.op == "contains":
        return "has", text_key(cond.value)
    raise NotCompilable(f"rule {cond.describe()}: {cond.op} compares numbers, and {cond.column} holds text")


# Each condition compiles to (unknown, true): where its value is blank, and where it holds (never
# where blank); None is "never".
Compiled = tuple[Condition | None, Condition | None]


def _segment_condition(run: Run, i: int, cond: RuleCondition) -> Compiled:
    settings = run.settings
    if settings.segment_by != SIZE_X_CONTRACT:
        return _column_condition(run, i, RuleCondition(settings.segment_by, cond.op, cond.value), settings.segment_by)
    unknown, conditions = _segment_conditions(settings)
    if cond.op == "is blank":
        return None, unknown
    kind, arg = _text_match(cond)
    keys = category_key(pd.Series(list(settings.segment_names), dtype=object)).tolist()
    if kind == "is":
        chosen = [k in arg for k in keys]  # type: ignore[operator]
    elif kind == "is not":
        chosen = [k != arg for k in keys]
    else:
        chosen = [str(arg) in k for k in keys]
    matching = [c for c, yes in zip(conditions, chosen) if yes]
    return unknown, (any_of(*matching) if matching else None)


def _column_condition(run: Run, i: int, cond: RuleCondition, column: str) -> Compiled:
    settings = run.settings
    if column == Col.RENEWAL_DATE or pd.api.types.is_datetime64_any_dtype(run.accounts.frame[column].dtype):
        raise NotCompilable(f"rule {i} ({cond.describe()}): rules on dates do not compile to a formula yet")
    is_number = column in run.accounts.numbers
    fld = Field(column, "number" if is_number else "text", clean=column in INPUT_COLUMNS)
    if cond.op == "is blank":
        return None, Blank(fld)
    ordering = cond.op in ("<", "<=", ">", ">=")
    number = rule_number(cond.value, settings.decimal_mark, f"rule {i}", i)
    if is_number:
        if ordering or (cond.op in ("=", "<>") and number is not None):
            return Blank(fld), Compare(fld, cond.op, float(number))  # type: ignore[arg-type]
        if cond.op == "in":
            numbers = [rule_number(v, settings.decimal_mark, f"rule {i}", i) for v in list_items(cond.value)]
            if all(n is not None for n in numbers):
                return Blank(fld), NumberIn(fld, tuple(float(n) for n in numbers))  # type: ignore[arg-type]
        raise NotCompilable(
            f"rule {i} ({cond.describe()}): {column} holds numbers, and this rule compares it as text; "
            "write the value as a number"
        )
    kind, arg = _text_match(cond)
    if kind == "is":
        match: Condition | None = TextIs(fld, arg) if arg else None  # type: ignore[arg-type]
    elif kind == "is not":
        match = TextIsNot(fld, arg)  # type: ignore[arg-type]
    else:
        match = TextHas(fld, arg)  # type: ignore[arg-type]
    # Text tests read a blank cell as text; "true" excludes the blank explicitly.
    return Blank(fld), (None if match is None else all_of(Present(fld), match))


def _compiled(run: Run, i: int, cond: RuleCondition) -> Compiled:
    column = _rule_column(run, cond)
    if header_key(column) == header_key(Col.SEGMENT):
        return _segment_condition(run, i, cond)
    return _column_condition(run, i, cond, column)


def _rule_branches(run: Run, i: int, rule: Rule) -> list[tuple[Condition, str]]:
    """A rule as branches: its tier where every condition holds; Needs data where none fails and one is blank."""
    tier = run.settings.tier_names[run.settings.tier_index(rule.tier)]  # type: ignore[index]
    parts = [_compiled(run, i, c) for c in rule.conditions]
    if len(parts) == 1:
        unknown, match = parts[0]
        if match is not None and isinstance(match, All) and isinstance(match.items[0], Present):
            match = all_of(*match.items[1:])  # the blank branch comes first, so the guard is not needed
        return ([(unknown, NEEDS_DATA)] if unknown is not None else []) + ([(match, tier)] if match else [])
    out: list[tuple[Condition, str]] = []
    if all(m is not None for _, m in parts):
        out.append((all_of(*(m for _, m in parts)), tier))  # type: ignore[misc]
    not_false = [u if m is None else (m if u is None else any_of(u, m)) for u, m in parts]
    if all(c is not None for c in not_false) and any(u is not None for u, _ in parts):
        out.append((all_of(*not_false), NEEDS_DATA))  # type: ignore[arg-type]
    return out


def _rules_program(run: Run) -> Program:
    settings = run.settings
    branches = override_branches(settings)
    notes = ["Rules, first match wins; a rule whose column is blank gives Needs data:"]
    seen: set[object] = set()
    for i, rule in enumerate(settings.rules, start=1):
        for cond, label in _rule_branches(run, i, rule):
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
