"""Checks of the policy itself, before its tiers are trusted: rules, the segment map, the ARR bands.

Each finding is a row of the same problem table as the data checks
(:class:`~tierbook.columns.ProblemCol`), so it reaches Data Quality, ``tierbook
check`` and the buttons' messages the way every data problem does. A rule's
finding names the rule: its row on the Tier Rules sheet when the rule was read
from one (Column "Tier Rules"), and always its number in Value ("rule 3: ...").
A finding about the whole policy names, like a problem with a whole column,
the accounts' header row, and the setting it concerns in Column ("rules",
"default_tier", "segment_tiers", "tier_names", "account_bands", "arr_bands").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..columns import UNKNOWN_SEGMENT, Col, Problem, ProblemCol, Severity, header_key
from .accounts import Accounts, category_key
from .bands import cumulative_cuts
from .checks import empty_problems, usable_arr
from .reading import PLAUSIBLE_LIMIT, shorten
from .rule_logic import contradiction, implies
from .rule_match import REASON_LIMIT, column_list, RuleOutcome, condition_values, evaluate_rules, list_items, text_key
from .rules import Condition, Rule
from .segments import mapped_keys
from .settings import SIZE_X_CONTRACT, Settings
from .tiers import TierResult
from .wording import counted

TIE_TOLERANCE = 0.01
"""How far (in shares, 0.01 = one percentage point) ties may move a band cut before it is reported."""

RULES_SHEET = "Tier Rules"


def check_policy(accounts: Accounts, segments: pd.Series, settings: Settings, tiers: TierResult) -> pd.DataFrame:
    """Every finding about the policy in force, most severe first (empty when there is none)."""
    rows: list[dict[str, object]] = []
    if settings.policy == "rules":
        rows += _rule_findings(accounts, segments, settings, tiers.rule_outcomes)
    if settings.policy == "segment":
        rows += _segment_findings(segments, settings, accounts.first_row - 1)
    if settings.policy in ("arr-accounts", "arr-share"):
        rows += _tie_findings(accounts, settings)
    rows += _unreached_tiers(accounts, settings, tiers)
    if not rows:
        return empty_problems()
    table = pd.DataFrame(rows, columns=list(ProblemCol.ALL)).astype({ProblemCol.ROW: "int64"})
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return table.iloc[np.argsort(table[ProblemCol.SEVERITY].map(order).to_numpy(), kind="stable")].reset_index(
        drop=True)


def rule_label(rule: Rule, number: int) -> str:
    """``rule 3: ARR >= 50,000 and Industry = Healthcare -> Mid-touch`` (shortened for a cell)."""
    return f"rule {number}: " + shorten(f"{rule.describe()} -> {rule.tier}", REASON_LIMIT)


def _finding(row: int, column: str, value: str, problem: str, severity: str, detail: str) -> dict[str, object]:
    return {ProblemCol.ROW: row, ProblemCol.ACCOUNT_ID: "", ProblemCol.COLUMN: column, ProblemCol.VALUE: value,
            ProblemCol.PROBLEM: problem, ProblemCol.SEVERITY: severity, ProblemCol.DETAIL: detail}


def _about(outcome: RuleOutcome, header: int, problem: str, severity: str, detail: str) -> dict[str, object]:
    rule, i = outcome.rule, outcome.number
    row, column = (rule.row, RULES_SHEET) if rule.row is not None else (header, "rules")
    return _finding(row, column, rule_label(rule, i), problem, severity, detail)


def _pct(share: float) -> str:
    return f"{share * 100:.1f} %"


def _needs(n: int) -> str:
    if n == 1:
        return "the 1 account this rule reaches is Needs data"
    return f"the {n:,} accounts this rule reaches are Needs data"


def _verb(n: int, verb: str) -> str:
    return verb + "es" if n == 1 else verb


# ------------------------------------------------------------------- rules
def _rule_findings(accounts: Accounts, segments: pd.Series, settings: Settings,
                   evaluated: tuple[RuleOutcome, ...]) -> list[dict[str, object]]:
    outcomes = list(evaluated) or evaluate_rules(accounts, segments, settings.rules, settings.decimal_mark)
    head = accounts.first_row - 1
    numbers = {header_key(c) for c in accounts.numbers}
    out: list[dict[str, object]] = []
    n = len(accounts)
    reached = np.ones(n, dtype=bool)  # accounts no earlier rule has decided
    decides: list[np.ndarray] = []
    for k, outcome in enumerate(outcomes):
        for cond, result in outcome.faults:
            kind = Problem.RULE_NO_COLUMN if result.kind == "column" else Problem.RULE_TEXT_NUMBER
            columns = f" (the columns are {column_list(accounts)})" if result.kind == "column" else ""
            out.append(_about(outcome, head, kind, Severity.ERROR,
                              f"{cond.describe()}: {result.fault}{columns}; "
                              + _needs(int((reached & outcome.unknown).sum()))))
        never = [] if outcome.faults else _never(outcome, accounts, segments, settings, numbers)
        out += never
        if not outcome.faults and not never:
            out += _shadow_or_overlap(outcome, outcomes[:k], decides, settings, numbers, head)
        decides.append(reached & outcome.match)
        reached = reached & ~outcome.match & ~outcome.unknown
    fall = int(reached.sum())
    if n:
        out.append(_finding(head, "default_tier", settings.default_tier, Problem.RULE_DEFAULT, Severity.INFO,
                            f"{counted(fall, 'account')} ({_pct(fall / n)}) {_verb(fall, 'match')} no rule "
                            f"and {'gets' if fall == 1 else 'get'} the default tier {settings.default_tier}"))
    return out


def _never(outcome: RuleOutcome, accounts: Accounts, segments: pd.Series, settings: Settings,
           numbers: set[str]) -> list[dict[str, object]]:
    """A rule that no account can match: conditions that contradict, or a value no account has."""
    head = accounts.first_row - 1
    clash = contradiction(outcome.rule, numbers, settings.decimal_mark)
    if clash is not None:
        return [_about(outcome, head, Problem.RULE_NEVER_MATCHES, Severity.WARNING,
                       " and ".join(c.describe() for c in clash) + " cannot all hold; the rule never matches")]
    for cond in outcome.rule.conditions:
        absent = _absent_values(cond, accounts, segments, settings, numbers)
        if absent:
            return [_about(outcome, head, Problem.RULE_NEVER_MATCHES, Severity.WARNING, absent)]
    return []


def _absent_values(cond: Condition, accounts: Accounts, segments: pd.Series, settings: Settings,
                   numbers: set[str]) -> str:
    """Why an = or in condition on text can never hold (its values are ones no account has), or ''."""
    if cond.op not in ("=", "in") or not len(accounts):
        return ""
    found = condition_values(accounts, segments, cond)
    if found is None or header_key(found[0]) in numbers:
        return ""
    column, values, _, _ = found
    wanted = [cond.value] if cond.op == "=" else [v for v in list_items(cond.value) if text_key(v)]
    if column == Col.SEGMENT and settings.segment_by == SIZE_X_CONTRACT:
        known = list(settings.segment_names)
        have = {text_key(s) for s in known}
        if not any(text_key(v) in have for v in wanted):
            return (f"{', '.join(repr(shorten(v)) for v in wanted)} is not a segment; the segments are "
                    + ", ".join(known))
        return ""
    have = set(category_key(values.dropna().drop_duplicates()).tolist())
    if not any(text_key(v) in have for v in wanted):
        return f"no account has {shorten(column)} {', '.join(repr(shorten(v)) for v in wanted)}"
    return ""


def _shadow_or_overlap(outcome: RuleOutcome, earlier: list[RuleOutcome], decides: list[np.ndarray],
                       settings: Settings, numbers: set[str], head: int) -> list[dict[str, object]]:
    """The first earlier rule that takes every account this one could match; else each earlier rule
    to another tier that takes some of the accounts this one matches."""
    rule = outcome.rule
    for before in earlier:
        if not before.faults and implies(rule, before.rule, numbers, settings.decimal_mark):
            same = settings.tier_index(before.rule.tier) == settings.tier_index(rule.tier)
            return [_about(outcome, head, Problem.RULE_SHADOWED, Severity.WARNING,
                           f"every account it matches is matched first by {rule_label(before.rule, before.number)}"
                           + ("" if same else f", so it never gives {rule.tier}"))]
    out = []
    for before, taken in zip(earlier, decides):
        if settings.tier_index(before.rule.tier) == settings.tier_index(rule.tier):
            continue
        both = int((taken & outcome.match).sum())
        if both:
            out.append(_about(outcome, head, Problem.RULE_OVERLAP, Severity.INFO,
                              f"{counted(both, 'account')} also {_verb(both, 'match')} "
                              f"{rule_label(before.rule, before.number)}, "
                              f"which comes first: {'it gets' if both == 1 else 'they get'} {before.rule.tier}, not {rule.tier}"))
    return out


# ---------------------------------------------------------- segments, tiers
def _segment_findings(segments: pd.Series, settings: Settings, head: int) -> list[dict[str, object]]:
    """Segments of the model that the segment map gives no tier (their accounts are Needs data)."""
    if settings.segment_by == SIZE_X_CONTRACT:
        names = list(settings.segment_names)
    else:
        names = [str(s) for s in segments.dropna().drop_duplicates() if s != UNKNOWN_SEGMENT]
    mapped = mapped_keys(settings.segment_tiers)
    counts: dict[str, int] = {}
    for segment, count in segments.value_counts().items():  # once per distinct segment, not per account
        counts[header_key(segment)] = counts.get(header_key(segment), 0) + int(count)
    out = []
    for name in names:
        if header_key(name) not in mapped:
            count = int(counts.get(header_key(name), 0))
            out.append(_finding(head, "segment_tiers", shorten(name), Problem.SEGMENT_NOT_MAPPED, Severity.WARNING,
                                f"segment {shorten(name)!r} has no tier in the segment map; its "
                                f"{counted(count, 'account')} {'is' if count == 1 else 'are'} Needs data"))
    return out


def _unreached_tiers(accounts: Accounts, settings: Settings, tiers: TierResult) -> list[dict[str, object]]:
    if not len(accounts):
        return []
    head = accounts.first_row - 1
    counts = np.bincount(tiers.code[tiers.code >= 0], minlength=len(settings.tier_names))
    out = []
    for k, name in enumerate(settings.tier_names):
        if counts[k] == 0:
            why = f"no account is {name} under the {settings.policy} policy"
            if settings.policy == "rules" and header_key(settings.default_tier) != header_key(name) and not any(
                    settings.tier_index(r.tier) == k for r in settings.rules):
                why += "; no rule gives it and it is not the default tier"
            out.append(_finding(head, "tier_names", name, Problem.TIER_UNREACHED, Severity.WARNING, why))
    return out


# ------------------------------------------------------------------- bands
def _tie_findings(accounts: Accounts, settings: Settings) -> list[dict[str, object]]:
    """Band cuts that fall inside a group of equal ARR, moving the band off its share by TIE_TOLERANCE or more.

    Equal ARR never splits a tier, so the whole group goes up. The check
    compares the share above each cut with the share it would be if the
    accounts stood in a line one by one (as if no two ARRs were equal).
    """
    arr = accounts.numbers[Col.ARR].values
    ok = usable_arr(accounts) & (arr <= PLAUSIBLE_LIMIT)
    values = np.sort(arr[ok])[::-1]
    n = values.size
    if n == 0:
        return []
    by_share = settings.policy == "arr-share"
    weight = np.rint(values * 100) if by_share else np.ones(n)
    total = float(weight.sum())
    if total <= 0:  # every ARR rounds to zero cents: no share to compare
        return []
    before = np.concatenate(([0.0], np.cumsum(weight)[:-1])) / total   # share strictly before, one by one
    name = "arr_bands" if by_share else "account_bands"
    head = accounts.first_row - 1
    what = "of ARR" if by_share else "of accounts"
    out = []
    for k, cut in enumerate(cumulative_cuts(settings.bands)):
        in_line = float(weight[before < cut].sum()) / total
        edge = values[before < cut][-1] if (before < cut).any() else None
        if edge is None:
            continue
        tied = values == edge
        actual = float(weight[values >= edge].sum()) / total
        if tied.sum() > 1 and actual - in_line >= TIE_TOLERANCE - 1e-12:
            tier = settings.tier_names[k]
            share = float(settings.bands[k])
            held = float(weight[(values >= edge) & (values < _upper(values, weight, total, k, settings))].sum()) / total
            out.append(_finding(head, name, tier, Problem.BAND_TIES, Severity.WARNING,
                                f"{int(tied.sum()):,} accounts share ARR {edge:,.0f} across the {cut * 100:g} % cut: "
                                f"equal ARR never splits, so {tier} holds {_pct(held)} {what}, not the {share * 100:g} % "
                                "of its band"))
    return out


def _upper(values: np.ndarray, weight: np.ndarray, total: float, k: int, settings: Settings) -> float:
    """The lowest ARR of the tiers above tier ``k`` (infinity for the first tier)."""
    if k == 0:
        return np.inf
    cut = cumulative_cuts(settings.bands)[k - 1]
    before = np.concatenate(([0.0], np.cumsum(weight)[:-1])) / total
    inside = values[before < cut]
    return float(inside[-1]) if inside.size else np.inf


def findings_note(problems: pd.DataFrame, limit: int = 3) -> str:
    """One sentence for a button's message: how many policy findings, and the first errors and warnings."""
    if problems.empty:
        return ""
    found = problems[problems[ProblemCol.PROBLEM].isin(Problem.POLICY)]
    if found.empty:
        return ""
    serious = found[found[ProblemCol.SEVERITY] != Severity.INFO]
    text = f"Policy checks: {counted(len(found), 'finding')} on Data Quality"
    if serious.empty:
        return text + "."
    shown = [f"{p} ({shorten(v, 80)})" for p, v in
             zip(serious[ProblemCol.PROBLEM][:limit], serious[ProblemCol.VALUE][:limit])]
    more = len(serious) - len(shown)
    return text + ": " + "; ".join(shown) + (f"; and {more:,} more" if more else "") + "."
