"""A real spreadsheet engine checks the formulas: LibreOffice recalculates, the engine's figures must come out.

In CI (CI=true) a missing LibreOffice fails these tests instead of skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

from tierbook.columns import ServiceCol
from tierbook.workbook.layout import Sheet, Tables
from tierbook.workbook.edit import set_settings
from tools.libreoffice import recalculate, soffice
from tools.template import default_path

from .helpers import expected_figures, formula_cells, mismatches, set_cells

if soffice() is None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("LibreOffice (soffice) is required in CI: apt-get install libreoffice-calc-nogui",
                    pytrace=False)
    pytest.skip("LibreOffice is not installed", allow_module_level=True)


def check_book(path: Path, out: Path) -> int:
    formulas = formula_cells(path)
    expected = expected_figures(path)
    # The cached results the file carries are the engine's figures (what previews and pandas show)...
    cached = mismatches(formulas, path, expected)
    assert not cached, "cached results differ from the engine:\n" + "\n".join(cached[:20])
    # ...and a real spreadsheet, recalculating every formula from scratch, agrees to the cent.
    recalculated = recalculate(path, out)
    wrong = mismatches(formulas, recalculated, expected)
    assert not wrong, f"{len(wrong)} of {len(formulas)} formulas differ after LibreOffice recalculation:\n" + "\n".join(wrong[:20])
    return len(formulas)


def test_demo_book_formulas_equal_the_engine_to_the_cent(book: Path, tmp_path: Path) -> None:
    n = check_book(book, tmp_path / "lo")
    assert n > 2 * 150  # two formulas per account plus the Summary, Services and Matrix


def test_other_conventions_gross_margin_arr_split_overrides(book: Path, tmp_path: Path) -> None:
    set_settings(book, ["margin_method=gross-margin", "margin_pct=0.25", "pooled_split=arr", "policy=segment"])
    # A service with its own margin, an override with a reason, and a change to an interval.
    services = Tables.SERVICES
    override_col = services.col + list(ServiceCol.ALL).index(ServiceCol.MARGIN_OVERRIDE)
    from tierbook.workbook.cells import ref

    set_cells(book, Sheet.SERVICES, {ref(services.row + 2, override_col): 0.5})
    set_cells(book, Sheet.MATRIX, {ref(Tables.MATRIX.row + 3, Tables.MATRIX.col + 2): 7})
    set_cells(book, Sheet.ACCOUNTS, {"N5": "Mid-touch", "O5": "Reference customer"})
    from tierbook.workbook.assign import assign

    assign(book, stamp="2026-01-02 00:00:00")
    check_book(book, tmp_path / "lo")
    ws = openpyxl.load_workbook(book, data_only=True)[Sheet.ACCOUNTS]
    assert ws["T5"].value == "Mid-touch" and ws["U5"].value.startswith("Override")


def test_committed_template_formulas_equal_the_engine(tmp_path: Path) -> None:
    check_book(default_path(), tmp_path / "lo")


def test_book_saved_by_libreoffice_assigns_and_still_adds_up(book: Path, tmp_path: Path) -> None:
    """A user opened the book in LibreOffice and saved it: Assign Tiers still writes only its parts, correctly."""
    import shutil

    from tierbook.workbook.assign import assign

    saved = recalculate(book, tmp_path / "saved")
    target = tmp_path / "resaved.xlsx"
    shutil.copy(saved, target)
    set_settings(target, ["policy=arr-share"])
    first = assign(target, stamp="2026-03-01 00:00:00")
    assert first.accounts == 150 and first.changes > 0
    assert assign(target, stamp="2026-03-02 00:00:00").changes == 0
    check_book(target, tmp_path / "lo")


def test_settings_command_refreshes_cached_results(book: Path, tmp_path: Path) -> None:
    """After `tierbook settings`, a reader that does not recalculate still shows the right figures."""
    set_settings(book, ["margin_pct=0.4", "pooled_split=arr", "cs_budget=100000"])
    check_book(book, tmp_path / "lo")


def test_a_book_whose_sheet_carries_the_record_of_its_patch_opens_and_adds_up(book: Path, tmp_path: Path) -> None:
    """The record a big sheet's write leaves in the zip's directory (a member comment) is nothing a reader minds."""
    import zipfile

    from tierbook.workbook.package import Package
    from tierbook.workbook.zipio import Streamed

    package = Package.open(book)
    part = package.sheet_part(Sheet.ACCOUNTS)
    marked = tmp_path / "marked.xlsx"
    package.write_zip(marked, {part: Streamed(lambda: [package.data[part]], package.data.size(part), key=bytes(16))})
    with zipfile.ZipFile(marked) as z:
        assert z.getinfo(part).comment.startswith(b"tierbook-patch ")
    check_book(marked, tmp_path / "lo")
