"""What a setting is: its kind, its allowed values or range, what it means.

Each field of :class:`~tierbook.engine.settings.Settings` is declared once,
with these facts attached; validation, the Settings sheet (rows, lists,
input messages, number formats) and the command line's help are derived from
them, so no table elsewhere repeats a setting.
"""

from __future__ import annotations

import math
from dataclasses import MISSING, Field, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Facts:
    """The facts of one setting.

    Attributes:
        kind: ``choice`` (one of ``choices``), ``number``, ``share`` (a number
            typed as 0.3 or 30 %), ``text``, ``tier`` (a tier name), ``role``
            (a role name), or ``table`` (kept in a table of its own).
        meaning: one sentence for a user.
        choices: the allowed values of a ``choice``.
        low / high: the plausible range of a number (``None``: unbounded),
            inclusive unless ``low_open`` / ``high_open``.
        on_sheet: whether the setting is a row of the Settings sheet's key/value table.
        each: the range applies to each value of a mapping (per role) or tuple.
    """

    kind: str
    meaning: str = ""
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    on_sheet: bool = False
    each: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in ("number", "share") or (self.kind == "table" and (self.low is not None or self.high is not None))

    def expectation(self) -> str:
        """What is allowed, in words: "one of markup, gross-margin", "a number above 0"."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if not self.numeric:
            return self.meaning[:1].lower() + self.meaning[1:].rstrip(".")
        low = None if self.low is None else _figure(self.low, self.kind)
        high = None if self.high is None else _figure(self.high, self.kind)
        noun = "a share" if self.kind == "share" else "a number"
        if low is not None and high is not None:
            lo = "above " + low if self.low_open else "from " + low
            hi = "below " + high if self.high_open else "up to " + high
            text = f"{noun} {lo} {hi}" if self.low_open or self.high_open else f"{noun} from {low} to {high}"
        elif low is not None:
            text = f"{noun} above {low}" if self.low_open else f"{noun} of {low} or more"
        elif high is not None:
            text = f"{noun} below {high}" if self.high_open else f"{noun} of {high} or less"
        else:
            text = noun
        return text + (", e.g. 0.3 or 30%" if self.kind == "share" else "")

    def problem(self, value: object) -> str | None:
        """None if ``value`` is allowed, else what was expected."""
        if self.kind == "choice":
            return None if value in self.choices else self.expectation()
        if not self.numeric:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return self.expectation()
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return self.expectation()
        if self.high is not None and (value > self.high or (self.high_open and value == self.high)):
            return self.expectation()
        return None


def _figure(value: float, kind: str) -> str:
    if kind == "share":
        return f"{value:g} ({value * 100:g} %)"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def setting(default: Any = MISSING, *, factory: Any = MISSING, **facts: Any) -> Any:
    """A dataclass field carrying its :class:`Facts` (``kind`` and the rest as keywords)."""
    meta = {"facts": Facts(**facts)}
    if factory is not MISSING:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def facts_of(f: Field) -> Facts:  # type: ignore[type-arg]
    """The facts declared on a field (every Settings field has them)."""
    return f.metadata["facts"]
