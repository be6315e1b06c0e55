"""New workbooks: the template, optionally filled with accounts, and the accounts writer."""

from __future__ import annotations

import re

from pathlib import Path

import pandas as pd

from ..engine.settings import Settings
from .addin import fresh_identity
from ..errors import WorkbookError
from ..columns import header_key
from .layout import TEMPLATE_FILE, WORKBOOK_OUTPUT_COLUMNS, Tables
from ..sample import sample_accounts
from .assign import AssignResult, assign
from .calc import drop_calc_chain
from .outputcells import cell_block, check_fits
from .package import Package, book_lock, save_package
from .sheetxml import cell_style, read_rows
from .sheetchanges import SheetChanges
from .tables import fit_rows, fit_table
from .zipio import Streamed
from .template import build_template


def accounts_input_parts(package: Package, raw: pd.DataFrame, keep: tuple[str, ...] = ()) -> dict[str, bytes | None]:
    """Replace the Accounts table's input rows with ``raw`` (columns matched by header).

    Output columns are left to Assign Tiers, but for those named in ``keep``
    (a rebuilt book keeps each account's last Tier, so that history pairs
    old and new tiers); a raw column the table lacks is an error.
    """
    info = package.table(Tables.ACCOUNTS.table, Tables.ACCOUNTS.sheet)
    r1, c1, _, _ = info.bounds
    first = r1 + 1
    by_key = {header_key(h): c1 + j for j, h in enumerate(info.columns)}
    owned = {header_key(h) for h in WORKBOOK_OUTPUT_COLUMNS}
    written = owned - {header_key(h) for h in keep}
    cols = {}
    for column in raw.columns:
        key = header_key(column)
        if key not in by_key:
            raise WorkbookError(f"Accounts table has no column {column!r}; add it to the table first")
        if key in written:
            continue
        cols[by_key[key]] = raw[column].to_numpy(dtype=object)
    part = package.sheet_part(info.sheet)
    n = len(raw)
    sheet = SheetChanges.of_part(package, part, fit_rows(info, n))
    template = read_rows(sheet.view, [first]).get(first, {})
    style = {c: cell_style(template.get(c)) for c in cols}
    for c, values in cols.items():
        check_fits(values, first, info.columns[c - c1], info.sheet)
    edits: dict[int, dict[int, str | None]] = {}
    block = cell_block(first, n, cols, style, edits, shorten=False,
                       label="Writing the accounts into the Accounts sheet")
    # Rows the accounts no longer fill lose their input cells and the output cells Tierbook wrote there.
    outputs = [c1 + j for j, h in enumerate(info.columns) if header_key(h) in written]
    style.update({c: cell_style(template.get(c)) for c in outputs})
    table_xml = fit_table(info, sheet.view, edits, n, [*cols, *outputs], style)
    sheet.add(edits, block)
    parts: dict[str, bytes | Streamed | None] = {part: sheet.content()}
    if table_xml is not None:
        parts[info.part] = table_xml.encode("utf-8")
        if info.totals:
            drop_calc_chain(package, parts)  # the Total Row's formulas moved: Excel's chain of them is stale
    return parts



def template_package(path: str | Path, settings: Settings | None = None, desktop: bool = False) -> Package:
    """A fresh workbook from the template, in memory, to be saved as ``path``."""
    return Package.open(Path(path).name, build_template(settings or Settings(), desktop=desktop))


DESKTOP_MODULE = '''"""Python behind the Assign Tiers button of {book} (desktop Excel with xlwings).

The button runs xlwings' SampleCall macro, which imports the module named like
the workbook (this file, kept next to it) and calls main().
"""

from tierbook.excel.desktop import main  # noqa: F401
'''


def new_book(path: str | Path, sample: int = 0, seed: int = 7, force: bool = False,
             settings: Settings | None = None, desktop: bool = False) -> AssignResult | None:
    """Write a fresh workbook from the template; with ``sample``, filled with that many sample accounts and tiered."""
    path = Path(path)
    suffix = ".xlsm" if desktop else ".xlsx"
    if path.suffix.lower() != suffix:
        raise WorkbookError(f"{path}: a Tierbook workbook is an .xlsx file" if not desktop else
                            f"{path}: the desktop variant is a macro workbook; name it {path.stem}.xlsm")
    if desktop and not path.stem.isidentifier():
        suggestion = re.sub(r"\W+", "_", path.stem)
        raise WorkbookError(f"{path}: xlwings runs the Python module named like the workbook, so the name must be "
                            f"a Python identifier (letters, digits, _), e.g. {suggestion}.xlsm")
    if not path.parent.exists():
        raise WorkbookError(f"{path.parent}: no such folder")
    with book_lock(path):
        return _new_book(path, sample, seed, force, settings, desktop)


def _new_book(path: Path, sample: int, seed: int, force: bool, settings: Settings | None,
              desktop: bool) -> AssignResult | None:
    if path.exists() and not force:
        raise WorkbookError(f"{path} already exists; pick another name (or pass --force to replace it)")
    settings = settings or Settings()
    package = template_package(path, settings, desktop=desktop)
    if desktop:
        companion = path.with_suffix(".py")
        if companion.exists() and not force:
            raise WorkbookError(f"{companion} already exists; the desktop button runs it (pass --force to replace it)")
        companion.write_text(DESKTOP_MODULE.format(book=path.name), encoding="utf-8")
    _write_fresh(package, path, sample, seed, settings)
    del package  # the sample accounts and their cells go before assign reads the book back
    if sample:  # sample accounts are no one's: their first tiers are not logged (a full sheet would fill Tier History)
        return assign(path, backup=False, first_tiers=False)
    return None


def _write_fresh(package: Package, path: Path, sample: int, seed: int, settings: Settings) -> None:
    """Save the template (with ``sample`` accounts in its Accounts table) as ``path``."""
    parts = fresh_identity(package)  # Lite keys per-workbook state (trust) on it: every book gets its own
    if sample:
        raw = sample_accounts(sample, seed=seed, defects=True, tier_names=settings.tier_names)
        parts.update(accounts_input_parts(package, raw))
    save_package(package, parts, path, backup=False)


__all__ = ["TEMPLATE_FILE", "accounts_input_parts", "new_book", "template_package"]
