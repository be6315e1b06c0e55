"""Which accounts a rule's conditions match: the one evaluation the tiering and the rule checks share.

Each condition is true, false or unknown (its value is blank) per account. A
rule matches where every condition is true; it is unknown where none is
false and one is blank, and then the account is Needs data rather than
passed on to the next rule on a guess. A condition Tierbook cannot evaluate
at all (a column the accounts lack, text compared with a number) is unknown
for every account, with a ``fault`` saying why; the rule checks report it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ..columns import UNKNOWN_SEGMENT, Col, header_key
from ..errors import SettingsError
from .accounts import Accounts, map_unique_array
from .reading import AMBIGUOUS, read_number, shorten
from .rules import ORDERING, Condition, Rule

REASON_LIMIT = 200
"""Characters of a user's own text (an Override Reason, a rule) kept in a Tier Reason."""


def text_key(value: object) -> str:
    """How a rule compares text: case-blind, runs of white space as one space, trimmed."""
    return " ".join(str(value).split()).casefold()


def rule_number(value: object, decimal: str = "auto", where: str = "rule", key: int | None = None) -> float | None:
    """A rule value as a number ("250000", "1.234,5" count), or None when it is text.

    A value that reads as two numbers ("250,000": 250000 or 250.0) is refused
    unless ``decimal`` says which mark is the decimal one: a rule is never
    applied with a guessed threshold.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    if not isinstance(value, str):
        return None
    number = _read_one(value, decimal)
    if number.status == AMBIGUOUS:
        raise SettingsError(
            f"{where}: {value!r} reads as {number.value:g} or as {number.other:g}; write it without a thousands "
            "separator, or set decimal_mark to point or comma", field="rules", key=key, value=value,
            expected="a number written one way only")
    return number.value if number.ok else None


@lru_cache(maxsize=4096)
def _read_one(value: str, decimal: str):  # type: ignore[no-untyped-def]
    """One rule value read as the accounts' numbers are (the reader is built for columns, so it is kept)."""
    return read_number(value, decimal)


def list_items(value: object) -> list[object]:
    """The items of an ``in`` condition: a list as given, or comma-separated text."""
    return list(value) if isinstance(value, (list, tuple)) else str(value).split(",")


def find_column(accounts: Accounts, column: str, extra: tuple[str, ...] = ()) -> str | None:
    """The account column a rule or criterion names (case, spaces and underscores ignored), or None."""
    wanted = header_key(column)
    return next((str(n) for n in list(accounts.frame.columns) + list(extra) if header_key(n) == wanted), None)


def column_list(accounts: Accounts, segment: bool = True) -> str:
    """The account columns (and the computed Segment), for a message that says which ones exist."""
    names = [str(c) for c in accounts.frame.columns] + ([Col.SEGMENT] if segment else [])
    return ", ".join(shorten(c) for c in names[:30]) + (f" and {len(names) - 30} more" if len(names) > 30 else "")


@dataclass(frozen=True)
class Outcome:
    """One condition over every account: ``match`` true, ``blank`` unknown; ``fault`` when it cannot be evaluated."""

    match: np.ndarray
    blank: np.ndarray
    missing: str = ""
    fault: str | None = None
    kind: str = ""  # the finding type of a fault: "column" or "type"


def _faulty(n: int, fault: str, kind: str) -> Outcome:
    return Outcome(np.zeros(n, dtype=bool), np.ones(n, dtype=bool), "", fault, kind)


def condition_values(accounts: Accounts, segments: pd.Series, cond: Condition
                     ) -> tuple[str, pd.Series, np.ndarray | None, str] | None:
    """(column, values, numbers or None, what a blank means) of the column a condition reads; None if absent."""
    column = find_column(accounts, cond.column, extra=(Col.SEGMENT,))
    if column is None:
        return None
    if header_key(column) == header_key(Col.SEGMENT):
        return Col.SEGMENT, segments.where(segments != UNKNOWN_SEGMENT), None, "a segment, which is Unknown"
    parsed = accounts.numbers.get(column)
    return (column, accounts.frame[column], parsed.values if parsed is not None else None,
            f"{shorten(column)}, which is blank")


def evaluate(accounts: Accounts, segments: pd.Series, cond: Condition, decimal: str, where: str,
             key: int | None = None) -> Outcome:
    """The condition over every account (see the module's docstring for true, false and unknown)."""
    n = len(accounts)
    found = condition_values(accounts, segments, cond)
    if found is None:
        return _faulty(n, f"column {cond.column!r} is not an account column", "column")
    column, values, numbers, missing = found
    blank = values.isna().to_numpy() if numbers is None else ~np.isfinite(numbers)
    if cond.op == "is blank":
        return Outcome(blank, np.zeros_like(blank), missing)
    ordering = cond.op in ORDERING
    as_number = rule_number(cond.value, decimal, where, key)
    if ordering and as_number is None:
        return _faulty(n, f"{cond.op} compares numbers, and {shorten(cond.value)!r} is not a number", "type")
    if numbers is not None:
        ops = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
               "=": np.equal, "<>": np.not_equal}
        if cond.op in ops and as_number is not None:
            with np.errstate(invalid="ignore"):
                return Outcome(ops[cond.op](numbers, as_number) & ~blank, blank, missing)
        if cond.op == "in":
            listed = [rule_number(item, decimal, where, key) for item in list_items(cond.value)]
            if all(v is not None for v in listed):
                return Outcome(np.isin(numbers, [float(v) for v in listed]) & ~blank, blank,  # type: ignore[arg-type]
                               missing)
        return _faulty(n, f"{shorten(column)} holds numbers, and {shorten(cond.value)!r} is text", "type")
    if ordering:
        return _faulty(n, f"{shorten(column)} holds text; {cond.op} compares numbers", "type")
    if cond.op in ("=", "<>"):
        wanted = text_key(cond.value)
        equal = map_unique_array(values, lambda v: text_key(v) == wanted, False)
        return Outcome((equal if cond.op == "=" else ~equal) & ~blank, blank, missing)
    if cond.op == "in":
        wanted_set = {text_key(item) for item in list_items(cond.value) if text_key(item)}
        return Outcome(map_unique_array(values, lambda v: text_key(v) in wanted_set, False) & ~blank, blank, missing)
    needle = text_key(cond.value)
    return Outcome(map_unique_array(values, lambda v: needle in text_key(v), False) & ~blank, blank, missing)


@dataclass(frozen=True)
class RuleOutcome:
    """A whole rule over every account: its conditions' outcomes, where it matches, where it is unknown."""

    rule: Rule
    number: int
    conditions: tuple[Outcome, ...]
    match: np.ndarray
    unknown: np.ndarray

    @property
    def faults(self) -> list[tuple[Condition, Outcome]]:
        return [(c, o) for c, o in zip(self.rule.conditions, self.conditions) if o.fault]

    def first_unknown(self) -> np.ndarray:
        """Per account, the index of the first condition that is blank (where the rule is unknown)."""
        blanks = np.stack([o.blank for o in self.conditions])
        return np.argmax(blanks, axis=0)


def evaluate_rule(accounts: Accounts, segments: pd.Series, rule: Rule, number: int, decimal: str) -> RuleOutcome:
    """Every condition of rule ``number`` and their AND: true if all are, false if one is, else unknown."""
    where = f"rule {number} ({shorten(rule.describe(), REASON_LIMIT)})"
    outcomes = tuple(evaluate(accounts, segments, c, decimal, where, number) for c in rule.conditions)
    match = np.logical_and.reduce([o.match for o in outcomes])
    false = np.logical_or.reduce([~o.match & ~o.blank for o in outcomes])
    return RuleOutcome(rule, number, outcomes, match, ~match & ~false)


def evaluate_rules(accounts: Accounts, segments: pd.Series, rules: tuple[Rule, ...], decimal: str
                   ) -> list[RuleOutcome]:
    """Each rule over every account, in order."""
    return [evaluate_rule(accounts, segments, r, i, decimal) for i, r in enumerate(rules, start=1)]
