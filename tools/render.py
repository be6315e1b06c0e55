"""Render the demo workbook as it prints: every sheet to PDF, the README's sheets to PNG.

    .venv/bin/python tools/render.py [OUTDIR] [--accounts N] [--seed S] [--tiers "High-touch=Strategic,...,Community"]

Builds the demo workbook, prints it whole to PDF with headless LibreOffice
(recalculating it), finds each sheet's pages by the sheet name in their
footer and turns the first page of Summary, Matrix, Capacity, Segments and
Scenarios into PNG with pdftoppm (Debian: poppler-utils). Writes
OUTDIR/summary.png, matrix.png, capacity.png, segments.png and scenarios.png
(default docs/img) and prints how many pages each sheet takes. The demo's
example scenarios are compared first (``tierbook whatif --write``), so the
Scenarios sheet prints with its comparison. With ``--tiers``, the demo is
instead given those tiers (as ``tierbook settings BOOK tiers=...`` does), to
look at a reshaped book.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the repository root, so that ``tools`` imports
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tierbook.errors import TierbookError, WorkbookError  # noqa: E402
from tierbook.tasks import workbook_whatif  # noqa: E402
from tierbook.workbook.create import new_book  # noqa: E402
from tierbook.workbook.layout import Sheet  # noqa: E402
from tierbook.workbook.reshape import reshape_book  # noqa: E402
from tools.libreoffice import convert  # noqa: E402

PICTURES: tuple[str, ...] = (Sheet.SUMMARY, Sheet.MATRIX, Sheet.CAPACITY, Sheet.SEGMENTS, Sheet.SCENARIOS)
"""The sheets whose first printed page the README shows."""
RESOLUTION = 110  # dots per inch of the PNGs


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise WorkbookError(f"{name} is not installed; on Debian: apt-get install poppler-utils")
    return path


def page_texts(pdf: Path) -> list[str]:
    """The text of each page of a PDF, in order (pdftotext, one form feed between pages)."""
    done = subprocess.run([_tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    pages = done.stdout.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def sheet_of(page: str, sheets: tuple[str, ...] = Sheet.ORDER) -> str | None:
    """The sheet a printed page belongs to: the name that opens its footer (the last line with "Page n of N")."""
    footer = next((line.strip() for line in reversed(page.splitlines()) if re.search(r"Page \d+ of \d+", line)), "")
    found = [s for s in sheets if footer.startswith(s + " ")]
    return max(found, key=len) if found else None


def sheet_pages(pdf: Path) -> dict[str, list[int]]:
    """Sheet -> its pages (1-based) in a PDF of a whole Tierbook workbook."""
    out: dict[str, list[int]] = {}
    for number, page in enumerate(page_texts(pdf), start=1):
        sheet = sheet_of(page)
        if sheet is not None:
            out.setdefault(sheet, []).append(number)
    return out


def print_pdf(book: Path, out_dir: Path) -> Path:
    """The whole workbook printed to PDF by headless LibreOffice, as its print setup says."""
    return convert(book, out_dir, "pdf")


def picture(pdf: Path, page: int, target: Path) -> Path:
    """One page of a PDF as PNG (``target`` without its .png suffix is pdftoppm's root)."""
    subprocess.run([_tool("pdftoppm"), "-png", "-r", str(RESOLUTION), "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(target.with_suffix(""))], check=True)
    return target


def render(out_dir: str | Path, accounts: int = 2_000, seed: int = 7, sheets: tuple[str, ...] = PICTURES,
           keep: Path | None = None, tiers: str | None = None) -> tuple[list[Path], dict[str, list[int]]]:
    """The PNG of each sheet's first page, and every sheet's pages in the printed demo workbook.

    The demo book and its PDF go to a temporary folder, or to ``keep``
    (``keep/tierbook-demo.xlsx``, ``keep/pdf/tierbook-demo.pdf``).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _tool("pdftoppm")
    _tool("pdftotext")
    with tempfile.TemporaryDirectory(prefix="tierbook-render-") as tmp:
        work = Path(keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        book = work / "tierbook-demo.xlsx"
        new_book(book, sample=accounts, seed=seed, force=True)
        if tiers is not None:
            reshape_book(book, tiers, backup=False)
        else:
            workbook_whatif(book, [], write=True)
        pdf = print_pdf(book, work / "pdf")
        pages = sheet_pages(pdf)
        written = []
        for sheet in sheets:
            if sheet not in pages:
                raise WorkbookError(f"{sheet} printed no page")
            written.append(picture(pdf, pages[sheet][0], out_dir / f"{sheet.lower().replace(' ', '-')}.png"))
    return written, pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/render.py", description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", nargs="?", default="docs/img")
    parser.add_argument("--accounts", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tiers", help="give the demo these tiers first (the list tierbook settings tiers= reads)")
    args = parser.parse_args(argv)
    try:
        written, pages = render(args.out_dir, args.accounts, args.seed, tiers=args.tiers)
    except (TierbookError, subprocess.CalledProcessError) as exc:
        print(f"render: error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"Wrote {path}")
    for sheet in Sheet.ORDER:
        print(f"{sheet:<14}{len(pages.get(sheet, [])):>5} page(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
