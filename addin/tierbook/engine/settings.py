"""The tiering policy and every parameter the engine uses, as one typed object.

Settings are immutable so that one run sees one consistent policy; change a
value with :func:`dataclasses.replace` (the constructor re-validates). The
defaults are documented, with their sources, in the README's "Defaults" table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

from ..errors import SettingsError
from ..layout import NEEDS_DATA, Col, header_key

POLICIES: tuple[str, ...] = ("arr-accounts", "arr-share", "segment", "score", "rules")
MARGIN_METHODS: tuple[str, ...] = ("markup", "gross-margin")
SIZE_BASES: tuple[str, ...] = ("employees", "revenue")
SIZE_X_CONTRACT = "size-x-contract"
SEGMENT_BASES: tuple[str, ...] = (SIZE_X_CONTRACT, Col.INDUSTRY, Col.REGION, Col.PRODUCT)
POOLED_SPLITS: tuple[str, ...] = ("equal", "arr")
RULE_OPERATORS: tuple[str, ...] = ("=", "<>", "<", "<=", ">", ">=", "in", "contains", "is blank")


class Role:
    """Default owner roles of the service catalog."""

    LEADERSHIP = "CS Leadership"
    CSM = "CSM"
    TECHNICAL = "Technical Success Manager"
    DIGITAL = "Digital CS"
    ALL: tuple[str, ...] = (LEADERSHIP, CSM, TECHNICAL, DIGITAL)


@dataclass(frozen=True)
class Rule:
    """One row of the rules policy: if ``column op value`` then ``tier``.

    ``value`` is a number for numeric comparisons, text otherwise, and a
    comma-separated list (or a tuple) for ``in``. Text comparisons ignore case
    and surrounding spaces, as CRM picklists are rarely spelled consistently.
    """

    column: str
    op: str
    value: Any
    tier: str

    def __post_init__(self) -> None:
        if self.op not in RULE_OPERATORS:
            raise SettingsError(
                f"rule on {self.column!r}: operator {self.op!r} is not one of "
                + ", ".join(RULE_OPERATORS)
            )
        if not str(self.column).strip():
            raise SettingsError("rule: the column is blank; expected an account column name")

    def describe(self) -> str:
        """The condition as a user would write it, e.g. ``ARR >= 250,000``."""
        if self.op == "is blank":
            return f"{self.column} is blank"
        value = self.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
        elif isinstance(value, (tuple, list)):
            shown = ", ".join(str(v) for v in value)
        else:
            shown = str(value)
        return f"{self.column} {self.op} {shown}"


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
    """Tiering policy and parameters.

    Attributes:
        policy: one of ``arr-accounts``, ``arr-share``, ``segment``, ``score``,
            ``rules`` (definitions in the README).
        tier_names: tiers from most to least engaged; any number, any names.
        account_bands: ``arr-accounts`` shares of accounts per tier, one fewer
            than the tiers (the last tier takes the rest).
        arr_bands: ``arr-share`` shares of total ARR per tier, likewise.
        segment_by: ``size-x-contract`` (the 2-D model) or an attribute column
            (Industry, Region, Product) whose values become the segments.
        size_basis: company size measured by ``employees`` or ``revenue``.
        employee_threshold / revenue_threshold: a company at or above is "large".
        arr_threshold: a contract at or above is "large".
        segment_names: the four 2-D segments, in the order large company and
            large contract, small company and large contract, large company and
            small contract, small company and small contract.
        segment_tiers: segment -> tier for the ``segment`` policy.
        score_criteria: (column, weight) pairs for the ``score`` policy.
        score_cutoffs: lowest score of each tier but the last, descending.
        rules / default_tier: the ``rules`` policy, first match wins.
        margin_pct / margin_method: assessed value = cost x (1 + m) for
            ``markup`` or cost / (1 - m) for ``gross-margin``.
        pooled_split: spread pooled programme cost ``equal``-ly over a tier's
            accounts or in proportion to their ``arr``.
        cs_budget: the annual Customer Success budget the plan is checked against.
        productive_hours / loaded_cost / headcount: per role.
        csm_role: the role whose FTE counts as CSM coverage.
        coverage_ranges: sane accounts per CSM FTE for each tier, in tier
            order (``None`` for no upper bound); tiers beyond have no range.
    """

    policy: str = "arr-accounts"
    tier_names: tuple[str, ...] = DEFAULT_TIERS
    account_bands: tuple[float, ...] = (0.15, 0.40)
    arr_bands: tuple[float, ...] = (0.50, 0.35)
    segment_by: str = SIZE_X_CONTRACT
    size_basis: str = "employees"
    employee_threshold: float = 1_000
    revenue_threshold: float = 100_000_000
    arr_threshold: float = 100_000
    segment_names: tuple[str, ...] = DEFAULT_SEGMENTS
    segment_tiers: Mapping[str, str] = field(
        default_factory=lambda: {
            "Enterprise": "High-touch",
            "Major": "High-touch",
            "Large Opportunity": "Mid-touch",
            "SMB": "Tech-touch",
        }
    )
    score_criteria: tuple[tuple[str, float], ...] = (
        (Col.ARR, 0.4),
        (Col.EXPANSION_POTENTIAL, 0.4),
        (Col.NPS, 0.2),
    )
    score_cutoffs: tuple[float, ...] = (0.50, 0.40)
    rules: tuple[Rule, ...] = field(default_factory=_default_rules)
    default_tier: str = "Tech-touch"
    margin_pct: float = 0.30
    margin_method: str = "markup"
    pooled_split: str = "equal"
    currency: str = "USD"
    cs_budget: float = 9_000_000
    productive_hours: Mapping[str, float] = field(
        default_factory=lambda: {r: 1_560.0 for r in Role.ALL}
    )
    loaded_cost: Mapping[str, float] = field(
        default_factory=lambda: {
            Role.LEADERSHIP: 234_000.0,
            Role.CSM: 130_000.0,
            Role.TECHNICAL: 156_000.0,
            Role.DIGITAL: 130_000.0,
        }
    )
    headcount: Mapping[str, float] = field(
        default_factory=lambda: {
            Role.LEADERSHIP: 3.0,
            Role.CSM: 40.0,
            Role.TECHNICAL: 8.0,
            Role.DIGITAL: 3.0,
        }
    )
    csm_role: str = Role.CSM
    coverage_ranges: tuple[tuple[float, float | None], ...] = ((20, 80), (80, 200), (500, 2_000))

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
        self._validate()

    # ----------------------------------------------------------------- checks
    def _validate(self) -> None:
        _one_of("policy", self.policy, POLICIES)
        _one_of("margin_method", self.margin_method, MARGIN_METHODS)
        _one_of("size_basis", self.size_basis, SIZE_BASES)
        _one_of("segment_by", self.segment_by, SEGMENT_BASES)
        _one_of("pooled_split", self.pooled_split, POOLED_SPLITS)
        self._validate_tiers()
        _validate_bands("account_bands", self.account_bands, len(self.tier_names))
        _validate_bands("arr_bands", self.arr_bands, len(self.tier_names))
        for name in ("employee_threshold", "revenue_threshold", "arr_threshold"):
            _positive(name, getattr(self, name))
        if len(self.segment_names) != 4 or len({header_key(s) for s in self.segment_names}) != 4:
            raise SettingsError(
                f"segment_names: expected 4 distinct names, got {list(self.segment_names)}"
            )
        for segment, tier in self.segment_tiers.items():
            self._known_tier(f"segment_tiers[{segment!r}]", tier)
        self._validate_score()
        for i, rule in enumerate(self.rules, start=1):
            self._known_tier(f"rule {i} ({rule.describe()})", rule.tier)
        self._known_tier("default_tier", self.default_tier)
        if not (math.isfinite(self.margin_pct) and self.margin_pct >= 0):
            raise SettingsError(f"margin_pct: expected a share of 0 or more, got {self.margin_pct}")
        if self.margin_method == "gross-margin" and self.margin_pct >= 1:
            raise SettingsError(
                f"margin_pct: a gross margin must be below 1 (100 %), got {self.margin_pct}"
            )
        if not (math.isfinite(self.cs_budget) and self.cs_budget >= 0):
            raise SettingsError(f"cs_budget: expected an amount of 0 or more, got {self.cs_budget}")
        for role, hours in self.productive_hours.items():
            _positive(f"productive_hours[{role!r}]", hours)
        for name in ("loaded_cost", "headcount"):
            for role, value in getattr(self, name).items():
                if not (math.isfinite(float(value)) and float(value) >= 0):
                    raise SettingsError(f"{name}[{role!r}]: expected 0 or more, got {value}")
        for i, (lo, hi) in enumerate(self.coverage_ranges, start=1):
            if lo < 0 or (hi is not None and hi < lo):
                raise SettingsError(f"coverage_ranges[{i}]: expected 0 <= low <= high, got ({lo}, {hi})")

    def _validate_tiers(self) -> None:
        names = self.tier_names
        if not names:
            raise SettingsError("tier_names: expected at least one tier name, got none")
        keys = [header_key(n) for n in names]
        if any(not k for k in keys):
            raise SettingsError(f"tier_names: a tier name is blank in {list(names)}")
        if len(set(keys)) != len(keys):
            raise SettingsError(f"tier_names: names must differ (ignoring case and spaces), got {list(names)}")
        if header_key(NEEDS_DATA) in keys:
            raise SettingsError(f"tier_names: {NEEDS_DATA!r} is reserved for accounts that cannot be tiered")

    def _validate_score(self) -> None:
        if not self.score_criteria:
            raise SettingsError("score_criteria: expected at least one (column, weight) pair")
        for column, weight in self.score_criteria:
            if not (math.isfinite(weight) and weight >= 0):
                raise SettingsError(f"score_criteria: weight of {column!r} must be 0 or more, got {weight}")
        if sum(w for _, w in self.score_criteria) <= 0:
            raise SettingsError("score_criteria: the weights add up to 0; give at least one a positive weight")
        cut = self.score_cutoffs
        if len(cut) != len(self.tier_names) - 1:
            raise SettingsError(
                f"score_cutoffs: expected {len(self.tier_names) - 1} cut-offs (one fewer than the "
                f"{len(self.tier_names)} tiers), got {len(cut)}: {list(cut)}"
            )
        if any(not (0 <= c <= 1) for c in cut) or any(a < b for a, b in zip(cut, cut[1:])):
            raise SettingsError(f"score_cutoffs: expected descending scores between 0 and 1, got {list(cut)}")

    def _known_tier(self, where: str, tier: str) -> None:
        if self.tier_index(tier) is None:
            raise SettingsError(
                f"{where}: tier {tier!r} is not one of the tier names " + ", ".join(self.tier_names)
            )

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


def _one_of(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise SettingsError(f"{name}: {value!r} is not one of " + ", ".join(allowed))


def _positive(name: str, value: float) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise SettingsError(f"{name}: expected a number above 0, got {value!r}")


def _validate_bands(name: str, bands: tuple[float, ...], tiers: int) -> None:
    if len(bands) != tiers - 1:
        raise SettingsError(
            f"{name}: expected {tiers - 1} shares (one fewer than the {tiers} tiers; the last "
            f"tier takes the rest), got {len(bands)}: {list(bands)}"
        )
    if any(not (isinstance(b, (int, float)) and 0 < b < 1) for b in bands):
        raise SettingsError(f"{name}: every share must lie between 0 and 1, got {list(bands)}")
    if round(math.fsum(bands), 12) > 1:
        raise SettingsError(f"{name}: the shares add up to {math.fsum(bands):g}, more than 1")
