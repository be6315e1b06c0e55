"""Tier rules as data, and the one parser of their written form.

A rule is one or more conditions that must all hold (AND) and the tier it
gives; several rules to the same tier give OR. The same text is read from the
workbook's Tier Rules table (its And column) and from the command line
(``--rule "ARR >= 50000 and Industry = Healthcare -> High-touch"``), by
:func:`parse_conditions` and :func:`parse_rule`, so both say the same thing
about a badly written condition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import SettingsError

RULE_OPERATORS: tuple[str, ...] = ("=", "<>", "<", "<=", ">", ">=", "in", "contains", "is blank")
ORDERING: tuple[str, ...] = ("<", "<=", ">", ">=")


def _shown(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    if isinstance(value, (tuple, list)):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Condition:
    """``column op value``: a number for numeric comparisons, text otherwise, a list (or comma text) for ``in``."""

    column: str
    op: str
    value: Any = None

    def __post_init__(self) -> None:
        if self.op not in RULE_OPERATORS:
            raise SettingsError(f"rule on {self.column!r}: operator {self.op!r} is not one of "
                                + ", ".join(RULE_OPERATORS), value=self.op, expected="one of "
                                + ", ".join(RULE_OPERATORS))
        if not str(self.column).strip():
            raise SettingsError("rule: the column is blank; expected an account column name",
                                expected="an account column name")

    def describe(self) -> str:
        """The condition as a user would write it, e.g. ``ARR >= 250,000``."""
        if self.op == "is blank":
            return f"{self.column} is blank"
        return f"{self.column} {self.op} {_shown(self.value)}"

    def written(self) -> str:
        """The condition as :func:`parse_condition` reads it back (plain numbers, quotes where needed)."""
        column = _quote(str(self.column), r"<|>|=|\s(in|contains|is)\s|\band\b")
        if self.op == "is blank":
            return f"{column} is blank"
        items = list(self.value) if isinstance(self.value, (list, tuple)) else [self.value]
        shown = ", ".join(_quote(_plain(v), r",|\band\b" if self.op == "in" else r"\band\b") for v in items)
        return f"{column} {self.op} {shown}"


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _quote(text: str, risky: str) -> str:
    """``text`` in double quotes when the parser would otherwise cut it."""
    if '"' in text or re.search(risky, f" {text} ", re.IGNORECASE) or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


@dataclass(frozen=True)
class Rule:
    """One row of the rules policy: if ``column op value`` (and every condition of ``also``) then ``tier``.

    Text comparisons ignore case and surrounding spaces, as CRM picklists are
    rarely spelled consistently. ``row`` is where the rule was read (the Tier
    Rules sheet's row), when a reader knows it; it is not part of the rule.
    """

    column: str
    op: str
    value: Any
    tier: str
    also: tuple[Condition, ...] = ()
    row: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        Condition(self.column, self.op, self.value)
        object.__setattr__(self, "also", tuple(c if isinstance(c, Condition) else Condition(*c) for c in self.also))

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """Every condition of the rule, the first one first."""
        return (Condition(self.column, self.op, self.value), *self.also)

    def describe(self) -> str:
        """The conditions as a user would write them: ``ARR >= 50,000 and Industry = Healthcare``."""
        return " and ".join(c.describe() for c in self.conditions)

    @classmethod
    def of(cls, conditions: tuple[Condition, ...] | list[Condition], tier: str, row: int | None = None) -> "Rule":
        """A rule from its conditions (at least one)."""
        first, *rest = conditions
        return cls(first.column, first.op, first.value, tier, tuple(rest), row)


_QUOTED = r'"(?:[^"]|"")*"'
_AND = re.compile(rf'({_QUOTED})|(?:^|\s+)and(?:\s+|$)', re.IGNORECASE)
_SYMBOL = re.compile(r"\s*(<=|>=|<>|=|<|>)\s*")
_WORD = re.compile(r"\s+(is\s+blank|in|contains)(?=\s|$)\s*", re.IGNORECASE)
_EXAMPLE = "e.g. ARR >= 50000 and Industry = Healthcare"


def _split(text: str, pattern: re.Pattern[str]) -> list[str]:
    """``text`` cut where ``pattern`` matches outside double quotes."""
    parts, start = [], 0
    for m in pattern.finditer(text):
        if m.group(1) is None:
            parts.append(text[start:m.start()])
            start = m.end()
    parts.append(text[start:])
    return parts


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return text


def _operator(text: str) -> re.Match[str] | None:
    """The first operator outside the column name (a quoted column name may hold anything)."""
    skip = 0
    if text.lstrip().startswith('"'):
        quoted = re.match(r'\s*' + _QUOTED, text)
        skip = quoted.end() if quoted else 0
    found = [m for m in (_SYMBOL.search(text, skip), _WORD.search(text, skip)) if m is not None and m.start() > 0]
    return min(found, key=lambda m: m.start()) if found else None


def parse_condition(text: str) -> Condition:
    """One condition: ``Column op value``; a name or value holding an operator word or "and" goes in quotes."""
    m = _operator(text)
    if m is None:
        raise SettingsError(f"condition {text.strip()!r}: no operator; expected Column op value with op one of "
                            + ", ".join(RULE_OPERATORS) + f" ({_EXAMPLE})", field="rules", value=text.strip(),
                            expected="Column op value")
    column = _unquote(text[:m.start()])
    op = " ".join(m.group(1).lower().split())
    rest = text[m.end():].strip()
    if op == "is blank":
        if rest:
            raise SettingsError(f"condition {text.strip()!r}: 'is blank' takes no value, got {rest!r}",
                                field="rules", value=text.strip(), expected="Column is blank")
        return Condition(column, op)
    if rest[:1] in ("<", ">", "="):
        written = op + rest.split()[0] if rest.split() else op
        raise SettingsError(f"condition {text.strip()!r}: operator {written!r} is not one of "
                            + ", ".join(RULE_OPERATORS), field="rules", value=text.strip(),
                            expected="one of " + ", ".join(RULE_OPERATORS))
    if not rest:
        raise SettingsError(f"condition {text.strip()!r}: no value after {op!r}", field="rules",
                            value=text.strip(), expected=f"Column {op} value")
    if op == "in":
        items = tuple(_unquote(v) for v in _split(rest, re.compile(rf"({_QUOTED})|,")))
        return Condition(column, op, tuple(i for i in items if i))
    return Condition(column, op, _unquote(rest))


def parse_conditions(text: str) -> tuple[Condition, ...]:
    """Conditions joined by ``and``: ``ARR >= 50000 and Industry = Healthcare``."""
    parts = _split(str(text), _AND)
    if any(not p.strip() for p in parts):
        raise SettingsError(f"conditions {str(text).strip()!r}: a condition is missing around 'and' ({_EXAMPLE})",
                            field="rules", value=str(text).strip(), expected="conditions joined by 'and'")
    return tuple(parse_condition(p) for p in parts)


def parse_rule(text: str) -> Rule:
    """A whole rule: ``conditions -> tier``, e.g. ``ARR >= 50000 and Industry = Healthcare -> High-touch``."""
    conditions, arrow, tier = str(text).rpartition("->")
    if not arrow or not tier.strip() or not conditions.strip():
        raise SettingsError(f"rule {str(text).strip()!r}: expected conditions -> tier ({_EXAMPLE} -> High-touch)",
                            field="rules", value=str(text).strip(), expected="conditions -> tier")
    return Rule.of(parse_conditions(conditions), tier.strip())
