"""Segments: who the customer is, from the outside in.

The default is the two-dimensional model: company size (employees or company
revenue) against contract value (ARR). It keeps a large company on a small
contract out of the SMB bucket and a small company on a large contract out of
Enterprise, which a single ARR axis cannot do. Attribute segments (Industry,
Region, Product) are offered for companies that segment by vertical or geo.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..columns import UNKNOWN_SEGMENT, Col, SegmentBookCol, header_key
from .accounts import Accounts, map_unique_array
from .settings import SIZE_X_CONTRACT, Settings


def size_x_contract(size: np.ndarray, arr: np.ndarray, settings: Settings) -> np.ndarray:
    """The 2-D segment of each account, or "Unknown" where size or ARR is missing.

    A company at or above the size threshold is large; a contract at or above
    the ARR threshold is large. Names come from ``settings.segment_names`` in
    the order (large, large), (small company, large contract), (large company,
    small contract), (small, small).
    """
    names = np.array(list(settings.segment_names) + [UNKNOWN_SEGMENT], dtype=object)
    return names[segment_codes(size, arr, settings)]


def segment_codes(size: np.ndarray, arr: np.ndarray, settings: Settings) -> np.ndarray:
    """Position of each account's segment in ``segment_names``; 4 is Unknown."""
    size = np.asarray(size, dtype=float)
    arr = np.asarray(arr, dtype=float)
    with np.errstate(invalid="ignore"):
        big_company = size >= settings.size_threshold
        big_contract = arr >= settings.arr_threshold
        known = np.isfinite(size) & np.isfinite(arr) & (size >= 0) & (arr > 0)
    code = np.where(big_contract, np.where(big_company, 0, 1), np.where(big_company, 2, 3))
    return np.where(known, code, 4).astype(np.int8)


def segment_one(size: float | None, arr: float | None, settings: Settings) -> str:
    """The 2-D segment of a single account (for custom functions and rules)."""
    return str(size_x_contract(np.array([_num(size)]), np.array([_num(arr)]), settings)[0])


def _num(value: float | None) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def assign_segments(accounts: Accounts, settings: Settings) -> pd.Series:
    """The segment of every account under the segmentation in force."""
    frame = accounts.frame
    if settings.segment_by == SIZE_X_CONTRACT:
        codes = segment_codes(accounts.numbers[settings.size_column].values, accounts.numbers[Col.ARR].values, settings)
        names = list(dict.fromkeys(list(settings.segment_names) + [UNKNOWN_SEGMENT]))
        return pd.Series(pd.Categorical.from_codes(codes, categories=names), index=frame.index, name=Col.SEGMENT)
    return frame[settings.segment_by].fillna(UNKNOWN_SEGMENT).astype("category").rename(Col.SEGMENT)


def segment_books(segments: pd.Series, arr_used: np.ndarray, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Accounts and ARR of each named segment, in the order of ``names``.

    ``arr_used`` is the ARR the totals count (NaN where not above 0, counted
    as nothing), so a segment's ARR adds up as the Summary's does.
    """
    seg = segments.to_numpy(dtype=object)
    used = np.nan_to_num(np.asarray(arr_used, dtype=float))
    mine = [seg == name for name in names]
    return (np.array([int(m.sum()) for m in mine], dtype=int),
            np.array([float(used[m].sum()) for m in mine], dtype=float))


def segment_tier_codes(segments: pd.Series, settings: Settings) -> np.ndarray:
    """Each segment's tier through the segment -> tier map (names matched ignoring case and spaces); -1 if none."""
    mapping = {header_key(k): settings.tier_index(v) for k, v in settings.segment_tiers.items()}
    return map_unique_array(segments, lambda v: _or_none(mapping.get(header_key(v))), -1)


def _or_none(index: int | None) -> int:
    return -1 if index is None else index


def segment_reason(accounts: Accounts, segments: pd.Series, settings: Settings) -> pd.Series:
    """Why an account is Unknown (for tier reasons under the segment policy)."""
    if settings.segment_by != SIZE_X_CONTRACT:
        return pd.Series(f"{settings.segment_by} is blank", index=segments.index)
    size_missing = ~np.isfinite(accounts.numbers[settings.size_column].values)
    arr = accounts.numbers[Col.ARR].values
    arr_missing = ~(np.isfinite(arr) & (arr > 0))
    text = np.where(
        size_missing & arr_missing,
        f"{settings.size_column} and ARR are missing",
        np.where(size_missing, f"{settings.size_column} is missing", "ARR is missing or not above 0"),
    )
    return pd.Series(text, index=segments.index)


# ------------------------------------------------------------------ the segment map and the segments found
def found_segments(segments: pd.Series, arr_used: np.ndarray) -> pd.DataFrame:
    """Every segment the accounts fall in (Unknown aside), with its accounts and ARR, largest ARR first.

    Spellings that differ only in case and spaces are one segment, as the
    segment map matches them; the first spelling met names it. ``arr_used``
    is the ARR the totals count (NaN: nothing), so the ARR adds up as the Summary's does.
    """
    seg = segments if isinstance(segments.dtype, pd.CategoricalDtype) else segments.astype("category")
    used = pd.Series(np.nan_to_num(np.asarray(arr_used, dtype=float)), index=seg.index)
    counts = seg.value_counts(sort=False)
    arr = used.groupby(seg, observed=True).sum()
    books: dict[str, list[object]] = {}
    for name in seg.cat.categories:  # a handful of distinct values, whatever the number of accounts
        n = int(counts.get(name, 0))
        if n == 0 or name == UNKNOWN_SEGMENT or str(name).strip() == "":
            continue
        book = books.setdefault(header_key(name), [str(name), 0, 0.0])
        book[1] = int(book[1]) + n  # type: ignore[call-overload]
        book[2] = float(book[2]) + float(arr.get(name, 0.0))  # type: ignore[arg-type]
    frame = pd.DataFrame(list(books.values()), columns=list(SegmentBookCol.ALL))
    frame[SegmentBookCol.ACCOUNTS] = frame[SegmentBookCol.ACCOUNTS].astype(int)
    frame[SegmentBookCol.ARR] = frame[SegmentBookCol.ARR].astype(float)
    return frame.sort_values([SegmentBookCol.ARR, SegmentBookCol.SEGMENT], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class SegmentMapRows:
    """The segment map's rows as a run sees them.

    Attributes:
        accounts / arr: per row of the map as it stands, its segment's accounts and ARR
            (None where the row names no segment; 0 for a segment no account falls in;
            a segment named twice counts on its first row).
        added: the segments found that no row names, to list below them (largest ARR first).
    """

    accounts: np.ndarray
    arr: np.ndarray
    added: pd.DataFrame


def segment_map_rows(listed: Sequence[object], found: pd.DataFrame) -> SegmentMapRows:
    """The map's rows (``listed``: the Segment of each, as the sheet holds it) against the segments found."""
    books = {header_key(s): (n, a) for s, n, a in found[list(SegmentBookCol.ALL)].itertuples(index=False)}
    accounts = np.full(len(listed), None, dtype=object)
    arr = np.full(len(listed), None, dtype=object)
    seen: set[str] = set()
    for i, segment in enumerate(listed):
        if segment is None or str(segment).strip() == "":
            continue
        key = header_key(str(segment).strip())
        n, a = books.get(key, (0, 0.0)) if key not in seen else (0, 0.0)
        seen.add(key)
        accounts[i], arr[i] = int(n), float(a)
    added = found.loc[np.array([header_key(s) not in seen for s in found[SegmentBookCol.SEGMENT]], dtype=bool)]
    added = added.reset_index(drop=True)
    return SegmentMapRows(accounts, arr, added)


def mapped_keys(segment_tiers: Mapping[str, str]) -> set[str]:
    """The segments the map gives a tier (matched ignoring case and spaces); a blank tier maps nothing."""
    return {header_key(s) for s, t in segment_tiers.items() if str(t or "").strip()}


def unmapped_segments(found: pd.DataFrame, segment_tiers: Mapping[str, str]) -> pd.DataFrame:
    """The segments found that the map gives no tier: under the segment policy their accounts are Needs data."""
    mapped = mapped_keys(segment_tiers)
    waiting = np.array([header_key(s) not in mapped for s in found[SegmentBookCol.SEGMENT]], dtype=bool)
    return found.loc[waiting].reset_index(drop=True)


def unmapped_note(found: pd.DataFrame, segment_tiers: Mapping[str, str]) -> str:
    """What a button says of the segments still waiting for a tier ('' when every segment has one)."""
    waiting = unmapped_segments(found, segment_tiers)
    if waiting.empty:
        return ""
    n, accounts = len(waiting), int(waiting[SegmentBookCol.ACCOUNTS].sum())
    return (f"{n:,} segment{'' if n == 1 else 's'} ({accounts:,} account{'' if accounts == 1 else 's'}) "
            "wait for a tier in the segment map on Segments.")
