"""Previous Tier and Tier History: an account's tier over time, followed by its Account ID.

The rule: **Previous Tier is the tier an account had before its tier last
changed.** It moves only when the tier does, so a re-run with unchanged
inputs changes nothing, and it belongs to the account, never to a row: the
old tiers are paired with the new ones by Account ID, so a sort, an insert,
a deletion or an import that moves rows cannot hand one account's history to
another.

Two cases have no single answer, and get a stated one:

* **Blank Account ID.** A row without an ID has no identity to follow. It
  gets no Previous Tier and its tier changes are not logged (Data Quality
  reports the missing ID as an error).
* **Duplicate Account ID.** The k-th row with an ID is paired with the k-th
  row that had it before, in row order, so copies are never merged or
  swapped while their order holds (Data Quality reports every copy).

**Tier History** gets one row per account and run when its tier changed,
when it got its first tier (from none), or when its override was set,
changed, expired or removed: old tier, new tier, why (the event, then the
Tier Reason), when (the run) and who (the person the front end names; for an
override set or changed, its Override By where filled). Whether the last run
applied an override is read from the Tier Reason it wrote, which begins
``Override -> `` (:data:`~tierbook.engine.overrides.PREFIX`).

Everything here is arrays in, arrays out: the workbook adapter and the Excel
scripts read the old cells and write the new ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..columns import NEEDS_DATA, HistoryCol, header_key
from .accounts import clean_text
from .overrides import PREFIX, OverrideStatus


class Change:
    """How an account's tier moved between two tierings (a run and the last, an export and the last)."""

    IN = "in"                     # no tier before (a new account)
    OUT = "out"                   # a tier before, gone now (an account no longer there)
    UP = "up"                     # to a more engaged tier
    DOWN = "down"                 # to a less engaged tier
    TO_NEEDS_DATA = "to Needs data"
    FROM_NEEDS_DATA = "from Needs data"
    RENAMED = "tier renamed"      # the last tier is not a tier any more
    SEGMENT_ONLY = "segment only"
    UNCHANGED = "unchanged"
    ORDER: tuple[str, ...] = (UP, DOWN, IN, OUT, TO_NEEDS_DATA, FROM_NEEDS_DATA, RENAMED, SEGMENT_ONLY, UNCHANGED)


@dataclass(frozen=True)
class TierChanges:
    """Per new row: the tier it had before, its Previous Tier, and whether its tier changed.

    Attributes:
        source: for each new row, the old row of the same account (-1: none).
        old_tier: the tier the account had ("" when it had none or is new).
        previous: the Previous Tier to show ("" for none).
        changed: the account had a tier and now has a different one.
        gone: old rows that had a tier and that no new row follows (accounts no longer there).
        keyed: for each new row, whether it has an Account ID (None: not known; history reads the IDs again).
    """

    source: np.ndarray
    old_tier: np.ndarray
    previous: np.ndarray
    changed: np.ndarray
    gone: int = 0
    keyed: np.ndarray | None = None

    @property
    def count(self) -> int:
        return int(self.changed.sum())


def id_keys(ids: object) -> pd.Series:
    """Account IDs as the keys history follows: cleaned text, missing for a blank ID."""
    return clean_text(pd.Series(ids, dtype=object))


def pair_rows(old_ids: object, new_ids: object) -> np.ndarray:
    """For each new row, the old row with the same Account ID (-1: none).

    The k-th occurrence of an ID among the new rows pairs with its k-th
    occurrence among the old rows; blank IDs pair with nothing.
    """
    return _pair_keys(id_keys(old_ids), id_keys(new_ids))


def _pair_keys(old: pd.Series, new: pd.Series) -> np.ndarray:
    source = np.full(len(new), -1, dtype=np.int64)
    old_ok, new_ok = old.notna().to_numpy(), new.notna().to_numpy()
    if not old_ok.any() or not new_ok.any():
        return source
    old_keyed, new_keyed = old[old_ok], new[new_ok]
    unique = pd.Index(old_keyed.to_numpy(dtype=object))
    if unique.is_unique and not new_keyed.duplicated().any():  # the usual book: each ID once, no occurrence to count
        found = unique.get_indexer(new_keyed.to_numpy(dtype=object))
    else:  # the k-th occurrence pairs with the k-th: each (ID, k) as one whole number, looked up at once
        codes, _ = pd.factorize(np.concatenate([old_keyed.to_numpy(dtype=object), new_keyed.to_numpy(dtype=object)]))
        old_codes, new_codes = codes[:len(old_keyed)], codes[len(old_keyed):]
        span = max(len(old_keyed), len(new_keyed))
        found = pd.Index(old_codes * span + _occurrence(old_codes)).get_indexer(new_codes * span + _occurrence(new_codes))
    rows = np.flatnonzero(old_ok)
    source[np.flatnonzero(new_ok)] = np.where(found >= 0, rows[np.maximum(found, 0)], -1)
    return source


def _occurrence(codes: np.ndarray) -> np.ndarray:
    """For each entry, how many equal codes come before it (0 for the first)."""
    order = np.argsort(codes, kind="stable")
    ranked = codes[order]
    at = np.arange(len(codes))
    starts = np.maximum.accumulate(np.where(np.r_[True, ranked[1:] != ranked[:-1]], at, 0))
    out = np.empty(len(codes), dtype=np.int64)
    out[order] = at - starts
    return out


def _tier_text(values: object) -> np.ndarray:
    """Tier cells as text, "" for blank."""
    cleaned = clean_text(pd.Series(values, dtype=object))
    return cleaned.fillna("").to_numpy(dtype=object)


def follow_tiers(old_ids: object, old_tiers: object, old_previous: object,
                 new_ids: object, new_tiers: object) -> TierChanges:
    """Previous Tier for every new row, following each account by its Account ID.

    Args:
        old_ids / old_tiers / old_previous: the rows as the last run left
            them (Account ID, Tier and Previous Tier of each row).
        new_ids / new_tiers: the rows now, with the tiers just assigned.
    """
    new_keys = id_keys(new_ids)
    source = _pair_keys(id_keys(old_ids), new_keys)
    matched = source >= 0
    pick = np.maximum(source, 0)
    old_t, old_p = _tier_text(old_tiers), _tier_text(old_previous)
    new_t = np.array(["" if v is None else str(v) for v in new_tiers], dtype=object)
    had = np.where(matched, old_t[pick] if len(old_t) else "", "").astype(object)
    before = np.where(matched, old_p[pick] if len(old_p) else "", "").astype(object)
    changed = (had != "") & (had != new_t)
    previous = np.where(changed, had, before).astype(object)
    followed = np.zeros(len(old_t), dtype=bool)
    followed[source[matched]] = True
    gone = int(((old_t != "") & ~followed).sum())
    return TierChanges(source=source, old_tier=had, previous=previous, changed=changed, gone=gone,
                       keyed=new_keys.notna().to_numpy(dtype=bool))


def text_keys(values: object) -> pd.Series:
    """:func:`~tierbook.columns.header_key` of every value (missing stays missing), computed once per distinct value."""
    series = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values.astype(object)
    lookup = {v: header_key(v) for v in pd.unique(series.dropna().to_numpy(dtype=object))}
    return series.map(lookup).astype(object)


def tier_moves(old_tiers: object, new_tiers: object, tier_names: tuple[str, ...]) -> np.ndarray:
    """How each account's tier moved: unchanged, to or from Needs data, up, down, or from a tier no longer defined.

    Tiers compare as headers do (case, spaces and underscores ignored); up is
    towards the first, most engaged tier. A missing old tier is no tier, so
    it counts as renamed here; who is new or gone is for the caller to say.
    """
    old_key, new_key = text_keys(old_tiers), text_keys(new_tiers)
    order = {header_key(t): i for i, t in enumerate(tier_names)}
    needs = header_key(NEEDS_DATA)
    old = old_key.map(order).fillna(-1).to_numpy(dtype=np.int64)
    new = new_key.map(order).fillna(-1).to_numpy(dtype=np.int64)
    return np.select(
        [(old_key == new_key).to_numpy(dtype=bool), (new_key == needs).to_numpy(dtype=bool),
         (old_key == needs).to_numpy(dtype=bool), (old >= 0) & (new >= 0) & (new < old),
         (old >= 0) & (new >= 0) & (new > old)],
        [Change.UNCHANGED, Change.TO_NEEDS_DATA, Change.FROM_NEEDS_DATA, Change.UP, Change.DOWN],
        default=Change.RENAMED,
    ).astype(object)


def move_counts(changes: TierChanges, new_tiers: object, tier_names: tuple[str, ...]) -> dict[str, int]:
    """This run's tier changes counted by :class:`Change` (a spelling-only change counts as renamed),
    how many accounts had no tier before (``Change.IN``) and how many tiered ones are gone (``Change.OUT``)."""
    mask = changes.changed
    moves = tier_moves(changes.old_tier[mask], np.asarray(new_tiers, dtype=object)[mask], tier_names)
    moves = np.where(moves == Change.UNCHANGED, Change.RENAMED, moves)
    counts = {k: int((moves == k).sum()) for k in (Change.UP, Change.DOWN, Change.TO_NEEDS_DATA,
                                                    Change.FROM_NEEDS_DATA, Change.RENAMED)}
    counts[Change.IN] = int((changes.old_tier == "").sum())
    counts[Change.OUT] = changes.gone
    return counts


class Event:
    """What a Tier History row records besides a change of tier; its Why begins with it."""

    FIRST = "First tier"
    SET = "Override set"
    CHANGED = "Override changed"
    EXPIRED = "Override expired"
    REMOVED = "Override removed"
    NOT_APPLIED = "Override no longer applied"


def override_events(changes: TierChanges, ids: object, new_tiers: object, reasons: object,
                    old_reasons: object = None, overrides: OverrideStatus | None = None,
                    override_given: object = None, first_tiers: bool = True) -> np.ndarray:
    """Per new row, the :class:`Event` it records ("" for none).

    A row without an Account ID records nothing. A new account that arrives
    with an override records its first tier (its reason says the override).
    ``override_given``: per new row, whether Tier Override holds anything
    (an override that stops applying was removed, or is there but no longer applies). Without
    ``first_tiers``, an account that had no tier records nothing.
    """
    n = len(changes.source)
    keyed = changes.keyed if changes.keyed is not None else id_keys(ids).notna().to_numpy(dtype=bool)
    new_t = pd.Series(np.asarray(new_tiers, dtype=object), dtype=object)
    first = keyed & (changes.old_tier == "") & (new_t.notna() & (new_t != "")).to_numpy(dtype=bool)
    event = np.where(first & first_tiers, Event.FIRST, "").astype(object)
    if overrides is None or old_reasons is None or n == 0:
        return event
    old_r = np.array([v if isinstance(v, str) else "" for v in np.asarray(old_reasons, dtype=object)], dtype=object)
    matched = changes.source >= 0
    before = np.where(matched, old_r[np.maximum(changes.source, 0)] if len(old_r) else "", "").astype(object)
    was = pd.Series(before, dtype=object).str.startswith(PREFIX).to_numpy(dtype=bool) & matched & keyed & ~first
    now = overrides.applies & keyed & ~first
    given = (np.ones(n, dtype=bool) if override_given is None
             else pd.Series(np.asarray(override_given, dtype=object)).notna().to_numpy(dtype=bool))
    lost = was & ~now
    return np.select([now & ~was, now & was & (before != np.asarray(reasons, dtype=object)), lost & overrides.expired,
                      lost & given, lost], [Event.SET, Event.CHANGED, Event.EXPIRED, Event.NOT_APPLIED, Event.REMOVED],
                     default=event).astype(object)


def history_rows(changes: TierChanges, ids: object, names: object, new_tiers: object, reasons: object,
                 stamp: str, *, old_reasons: object = None, overrides: OverrideStatus | None = None,
                 by: str = "", override_by: object = None, override_given: object = None,
                 first_tiers: bool = True) -> pd.DataFrame:
    """One Tier History row per account whose tier changed, got its first tier, or whose override moved.

    Args:
        changes: this run's tiers followed from the last (:func:`follow_tiers`).
        ids / names / new_tiers / reasons: per new row, its Account ID, name, tier and Tier Reason.
        stamp: when (the run's stamp).
        old_reasons: the Tier Reason of each old row (tells whether the last run applied an override).
        overrides: this run's overrides (:func:`~tierbook.engine.overrides.override_status`).
        by: who ran it, as the front end knows them ("" when it does not).
        override_by: per new row, Override By: who set an override set or changed this run, where filled.
        override_given: per new row, the Tier Override cell (blank: an override that stopped was removed).
        first_tiers: log the first tier of an account that had none (a book's sample accounts are not logged).
    """
    event = override_events(changes, ids, new_tiers, reasons, old_reasons, overrides, override_given, first_tiers)
    who = np.full(len(changes.source), by, dtype=object)
    if override_by is not None:
        named = pd.Series(np.asarray(override_by, dtype=object)).notna().to_numpy(dtype=bool, copy=True)
        named &= np.isin(event, (Event.SET, Event.CHANGED)) | ((event == Event.FIRST) & overrides.applies
                                                               if overrides is not None else False)
        who[named] = np.asarray(override_by, dtype=object)[named]
    mask = changes.changed | (event != "")
    why = pd.Series(np.asarray(reasons, dtype=object)[mask], dtype=object).fillna("").astype(str)
    label = pd.Series(event[mask], dtype=object)
    return pd.DataFrame({
        HistoryCol.RUN: stamp,
        HistoryCol.ACCOUNT_ID: np.asarray(ids, dtype=object)[mask],
        HistoryCol.ACCOUNT_NAME: np.asarray(names, dtype=object)[mask],
        HistoryCol.OLD_TIER: changes.old_tier[mask],
        HistoryCol.NEW_TIER: np.asarray(new_tiers, dtype=object)[mask],
        HistoryCol.REASON: np.where(label != "", label + ": " + why, why).astype(object),
        HistoryCol.BY: who[mask],
    }, columns=list(HistoryCol.ALL))


def fitted_history(rows: pd.DataFrame, room: int) -> pd.DataFrame:
    """This run's Tier History rows within ``room`` rows: when a row per first tier would not fit, the
    first tiers become one row per tier that says how many accounts got it.

    A book's first run on a million pasted accounts would log a million first
    tiers, more than the sheet holds beside its earlier rows; each account's
    tier and reason stay on Accounts, and every other entry keeps its own row.
    """
    if len(rows) <= room:
        return rows
    why = rows[HistoryCol.REASON].astype(str)
    first = why.str.startswith(f"{Event.FIRST}: ").to_numpy(dtype=bool)
    if not first.any():
        return rows
    firsts = rows[first]
    counted = firsts.groupby(HistoryCol.NEW_TIER, sort=False, dropna=False).size()
    grouped = pd.DataFrame({
        HistoryCol.RUN: firsts[HistoryCol.RUN].iloc[0],
        HistoryCol.ACCOUNT_ID: "",
        HistoryCol.ACCOUNT_NAME: [f"{n:,} accounts" for n in counted.to_numpy()],
        HistoryCol.OLD_TIER: "",
        HistoryCol.NEW_TIER: counted.index.to_numpy(dtype=object),
        HistoryCol.REASON: [f"{Event.FIRST}: {n:,} accounts, too many for a row each here; each one's tier and "
                            "reason are on Accounts" for n in counted.to_numpy()],
        HistoryCol.BY: firsts[HistoryCol.BY].iloc[0],
    }, columns=list(HistoryCol.ALL))
    return pd.concat([grouped, rows[~first]], ignore_index=True)


__all__ = ["Change", "Event", "TierChanges", "fitted_history", "follow_tiers", "history_rows", "move_counts", "override_events",
           "pair_rows", "text_keys", "tier_moves"]
