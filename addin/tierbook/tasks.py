"""The jobs the command line (and later front ends) run, one function each."""

from __future__ import annotations

import os
from pathlib import Path

from .engine import Run, Settings, run
from .files import read_accounts_file, write_csv
from .layout import Col
from .sample import sample_accounts

TIER_FILE_COLUMNS = (Col.SEGMENT, Col.TIER, Col.TIER_REASON, Col.COST_TO_SERVE, Col.CTS_PCT_ARR)


def tier_file(source: str | os.PathLike[str], target: str | os.PathLike[str], settings: Settings) -> Run:
    """Tier a CSV/Excel file of accounts and write them, with results, as CSV.

    Every input column is written in input order, followed by Segment, Tier,
    Tier Reason, Cost to Serve and CTS % ARR.
    """
    raw = read_accounts_file(source)
    result = run(raw, settings)
    table = result.annotated(TIER_FILE_COLUMNS)
    table[Col.COST_TO_SERVE] = table[Col.COST_TO_SERVE].round(2)
    table[Col.CTS_PCT_ARR] = table[Col.CTS_PCT_ARR].round(6)
    write_csv(table, Path(target))
    return result


def demo(accounts: int = 5_000, seed: int = 7, settings: Settings | None = None) -> Run:
    """The whole job on a built-in sample book of business (with real-world defects)."""
    settings = settings or Settings()
    return run(sample_accounts(accounts, seed=seed, defects=True, tier_names=settings.tier_names), settings)


# ------------------------------------------------------------------ workbook
def new_workbook(path: str | os.PathLike[str], sample: int = 0, seed: int = 7, force: bool = False,
                 settings: Settings | None = None, desktop: bool = False):  # type: ignore[no-untyped-def]
    """A fresh Tierbook workbook (optionally with sample accounts, tiered; or the desktop macro variant)."""
    from .workbook.create import new_book

    return new_book(path, sample=sample, seed=seed, force=force, settings=settings, desktop=desktop)


def assign_workbook(path: str | os.PathLike[str]):  # type: ignore[no-untyped-def]
    """Assign Tiers on a workbook file, headless."""
    from .workbook.assign import assign

    return assign(path)


def workbook_run(path: str | os.PathLike[str]) -> Run:
    """The engine's run on a workbook's current contents (nothing is written)."""
    from .workbook.assign import run_book
    from .workbook.package import Package
    from .workbook.read import read_book

    return run_book(read_book(Package.open(path)))


def workbook_settings(path: str | os.PathLike[str], items: list[str]):  # type: ignore[no-untyped-def]
    """List (no items) or set (``key=value`` items) a workbook's Settings."""
    from .workbook.edit import list_settings, set_settings

    if items:
        set_settings(path, items)
    return list_settings(path)
