"""Changing a book's tiers: which new tier keeps which old tier's data, and the settings that follow.

A new list of tiers is read by one rule a user can predict: a name that
stays (ignoring case and spaces) keeps its data; ``Old=New`` renames a tier,
which keeps its data under the new name; any other name is a new tier with
no data yet; an old tier the list does not name is removed. What names a
removed tier (a segment's tier, a rule, the default tier) is refused, naming
it, rather than moved quietly to another tier.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ..columns import header_key
from ..errors import SettingsError
from .settings import Settings

MIN_TIERS = 2
"""A tiering needs at least two tiers."""

EXPECTED = 'at least two distinct tier names, most engaged first; "Old=New" renames a tier'


@dataclass(frozen=True)
class TierShape:
    """The tiers before and after, and for each new tier the old tier whose data it keeps (None: a new tier)."""

    old: tuple[str, ...]
    new: tuple[str, ...]
    source: tuple[str | None, ...]

    @property
    def removed(self) -> tuple[str, ...]:
        kept = {header_key(s) for s in self.source if s is not None}
        return tuple(t for t in self.old if header_key(t) not in kept)

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(n for n, s in zip(self.new, self.source) if s is None)

    @property
    def renamed(self) -> tuple[tuple[str, str], ...]:
        return tuple((s, n) for n, s in zip(self.new, self.source) if s is not None and s != n)

    @property
    def changes_anything(self) -> bool:
        return self.new != self.old

    def moved(self, name: object) -> str | None:
        """The new name of what an old tier name referred to; None when that tier is removed.

        A name that is no old tier but is a new one stays as it is (it
        already names the new tier); any other name stays too, for the
        settings' own check to report.
        """
        key = header_key(name)
        for new, old in zip(self.new, self.source):
            if old is not None and header_key(old) == key:
                return new
        if any(header_key(t) == key for t in self.old):
            return None
        return str(name).strip()

    def is_removed(self, name: object) -> bool:
        key = header_key(name)
        return any(header_key(t) == key for t in self.removed)


def _bad(message: str, value: object) -> SettingsError:
    return SettingsError(f"tiers: {message}", field="tiers", value=value, expected=EXPECTED)


def parse_tiers(text: str, current: Sequence[str]) -> TierShape:
    """Read ``"High-touch=Strategic,Mid-touch,Community"`` against the tiers a book has now.

    Raises:
        SettingsError: a blank list or name, fewer than two tiers, a name
            twice, ``Old=New`` whose Old is no tier of the book or is used
            twice, or a list that keeps none of the book's tiers.
    """
    old = tuple(str(t).strip() for t in current)
    items = [p.strip() for p in str(text).split(",")]
    if not any(items):
        raise _bad("the list is empty", text)
    if any(not p for p in items):
        raise _bad(f"a tier name is blank in {text!r}", text)
    by_key = {header_key(t): t for t in old}
    new: list[str] = []
    source: list[str | None] = []
    for item in items:
        before, sep, after = item.partition("=")
        name = (after if sep else before).strip()
        if sep and (not before.strip() or not name):
            raise _bad(f"{item!r}: write a rename as Old=New, both names filled in", text)
        if sep and header_key(before) not in by_key:
            raise _bad(f"{item!r} renames {before.strip()!r}, which is not a tier of the book (its tiers are "
                       + ", ".join(old) + ")", text)
        new.append(name)
        source.append(by_key[header_key(before)] if sep else by_key.get(header_key(name)))
    if len(new) < MIN_TIERS:
        raise _bad(f"expected at least {MIN_TIERS} tiers, got {len(new)}: {new}", text)
    keys = [header_key(n) for n in new]
    twice = sorted({n for n, k in zip(new, keys) if keys.count(k) > 1})
    if twice:
        raise _bad("a tier is named twice (ignoring case and spaces): " + ", ".join(map(repr, twice)), text)
    used = [header_key(s) for s in source if s is not None]
    twice = sorted({by_key[k] for k in used if used.count(k) > 1})
    if twice:
        raise _bad("the data of " + ", ".join(map(repr, twice)) + " would go to two tiers; keep or rename each "
                   "tier once", text)
    if not used:
        raise _bad("none of the book's tiers (" + ", ".join(old) + ") stays, so every interval, band and mapping "
                   "would be lost; to rename a tier write Old=New, e.g. " + f"{old[0]}={new[0]}", text)
    return TierShape(old=old, new=tuple(new), source=tuple(source))


def _shares(old: Sequence[str], values: Sequence[float], shape: TierShape) -> tuple[tuple[float, ...], bool]:
    """Band shares for the new tiers: a kept tier keeps its share; the others split what the kept ones leave.

    The last tier takes the rest, so it has no share of its own. Returns the
    shares and whether any had to be set.
    """
    by_old = {header_key(t): v for t, v in zip(old, values)}
    kept = [by_old.get(header_key(s)) if s is not None else None for s in shape.source[:-1]]
    missing = kept.count(None)
    if not missing:
        return tuple(kept), False  # type: ignore[arg-type]
    left = 1 - math.fsum(v for v in kept if v is not None)
    if left <= 1e-9:
        k = len(shape.new)
        return tuple(round(1 / k, 12) for _ in range(k - 1)), True
    part = round(left / (missing + 1), 12)
    return tuple(part if v is None else v for v in kept), True


def _cutoffs(old: Sequence[str], values: Sequence[float], shape: TierShape) -> tuple[tuple[float, ...], bool]:
    """Score cut-offs for the new tiers: kept ones stay; a missing one lies halfway between its neighbours."""
    by_old = {header_key(t): v for t, v in zip(old, values)}
    kept = [by_old.get(header_key(s)) if s is not None else None for s in shape.source[:-1]]
    if None not in kept:
        if all(a >= b for a, b in zip(kept, kept[1:])):  # type: ignore[operator]
            return tuple(kept), False  # type: ignore[arg-type]
    known = [v for v in kept if v is not None]
    k = len(shape.new)
    if any(a < b for a, b in zip(known, known[1:])):
        return tuple(round((k - 1 - i) / k, 12) for i in range(k - 1)), True
    out: list[float] = []
    for i, v in enumerate(kept):
        if v is not None:
            out.append(v)
            continue
        hi = out[-1] if out else 1.0
        after = [x for x in kept[i + 1:] if x is not None]
        lo = after[0] if after else 0.0
        gap = next((j for j, x in enumerate(kept[i:]) if x is not None), len(kept) - i)
        out.append(round(hi - (hi - lo) / (gap + 1), 12))
    return tuple(out), True


def _references(settings: Settings, shape: TierShape) -> tuple[dict[str, object], list[SettingsError]]:
    """The segment map, rules and default tier naming the new tiers; a removed tier named is a problem each."""
    problems: list[SettingsError] = []

    def gone(field: str, key: object, tier: str, what: str) -> None:
        problems.append(SettingsError(
            f"{what} names the tier {tier!r}, which the new tiers remove; give it a tier that stays, or rename "
            f"the tier ({tier}=NEW NAME)", field=field, key=key, value=tier,
            expected="one of " + ", ".join(shape.new)))

    segment_tiers = {}
    for segment, tier in settings.segment_tiers.items():
        moved = shape.moved(tier)
        if moved is None:
            gone("segment_tiers", segment, tier, f"the segment map's row for {segment!r}")
        segment_tiers[segment] = moved or tier
    rules = []
    for i, rule in enumerate(settings.rules, start=1):
        moved = shape.moved(rule.tier)
        if moved is None:
            gone("rules", i, rule.tier, f"rule {i}")
        rules.append(replace(rule, tier=moved or rule.tier))
    default = shape.moved(settings.default_tier)
    if default is None:
        gone("default_tier", None, settings.default_tier, "default_tier")
    return {"segment_tiers": segment_tiers, "rules": tuple(rules), "default_tier": default or settings.default_tier}, \
        problems


def moved_references(fields: Mapping[str, object], shape: TierShape) -> tuple[dict[str, object],
                                                                             list[SettingsError]]:
    """The tier-naming fields of settings as read (segment_tiers, rules, default_tier), moved to the new tiers.

    For a book whose Tiers table was already edited: the table gives the new
    tiers' own rows, and only what names a tier elsewhere follows.
    """
    refs = _Refs(dict(fields.get("segment_tiers", {})), tuple(fields.get("rules", ())),  # type: ignore[arg-type]
                 str(fields.get("default_tier", shape.old[-1])))
    return _references(refs, shape)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Refs:
    """What names a tier in the settings, as :func:`_references` reads it."""

    segment_tiers: Mapping[str, str]
    rules: tuple
    default_tier: str


@dataclass(frozen=True)
class Reshaped:
    """The settings for the new tiers, and which of the tiers' own values had to be set (not kept)."""

    settings: Settings
    shape: TierShape
    bands_set: bool
    cutoffs_set: bool


def reshaped_settings(settings: Settings, shape: TierShape, changes: Mapping[str, object] | None = None) -> Reshaped:
    """The book's settings for the new tiers: every value of a tier that stays is kept.

    ``changes``: other settings changed by the same command (a new
    default_tier, say), applied on top. A kept tier keeps its band shares,
    score cut-off and CSM coverage; a tier without them gets shares that
    split what the kept tiers leave, and a cut-off halfway between its
    neighbours.

    Raises:
        SettingsError: a segment, a rule or the default tier names a removed tier (each one named).
    """
    account, a_set = _shares(settings.tier_names, settings.account_bands, shape)
    arr, r_set = _shares(settings.tier_names, settings.arr_bands, shape)
    cutoffs, c_set = _cutoffs(settings.tier_names, settings.score_cutoffs, shape)
    coverage_by = {header_key(t): r for t, r in zip(settings.tier_names, settings.coverage_ranges)}
    coverage = [coverage_by.get(header_key(s)) if s is not None else None for s in shape.source]
    while coverage and coverage[-1] is None:
        coverage.pop()
    # The ranges run from the first tier without a gap: a tier without one in between gets "0 and up", which
    # flags nothing, so that the tiers after it keep theirs.
    coverage = [(0.0, None) if r is None else r for r in coverage]
    refs, problems = _references(settings, shape)
    changes = dict(changes or {})
    if "default_tier" in changes:
        problems = [p for p in problems if p.field != "default_tier"]
        refs.pop("default_tier")
    if problems:
        raise SettingsError.combine(problems)
    new = replace(settings, tier_names=shape.new, account_bands=account, arr_bands=arr, score_cutoffs=cutoffs,
                  coverage_ranges=tuple(coverage), **refs, **changes)
    return Reshaped(new, shape, a_set or r_set, c_set)


__all__ = ["MIN_TIERS", "Reshaped", "TierShape", "moved_references", "parse_tiers", "reshaped_settings"]
