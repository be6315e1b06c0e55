"""Regenerate ``workbook_template/Tierbook.xlsx`` and check that the committed file is what the code builds.

    .venv/bin/python tools/template.py [PATH] [--check]

writes the template (default ``workbook_template/Tierbook.xlsx`` of this
repository), or with ``--check`` exits 1 when the file on disk differs from
what :func:`tierbook.workbook.template.build_template` builds. A developer
tool: it is neither installed with the package nor bundled into a workbook.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import zipfile
from pathlib import Path

from tierbook.workbook.layout import TEMPLATE_FILE
from tierbook.workbook.addin import TEMPLATE_IDENTITY, WEBEXTENSION_PART, with_identity
from tierbook.workbook.template import build_template

COMMAND = ".venv/bin/python tools/template.py"


def default_path() -> Path:
    """workbook_template/Tierbook.xlsx of this repository."""
    return Path(__file__).resolve().parents[1] / "workbook_template" / TEMPLATE_FILE


def fingerprint(content: bytes) -> dict[str, object]:
    """What a user sees in a workbook, independent of the writer's version: cells, formats, tables, lists, charts."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(content))
    out: dict[str, object] = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        out[ws.title] = {
            "cells": {c.coordinate: (c.value, c.number_format, c.fill.fgColor.rgb, c.font.b)
                      for row in ws.iter_rows() for c in row if c.value is not None or c.has_style},
            "tables": sorted((t.name, t.ref, tuple(col.name for col in t.tableColumns)) for t in ws.tables.values()),
            "validation": sorted((str(v.sqref), v.type, v.formula1, v.prompt) for v in ws.data_validations.dataValidation),
            "freeze": ws.freeze_panes,
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
        }
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        out["charts"] = sorted(n for n in z.namelist() if n.startswith("xl/charts/"))
    return out


def writer_version(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        core = z.read("docProps/core.xml").decode("utf-8")
    m = re.search(r"XlsxWriter ([\w.]+)", core)
    return m.group(1) if m else ""


def _members(content: bytes) -> list[tuple[str, tuple[int, ...], bytes]]:
    """Each member's name, timestamp and content; the add-in part with the template's fixed workbook id."""
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return [(i.filename, i.date_time, with_identity(z.read(i), TEMPLATE_IDENTITY)
                 if i.filename == WEBEXTENSION_PART else z.read(i)) for i in z.infolist()]


def is_stale(path: Path) -> bool:
    """Whether the template file differs from what the code builds.

    With the XlsxWriter version that wrote it, member for member (the
    workbook id aside); with another version (whose XML may differ in
    trivia), by what a user sees.
    """
    if not path.is_file():
        return True
    committed, built = path.read_bytes(), build_template()
    if committed == built or _members(committed) == _members(built):
        return False
    if writer_version(committed) == writer_version(built):
        return True
    return fingerprint(committed) != fingerprint(built)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND,
                                     description="Regenerate the Tierbook workbook template from code.")
    parser.add_argument("path", nargs="?", default=str(default_path()), help="where to write it")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs from what the code builds")
    args = parser.parse_args(argv)
    path = Path(args.path)
    if args.check:
        if is_stale(path):
            print(f"{path} is stale: run  {COMMAND}  and commit it", file=sys.stderr)
            return 1
        print(f"{path} is up to date.")
        return 0
    content = build_template()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    print(f"Wrote {path} ({len(content):,} bytes).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
