"""The tiering policy and every parameter the engine uses, as one typed object.

Settings are immutable so that one run sees one consistent policy; change a
value with :func:`dataclasses.replace` (the constructor re-validates). The
defaults are documented, with their sources, in the README's "Defaults" table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Any

from ..errors import SettingsError
from ..columns import NEEDS_DATA, Col, header_key
from .facts import Facts, facts_of, setting
from .reading import DECIMALS, quoted
from .rules import RULE_OPERATORS, Condition, Rule

__all__ = ["Condition", "RULE_OPERATORS", "Role", "Rule", "Settings", "setting_facts", "setting_names", "sheet_settings"]

POLICIES: tuple[str, ...] = ("arr-accounts", "arr-share", "segment", "score", "rules")
MARGIN_METHODS: tuple[str, ...] = ("markup", "gross-margin")
SIZE_BASES: tuple[str, ...] = ("employees", "revenue")
SIZE_X_CONTRACT = "size-x-contract"
SEGMENT_BASES: tuple[str, ...] = (SIZE_X_CONTRACT, Col.INDUSTRY, Col.REGION, Col.PRODUCT)
POOLED_SPLITS: tuple[str, ...] = ("equal", "arr")


class Role:
    """Default owner roles of the service catalog."""

    LEADERSHIP = "CS Leadership"
    CSM = "CSM"
    TECHNICAL = "Technical Success Manager"
    DIGITAL = "Digital CS"
    ALL: tuple[str, ...] = (LEADERSHIP, CSM, TECHNICAL, DIGITAL)


DEFAULT_TIERS: tuple[str, ...] = ("High-touch", "Mid-touch", "Tech-touch")
DEFAULT_SEGMENTS: tuple[str, ...] = ("Enterprise", "Major", "Large Opportunity", "SMB")


def _default_rules() -> tuple[Rule, ...]:
    return (
        Rule(Col.ARR, ">=", 250_000, "High-touch"),
        Rule(Col.SEGMENT, "=", "Enterprise", "High-touch"),
        Rule(Col.ARR, ">=", 50_000, "Mid-touch"),
        Rule(Col.SEGMENT, "=", "Large Opportunity", "Mid-touch"),
    )


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Settings:
    """Tiering policy and parameters, each field declared once with its facts (kind, range, meaning).

    The facts (see :mod:`tierbook.engine.facts`) are the one description of a
    setting: validation, the workbook's Settings sheet and the command line
    derive theirs from them. Tiers are listed most engaged first; bands,
    cut-offs and coverage ranges have one entry per tier (bands and cut-offs
    one fewer: the last tier takes the rest). ``segment_names`` are the four
    2-D segments in the order (large company, large contract), (small, large),
    (large, small), (small, small).
    """

    policy: str = setting(
        "arr-accounts", kind="choice", choices=POLICIES, on_sheet=True,
        meaning="How tiers are assigned: arr-accounts (top shares of accounts by ARR), arr-share (shares of total "
                "ARR), segment (Segments sheet map), score (weighted criteria), rules (Tier Rules sheet, first match "
                "wins).")
    tier_names: tuple[str, ...] = setting(DEFAULT_TIERS, kind="table", meaning="Tiers, most engaged first.")
    account_bands: tuple[float, ...] = setting(
        (0.15, 0.40), kind="table", low=0, high=1, low_open=True, high_open=True, each=True,
        meaning="Shares of accounts per tier but the last (arr-accounts).")
    arr_bands: tuple[float, ...] = setting(
        (0.50, 0.35), kind="table", low=0, high=1, low_open=True, high_open=True, each=True,
        meaning="Shares of total ARR per tier but the last (arr-share).")
    segment_by: str = setting(
        SIZE_X_CONTRACT, kind="choice", choices=SEGMENT_BASES, on_sheet=True,
        meaning="size-x-contract: the 2-D model, company size x contract value (Segments sheet). Or Industry, "
                "Region or Product: that column's values are the segments.")
    size_basis: str = setting(
        "employees", kind="choice", choices=SIZE_BASES, on_sheet=True,
        meaning="Company size is measured by employees or by revenue (the Company Revenue column).")
    employee_threshold: float = setting(
        1_000, kind="number", low=0, low_open=True, on_sheet=True,
        meaning="A company with at least this many employees counts as large.")
    revenue_threshold: float = setting(
        100_000_000, kind="number", low=0, low_open=True, on_sheet=True,
        meaning="A company with at least this revenue counts as large (when size_basis is revenue).")
    arr_threshold: float = setting(
        100_000, kind="number", low=0, low_open=True, on_sheet=True,
        meaning="A contract with at least this ARR counts as large.")
    segment_names: tuple[str, ...] = setting(DEFAULT_SEGMENTS, kind="table", meaning="The four 2-D segments.")
    segment_tiers: Mapping[str, str] = setting(
        factory=lambda: {"Enterprise": "High-touch", "Major": "High-touch", "Large Opportunity": "Mid-touch",
                         "SMB": "Tech-touch"},
        kind="table", meaning="Segment -> tier (segment policy).")
    score_criteria: tuple[tuple[str, float], ...] = setting(
        ((Col.ARR, 0.4), (Col.EXPANSION_POTENTIAL, 0.4), (Col.NPS, 0.2)), kind="table",
        meaning="Account columns and their weights (score policy).")
    score_cutoffs: tuple[float, ...] = setting(
        (0.50, 0.40), kind="table", low=0, high=1, each=True, meaning="Lowest score of each tier but the last.")
    rules: tuple[Rule, ...] = setting(factory=_default_rules, kind="table", meaning="Ordered rules (rules policy).")
    default_tier: str = setting(
        "Tech-touch", kind="tier", on_sheet=True,
        meaning="The tier of accounts that no rule matches (rules policy). One of the Tiers table's names.")
    margin_pct: float = setting(
        0.30, kind="share", low=0, high=1, on_sheet=True,
        meaning="Default margin of assessed value, e.g. 30 %. A service's Margin Override wins over it.")
    margin_method: str = setting(
        "markup", kind="choice", choices=MARGIN_METHODS, on_sheet=True,
        meaning="markup: value = cost x (1 + margin). gross-margin: value = cost / (1 - margin), margin below 100 %.")
    pooled_split: str = setting(
        "equal", kind="choice", choices=POOLED_SPLITS, on_sheet=True,
        meaning="How a tier's pooled (one-to-many) programme cost is spread over its accounts: equal shares, or in "
                "proportion to ARR.")
    currency: str = setting(
        "USD", kind="text", on_sheet=True,
        meaning="Currency of every amount in the workbook (a label; nothing is converted).")
    cs_budget: float = setting(
        9_000_000, kind="number", low=0, on_sheet=True,
        meaning="Annual Customer Success budget that the total annual cost is checked against (Summary).")
    productive_hours: Mapping[str, float] = setting(
        factory=lambda: {r: 1_560.0 for r in Role.ALL}, kind="table", low=0, high=8_760, low_open=True, each=True,
        meaning="Productive hours per FTE a year, per role (a year has 8,760 hours).")
    loaded_cost: Mapping[str, float] = setting(
        factory=lambda: {Role.LEADERSHIP: 234_000.0, Role.CSM: 130_000.0, Role.TECHNICAL: 156_000.0,
                         Role.DIGITAL: 130_000.0},
        kind="table", low=0, each=True, meaning="Loaded cost per FTE a year, per role.")
    headcount: Mapping[str, float] = setting(
        factory=lambda: {Role.LEADERSHIP: 3.0, Role.CSM: 40.0, Role.TECHNICAL: 8.0, Role.DIGITAL: 3.0},
        kind="table", low=0, each=True, meaning="Today's headcount (FTE), per role.")
    csm_role: str = setting(
        Role.CSM, kind="role", on_sheet=True,
        meaning="The role (Roles table) whose FTE counts as CSM coverage on the Capacity sheet.")
    coverage_ranges: tuple[tuple[float, float | None], ...] = setting(
        ((20, 80), (80, 200), (500, 2_000)), kind="table", meaning="Sane accounts per CSM FTE, per tier.")
    decimal_mark: str = setting(
        "auto", kind="choice", choices=DECIMALS, on_sheet=True,
        meaning="How numbers typed as text are read: auto (a column's other values decide whether 1,234 is "
                "1234 or 1.234), point (1,234.5) or comma (1.234,5).")

    def __post_init__(self) -> None:
        for name in ("segment_tiers", "productive_hours", "loaded_cost", "headcount"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        for name in ("tier_names", "account_bands", "arr_bands", "segment_names", "score_cutoffs", "rules"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(
            self, "score_criteria", tuple((str(c), float(w)) for c, w in self.score_criteria)
        )
        object.__setattr__(
            self,
            "coverage_ranges",
            tuple((float(lo), None if hi is None else float(hi)) for lo, hi in self.coverage_ranges),
        )
        problems: list[SettingsError] = []
        self._validate(problems)
        if problems:
            raise SettingsError.combine(problems)

    # ----------------------------------------------------------------- checks
    def _validate(self, problems: list[SettingsError]) -> None:
        """Append every problem found (not only the first), each naming its field, key, value and expectation."""
        add = problems.append
        gross_over = (self.margin_method == "gross-margin" and isinstance(self.margin_pct, (int, float))
                      and self.margin_pct >= 1)
        for f in fields(self):
            facts = facts_of(f)
            value = getattr(self, f.name)
            if f.name == "margin_pct" and gross_over:
                continue  # said below, in the gross margin's own words
            items = (value.items() if isinstance(value, Mapping) else enumerate(value, start=1)) if facts.each else ()
            for key, item in items:
                if facts.problem(item) is not None:
                    add(SettingsError(f"{f.name}[{key!r}]: expected {facts.expectation()}, got {quoted(item)}",
                                      field=f.name, key=key, value=item, expected=facts.expectation()))
            if not facts.each and facts.problem(value) is not None:
                add(SettingsError(f"{f.name}: {quoted(value)} is not allowed; expected {facts.expectation()}",
                                  field=f.name, value=value, expected=facts.expectation()))
        tiers_ok = self._validate_tiers(add)
        if tiers_ok:
            _validate_bands("account_bands", self.account_bands, len(self.tier_names), add)
            _validate_bands("arr_bands", self.arr_bands, len(self.tier_names), add)
        if len(self.segment_names) != 4 or len({header_key(s) for s in self.segment_names}) != 4:
            add(SettingsError(f"segment_names: expected 4 distinct names, got {list(self.segment_names)}",
                              field="segment_names", value=list(self.segment_names), expected="4 distinct names"))
        for segment, tier in self.segment_tiers.items():
            self._known_tier("segment_tiers", segment, tier, add)
        self._validate_score(add, tiers_ok)
        for i, rule in enumerate(self.rules, start=1):
            self._known_tier("rules", i, rule.tier, add)
        self._known_tier("default_tier", None, self.default_tier, add)
        if gross_over:
            add(SettingsError(f"margin_pct: a gross margin must be below 1 (100 %), got {quoted(self.margin_pct)}",
                              field="margin_pct", value=self.margin_pct, expected="a gross margin below 1 (100 %)"))
        for i, (lo, hi) in enumerate(self.coverage_ranges, start=1):
            if lo < 0 or (hi is not None and hi < lo):
                add(SettingsError(f"coverage_ranges[{i}]: expected 0 <= low <= high, got ({lo}, {hi})",
                                  field="coverage_ranges", key=i, value=(lo, hi), expected="0 <= low <= high"))

    def _validate_tiers(self, add) -> bool:  # type: ignore[no-untyped-def]
        names = self.tier_names
        keys = [header_key(n) for n in names]

        def bad(message: str) -> bool:
            add(SettingsError(f"tier_names: {message}", field="tier_names", value=list(names),
                              expected="distinct, non-blank tier names"))
            return False

        if not names:
            return bad("expected at least one tier name, got none")
        if any(not k for k in keys):
            return bad(f"a tier name is blank in {list(names)}")
        if len(set(keys)) != len(keys):
            return bad(f"names must differ (ignoring case and spaces), got {list(names)}")
        if header_key(NEEDS_DATA) in keys:
            return bad(f"{NEEDS_DATA!r} is reserved for accounts that cannot be tiered")
        return True

    def _validate_score(self, add, tiers_ok: bool) -> None:  # type: ignore[no-untyped-def]
        def bad(name: str, message: str, expected: str, key: object = None) -> None:
            add(SettingsError(f"{name}: {message}", field=name, key=key, value=getattr(self, name), expected=expected))

        if not self.score_criteria:
            bad("score_criteria", "expected at least one (column, weight) pair", "at least one criterion")
        for column, weight in self.score_criteria:
            if not (math.isfinite(weight) and weight >= 0):
                bad("score_criteria", f"weight of {column!r} must be 0 or more, got {weight}", "a weight of 0 or more",
                    key=column)
        if self.score_criteria and sum(w for _, w in self.score_criteria) <= 0:
            bad("score_criteria", "the weights add up to 0; give at least one a positive weight",
                "at least one positive weight")
        cut = self.score_cutoffs
        if tiers_ok and len(cut) != len(self.tier_names) - 1:
            bad("score_cutoffs", f"expected {len(self.tier_names) - 1} cut-offs (one fewer than the "
                f"{len(self.tier_names)} tiers), got {len(cut)}: {list(cut)}", "one cut-off per tier but the last")
        elif any(a < b for a, b in zip(cut, cut[1:])):
            bad("score_cutoffs", f"expected descending scores between 0 and 1, got {list(cut)}",
                "descending scores between 0 and 1")

    def _known_tier(self, name: str, key: object, tier: str, add) -> None:  # type: ignore[no-untyped-def]
        if self.tier_index(tier) is None:
            where = {"segment_tiers": f"segment_tiers[{key!r}]", "rules": f"rule {key}"}.get(name, name)
            add(SettingsError(f"{where}: tier {tier!r} is not one of the tier names " + ", ".join(self.tier_names),
                              field=name, key=key, value=tier, expected="one of " + ", ".join(self.tier_names)))

    # ---------------------------------------------------------------- lookups
    def tier_index(self, name: object) -> int | None:
        """Position of a tier name (ignoring case and spaces), or ``None``."""
        key = header_key(name)
        for i, tier in enumerate(self.tier_names):
            if header_key(tier) == key:
                return i
        return None

    @property
    def size_column(self) -> str:
        """The account column that measures company size."""
        return Col.EMPLOYEES if self.size_basis == "employees" else Col.COMPANY_REVENUE

    @property
    def size_threshold(self) -> float:
        return self.employee_threshold if self.size_basis == "employees" else self.revenue_threshold

    @property
    def bands(self) -> tuple[float, ...]:
        """The bands of the ARR policy in force (account shares or ARR shares)."""
        return self.arr_bands if self.policy == "arr-share" else self.account_bands

    def margin_factor(self, margin: float | None = None) -> float:
        """Assessed value / cost for a margin (default: ``margin_pct``)."""
        m = self.margin_pct if margin is None else margin
        return 1 + m if self.margin_method == "markup" else 1 / (1 - m)

    def with_tiers(self, names: tuple[str, ...] | list[str]) -> "Settings":
        """The same policy with other tier names, possibly a different number of them.

        Every tier a setting names (segment map, rules, default tier) moves to
        the tier at the same relative position: first stays first, last stays
        last. With a different number of tiers, band shares and score cut-offs
        become evenly spaced until the user sets them.
        """
        names = tuple(str(n).strip() for n in names)
        old, k = self.tier_names, len(names)
        bands: dict[str, tuple[float, ...]] = {}
        if k != len(old):
            even = tuple(round(1 / k, 12) for _ in range(k - 1))
            bands = {
                "account_bands": even,
                "arr_bands": even,
                "score_cutoffs": tuple(round((k - 1 - i) / k, 12) for i in range(k - 1)),
            }

        def moved(tier: str) -> str:
            i = self.tier_index(tier) or 0
            return names[i if k == len(old) else round(i * (k - 1) / max(len(old) - 1, 1))]

        return replace(
            self,
            tier_names=names,
            segment_tiers={s: moved(t) for s, t in self.segment_tiers.items()},
            rules=tuple(replace(r, tier=moved(r.tier)) for r in self.rules),
            default_tier=moved(self.default_tier),
            coverage_ranges=self.coverage_ranges if k == len(old) else (),
            **bands,
        )

    def roles(self) -> tuple[str, ...]:
        """Every role that has productive hours, a loaded cost or a headcount."""
        seen: dict[str, None] = {}
        for mapping in (self.productive_hours, self.loaded_cost, self.headcount):
            seen.update(dict.fromkeys(mapping))
        return tuple(seen)


def setting_names() -> tuple[str, ...]:
    """Names of every setting, in declaration order."""
    return tuple(f.name for f in fields(Settings))


def sheet_settings() -> tuple[str, ...]:
    """The settings kept as rows of the Settings sheet's key/value table, in their row order."""
    return tuple(f.name for f in fields(Settings) if facts_of(f).on_sheet)


def setting_facts(name: str) -> Facts:
    """The declared facts of one setting."""
    for f in fields(Settings):
        if f.name == name:
            return facts_of(f)
    raise KeyError(name)


def _validate_bands(name: str, bands: tuple[float, ...], tiers: int, add) -> None:  # type: ignore[no-untyped-def]
    def bad(message: str, expected: str) -> None:
        add(SettingsError(f"{name}: {message}", field=name, value=list(bands), expected=expected))

    if len(bands) != tiers - 1:
        bad(f"expected {tiers - 1} shares (one fewer than the {tiers} tiers; the last tier takes the rest), "
            f"got {len(bands)}: {list(bands)}", "one share per tier but the last")
    elif all(isinstance(b, (int, float)) and math.isfinite(b) for b in bands) and round(math.fsum(bands), 12) > 1:
        bad(f"the shares add up to {math.fsum(bands):g}, more than 1", "shares that add up to 1 or less")
