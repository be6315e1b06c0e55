"""The upload file: record ID, Tier and Segment under the CRM's field names.

Data Loader (Salesforce) and HubSpot's import both upsert by the record ID, so
the file carries three columns. With ``changed_only`` it carries just the
accounts whose tier (or segment) differs from the last export; the plan says
how many move up, down, in and out before anything is written.

The last export is a small table (:data:`STATE_COLUMNS`): one row per
account uploaded, with the tier and segment it was given and when. The CLI
keeps it in a file next to an accounts file; a workbook keeps it in its own
sheet. This module only reads and returns it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..engine.pipeline import Run
from ..errors import InputError
from ..columns import NEEDS_DATA, UNKNOWN_SEGMENT, Col, header_key
from .mapping import CrmFormat
from ..engine.accounts import clean_text
from ..engine.history import Change, text_keys as _keys, tier_moves

EXPORTED_AT = "Exported At"
CRM_FORMAT = "CRM Format"
STATE_COLUMNS: tuple[str, ...] = (Col.ACCOUNT_ID, Col.TIER, Col.SEGMENT, EXPORTED_AT, CRM_FORMAT)


@dataclass(frozen=True)
class UploadPlan:
    """What an export for upload will write, worked out before writing.

    Attributes:
        table: the upload file (record ID, tier, segment under the CRM's names).
        changes: per account in the book or the last export: Account ID, last
            and current Tier and Segment, and the :class:`Change`.
        counts: accounts per change.
        state: the last-export table to store once the file is written.
        skipped: accounts left out of the file, with why.
        last_exported_at: when the last export was made ("" if never).
        changed_only: whether the file holds changed accounts only.
        crm: the CRM format of the file.
        blank_tier / blank_segment: accounts of the file whose tier is Needs
            data, or whose segment is Unknown: that cell is left blank.
    """

    table: pd.DataFrame
    changes: pd.DataFrame
    counts: dict[str, int]
    state: pd.DataFrame
    skipped: dict[str, list[str]]
    last_exported_at: str
    changed_only: bool
    crm: CrmFormat
    blank_tier: int = 0
    blank_segment: int = 0

    def blanks_note(self) -> str | None:
        """How many cells were left blank rather than written as a tier or segment."""
        parts = []
        if self.blank_tier:
            n = self.blank_tier
            parts.append(f"{n:,} account{'s are' if n != 1 else ' is'} {NEEDS_DATA}: "
                         f"{self.crm.upload_tier} left blank")
        if self.blank_segment:
            n = self.blank_segment
            parts.append(f"{n:,} account{'s have' if n != 1 else ' has'} segment {UNKNOWN_SEGMENT}: "
                         f"{self.crm.upload_segment} left blank")
        if not parts:
            return None
        return "; ".join(parts) + " (not values to store in the CRM; fix their data and export again)."

    def summary(self) -> str:
        """The dry-run summary: how many move up, down, in and out, and what is written."""
        c = self.counts
        if self.last_exported_at:
            head = f"Since the last export ({self.last_exported_at}): "
        else:
            head = "No earlier export is recorded, so every account counts as in: "
        moves = [f"{c[Change.UP]:,} up", f"{c[Change.DOWN]:,} down", f"{c[Change.IN]:,} in", f"{c[Change.OUT]:,} out"]
        extra = [f"{c[k]:,} {k}" for k in (Change.TO_NEEDS_DATA, Change.FROM_NEEDS_DATA, Change.RENAMED,
                                           Change.SEGMENT_ONLY) if c[k]]
        lines = [head + ", ".join(moves + extra) + f"; {c[Change.UNCHANGED]:,} unchanged."]
        if c[Change.OUT]:
            lines.append(f"  {c[Change.OUT]:,} accounts of the last export are no longer in the book; "
                         "the file has no row for them (their CRM records keep the old tier).")
        for why, ids in self.skipped.items():
            if ids:
                shown = ", ".join(ids[:5]) + (" ..." if len(ids) > 5 else "")
                lines.append(f"  Left out: {len(ids):,} accounts ({why}): {shown}")
        kind = "changed accounts" if self.changed_only else "accounts"
        lines.append(f"Upload file: {len(self.table):,} {kind}, columns "
                     + ", ".join(self.table.columns) + f" ({self.crm.name}; upsert by {self.crm.upload_id}).")
        if self.blanks_note():
            lines.append("  " + self.blanks_note())  # type: ignore[operator]
        return "\n".join(lines)


def current_tiers(run: Run) -> pd.DataFrame:
    """Account ID, Tier and Segment of every account of a run, in book order."""
    return pd.DataFrame(
        {
            Col.ACCOUNT_ID: run.accounts.frame[Col.ACCOUNT_ID].to_numpy(dtype=object),
            Col.TIER: run.tiers.tier.to_numpy(dtype=object),
            Col.SEGMENT: run.segments.to_numpy(dtype=object),
        }
    )


def read_state(table: pd.DataFrame | None) -> pd.DataFrame | None:
    """A stored last-export table, checked and with text IDs (``None`` if there is none)."""
    if table is None or len(table.columns) == 0:
        return None
    by_key = {header_key(c): c for c in table.columns}
    missing = [c for c in (Col.ACCOUNT_ID, Col.TIER) if header_key(c) not in by_key]
    if missing:
        raise InputError("the last-export record lacks the column(s) " + ", ".join(missing)
                         + "; delete it to start afresh (the next export then counts every account as in)")
    out = pd.DataFrame({c: table[by_key[header_key(c)]] if header_key(c) in by_key else pd.NA for c in STATE_COLUMNS})
    out[Col.ACCOUNT_ID] = clean_text(out[Col.ACCOUNT_ID])
    for column in (Col.TIER, Col.SEGMENT):
        out[column] = clean_text(out[column])
    return out[out[Col.ACCOUNT_ID].notna()].drop_duplicates(Col.ACCOUNT_ID, keep="last").reset_index(drop=True)


def _deduplicate(current: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """One row per Account ID; IDs whose rows disagree, and rows without ID, are left out."""
    no_id = current[Col.ACCOUNT_ID].isna()
    keyed = current[~no_id]
    dup = keyed[Col.ACCOUNT_ID].duplicated(keep=False)
    conflicting: list[str] = []
    if dup.any():
        groups = keyed[dup].groupby(Col.ACCOUNT_ID, sort=False)[[Col.TIER, Col.SEGMENT]].nunique(dropna=False)
        conflicting = groups[(groups > 1).any(axis=1)].index.astype(str).tolist()
    rows = keyed[~keyed[Col.ACCOUNT_ID].isin(conflicting)].drop_duplicates(Col.ACCOUNT_ID)
    skipped = {
        "no Account ID": [f"row {i + 2}" for i in np.flatnonzero(no_id.to_numpy())],
        "rows sharing an Account ID disagree on tier or segment; fix the duplicates": conflicting,
    }
    return rows.reset_index(drop=True), skipped


def classify(current: pd.DataFrame, last: pd.DataFrame | None, tier_names: tuple[str, ...]) -> pd.DataFrame:
    """Per account: last and current Tier and Segment, and how the tier moved."""
    last = last if last is not None else pd.DataFrame({c: pd.Series(dtype=object) for c in STATE_COLUMNS})
    both = current.merge(
        last[[Col.ACCOUNT_ID, Col.TIER, Col.SEGMENT]].rename(columns={Col.TIER: "Last Tier", Col.SEGMENT: "Last Segment"}),
        on=Col.ACCOUNT_ID, how="outer", indicator=True, sort=False,
    )
    same_segment = (_keys(both["Last Segment"]) == _keys(both[Col.SEGMENT])).to_numpy(dtype=bool)
    moves = tier_moves(both["Last Tier"], both[Col.TIER], tier_names)
    change = np.select(
        [both["_merge"] == "left_only", both["_merge"] == "right_only",
         (moves == Change.UNCHANGED) & ~same_segment],
        [Change.IN, Change.OUT, Change.SEGMENT_ONLY],
        default=moves,
    )
    both["Change"] = change
    return both.drop(columns="_merge")[[Col.ACCOUNT_ID, "Last Tier", Col.TIER, "Last Segment", Col.SEGMENT, "Change"]]


def plan_upload(current: pd.DataFrame, tier_names: tuple[str, ...], crm: CrmFormat,
                last: pd.DataFrame | None = None, changed_only: bool = False,
                exported_at: str | None = None) -> UploadPlan:
    """Work out the upload file and the new last-export record.

    Args:
        current: Account ID, Tier, Segment per book row (:func:`current_tiers`).
        tier_names: the tiers, most engaged first (to tell up from down).
        crm: the CRM format (upload column names).
        last: the last-export record (:func:`read_state`), or ``None``.
        changed_only: write only accounts whose tier or segment changed.
        exported_at: the stamp stored with the record (default: now, to the second).
    """
    exported_at = exported_at or pd.Timestamp.now().strftime("%Y-%m-%d %H:%M:%S")
    rows, skipped = _deduplicate(current.astype(object))
    changes = classify(rows, last, tier_names)
    counts = {k: int((changes["Change"] == k).sum()) for k in Change.ORDER}
    in_book = changes["Change"] != Change.OUT
    send = in_book & (changes["Change"] != Change.UNCHANGED) if changed_only else in_book
    chosen = changes[send.to_numpy()]
    tiers = chosen[Col.TIER].to_numpy(dtype=object)
    segments = chosen[Col.SEGMENT].to_numpy(dtype=object)
    no_tier = (_keys(chosen[Col.TIER]) == header_key(NEEDS_DATA)).to_numpy(dtype=bool)
    no_segment = (_keys(chosen[Col.SEGMENT]) == header_key(UNKNOWN_SEGMENT)).to_numpy(dtype=bool)
    table = pd.DataFrame(
        {
            crm.upload_id: chosen[Col.ACCOUNT_ID].to_numpy(dtype=object),
            crm.upload_tier: np.where(no_tier, None, tiers),
            crm.upload_segment: np.where(no_segment, None, segments),
        }
    )
    state = rows[[Col.ACCOUNT_ID, Col.TIER, Col.SEGMENT]].copy()
    state[EXPORTED_AT] = exported_at
    state[CRM_FORMAT] = crm.name
    last_stamp = ""
    if last is not None and len(last) and last[EXPORTED_AT].notna().any():
        last_stamp = str(last[EXPORTED_AT].dropna().max())
    elif last is not None and len(last):
        last_stamp = "date not recorded"
    return UploadPlan(table=table, changes=changes, counts=counts, state=state, skipped=skipped,
                      last_exported_at=last_stamp, changed_only=changed_only, crm=crm,
                      blank_tier=int(no_tier.sum()), blank_segment=int(no_segment.sum()))
