"""What a book rebuilt for new tiers takes over from the book it replaces: the cells users own.

A rebuilt book starts as the template laid out for the new tiers, with the
old book's settings, catalog and intervals. Then the cells a user typed are
copied into it, each by what identifies its row (a service's name, a
segment's name, a rule's position): the Accounts table with every column
(columns the template lacks are added as the user's own), the Services and
Matrix rows (a unit cost typed over the derived one stays typed), the
segment map's playbooks and KPIs, the rules' notes, Tier History, the CRM
field names and the add-in's identity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import pandas as pd

from ..columns import Col, ServiceCol, header_key
from ..engine.reading import is_blank
from ..engine.tier_shape import TierShape
from .accountsmerge import plan_columns
from .addin import kept_identity
from .cells import ref, value_cell
from .create import accounts_input_parts
from .crmfields import crm_fields_part, read_crm_format
from .layout import WORKBOOK_OUTPUT_COLUMNS, MatrixCol, Place, RuleCol, SegmentMapCol, Tables
from .package import Package
from .plan import frame_fill
from .sheetpatch import patch_rows
from .sheetxml import cell_style, read_rows
from .source import FileSource
from .structure import add_table_columns, insert_columns
from .tabledata import table_data
from .xmlwriter import fill_table

Parts = dict[str, bytes | None]

TIER_VALUED = (Col.TIER_OVERRIDE, Col.TIER, Col.PREVIOUS_TIER)
"""Accounts columns that name a tier: a renamed tier's name is written anew there."""


def _stage(package: Package, parts: Parts) -> Package:
    return Package.open(package.path, package.to_bytes(parts)) if parts else package


def accounts_frame(old: FileSource, shape: TierShape) -> pd.DataFrame:
    """Every column of the old Accounts table, with a renamed tier's name replaced by its new one."""
    t = table_data(old, Tables.ACCOUNTS, extend=True)
    keep = [j for j, h in enumerate(t.headers) if header_key(h) not in
            {header_key(x) for x in WORKBOOK_OUTPUT_COLUMNS} - {header_key(Col.TIER), header_key(Col.PREVIOUS_TIER)}]
    frame = pd.DataFrame([[row[j] for j in keep] for row in t.rows], columns=[t.headers[j] for j in keep],
                         dtype=object)
    renames = {header_key(o): n for o, n in shape.renamed}
    for column in frame.columns:
        if header_key(column) in {header_key(c) for c in TIER_VALUED}:
            frame[column] = [renames.get(header_key(v), v) if isinstance(v, str) else v for v in frame[column]]
    return frame


def with_account_columns(fresh: Package, names: list[str]) -> Package:
    """The fresh book with the user's own Accounts columns added, where an import would add them."""
    info = fresh.table(Tables.ACCOUNTS.table, Tables.ACCOUNTS.sheet)
    plan = plan_columns(info, names)
    if plan is None:
        return fresh
    parts: Parts = {}
    insert_columns(fresh, parts, info.sheet, plan.at, len(plan.names))
    shifted = parts.pop(info.part, None)
    parts[info.part] = add_table_columns(shifted.decode("utf-8") if shifted is not None else info.xml,
                                         plan.at - info.bounds[1], list(plan.names)).encode("utf-8")
    return _stage(fresh, parts)


def carry_table(old: FileSource, fresh: FileSource, place: Place, key: str | None, skip: tuple[str, ...],
                headers: Mapping[str, str], edits: dict[str, dict[int, dict[int, str | None]]]) -> None:
    """Copy the values a user typed in one table of the old book into the fresh book's same rows.

    Rows are matched by ``key`` (ignoring case and spaces), or by position
    without one; ``headers`` maps a fresh header to the old one it takes
    from (a renamed tier's interval column). A cell that held a formula
    stays the fresh book's; so do the ``skip`` columns.
    """
    before, after = table_data(old, place), table_data(fresh, place)
    old_xml = old.package.text(old.package.sheet_part(before.info.sheet))
    new_xml = fresh.package.text(fresh.package.sheet_part(after.info.sheet))
    if key is not None and (key not in before.headers or key not in after.headers):
        return
    index = ({header_key(v): j for j, v in reversed(list(enumerate(before.column(key)))) if not is_blank(v)}
             if key is not None else None)
    pairs = []
    keys = after.column(key) if index is not None else []
    for i in range(len(after)):
        j = index.get(header_key(keys[i])) if index is not None else (i if i < len(before) else None)
        if j is not None:
            pairs.append((i, j))
    o_rows = read_rows(old_xml, [before.first_row + j for _, j in pairs])
    n_rows = read_rows(new_xml, [after.first_row + i for i, _ in pairs])
    oc, nc = before.info.bounds[1], after.info.bounds[1]
    sheet = edits[after.info.sheet]
    for h in after.headers:
        source = headers.get(h, h)
        if h in skip or source not in before.headers:
            continue
        b, a = before.headers.index(source), after.headers.index(h)
        for i, j in pairs:
            r_old, r_new = before.first_row + j, after.first_row + i
            cell = o_rows.get(r_old, {}).get(oc + b)
            if cell and "<f" in cell:
                continue
            value, now = before.rows[j][b], after.rows[i][a] if a < len(after.rows[i]) else ""
            if (is_blank(value) and is_blank(now)) or (type(value) is type(now) and value == now):
                continue
            fresh_cell = n_rows.get(r_new, {}).get(nc + a)
            sheet.setdefault(r_new, {})[nc + a] = value_cell(ref(r_new, nc + a), cell_style(fresh_cell), value) or None


def patched_sheets(fresh: Package, edits: dict[str, dict[int, dict[int, str | None]]]) -> Parts:
    return {fresh.sheet_part(sheet): patch_rows(fresh.text(fresh.sheet_part(sheet)), rows).encode("utf-8")
            for sheet, rows in edits.items() if rows}


def rows_parts(old: FileSource, fresh: Package, place: Place) -> Parts:
    """A table whose rows grow (Tier History, the stored scenarios): its rows, every column the two
    tables share, as they were, in place of the fresh book's."""
    if not old.has_table(place.table):
        return {}
    before = table_data(old, place)
    info = fresh.table(place.table, place.sheet)
    if not len(before):
        return {}
    frame = pd.DataFrame(before.rows, columns=before.headers, dtype=object)
    shared = tuple(h for h in info.columns if h in before.headers)
    part = fresh.sheet_part(info.sheet)
    xml, table_xml = fill_table(fresh.text(part), info, frame_fill(place, shared, frame))
    parts: Parts = {part: xml.encode("utf-8")}
    if table_xml is not None:
        parts[info.part] = table_xml.encode("utf-8")
    return parts


def carried_book(source: FileSource, fresh: Package, shape: TierShape) -> Package:
    """The fresh book with every user-owned cell of the old one carried over (see the module's docstring).

    The small tables go first and the Accounts rows last, so that the large
    sheet is packed once before Assign Tiers reads the book.
    """
    fresh = _stage(fresh, kept_identity(source.package, fresh))
    target = FileSource(fresh)
    edits: dict[str, dict[int, dict[int, str | None]]] = defaultdict(dict)
    intervals = {new: old_tier for new, old_tier in zip(shape.new, shape.source) if old_tier is not None}
    carry_table(source, target, Tables.SERVICES, ServiceCol.SERVICE, (), {}, edits)
    carry_table(source, target, Tables.MATRIX, MatrixCol.SERVICE, (), intervals, edits)
    carry_table(source, target, Tables.SEGMENT_MAP, SegmentMapCol.SEGMENT, (SegmentMapCol.TIER,), {}, edits)
    carry_table(source, target, Tables.RULES, None, (RuleCol.TIER,), {}, edits)
    if source.has_table(Tables.SCENARIO_PICK.table):
        carry_table(source, target, Tables.SCENARIO_PICK, None, (), {}, edits)
    fresh = _stage(fresh, patched_sheets(fresh, edits))
    fresh = _stage(fresh, rows_parts(source, fresh, Tables.SCENARIOS))
    parts = rows_parts(source, fresh, Tables.HISTORY)
    crm = read_crm_format(source)
    if crm is not None:
        parts.update(crm_fields_part(fresh, crm[0], parts) or {})
    fresh = _stage(fresh, parts)
    accounts = accounts_frame(source, shape)
    have = {header_key(h) for h in fresh.table(Tables.ACCOUNTS.table, Tables.ACCOUNTS.sheet).columns}
    fresh = with_account_columns(fresh, [h for h in accounts.columns if header_key(h) not in have])
    return _stage(fresh, accounts_input_parts(fresh, accounts, keep=(Col.TIER, Col.PREVIOUS_TIER)))


__all__ = ["accounts_frame", "carried_book", "carry_table", "rows_parts", "with_account_columns"]
