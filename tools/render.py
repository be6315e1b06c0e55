"""Render the demo workbook's Summary (table and charts) to PNG for the README.

    .venv/bin/python tools/render.py [OUTDIR] [--accounts N] [--seed S]

Builds the demo workbook, prints its Summary page to PDF with
headless LibreOffice (recalculating it) and turns that page into PNG with pdftoppm (Debian: poppler-utils). Writes OUTDIR/summary.png
(default docs/img).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the repository root, so that ``tools`` imports
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tierbook.errors import TierbookError, WorkbookError  # noqa: E402
from tierbook.workbook.layout import Sheet
from tierbook.workbook.cells import sheet_ref  # noqa: E402
from tierbook.workbook.create import new_book  # noqa: E402
from tierbook.workbook.package import Package  # noqa: E402
from tools.libreoffice import convert  # noqa: E402


def print_summary_only(source: Path, target: Path) -> Path:
    """A copy whose other sheets print as one empty cell each, so Summary's page is its sheet number."""
    package = Package.open(source)
    xml = package.text(package.workbook_part)
    names = "".join(
        f'<definedName name="_xlnm.Print_Area" localSheetId="{i}">{sheet_ref(name, "$A$1")}</definedName>'
        for i, name in enumerate(package.sheets) if name != Sheet.SUMMARY)
    if "<definedNames>" in xml:
        xml = xml.replace("<definedNames>", "<definedNames>" + names, 1)
    else:
        xml = xml.replace("</sheets>", "</sheets><definedNames>" + names + "</definedNames>", 1)
    package.write_zip(target, {package.workbook_part: xml.encode("utf-8")})
    return target


def render(out_dir: str | Path, accounts: int = 2_000, seed: int = 7) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if shutil.which("pdftoppm") is None:
        raise WorkbookError("pdftoppm is not installed; on Debian: apt-get install poppler-utils")
    with tempfile.TemporaryDirectory(prefix="tierbook-render-") as tmp:
        work = Path(tmp)
        book = work / "tierbook-demo.xlsx"
        new_book(book, sample=accounts, seed=seed)
        page = str(Sheet.ORDER.index(Sheet.SUMMARY) + 1)  # one page per sheet, in order
        pdf = convert(print_summary_only(book, work / "print.xlsx"), work / "pdf", "pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", page, "-l", page, "-singlefile", str(pdf),
                        str(out_dir / "summary")], check=True)
    return [out_dir / "summary.png"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/render.py", description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", nargs="?", default="docs/img")
    parser.add_argument("--accounts", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    try:
        for path in render(args.out_dir, args.accounts, args.seed):
            print(f"Wrote {path}")
    except (TierbookError, subprocess.CalledProcessError) as exc:
        print(f"render: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
