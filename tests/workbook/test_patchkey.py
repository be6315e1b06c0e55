"""A re-run that would write the Accounts sheet as it is copies it; any change, or another program's save, writes it anew."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tierbook.columns import Col
from tierbook.engine.progress import reporting
from tierbook.workbook import sheetchanges
from tierbook.workbook.assign import assign
from tierbook.workbook.cells import ref
from tierbook.workbook.edit import set_settings
from tierbook.workbook.layout import Sheet, Tables
from tierbook.workbook.package import Package
from tierbook.workbook.patchkey import block_key
from tierbook.workbook.read import read_book
from tierbook.workbook.scenario import parse_scenarios
from tierbook.workbook.scenario_apply import apply_scenario
from tierbook.workbook.sheetpatch import patch_rows
from tierbook.workbook.sheetxml import read_rows

from .helpers import members, set_cells

WRITING = f"Writing the {Sheet.ACCOUNTS} sheet"


def _run(path: Path, stamp: str) -> list[str]:
    """Assign Tiers with a fixed stamp; the steps it reported."""
    steps: list[str] = []
    with reporting(lambda step, done, total: steps.append(step)):
        assign(path, stamp=stamp)
    return steps


def _rezip(path: Path, target: Path, keep_comments: bool, change: Callable[[str, bytes], bytes] | None = None) -> None:
    """Write the book again as another zip program would: each member (changed by ``change``), comments kept or not."""
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.compress_type = zipfile.ZIP_DEFLATED
            if keep_comments:
                copy.comment = info.comment
            new.writestr(copy, change(info.filename, data) if change is not None else data)


def _accounts_part(path: Path) -> str:
    return Package.open(path).sheet_part(Sheet.ACCOUNTS)


def _cell(path: Path, row: int, header: str) -> str | None:
    package = Package.open(path)
    col = package.table(Tables.ACCOUNTS.table).column(header)
    assert col is not None
    return read_rows(package.text(package.sheet_part(Sheet.ACCOUNTS)), {row}).get(row, {}).get(col)


def test_a_rerun_of_an_untouched_book_copies_the_accounts_sheet_and_gives_what_a_full_write_gives(
        big_book: Path, tmp_path: Path) -> None:
    _run(big_book, "2026-12-02 09:00:00")
    part = _accounts_part(big_book)
    with zipfile.ZipFile(big_book) as z:
        assert z.getinfo(part).comment.startswith(b"tierbook-patch ")
    control = tmp_path / "Control.xlsx"
    _rezip(big_book, control, keep_comments=False)  # as any other program saves it: no record

    copied = _run(big_book, "2026-12-02 09:05:00")
    written = _run(control, "2026-12-02 09:05:00")

    assert WRITING not in copied and WRITING in written
    assert members(big_book) == members(control)  # every part, the Accounts sheet among them, byte for byte


def test_an_output_cell_changed_by_a_program_that_keeps_the_zip_comments_is_written_anew(
        big_book: Path, tmp_path: Path) -> None:
    """The plan is the same as last time; only the sheet's CRC tells that the first account's Tier Reason was typed over."""
    _run(big_book, "2026-12-02 09:00:00")
    part = _accounts_part(big_book)
    reason = Package.open(big_book).table(Tables.ACCOUNTS.table).column(Col.TIER_REASON)
    assert reason is not None
    reason_before = _cell(big_book, 2, Col.TIER_REASON)
    assert reason_before is not None and "<t>" in reason_before

    def typed_over(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        cell = re.sub(r"<t>[^<]*</t>", "<t>Hand-typed</t>", reason_before or "")  # typed over, its style kept
        return patch_rows(data.decode(), {2: {reason: cell}}).encode()

    edited, control = tmp_path / "Edited.xlsx", tmp_path / "Control.xlsx"
    _rezip(big_book, edited, keep_comments=True, change=typed_over)
    _rezip(edited, control, keep_comments=False)
    with zipfile.ZipFile(edited) as z:  # the record is still there, but the sheet's CRC no longer matches it
        assert z.getinfo(part).comment.startswith(b"tierbook-patch ")
    assert "Hand-typed" in (_cell(edited, 2, Col.TIER_REASON) or "")

    steps = _run(edited, "2026-12-02 09:05:00")
    _run(control, "2026-12-02 09:05:00")

    assert WRITING in steps
    assert _cell(edited, 2, Col.TIER_REASON) == reason_before
    assert members(edited) == members(control)


def test_a_sheet_tierbook_writes_without_a_key_loses_its_record(big_book: Path) -> None:
    _run(big_book, "2026-12-02 09:00:00")
    arr = Package.open(big_book).table(Tables.ACCOUNTS.table).column(Col.ARR)
    assert arr is not None
    set_cells(big_book, Sheet.ACCOUNTS, {ref(2, arr): 900000000})
    with zipfile.ZipFile(big_book) as z:
        assert z.getinfo(_accounts_part(big_book)).comment == b""
    assert WRITING in _run(big_book, "2026-12-02 09:05:00")


@pytest.mark.parametrize("change", [
    lambda path: set_settings(path, ["margin_pct=40%"]),
    lambda path: apply_scenario(path, parse_scenarios(["Richer margin", "margin_pct=40%"])[0],
                                stamp="2026-12-02 09:05:00"),
], ids=["set", "scenario-apply"])
def test_a_sheet_edited_before_its_plan_is_written_with_the_edit_not_copied_from_its_record(
        book: Path, monkeypatch: pytest.MonkeyPatch, change: Callable[[Path], object]) -> None:
    """`set` and a scenario's apply edit the Settings sheet, then plan from the edited book: that plan's patch
    starts from the edited sheet, so the stored sheet's record of the same patch must not bring the old one back.
    Every planned sheet counts as big here, as a Settings sheet of some megabytes would."""
    monkeypatch.setattr(sheetchanges, "BIG_PART", 0)
    _run(book, "2026-12-02 09:00:00")
    settings = Package.open(book).sheet_part(Sheet.SETTINGS)
    with zipfile.ZipFile(book) as z:
        assert z.getinfo(settings).comment.startswith(b"tierbook-patch ")
    assert read_book(Package.open(book)).settings.margin_pct != 0.4

    change(book)

    assert read_book(Package.open(book)).settings.margin_pct == 0.4


def test_a_block_key_tells_apart_values_of_another_type_and_any_other_argument() -> None:
    def key(values: list[object], first: int = 2, style: str = "6", shorten: bool = True) -> bytes:
        return block_key(first, len(values), {5: np.array(values, dtype=object)}, [(5, style)], [], [], shorten)

    base = key(["Gold", None, 1.0])
    assert key(["Go" + "ld", None, float("1")]) == base  # equal values, other objects: the same key
    others = [key(["Gold", None, 1]), key(["Gold", None, "1.0"]), key(["Gold", float("nan"), 1.0]),
              key(["Gold", "", 1.0]), key([None, "Gold", 1.0]), key(["Gold", None, 1.0], first=3),
              key(["Gold", None, 1.0], style="7"), key(["Gold", None, 1.0], shorten=False),
              block_key(2, 3, {5: np.array([0.0, 0.0, 1.0])}, [(5, "6")], [], [], True),
              block_key(2, 3, {5: np.array([-0.0, 0.0, 1.0])}, [(5, "6")], [], [], True)]
    assert len({base, *others}) == len(others) + 1
