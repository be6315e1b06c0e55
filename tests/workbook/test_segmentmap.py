"""Assign Tiers lists every segment the accounts fall in on the segment map, and never touches a tier mapped there."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tierbook.columns import NEEDS_DATA, header_key
from tierbook.workbook.assign import assign
from tierbook.workbook.cells import ref
from tierbook.workbook.edit import set_settings
from tierbook.workbook.formulas import SEGMENTS_ALL_MAPPED, SEGMENTS_WAITING
from tierbook.workbook.layout import ARR_USED, SegmentMapCol, Sheet, Tables
from tierbook.workbook.package import Package
from tierbook.workbook.plan import plan_assign, run_book
from tierbook.workbook.read import read_book
from tools.libreoffice import recalculate, soffice

from .helpers import set_cells

STAMP = "2026-11-30 08:00:00"


def accounts(path: Path) -> pd.DataFrame:
    ws = openpyxl.load_workbook(path, data_only=True)[Sheet.ACCOUNTS]
    rows = list(ws.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def segment_map(path: Path) -> pd.DataFrame:
    ws = openpyxl.load_workbook(path, data_only=True)[Sheet.SEGMENTS]
    table = ws.tables[Tables.SEGMENT_MAP.table]
    rows = [list(r) for r in ws[table.ref]]
    return pd.DataFrame([[c.value for c in r] for r in rows[1:]], columns=[c.value for c in rows[0]])


def by_industry(book: Path) -> Path:
    set_settings(book, ["segment_by=Industry", "policy=segment"])
    assign(book, stamp=STAMP, backup=False)
    return book


def industry_books(table: pd.DataFrame) -> dict[str, tuple[int, float]]:
    """Accounts and ARR Used of each industry, summed from the Accounts sheet (spellings as the map matches them)."""
    frame = table[table["Industry"].notna() & (table["Industry"].astype(str).str.strip() != "")]
    keys = frame["Industry"].map(header_key)
    used = pd.to_numeric(frame[ARR_USED], errors="coerce").fillna(0)
    return {k: (int((keys == k).sum()), round(float(used[keys == k].sum()), 2)) for k in keys.unique()}


def test_assign_lists_every_industry_on_the_segment_map_with_its_accounts_and_arr_to_the_cent(book: Path):
    by_industry(book)
    smap, table = segment_map(book), accounts(book)
    expected = industry_books(table)
    listed = smap[smap[SegmentMapCol.SEGMENT].map(header_key).isin(expected)]
    assert len(listed) == len(expected)  # every industry, once
    for segment, n, arr, tier in listed[[SegmentMapCol.SEGMENT, SegmentMapCol.ACCOUNTS, SegmentMapCol.ARR,
                                         SegmentMapCol.TIER]].itertuples(index=False):
        assert (n, round(arr, 2)) == expected[header_key(segment)], segment
        assert pd.isna(tier)  # listed for the user to map
    assert list(listed[SegmentMapCol.ARR]) == sorted(listed[SegmentMapCol.ARR], reverse=True)
    # The 2-D segments the template mapped stay, tier and all, with no account of their own now.
    enterprise = smap.set_index(SegmentMapCol.SEGMENT).loc["Enterprise"]
    assert enterprise[SegmentMapCol.TIER] == "High-touch" and enterprise[SegmentMapCol.ACCOUNTS] == 0


def test_a_tier_the_user_maps_is_never_overwritten_and_tiers_that_segments_accounts(book: Path):
    by_industry(book)
    smap = segment_map(book)
    row = int(smap.index[smap[SegmentMapCol.SEGMENT] == "Healthcare"][0]) + Tables.SEGMENT_MAP.row + 1
    tier_col = Tables.SEGMENT_MAP.col + SegmentMapCol.ALL.index(SegmentMapCol.TIER)
    playbook_col = Tables.SEGMENT_MAP.col + SegmentMapCol.ALL.index(SegmentMapCol.PLAYBOOK)
    set_cells(book, Sheet.SEGMENTS, {ref(row, tier_col): "Mid-touch", ref(row, playbook_col): "Clinical QBRs"})
    assign(book, stamp="2026-11-30 09:00:00", backup=False)
    again = segment_map(book)
    mine = again[again[SegmentMapCol.SEGMENT] == "Healthcare"]
    assert len(mine) == 1 and len(again) == len(smap)  # no row added twice
    assert mine.iloc[0][SegmentMapCol.TIER] == "Mid-touch" and mine.iloc[0][SegmentMapCol.PLAYBOOK] == "Clinical QBRs"
    table = accounts(book)
    healthcare = table[table["Industry"].map(header_key) == "healthcare"]
    assert len(healthcare) and set(healthcare["Tier"]) - {"Mid-touch"} <= {NEEDS_DATA}
    name = healthcare[healthcare["Tier"] == "Mid-touch"].iloc[0]["Account Name"]
    assert table.set_index("Account Name").loc[name, "Tier Reason"] == "Segment Healthcare -> Mid-touch"


def test_the_prompt_and_the_button_say_how_many_segments_and_accounts_wait_for_a_tier(book: Path):
    by_industry(book)
    smap = segment_map(book)
    waiting = smap[smap[SegmentMapCol.TIER].isna() & (smap[SegmentMapCol.ACCOUNTS].fillna(0) > 0)]
    n, held = len(waiting), int(waiting[SegmentMapCol.ACCOUNTS].sum())
    assert n >= 5
    prompt = openpyxl.load_workbook(book, data_only=True)[Sheet.SEGMENTS].cell(SegmentMapCol.PROMPT_ROW,
                                                                                Tables.SEGMENT_MAP.col).value
    assert prompt.startswith(f"{SEGMENTS_WAITING}{n}, holding {held} accounts.")
    wb = read_book(Package.open(book))
    plan = plan_assign(wb, run_book(wb), STAMP)
    assert f"{n} segments ({held:,} accounts) wait for a tier in the segment map on Segments." in plan.message
    # Data Quality names each of them, with its accounts.
    dq = openpyxl.load_workbook(book, data_only=True)[Sheet.DATA_QUALITY]
    details = [r[-1] for r in dq.iter_rows(min_row=Tables.DATA_QUALITY.row + 1, values_only=True) if r[-1]]
    for segment, count in waiting[[SegmentMapCol.SEGMENT, SegmentMapCol.ACCOUNTS]].itertuples(index=False):
        assert any(d.startswith(f"segment '{segment}' has no tier in the segment map; its {int(count)} account")
                   for d in details), segment


def test_listing_the_segments_leaves_the_book_up_to_date(book: Path):
    by_industry(book)
    start = openpyxl.load_workbook(book, data_only=True)[Sheet.START]
    changed = [start.cell(r, Tables.RUN_INPUTS.col + 3).value for r in range(Tables.RUN_INPUTS.row + 1,
                                                                              Tables.RUN_INPUTS.row + 12)]
    assert "changed" not in changed


@pytest.mark.skipif(soffice() is None and os.environ.get("CI", "").lower() not in ("1", "true", "yes"),
                    reason="LibreOffice is not installed")
def test_the_prompt_follows_the_users_typing_without_python(book: Path, tmp_path: Path):
    by_industry(book)
    smap = segment_map(book)
    tier_col = Tables.SEGMENT_MAP.col + SegmentMapCol.ALL.index(SegmentMapCol.TIER)
    waiting = [i for i in smap.index if pd.isna(smap.at[i, SegmentMapCol.TIER]) and smap.at[i, SegmentMapCol.ACCOUNTS]]
    set_cells(book, Sheet.SEGMENTS, {ref(Tables.SEGMENT_MAP.row + 1 + i, tier_col): "Tech-touch" for i in waiting[1:]})
    left = int(smap.at[waiting[0], SegmentMapCol.ACCOUNTS])
    values = openpyxl.load_workbook(recalculate(book, tmp_path / "lo"), data_only=True)[Sheet.SEGMENTS]
    assert values.cell(SegmentMapCol.PROMPT_ROW, Tables.SEGMENT_MAP.col).value.startswith(
        f"{SEGMENTS_WAITING}1, holding {left} accounts.")
    set_cells(book, Sheet.SEGMENTS, {ref(Tables.SEGMENT_MAP.row + 1 + waiting[0], tier_col): "Tech-touch"})
    values = openpyxl.load_workbook(recalculate(book, tmp_path / "lo2"), data_only=True)[Sheet.SEGMENTS]
    assert values.cell(SegmentMapCol.PROMPT_ROW, Tables.SEGMENT_MAP.col).value == SEGMENTS_ALL_MAPPED
