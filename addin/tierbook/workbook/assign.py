"""Assign Tiers on a workbook file: read it, run the engine, plan what to write, write the plan into the file.

What is written is the plan's (:mod:`.plan`); how it goes into the file is
the sheet-XML writer's (:mod:`.xmlwriter`). Every part of the file the plan
does not name is copied byte for byte. The write is atomic, under the
book's lock, and keeps the previous version as ``BOOK.bak.xlsx``.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from ..engine.pipeline import Run
from .package import Package, backup_path, book_lock, check_writable, save_package
from .plan import AssignPlan, now_stamp, plan_assign, plan_refresh, run_book, standing_run
from .read import read_book
from .xmlwriter import plan_parts


@dataclass(frozen=True)
class AssignResult:
    """What one Assign Tiers on a file did (with ``written`` False: what it would do)."""

    path: Path
    run: Run
    plan: AssignPlan
    stamp: str
    seconds: float
    backup: Path | None
    written: bool = True
    reshaped: object = None
    """When the Tiers table had been edited: the :class:`~.reshape.ReshapeResult` of rebuilding the book for it."""

    @property
    def accounts(self) -> int:
        return self.plan.accounts

    @property
    def changes(self) -> int:
        """Tier changes logged in Tier History."""
        return self.plan.logged


def assign(path: str | Path, stamp: str | None = None, backup: bool = True, dry_run: bool = False,
           today: dt.date | None = None, by: str = "", first_tiers: bool = True) -> AssignResult:
    """What the Assign Tiers button does, on a file: check, segment, tier, price, write back.

    With ``dry_run``, the plan is made and nothing is written (the file is
    only read, as ``tierbook check`` reads it). ``today`` decides which
    overrides have expired (default: this computer's date); ``by`` is who
    Tier History says ran it; without ``first_tiers`` an account's first tier
    is not logged (a new book's sample accounts).
    """
    start = time.perf_counter()
    path = Path(path)
    stamp = stamp or now_stamp()
    if dry_run:
        book = read_book(Package.open(path))
        result = run_book(book, today)
        plan = plan_assign(book, result, stamp, by, first_tiers)
    else:
        with book_lock(path):
            check_writable(path)
            package = Package.open(path)
            book = read_book(package)
            result = run_book(book, today)
            plan = plan_assign(book, result, stamp, by, first_tiers)
            save_package(package, plan_parts(plan, package), path, backup=backup)
    return AssignResult(path=path, run=result, plan=plan, stamp=stamp, seconds=time.perf_counter() - start,
                        backup=backup_path(path) if backup and not dry_run else None, written=not dry_run)


def refresh_parts(package: Package) -> dict[str, bytes | None]:
    """After a settings change: the parts that price the tiers as they stand (none if some account has no tier)."""
    book = read_book(package)
    standing = standing_run(book)
    return plan_parts(plan_refresh(book, standing), package) if standing is not None else {}


def refresh_bytes(content: bytes, name: str) -> bytes:
    """A book's bytes with its owned parts brought up to date (no stamp, no history): the template's last step."""
    package = Package.open(name, content)
    book = read_book(package)
    return package.to_bytes(plan_parts(plan_assign(book, run_book(book), stamp=None), package))


__all__ = ["AssignResult", "assign", "now_stamp", "refresh_bytes", "refresh_parts", "run_book"]
