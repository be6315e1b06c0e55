"""The workbook's CrmFields table: the CRM field names the last import used.

``tierbook import`` fills it; ``tierbook export`` and the Export for CRM
button read it, so uploads and the Salesforce formula name the fields the
CRM really has. It is a plain table on the Settings sheet (Item, CRM Field),
so a user can read it, and correct it, in Excel.
"""

from __future__ import annotations

import pandas as pd

from ..crm.mapping import CrmFormat
from ..crm.mappingfile import format_from_rows, format_rows
from .layout import CrmFieldCol, Tables
from .package import Package
from .plan import frame_fill
from .source import BookSource
from .tabledata import _blank, table_data
from .xmlwriter import fill_table


def read_crm_format(source: BookSource) -> tuple[CrmFormat, str] | None:
    """The remembered mapping and where it is, or None (no table, or an empty one)."""
    place = Tables.CRM_FIELDS
    if not source.has_table(place.table):
        return None
    table = table_data(source, place)
    rows = [(str(item).strip(), "" if _blank(field) else str(field).strip())
            for item, field in zip(table.column(CrmFieldCol.ITEM), table.column(CrmFieldCol.FIELD))
            if not _blank(item)]
    if not rows:
        return None
    where = f"{place.sheet} sheet, table {table.info.name}"
    return format_from_rows(rows, where), f"the workbook's {table.info.name} table ({place.sheet} sheet)"


def crm_fields_part(package: Package, crm: CrmFormat,
                    current: dict[str, bytes | None] | None = None) -> dict[str, bytes] | None:
    """The Settings sheet with the CrmFields table holding ``crm`` (None: the workbook has no such table).

    ``current``: parts already rewritten in this write (the sheet is taken from there if it is one of them).
    """
    place = Tables.CRM_FIELDS
    if not package.has_table(place.table):
        return None
    frame = pd.DataFrame(format_rows(crm), columns=list(CrmFieldCol.ALL))
    info = package.table(place.table, place.sheet)
    part = package.sheet_part(place.sheet)
    sheet = (current or {}).get(part)
    xml, table_xml = fill_table(sheet.decode("utf-8") if sheet is not None else package.text(part), info,
                                frame_fill(place, CrmFieldCol.ALL, frame))
    parts = {part: xml.encode("utf-8")}
    if table_xml is not None:
        parts[info.part] = table_xml.encode("utf-8")
    return parts


__all__ = ["crm_fields_part", "read_crm_format"]
