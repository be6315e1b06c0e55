"""Tiers: how we engage each account, under one of five policies.

Every policy returns, per account, a tier code (0 = the first, most engaged
tier; -1 = "Needs data") and a one-line reason. Overrides are applied after
the policy and win. The ARR-band policies follow exact definitions (README),
so any result can be checked by hand, and equal ARR always gets an equal tier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ..errors import SettingsError
from ..columns import NEEDS_DATA, UNKNOWN_SEGMENT, Col, header_key
from .accounts import Accounts, first_rows, map_unique_array
from .bands import NEEDS, arr_band_codes, arr_thresholds, cumulative_cuts
from .overrides import PREFIX, OverrideStatus, audit_notes, override_status
from .reading import BLANK, BLANK_TEXT, IMPLAUSIBLE, READ, shorten
from .rule_match import (REASON_LIMIT, RuleOutcome, column_list, evaluate_rules, find_column, rule_number,
                         text_key)
from .segments import segment_reason, segment_tier_codes
from .settings import Settings


@dataclass(frozen=True)
class TierResult:
    """Tiers of all accounts.

    Attributes:
        code: tier index per account after overrides; -1 is Needs data.
        policy_code: the same before overrides.
        thresholds: for ARR-band policies, the lowest and highest ARR of each
            tier, which replays the cut as "ARR >= min" rules; else ``None``.
        explain: builds the reasons; called once, on first use of ``reason``.
    """

    code: np.ndarray
    policy_code: np.ndarray
    thresholds: pd.DataFrame | None
    tier_names: tuple[str, ...]
    explain: Callable[[], pd.Series] = field(repr=False)
    rule_outcomes: tuple[RuleOutcome, ...] = field(default=(), repr=False)
    """Under the rules policy, each rule over every account (the rule checks read the same evaluation)."""
    overrides: OverrideStatus | None = field(default=None, repr=False)
    """Each account's override on the run's day (None: tiers that were not assigned by this run)."""

    @cached_property
    def reason(self) -> pd.Series:
        """One line per account a CS lead can read.

        Formatting a million sentences costs more than tiering a million
        accounts, so the text is built only when someone reads it.
        """
        return self.explain()

    @property
    def tier(self) -> pd.Series:
        """Tier names per account, "Needs data" where it could not be tiered."""
        return tier_labels(self.code, self.tier_names)


__all__ = ["NEEDS", "TierResult", "arr_band_codes", "arr_thresholds", "assign_tiers", "cumulative_cuts",
           "rule_number", "score_values", "text_key", "tier_codes", "tier_labels"]


def tier_labels(code: np.ndarray, tier_names: tuple[str, ...], index: pd.Index | None = None) -> pd.Series:
    names = np.array(list(tier_names) + [NEEDS_DATA], dtype=object)
    return pd.Series(names[np.where(code < 0, len(tier_names), code)], index=index, name=Col.TIER)


def tier_codes(tiers: object, tier_names: tuple[str, ...]) -> np.ndarray | None:
    """The inverse of :func:`tier_labels`: tier index per account (-1 Needs data), or None if one is no tier.

    Names match as :meth:`Settings.tier_index` matches them (case and spaces
    ignored). A blank tier, or a name that is not a tier, gives None: it has no index.
    """
    values = np.asarray(tiers, dtype=object)
    keys = {header_key(t): i for i, t in enumerate(tier_names)}
    lookup = {}
    for t in pd.unique(values):
        code = (NEEDS if t == NEEDS_DATA else keys.get(header_key(t))) if isinstance(t, str) else None
        if code is None:
            return None
        lookup[t] = code
    return np.array([lookup[t] for t in values], dtype=np.int64)


# ----------------------------------------------------------------- formatting
def _join(*parts: object) -> pd.Series:
    """Concatenate string arrays/Series/scalars element-wise."""
    out: pd.Series | None = None
    for part in parts:
        piece = part if isinstance(part, str) else pd.Series(np.asarray(part, dtype=object)).astype(str)
        out = piece if out is None else out + piece  # type: ignore[operator]
    return out  # type: ignore[return-value]


def _names(codes: np.ndarray, tier_names: tuple[str, ...]) -> np.ndarray:
    return np.array(list(tier_names) + [NEEDS_DATA], dtype=object)[np.where(codes < 0, len(tier_names), codes)]


def _needs_data_reasons(accounts: Accounts) -> np.ndarray:
    """Why an account's ARR is unusable, per account ('' where it is usable)."""
    parsed = accounts.numbers[Col.ARR]
    header = accounts.source[Col.ARR]
    out = np.full(len(accounts), "", dtype=object)
    out[parsed.status == BLANK] = "Needs data: ARR is blank"
    quoted = (parsed.status == BLANK_TEXT) | (parsed.status == IMPLAUSIBLE) | ~np.isin(parsed.status, READ)
    quoted &= parsed.status != BLANK
    if quoted.any():
        raw = accounts.raw[header].reset_index(drop=True).to_numpy(dtype=object)[quoted]
        why = {BLANK_TEXT: "is a word for no value", IMPLAUSIBLE: "is not a plausible figure"}
        out[quoted] = [f"Needs data: ARR {shorten(v)!r} {why.get(int(c), 'is not a number')}"
                       for v, c in zip(raw, parsed.status[quoted])]
    low = np.isfinite(parsed.values) & (parsed.values <= 0)
    if low.any():
        out[low] = np.array([f"Needs data: ARR {v:,.0f} is not above 0" for v in parsed.values[low]], dtype=object)
    return out


# ------------------------------------------------------------------- policies
# Each policy returns the tier codes and a function that writes the reasons.
Policy = tuple[np.ndarray, Callable[[], np.ndarray]]


def _arr_policy(accounts: Accounts, settings: Settings) -> tuple[np.ndarray, Callable[[], np.ndarray], pd.DataFrame]:
    arr = accounts.numbers[Col.ARR].values
    by = "share" if settings.policy == "arr-share" else "accounts"
    codes, pos, n, _ = arr_band_codes(arr, settings.bands, by)

    def explain() -> np.ndarray:
        ok = codes >= 0
        reason = np.asarray(_needs_data_reasons(accounts), dtype=object)
        if ok.any():
            # The largest text the engine builds. An account's line depends only on its ARR and tier
            # (ties never split a band), and a book repeats its contract values: format each distinct
            # pair once, then copy it to its rows.
            pair, first = _distinct_pairs(arr[ok], codes[ok])
            rows = np.flatnonzero(ok)[first]
            tiers = _names(codes[rows], settings.tier_names)
            values, shares = arr[rows].tolist(), (pos[rows] * 100).tolist()
            if by == "accounts":
                larger = np.rint(pos[rows] * n).astype(np.int64).tolist()
                text = [f"ARR {v:,.0f}: {k:,} of {n:,} accounts are larger (top {p:.1f} %) -> {t}"
                        for v, k, p, t in zip(values, larger, shares, tiers)]
            else:
                text = [f"ARR {v:,.0f}: larger accounts hold {p:.1f} % of ARR -> {t}"
                        for v, p, t in zip(values, shares, tiers)]
            reason[ok] = np.array(text, dtype=object)[pair]
        return reason

    return codes, explain, arr_thresholds(arr, codes, settings.tier_names)


def _distinct_pairs(values: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the number of its distinct (value, code) pair; and per pair, the first row that holds it."""
    value_code, _ = pd.factorize(values, sort=False)
    pair, pairs = pd.factorize(value_code.astype(np.int64) * (int(codes.max()) + 2) + (codes + 1), sort=False)
    return pair, first_rows(pair, len(pairs))


def _segment_policy(accounts: Accounts, segments: pd.Series, settings: Settings) -> Policy:
    codes = segment_tier_codes(segments, settings)

    def explain() -> np.ndarray:
        seg = map_unique_array(segments.astype(object), shorten, "")
        reason = _join("Segment ", seg, " -> ", _names(codes, settings.tier_names)).to_numpy()
        unknown = (segments == UNKNOWN_SEGMENT).to_numpy()
        unmapped = (codes < 0) & ~unknown
        if unknown.any():
            why = segment_reason(accounts, segments, settings).to_numpy(dtype=object)
            reason[unknown] = "Needs data: no segment (" + why[unknown] + ")"
        if unmapped.any():
            reason[unmapped] = _join("Needs data: segment ", seg[unmapped], " has no tier in the segment map").to_numpy()
        return reason

    return codes, explain


def _criterion(accounts: Accounts, column: str) -> np.ndarray:
    """A score criterion's values; NaN where missing, and for ARR where it is not above 0."""
    parsed = accounts.numbers_of(column)
    if parsed is None:
        _find_column(accounts, column, "score_criteria", "score_criteria", column)
    values = parsed.values  # type: ignore[union-attr]
    if header_key(column) == header_key(Col.ARR):
        with np.errstate(invalid="ignore"):
            values = np.where(values > 0, values, np.nan)
    return values


def score_values(accounts: Accounts, settings: Settings) -> np.ndarray:
    """Weighted min-max score in [0, 1] per account; NaN where a criterion is missing.

    Each criterion is scaled to 0..1 over the accounts that have every
    criterion (a constant criterion scales to 0), then averaged with the weights.
    """
    columns = [_criterion(accounts, c) for c, _ in settings.score_criteria]
    weights = np.array([w for _, w in settings.score_criteria])
    complete = np.logical_and.reduce([np.isfinite(c) for c in columns])
    score = np.full(len(accounts), np.nan)
    if not complete.any():
        return score
    total = np.zeros(int(complete.sum()))
    for values, weight in zip(columns, weights):
        v = values[complete]
        lo, hi = v.min(), v.max()
        total += weight * ((v - lo) / (hi - lo) if hi > lo else np.zeros_like(v))
    score[complete] = total / weights.sum()
    return score


def _score_policy(accounts: Accounts, settings: Settings) -> Policy:
    score = score_values(accounts, settings)
    ok = np.isfinite(score)
    cut = np.asarray(settings.score_cutoffs, dtype=float)
    codes = np.full(len(accounts), NEEDS, dtype=np.int64)
    # Tier k is the first whose cut-off the score reaches; the last tier takes the rest.
    codes[ok] = (score[ok][:, None] < cut[None, :]).sum(axis=1) if cut.size else 0

    def explain() -> np.ndarray:
        reason = np.empty(len(accounts), dtype=object)
        names = _names(codes, settings.tier_names)
        shown_cut = np.append(cut, 0.0)
        if ok.any():
            sc = pd.Series(score[ok]).map("{:.2f}".format)
            floor = pd.Series(shown_cut[codes[ok]]).map("{:.2f}".format)
            reason[ok] = _join("Score ", sc, " (at least ", floor, ") -> ", names[ok]).to_numpy()
        missing = ~ok
        if missing.any():
            absent = np.full(int(missing.sum()), "", dtype=object)
            for label, _ in settings.score_criteria:
                gone = ~np.isfinite(_criterion(accounts, label)[missing])
                raw = accounts.numbers_of(label).values[missing]  # type: ignore[union-attr]
                what = np.where(np.isfinite(raw), f"{label} not above 0", f"{label} missing")
                absent[gone] = absent[gone] + np.where(absent[gone] == "", "", ", ") + what[gone]
            reason[missing] = "Needs data: no score (" + absent + ")"
        return reason

    return codes, explain


def _find_column(accounts: Accounts, column: str, where: str, field_name: str, key: object) -> str:
    found = find_column(accounts, column)
    if found is None:
        raise SettingsError(f"{where}: column {column!r} is not an account column; the columns are "
                            + column_list(accounts, segment=False), field=field_name, key=key, value=column,
                            expected="an account column")
    return found


def _rules_policy(accounts: Accounts, settings: Settings, outcomes: tuple[RuleOutcome, ...]) -> Policy:
    n = len(accounts)
    codes = np.full(n, NEEDS, dtype=np.int64)
    # Which line explains each account: i*K = rule i matched, -(i*K + j) = rule i's condition j was
    # blank (or could not be evaluated), 0 = default; K leaves room for every condition of a rule.
    width = max((len(r.conditions) for r in settings.rules), default=1) + 1
    line = np.zeros(n, dtype=np.int64)
    texts: dict[int, str] = {}
    undecided = np.ones(n, dtype=bool)
    for outcome in outcomes:
        i, rule = outcome.number, outcome.rule
        described = shorten(rule.describe(), REASON_LIMIT)
        tier = settings.tier_index(rule.tier)
        hit = undecided & outcome.match
        stuck = undecided & outcome.unknown
        codes[hit] = tier
        line[hit] = i * width
        if stuck.any():
            which = outcome.first_unknown()
            line[stuck] = -(i * width + which[stuck])
        texts[i * width] = f"Rule {i}: {described} -> {settings.tier_names[tier]}"  # type: ignore[index]
        for j, (cond, result) in enumerate(zip(rule.conditions, outcome.conditions)):
            why = (f"cannot be evaluated: {shorten(result.fault, REASON_LIMIT)}" if result.fault
                   else f"needs {result.missing}")
            texts[-(i * width + j)] = f"Needs data: rule {i} ({described}) {why}"
        undecided &= ~(hit | stuck)
        if not undecided.any():
            break
    default = settings.tier_index(settings.default_tier)
    codes[undecided] = default
    texts[0] = f"No rule matched -> default {settings.tier_names[default]}"  # type: ignore[index]

    def explain() -> np.ndarray:
        keys = np.array(sorted(texts))
        table = np.array([texts[k] for k in keys], dtype=object)
        return table[np.searchsorted(keys, line)]

    return codes, explain


# --------------------------------------------------------------------- public
def assign_tiers(accounts: Accounts, segments: pd.Series, settings: Settings,
                 today: dt.date | None = None) -> TierResult:
    """Tier every account under ``settings.policy``, then apply the overrides that hold on ``today``."""
    thresholds = None
    outcomes: tuple[RuleOutcome, ...] = ()
    if settings.policy in ("arr-accounts", "arr-share"):
        codes, explain, thresholds = _arr_policy(accounts, settings)
    elif settings.policy == "segment":
        codes, explain = _segment_policy(accounts, segments, settings)
    elif settings.policy == "score":
        codes, explain = _score_policy(accounts, settings)
    else:
        outcomes = tuple(evaluate_rules(accounts, segments, settings.rules, settings.decimal_mark))
        codes, explain = _rules_policy(accounts, settings, outcomes)
    status = override_status(accounts, settings.tier_names, today)
    final = np.where(status.applies, status.tier, codes)

    def reasons() -> pd.Series:
        return pd.Series(explain_overrides(accounts, explain(), status, settings), name=Col.TIER_REASON,
                         dtype=object)  # as built: a million Python strings need no copy into Arrow

    return TierResult(code=final, policy_code=codes, thresholds=thresholds, tier_names=settings.tier_names,
                      explain=reasons, rule_outcomes=outcomes, overrides=status)


def explain_overrides(accounts: Accounts, reason: np.ndarray, status: OverrideStatus, settings: Settings) -> np.ndarray:
    """Reasons with overrides: an applied one replaces the policy's (with who, when, until), an ignored one is named."""
    reason = np.asarray(reason, dtype=object).copy()
    override, applies = status.tier, status.applies
    if applies.any():
        why = [shorten(w, REASON_LIMIT) for w in accounts.frame[Col.OVERRIDE_REASON].to_numpy(dtype=object)[applies]]
        reason[applies] = _join(PREFIX, _names(override[applies], settings.tier_names), ": ", why,
                                audit_notes(accounts, applies)).to_numpy()
    ignored = accounts.frame[Col.TIER_OVERRIDE].notna().to_numpy() & ~applies
    if ignored.any():
        raw = [shorten(v) for v in accounts.frame[Col.TIER_OVERRIDE].to_numpy(dtype=object)[ignored]]
        ended = [f" expired on {d:%Y-%m-%d}" if not pd.isna(d) else "" for d in status.until[ignored]]
        why = np.where(status.expired[ignored], ended,
                       np.where(override[ignored] < 0, " is not a tier", " has no Override Reason"))
        reason[ignored] = _join(reason[ignored], " (override '", raw, "' not applied:", why, ")").to_numpy()
    return reason
