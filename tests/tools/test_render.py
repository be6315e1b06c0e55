"""The render command prints the demo workbook as a user would: every sheet complete, on a bounded number of pages.

LibreOffice prints the whole book to PDF; each page names its sheet in the
footer, so the pages of each sheet are counted and read from the PDF's text.
In CI (CI=true) a missing LibreOffice or poppler fails these tests instead of skipping them.
"""

from __future__ import annotations

import math
import os
import shutil
import struct
from pathlib import Path

import pytest

from tierbook.engine.services import default_catalog
from tierbook.workbook.layout import Sheet
from tools.libreoffice import soffice
from tools.render import PICTURES, page_texts, render, sheet_of

ACCOUNTS = 2_000
ACCOUNTS_PER_PAGE = 80
"""Accounts prints one page wide; at least this many account rows fit a page."""
BOUNDS = {Sheet.START: 1, Sheet.SETTINGS: 3, Sheet.SEGMENTS: 1, Sheet.RULES: 1, Sheet.SERVICES: 1, Sheet.MATRIX: 1,
          Sheet.SUMMARY: 1, Sheet.CAPACITY: 3, Sheet.HISTORY: 1,
          Sheet.ACCOUNTS: math.ceil(ACCOUNTS / ACCOUNTS_PER_PAGE), Sheet.DATA_QUALITY: 15}
"""Most pages each sheet of the 2,000-account demo may print on (Settings and Capacity: one per table group)."""

missing = [name for name, found in (("LibreOffice (soffice)", soffice()), ("pdftoppm", shutil.which("pdftoppm")),
                                    ("pdftotext", shutil.which("pdftotext"))) if not found]
if missing:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{', '.join(missing)} required in CI: apt-get install libreoffice-calc-nogui poppler-utils",
                    pytrace=False)
    pytest.skip(f"{', '.join(missing)} not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], dict[str, list[int]], dict[str, list[str]]]:
    """The render command run once: its pictures, each sheet's pages, and each sheet's pages' text."""
    out = tmp_path_factory.mktemp("render")
    written, pages = render(out / "img", accounts=ACCOUNTS, seed=7, keep=out / "work")
    texts: dict[str, list[str]] = {}
    for page in page_texts(out / "work" / "pdf" / "tierbook-demo.pdf"):
        texts.setdefault(sheet_of(page) or "", []).append(page)
    return written, pages, texts


@pytest.fixture(scope="module")
def texts(printed) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return printed[2]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def test_the_render_command_writes_the_readme_pictures(printed) -> None:  # type: ignore[no-untyped-def]
    written, _, _ = printed
    assert [p.name for p in written] == [f"{s.lower()}.png" for s in PICTURES]
    for path in written:
        width, height = png_size(path)
        assert width > height > 800, path  # an A4 page, landscape, at 110 dpi


def test_every_sheet_prints_on_its_own_pages_within_its_bound(printed) -> None:  # type: ignore[no-untyped-def]
    _, pages, _ = printed
    assert set(pages) == set(Sheet.ORDER)
    over = {s: len(p) for s, p in pages.items() if len(p) > BOUNDS[s]}
    assert over == {}, f"more pages than allowed: {over} (bounds {BOUNDS})"
    order = [n for s in Sheet.ORDER for n in pages[s]]
    assert order == sorted(order)  # each sheet's pages together, in sheet order


def test_every_accounts_page_repeats_the_header_and_names_the_run(texts) -> None:  # type: ignore[no-untyped-def]
    accounts = texts[Sheet.ACCOUNTS]
    assert len(accounts) > 1
    for page in accounts:
        assert "Account ID" in page and "Tier Reason" in page
        assert "Assign Tiers run: 20" in page  # the run's stamp, as on Start


def test_the_printed_summary_shows_the_budget_check_and_the_policy_in_force(texts) -> None:  # type: ignore[no-untyped-def]
    (summary,) = texts[Sheet.SUMMARY]
    for words in ("Budget check", "CS Budget", "Status", "within budget", "In force", "Tiering Policy",
                  "arr-accounts", "Pooled Split Basis", "Needs data", "Total"):
        assert words in summary, words


def test_the_printed_matrix_and_services_hold_every_service(texts) -> None:  # type: ignore[no-untyped-def]
    services = default_catalog()["Service"].tolist()
    for sheet in (Sheet.MATRIX, Sheet.SERVICES):
        (page,) = texts[sheet]
        assert [s for s in services if s not in page] == [], sheet
    (matrix,) = texts[Sheet.MATRIX]
    assert "Annual Cost:" in matrix and "High-touch" in matrix and "Tech-touch" in matrix


def test_capacity_prints_each_table_whole_on_a_page_of_its_own(texts) -> None:  # type: ignore[no-untyped-def]
    plan, gaps, coverage = texts[Sheet.CAPACITY]
    assert "Productive Hours" in plan and "Technical Success Manager" in plan
    assert "Gap (FTE)" in gaps and "hire" in gaps
    assert "Sanity Range" in coverage and "within range" in coverage


def test_segments_prints_the_two_by_two_picture(texts) -> None:  # type: ignore[no-untyped-def]
    (page,) = texts[Sheet.SEGMENTS]
    for words in ("Large company", "Small company", "Small contract value", "Large contract value",
                  "Enterprise", "Major", "Large Opportunity", "SMB", "accounts", "ARR "):
        assert words in page, words
