"""The tier rule as data: conditions on account columns and ordered branches.

A policy compiles to a :class:`Program` (first matching branch wins, then a
default); each target lowers the same program (SQL in :mod:`.rule_sql`,
spreadsheet formulas in :mod:`.rule_formula`), so every target shares one
reading of a blank, an override and an unusable ARR.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.reading import TEXT_BLANKS
from ..engine.settings import Settings
from ..columns import NUMERIC_COLUMNS, TEXT_COLUMNS, Col, header_key

BLANK_TOKENS = tuple(t for t in TEXT_BLANKS if t)  # text Tierbook reads as blank, compared lower-cased and trimmed


@dataclass(frozen=True)
class Field:
    """An input column of the rule.

    ``clean`` text columns are Tierbook's canonical text columns, where a
    blank, "#N/A" or "#NULL!" cell counts as blank; other (user) columns are
    blank only when empty.
    """

    column: str
    kind: str  # "number" or "text"
    clean: bool = True


@dataclass(frozen=True)
class Blank:
    field: Field


@dataclass(frozen=True)
class Present:
    field: Field


@dataclass(frozen=True)
class NotNull:
    """The cell holds something (a first, cheap test)."""

    field: Field


@dataclass(frozen=True)
class Compare:
    """A number compared with a constant; false where the number is blank."""

    field: Field
    op: str  # <, <=, >, >=, =, <>
    value: float


@dataclass(frozen=True)
class NumberIn:
    field: Field
    values: tuple[float, ...]


@dataclass(frozen=True)
class TextIs:
    """Text equals one of the keys, ignoring case and runs of spaces."""

    field: Field
    keys: tuple[str, ...]


@dataclass(frozen=True)
class TextIsNot:
    field: Field
    key: str


@dataclass(frozen=True)
class TextHas:
    field: Field
    needle: str


@dataclass(frozen=True)
class NameIs:
    """Text equals one of the keys ignoring case, spaces and underscores (tier and segment names)."""

    field: Field
    keys: tuple[str, ...]


@dataclass(frozen=True)
class All:
    items: tuple


@dataclass(frozen=True)
class Any_:
    items: tuple


Condition = Blank | Present | NotNull | Compare | NumberIn | TextIs | TextIsNot | TextHas | NameIs | All | Any_


@dataclass(frozen=True)
class Program:
    """Ordered branches (first match wins) and a default label."""

    branches: tuple[tuple[Condition, str], ...]
    default: str
    fields: tuple[Field, ...]
    notes: tuple[str, ...] = ()


def fields_of(cond: Condition) -> list[Field]:
    """Every column a condition reads (with repeats)."""
    if isinstance(cond, (All, Any_)):
        return [f for item in cond.items for f in fields_of(item)]
    return [cond.field]  # type: ignore[union-attr]


def all_of(*items: Condition) -> Condition:
    """Every item holds (one item stays itself)."""
    flat = tuple(items)
    return flat[0] if len(flat) == 1 else All(flat)


def any_of(*items: Condition) -> Condition:
    """At least one item holds (one item stays itself)."""
    flat = tuple(items)
    return flat[0] if len(flat) == 1 else Any_(flat)


def field_for(column: str) -> Field:
    """A Tierbook column as the rule reads it: numbers typed, canonical text with Tierbook's blanks."""
    if column in NUMERIC_COLUMNS:
        return Field(column, "number")
    return Field(column, "text", clean=column in TEXT_COLUMNS)


ARR = field_for(Col.ARR)
OVERRIDE = field_for(Col.TIER_OVERRIDE)
REASON = field_for(Col.OVERRIDE_REASON)


def override_branches(settings: Settings) -> list[tuple[Condition, str]]:
    """One branch per tier: the Tier Override names it (case, spaces, underscores ignored) and has a reason."""
    return [
        (all_of(NotNull(OVERRIDE), NameIs(OVERRIDE, (header_key(t),)), Present(REASON)), t)
        for t in settings.tier_names
    ]


def arr_needs_data() -> Condition:
    """ARR blank, not a number (NULL in the rule input) or not above 0: the account cannot be tiered on ARR."""
    return any_of(Blank(ARR), Compare(ARR, "<=", 0.0))
