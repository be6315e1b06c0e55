"""Segments: who the customer is, from the outside in.

The default is the two-dimensional model: company size (employees or company
revenue) against contract value (ARR). It keeps a large company on a small
contract out of the SMB bucket and a small company on a large contract out of
Enterprise, which a single ARR axis cannot do. Attribute segments (Industry,
Region, Product) are offered for companies that segment by vertical or geo.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..columns import UNKNOWN_SEGMENT, Col, header_key
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
