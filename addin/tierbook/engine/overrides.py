"""Overrides: which apply, which have expired, which come up for review, and how a reason names them.

The rule: **an override applies when Tier Override names a tier and Override
Reason says why, through the day of its Override Until date.** On the day
after, it stops applying: the account is back on the policy's tier, and the
checks report it. From 30 days before that date (the day itself included) it
is listed for review. An override without an Override Until never expires.

The clock is a parameter (``today``), never read here: the same accounts and
the same day give the same tiers, whoever runs them and wherever. Without
``today`` no override expires or comes up for review (nothing can say when
"now" is). Override Until and Override Set On are read by the one reading
of a date (:mod:`.dates`); an Override Until it cannot read leaves the
override applying, as if it had no end, and the checks report the cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..columns import Col, header_key
from .accounts import Accounts, map_unique_array
from .reading import shorten
from .wording import counted

REVIEW_DAYS = 30
"""An override whose Override Until is at most this many days away is listed for review."""

PREFIX = "Override -> "
"""How the Tier Reason of an account on an override begins (Tier History tells set, changed and removed by it)."""


@dataclass(frozen=True)
class OverrideStatus:
    """Per account, what its override does today.

    Attributes:
        tier: the override's tier index (-1: no override, or not a tier).
        applies: the override names a tier, has a reason and has not expired.
        expired: it names a tier and has a reason, but its Override Until is before ``today``.
        review: it applies and its Override Until is at most :data:`REVIEW_DAYS` days away.
        until: each account's Override Until as read (NaT: none, or not readable).
        days_left: days from ``today`` to Override Until (NaN where either is unknown).
    """

    tier: np.ndarray
    applies: np.ndarray
    expired: np.ndarray
    review: np.ndarray
    until: pd.Series
    days_left: np.ndarray

    @property
    def expired_count(self) -> int:
        return int(self.expired.sum())

    @property
    def review_count(self) -> int:
        return int(self.review.sum())


def override_status(accounts: Accounts, tier_names: tuple[str, ...], today: dt.date | None = None) -> OverrideStatus:
    """Each account's override, as it stands on ``today``.

    An override without a reason is never applied: an unexplained exception
    cannot be reviewed at the next tiering.
    """
    frame = accounts.frame
    keys = {header_key(t): i for i, t in enumerate(tier_names)}
    index = map_unique_array(frame[Col.TIER_OVERRIDE], lambda v: keys.get(header_key(v), -1), -1)
    valid = (index >= 0) & frame[Col.OVERRIDE_REASON].notna().to_numpy()
    until = pd.Series(frame[Col.OVERRIDE_UNTIL].to_numpy(), dtype="datetime64[s]")
    if today is None:
        days = np.full(len(frame), np.nan)
    else:
        day = np.datetime64(dt.date(today.year, today.month, today.day), "D")
        gap = until.to_numpy().astype("datetime64[D]") - day
        days = np.where(until.isna().to_numpy(), np.nan, gap.astype("timedelta64[D]").astype(np.float64))
    with np.errstate(invalid="ignore"):
        expired = valid & (days < 0)
        review = valid & (days >= 0) & (days <= REVIEW_DAYS)
    return OverrideStatus(tier=index, applies=valid & ~expired, expired=expired, review=review, until=until,
                          days_left=days)


def _day(value: object) -> str:
    return "" if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def audit_notes(accounts: Accounts, mask: np.ndarray) -> np.ndarray:
    """What the audit columns say of each override in ``mask``: " (by Ana, set 2026-01-05, until 2026-06-30)".

    Blank where none of Override By, Override Set On and Override Until is filled.
    """
    frame = accounts.frame
    by = frame[Col.OVERRIDE_BY].to_numpy(dtype=object)[mask]
    set_on = frame[Col.OVERRIDE_SET_ON].to_numpy()[mask]
    until = frame[Col.OVERRIDE_UNTIL].to_numpy()[mask]
    out = []
    for b, s, u in zip(by, set_on, until):
        parts = [f"by {shorten(b)}" if not pd.isna(b) else "", f"set {_day(s)}" if not pd.isna(s) else "",
                 f"until {_day(u)}" if not pd.isna(u) else ""]
        said = ", ".join(p for p in parts if p)
        out.append(f" ({said})" if said else "")
    return np.array(out, dtype=object)


def expired_note(status: OverrideStatus) -> str:
    """The sentence a run's message adds when overrides have expired ("" when none has)."""
    n = status.expired_count
    if not n:
        return ""
    return (f"{counted(n, 'override')} expired; "
            f"{'their accounts are' if n != 1 else 'its account is'} back on the policy tier.")


def review_note(status: OverrideStatus) -> str:
    """The sentence a run's message adds when overrides come up for review ("" when none does)."""
    n = status.review_count
    if not n:
        return ""
    return (f"{counted(n, 'override')} up for review within {REVIEW_DAYS} days "
            "(Data Quality lists them).")


def override_notes(status: OverrideStatus | None) -> str:
    """What a button's message and the command line say of the overrides: expired, up for review ("" for none)."""
    if status is None:
        return ""
    return " ".join(note for note in (expired_note(status), review_note(status)) if note)


__all__ = ["OverrideStatus", "PREFIX", "REVIEW_DAYS", "audit_notes", "expired_note", "override_notes",
           "override_status", "review_note"]
