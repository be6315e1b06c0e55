"""Settings of a workbook from the command line: list them, or set some, validated."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.settings import Settings, setting_facts, sheet_settings
from ..errors import SettingsError

if TYPE_CHECKING:
    from .reshape import ReshapeResult
from .layout import SettingCol, Tables
from .assign import refresh_parts
from .calc import calc_on_load
from .cells import ref
from .package import Package, book_lock, check_writable, save_package
from .read import convert_setting, make_settings, read_settings
from .settings_sheet import settings_fields
from .source import FileSource
from .tabledata import table_data
from .sheetpatch import patch_rows
from .sheetxml import read_rows, recached


def list_settings(path: str | Path) -> list[tuple[str, object, str]]:
    """(key, value, meaning) of every key of the Settings table, as the engine reads them."""
    settings = read_settings(FileSource(Package.open(path)))
    return [(key, getattr(settings, key), setting_facts(key).meaning) for key in sheet_settings()]


def parse_assignment(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    key = key.strip()
    if not sep:
        raise SettingsError(f"{item!r}: expected KEY=VALUE, e.g. margin_pct=0.35")
    names = sheet_settings()
    if key not in names:
        others = [f.name for f in fields(Settings) if f.name not in names]
        hint = (f"; {key} is edited in the workbook's tables (Settings, Segments, Tier Rules sheets)"
                if key in others else "")
        raise SettingsError(f"unknown setting {key!r}{hint}; the settings are " + ", ".join(names),
                            field=key, value=key, expected="one of " + ", ".join(names))
    return key, value.strip()


TIERS_KEY = "tiers"
"""``tiers=NAMES`` changes the tiers themselves: the book is rebuilt for them (:mod:`.reshape`)."""


def tiers_item(items: list[str]) -> tuple[str | None, list[str]]:
    """The ``tiers=`` value among the items (None: not given), and the other items."""
    spec, rest = None, []
    for item in items:
        key, sep, value = item.partition("=")
        if key.strip() != TIERS_KEY or not sep:
            rest.append(item)
        elif spec is not None:
            raise SettingsError(f"{TIERS_KEY}= is given twice; give the whole list of tiers once", field=TIERS_KEY,
                                value=value, expected="one list of tiers")
        else:
            spec = value.strip()
    return spec, rest


def change_tiers(path: str | Path, spec: str, items: list[str]) -> "ReshapeResult":
    """``tiers=spec`` with other settings (``items``) set in the same save: the book rebuilt, then tiered."""
    from .reshape import reshape_book

    path = Path(path)
    with book_lock(path):
        fields_read, _ = settings_fields(FileSource(Package.open(path)), {})
        assignments = [parse_assignment(item) for item in items]
        given = dict(assignments)
        decimal = given.get("decimal_mark", str(fields_read.get("decimal_mark", "auto"))).strip().casefold()
        decimal = decimal if decimal in ("point", "comma") else "auto"
        changes: dict[str, object] = {}
        problems: list[SettingsError] = []
        for key, raw in assignments:
            try:
                changes[key] = convert_setting(key, raw, f"{key}={raw}", decimal)
            except SettingsError as exc:
                problems.append(exc)
        if problems:
            raise SettingsError.combine(problems)
        return reshape_book(path, spec, changes)


def set_settings(path: str | Path, items: list[str]) -> Settings:
    """Set Settings values (``key=value``), validated as a whole, written atomically."""
    path = Path(path)
    with book_lock(path):
        return _set_settings(path, items)


def _set_settings(path: Path, items: list[str]) -> Settings:
    check_writable(path)
    package = Package.open(path)
    source = FileSource(package)
    current = read_settings(source)
    table = table_data(source, Tables.SETTINGS)
    keys = [str(k).strip() for k in table.column(SettingCol.KEY)]
    assignments = [parse_assignment(item) for item in items]
    given = dict(assignments)
    decimal = given.get("decimal_mark", current.decimal_mark).strip().casefold()
    decimal = decimal if decimal in ("point", "comma") else "auto"
    changes: dict[str, object] = {}
    problems: list[SettingsError] = []
    for key, raw in assignments:
        if key not in keys:
            problems.append(SettingsError(f"{path.name}: the Settings table has no row for {key!r}; add a row with "
                                          "that key", field=key, value=raw, expected="a row of the Settings table"))
            continue
        try:
            changes[key] = convert_setting(key, raw, f"{key}={raw}", decimal)
        except SettingsError as exc:
            problems.append(exc)
    kwargs = {f.name: getattr(current, f.name) for f in fields(Settings)}
    kwargs.update(changes)
    settings = make_settings(kwargs, {(k, None): f"{k}={v}" for k, v in given.items()}, problems)
    part = package.sheet_part(Tables.SETTINGS.sheet)
    xml = package.text(part)
    value_col = table.info.column(SettingCol.VALUE)
    if value_col is None:
        raise SettingsError(f"Settings sheet, table {table.info.name}: no {SettingCol.VALUE!r} column")
    rows = {table.first_row + keys.index(k): v for k, v in changes.items()}
    old = read_rows(xml, rows)
    edits = {r: {value_col: recached(old.get(r, {}).get(value_col), ref(r, value_col), v)} for r, v in rows.items()}
    parts = {part: patch_rows(xml, edits).encode("utf-8")}
    calc_on_load(package, parts)
    # The formulas' cached results follow the new settings for the tiers as they stand,
    # so that readers that do not recalculate (LibreOffice by default, previews) show them.
    refreshed = refresh_parts(Package.open(path, package.to_bytes(parts)))
    final = {**parts, **refreshed}
    final = {k: v for k, v in final.items() if v != package.data.get(k)}
    if final:
        save_package(package, final, path)
    return settings
