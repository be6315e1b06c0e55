"""What a rule's conditions allow, column by column: contradictions and one rule implying another.

These are facts about the rules alone, true for any book: ``ARR >= 250,000
and ARR < 100,000`` never holds; every account ``ARR >= 250,000`` matches also
matches ``ARR >= 50,000``. Each column's conditions become one
:class:`Allowed` (a number interval or a set of values, values left out,
blank or not); a condition holds for everything an :class:`Allowed` allows
exactly when :func:`implies` says so. Conditions it cannot reason about
(``contains`` on both sides, say) are answered "not known", never guessed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..columns import header_key
from .rule_match import list_items, rule_number, text_key
from .rules import ORDERING, Condition, Rule


@dataclass
class Allowed:
    """The values one column may take under a rule's conditions on it."""

    blank: bool = False                 # an "is blank" condition
    lo: float = -math.inf
    lo_open: bool = True
    hi: float = math.inf
    hi_open: bool = True
    values: set[object] | None = None   # a finite set (= and in), numbers or text keys
    excluded: set[object] = field(default_factory=set)
    needles: list[str] = field(default_factory=list)
    number: bool = False
    conditions: list[Condition] = field(default_factory=list)

    def empty(self) -> bool:
        """Nothing satisfies every condition."""
        others = [c for c in self.conditions if c.op != "is blank"]
        if self.blank:
            return bool(others)
        if self.values is not None:
            return not any(self._admits(v) for v in self.values)
        if self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open)):
            return True
        return self.lo == self.hi and self.lo in self.excluded

    def _admits(self, value: object) -> bool:
        if value in self.excluded:
            return False
        if isinstance(value, float):
            if value < self.lo or value > self.hi or (value == self.lo and self.lo_open and self.lo != -math.inf):
                return False
            return not (value == self.hi and self.hi_open and self.hi != math.inf)
        return all(n in str(value) for n in self.needles)


def _number(cond: Condition, decimal: str) -> float | None:
    try:
        return rule_number(cond.value, decimal)
    except Exception:  # an ambiguous value is reported by the tiering itself
        return None


def _numbers(cond: Condition, decimal: str) -> list[float] | None:
    if cond.op != "in":
        value = _number(cond, decimal)
        return None if value is None else [value]
    try:
        items = [rule_number(i, decimal) for i in list_items(cond.value)]
    except Exception:  # an ambiguous value is reported by the tiering itself
        return None
    return None if any(i is None for i in items) else [float(i) for i in items]  # type: ignore[arg-type]


def _add(allowed: Allowed, cond: Condition, number_column: bool, decimal: str) -> None:
    allowed.conditions.append(cond)
    if cond.op == "is blank":
        allowed.blank = True
        return
    numbers = _numbers(cond, decimal) if number_column or cond.op in ORDERING else None
    if numbers is not None:
        allowed.number = True
        v = numbers[0]
        if cond.op in (">", ">=") and (v > allowed.lo or (v == allowed.lo and cond.op == ">")):
            allowed.lo, allowed.lo_open = v, cond.op == ">"
        elif cond.op in ("<", "<=") and (v < allowed.hi or (v == allowed.hi and cond.op == "<")):
            allowed.hi, allowed.hi_open = v, cond.op == "<"
        elif cond.op in ("=", "in"):
            allowed.values = set(numbers) if allowed.values is None else allowed.values & set(numbers)
        elif cond.op == "<>":
            allowed.excluded.add(v)
        return
    if cond.op in ("=", "in"):
        keys = {text_key(cond.value)} if cond.op == "=" else {text_key(i) for i in list_items(cond.value) if text_key(i)}
        allowed.values = keys if allowed.values is None else allowed.values & keys
    elif cond.op == "<>":
        allowed.excluded.add(text_key(cond.value))
    elif cond.op == "contains":
        allowed.needles.append(text_key(cond.value))


def allowed_by(rule: Rule, number_columns: set[str], decimal: str = "auto") -> dict[str, Allowed]:
    """Column key -> what the rule's conditions on that column allow."""
    out: dict[str, Allowed] = {}
    for cond in rule.conditions:
        key = header_key(cond.column)
        _add(out.setdefault(key, Allowed()), cond, key in number_columns, decimal)
    return out


def contradiction(rule: Rule, number_columns: set[str], decimal: str = "auto") -> list[Condition] | None:
    """The conditions of one column that cannot all hold, or None."""
    for allowed in allowed_by(rule, number_columns, decimal).values():
        if len(allowed.conditions) > 1 and allowed.empty():
            return allowed.conditions
    return None


def _implies(a: Allowed, cond: Condition, number_column: bool, decimal: str) -> bool:
    """Every value ``a`` allows satisfies ``cond`` (False when that cannot be told)."""
    if cond.op == "is blank":
        return a.blank
    if a.blank:
        return False
    numbers = _numbers(cond, decimal) if number_column or cond.op in ORDERING else None
    if numbers is not None:
        if a.values is not None and all(isinstance(v, float) for v in a.values):
            return all(_holds(v, cond.op, numbers) for v in a.values if a._admits(v))
        v = numbers[0]
        checks = {">=": a.lo >= v, ">": a.lo > v or (a.lo == v and a.lo_open),
                  "<=": a.hi <= v, "<": a.hi < v or (a.hi == v and a.hi_open),
                  "<>": v < a.lo or v > a.hi or v in a.excluded or (v == a.lo and a.lo_open)
                  or (v == a.hi and a.hi_open)}
        return checks.get(cond.op, False)
    if cond.op in ("=", "in"):
        keys = {text_key(cond.value)} if cond.op == "=" else {text_key(i) for i in list_items(cond.value)}
        return a.values is not None and all(v in keys for v in a.values if a._admits(v))
    if cond.op == "<>":
        key = text_key(cond.value)
        return key in a.excluded or (a.values is not None and key not in a.values)
    needle = text_key(cond.value)
    if a.values is not None:
        return all(needle in str(v) for v in a.values if a._admits(v))
    return any(needle in n for n in a.needles)


def _holds(value: float, op: str, numbers: list[float]) -> bool:
    v = numbers[0]
    return {"=": value == v, "in": value in numbers, "<>": value != v, "<": value < v, "<=": value <= v,
            ">": value > v, ">=": value >= v}.get(op, False)


def implies(later: Rule, earlier: Rule, number_columns: set[str], decimal: str = "auto") -> bool:
    """Every account ``later`` matches is matched by ``earlier``: each of its conditions follows from ``later``'s."""
    allowed = allowed_by(later, number_columns, decimal)
    for cond in earlier.conditions:
        key = header_key(cond.column)
        if key not in allowed or not _implies(allowed[key], cond, key in number_columns, decimal):
            return False
    return True
