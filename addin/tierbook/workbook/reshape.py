"""Give a workbook other tiers: add, remove or rename tiers, and rebuild what is laid out per tier.

The Matrix (an interval, annual cost and assessed value column per tier),
the Summary (a row per tier, its charts and checks), Capacity and the
formulas over them are laid out for the tiers a book has, so a new list of
tiers rebuilds the book: the template is built for the new tiers from the
book's own settings, catalog and intervals (a tier that stays or is renamed
keeps its column), every cell a user owns is carried over
(:mod:`.reshape_carry`), and Assign Tiers runs on the result. One atomic
save, under the book's lock, with the previous version kept as the backup.

Which tier keeps which data is the engine's rule
(:func:`tierbook.engine.tier_shape.parse_tiers`). It comes either from
``tierbook settings BOOK tiers=...`` or from the Tiers table itself, edited
in Excel (a cell written ``Old=New`` renames), when ``tierbook assign`` finds
it no longer matches the Matrix.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..columns import Col, header_key
from ..engine.tier_shape import Reshaped, TierShape, moved_references, parse_tiers, reshaped_settings
from ..errors import SettingsError, TierShapeError, WorkbookError
from .assign import AssignResult, assign
from .layout import CRM_EXPORT_SHEET, Sheet, Tables, TierCol
from .package import Package, backup_path, book_lock, check_writable, save_package
from .plan import now_stamp, plan_assign, run_book
from .read import matrix_tiers, read_book, read_catalog, read_matrix, tiers_table_names
from .settings_sheet import Where, locate, make_settings, read_settings, settings_fields
from .source import FileSource
from .tabledata import table_data
from .xmlwriter import plan_parts


@dataclass(frozen=True)
class ReshapeResult:
    """What a change of tiers did: the tiers' fate, what needs the user's eye, and the Assign Tiers that followed."""

    shape: TierShape
    assigned: AssignResult
    stranded: tuple[tuple[int, str], ...]
    """(Accounts row, Tier Override) of each override naming a removed tier: kept as typed, not applied."""
    bands_set: bool
    cutoffs_set: bool
    totals_dropped: tuple[str, ...] = ()
    """Tables whose Total Row the rebuilt book does not have (a user turns it on again in one click)."""

    def lines(self) -> list[str]:
        """One line per fact a user should know, for the command line."""
        s = self.shape
        out = [f"Tiers are now {', '.join(s.new)} (were {', '.join(s.old)})."]
        if s.renamed:
            out.append("Renamed, keeping intervals, mappings and overrides: "
                       + ", ".join(f"{o} -> {n}" for o, n in s.renamed) + ".")
        if s.removed:
            out.append("Removed: " + ", ".join(s.removed) + " (their Matrix columns are gone).")
        if s.added:
            out.append("New, with blank intervals (the Matrix's Check flags them; until filled in they cost "
                       "nothing): " + ", ".join(s.added) + ". Type each service's times a year, 0 if none.")
        if self.bands_set or self.cutoffs_set:
            what = [w for w, done in (("band shares", self.bands_set), ("score cut-offs", self.cutoffs_set)) if done]
            out.append(f"{' and '.join(what).capitalize()} of the tiers that had none were set (Settings sheet, "
                       "Tiers table): check them.")
        if self.stranded:
            rows = ", ".join(str(r) for r, _ in self.stranded[:20]) + (" ..." if len(self.stranded) > 20 else "")
            names = sorted({v for _, v in self.stranded})
            out.append(f"{len(self.stranded)} Tier Override(s) name a removed tier ({', '.join(names)}): Accounts "
                       f"row(s) {rows}; kept as typed and not applied (Data Quality lists them).")
        if self.totals_dropped:
            out.append("The Total Row of " + ", ".join(self.totals_dropped) + " was not carried over: turn it on "
                       "again (Table Design > Total Row).")
        return out


def _sheets_ok(package: Package) -> None:
    """A rebuild lays out Tierbook's own sheets; a sheet of the user's would be lost, so it stops the change."""
    extra = [s for s in package.sheets if s not in Sheet.ORDER]
    if extra:
        hint = (f" (delete the {CRM_EXPORT_SHEET} sheet: Export for CRM writes it again)"
                if CRM_EXPORT_SHEET in extra else "")
        raise WorkbookError(f"{package.path.name}: changing the tiers rebuilds the workbook's sheets, and the sheet(s) "
                            + ", ".join(map(repr, extra)) + " would not be kept; move them to another workbook"
                            + hint + ", then run again. Nothing was written.")


def _from_list(source: FileSource, spec: str, changes: dict[str, object], where: Where) -> Reshaped:
    """The new settings for ``tiers=spec``, on a book whose Tiers table still matches its Matrix."""
    old, table = matrix_tiers(source), tiers_table_names(source)
    if [header_key(t) for t in table] != [header_key(t) for t in old]:
        raise SettingsError(f"{Tables.TIERS.sheet} sheet, table {Tables.TIERS.table}: the tiers were already edited "
                            f"there ({', '.join(table)}; the Matrix has {', '.join(old)}); run  tierbook assign  to "
                            "rebuild the book for them, or put the Tiers table back as it was first",
                            field="tiers", value=list(table), expected="the Matrix's tiers")
    current = read_settings(source, where)
    shape = parse_tiers(spec, old)
    if not shape.changes_anything:
        raise SettingsError(f"tiers: the book's tiers are already {', '.join(old)}; nothing was written (set other "
                            "settings without tiers=)", field="tiers", value=spec, expected="another list of tiers")
    try:
        return reshaped_settings(current, shape, changes)
    except SettingsError as exc:
        raise locate(exc, where) from None


def _from_table(source: FileSource, where: Where) -> Reshaped:
    """The new settings a Tiers table edited in Excel gives: its rows as typed; what names a tier follows."""
    kwargs, problems = settings_fields(source, where)
    try:
        shape = parse_tiers(",".join(tiers_table_names(source)), matrix_tiers(source))
    except SettingsError as exc:
        raise exc.located(f"{Tables.TIERS.sheet} sheet, table {Tables.TIERS.table}, column {TierCol.TIER!r}") from None
    kwargs["tier_names"] = shape.new
    refs, gone = moved_references(kwargs, shape)
    kwargs.update(refs)
    problems.extend(locate(SettingsError.combine(gone), where).errors if gone else ())
    settings = make_settings(kwargs, where, problems)
    return Reshaped(settings, shape, False, False)


def _matrix(source: FileSource, shape: TierShape, decimal: str, where: Where) -> pd.DataFrame:
    """The intervals for the new tiers: a kept or renamed tier's column as it was, a new tier's blank."""
    old, _ = read_matrix(source, shape.old, where, decimal, blank=math.nan)
    return pd.DataFrame({new: old[src] if src is not None else math.nan for new, src in zip(shape.new, shape.source)},
                        index=old.index)


def _stranded(source: FileSource, shape: TierShape) -> tuple[tuple[int, str], ...]:
    t = table_data(source, Tables.ACCOUNTS, extend=True)
    column = next((h for h in t.headers if header_key(h) == header_key(Col.TIER_OVERRIDE)), None)
    if column is None:
        return ()
    return tuple((t.first_row + i, str(v).strip()) for i, v in enumerate(t.column(column))
                 if isinstance(v, str) and shape.is_removed(v))


def reshape_book(path: str | Path, spec: str | None = None, changes: dict[str, object] | None = None,
                 stamp: str | None = None, backup: bool = True) -> ReshapeResult:
    """Rebuild a book for new tiers and assign tiers on it, in one save.

    ``spec``: the new list (``"High-touch=Strategic,Mid-touch,Community"``);
    None reads it from the Tiers table as edited in Excel. ``changes``: other
    settings set by the same command (already read, by key).
    """
    path = Path(path)
    with book_lock(path):
        check_writable(path)
        return _reshape(path, spec, dict(changes or {}), stamp or now_stamp(), backup)


def _reshape(path: Path, spec: str | None, changes: dict[str, object], stamp: str, backup: bool) -> ReshapeResult:
    from .reshape_carry import carried_book  # here: the template builder is needed only when tiers change
    from .template import build_template

    start = time.perf_counter()
    package = Package.open(path)
    _sheets_ok(package)
    source = FileSource(package)
    where: Where = {}
    reshaped = _from_list(source, spec, changes, where) if spec is not None else _from_table(source, where)
    shape, settings = reshaped.shape, reshaped.settings
    catalog, _ = read_catalog(source, where, settings.decimal_mark)
    matrix = _matrix(source, shape, settings.decimal_mark, where)
    fresh = Package.open(path.name, build_template(settings, catalog, matrix, desktop=path.suffix.lower() == ".xlsm"))
    book_pkg = carried_book(source, fresh, shape)
    book = read_book(book_pkg)
    result = run_book(book)
    plan = plan_assign(book, result, stamp)
    save_package(book_pkg, plan_parts(plan, book_pkg), path, backup=backup)
    assigned = AssignResult(path=path, run=result, plan=plan, stamp=stamp, seconds=time.perf_counter() - start,
                            backup=backup_path(path) if backup else None)
    totals = tuple(sorted(t.name for t in package.tables.values() if t.totals))
    return ReshapeResult(shape, assigned, _stranded(source, shape), reshaped.bands_set, reshaped.cutoffs_set, totals)


def assign_book(path: str | Path, dry_run: bool = False, by: str = "") -> AssignResult:
    """``tierbook assign``: Assign Tiers, or, when the Tiers table was edited, the book rebuilt for it and tiered.

    The check that the Tiers table matches the Matrix comes before anything
    is written, so a book that needs rebuilding is read again by the rebuild.
    A dry run of such a book says what it would take, writing nothing.
    """
    try:
        return assign(path, dry_run=dry_run, by=by)
    except TierShapeError:
        if dry_run:
            raise
    reshaped = reshape_book(path, None)
    return dataclasses.replace(reshaped.assigned, reshaped=reshaped)


__all__ = ["ReshapeResult", "assign_book", "reshape_book"]
