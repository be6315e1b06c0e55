"""Mapping files (TOML), and the mapping a book remembers from its last import.

A mapping file names an export's columns when ``auto`` cannot. The same
facts, written down after an import, let ``export --crm`` and ``export
--rule salesforce`` name the fields the CRM really has (``Total_ARR__c``,
not the default ``ARR__c``) without the user repeating the mapping: a
workbook keeps them in its CrmFields table on the Settings sheet, as rows of
:func:`format_rows`; a CSV book keeps them beside it as a mapping file
(:func:`mapping_toml`), which ``--mapping`` also accepts.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError
from ..columns import INPUT_COLUMNS, Col, header_key
from .mapping import _API_NAME, FORMATS, TIERBOOK, CrmFormat, FieldSpec, FieldMapping

MAPPING_SUFFIX = ".crm-mapping.toml"
"""The mapping a CSV book (or a workbook without a CrmFields table) remembers: ``BOOK.crm-mapping.toml``."""


class CrmItem:
    """Rows of a remembered mapping that are not Tierbook columns."""

    FORMAT = "Format"
    BASE = "Based On"
    RECORD_ID = "Record ID"
    PICKLISTS = "Picklists"
    FORMULA = "Formula: "


def load_mapping(path: str | Path) -> CrmFormat:
    """Read a mapping file (TOML).

    Layout::

        name = "Acme Salesforce"      # optional
        base = "salesforce"           # optional: start from a built-in format
        [fields]                      # Tierbook column = export header
        "Account ID" = "Id"
        ARR = "Total_ARR__c"
        [upload]                      # optional: upload file columns
        id = "Id"
        tier = "CS_Tier__c"
        segment = "CS_Segment__c"
        [formula]                     # optional: formula field names and picklists
        picklists = ["Industry", "Tier_Override__c"]
        [formula.fields]
        ARR = "Total_ARR__c"

    A column named in ``[fields]`` is read from that header only; other
    columns fall back to the base format (or to their canonical names).

    Raises:
        InputError: the file is missing, not TOML, or names an unknown
            column, base or key.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such mapping file; expected auto, salesforce, hubspot, tierbook or a .toml file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable TOML mapping file ({exc})") from exc
    unknown = set(data) - {"name", "base", "fields", "upload", "formula"}
    if unknown:
        raise InputError(f"{path}: unknown key(s) {sorted(unknown)}; expected name, base, [fields], [upload], [formula]")
    base_name = data.get("base", "tierbook")
    if base_name not in FORMATS:
        raise InputError(f"{path}: base {base_name!r} is not one of " + ", ".join(FORMATS))
    base = FORMATS[base_name]
    canonical = {header_key(c): c for c in INPUT_COLUMNS}
    fields: dict[str, str] = {}
    for column, header in dict(data.get("fields", {})).items():
        if header_key(column) not in canonical:
            raise InputError(f"{path}: [fields] {column!r} is not a Tierbook column; the columns are "
                             + ", ".join(INPUT_COLUMNS))
        if not isinstance(header, str) or not header.strip():
            raise InputError(f"{path}: [fields] {column!r} must name the export's header as text")
        fields[canonical[header_key(column)]] = header
    formula = dict(data.get("formula", {}))
    extra = {}
    for column, name in dict(formula.get("fields", {})).items():
        if header_key(column) not in canonical:
            raise InputError(f"{path}: [formula.fields] {column!r} is not a Tierbook column")
        extra[canonical[header_key(column)]] = str(name)
    return derived_format(base, str(data.get("name", path.stem)), fields, dict(data.get("upload", {})), extra,
                          formula.get("picklists"))


def derived_format(base: CrmFormat, name: str, fields: Mapping[str, str], upload: Mapping[str, object],
                   formula_fields: Mapping[str, str], picklists: object = None) -> CrmFormat:
    """A format that starts from a built-in one: named export headers, upload columns, formula names.

    Formula fields are the base's, then every named header that is an API
    name, then ``formula_fields`` (which win).
    """
    specs = tuple(FieldSpec(s.column, (fields[s.column],)) if s.column in fields else s for s in base.specs)
    names = dict(base.formula_fields)
    names.update({c: h for c, h in fields.items() if _API_NAME.match(h)})
    names.update(formula_fields)
    return CrmFormat(
        name=name,
        specs=specs,
        upload_id=str(upload.get("id", base.upload_id)),
        upload_tier=str(upload.get("tier", base.upload_tier)),
        upload_segment=str(upload.get("segment", base.upload_segment)),
        formula_fields=names,
        picklists=frozenset(picklists if picklists is not None else base.picklists),  # type: ignore[arg-type]
        id_kind=base.id_kind,
        explicit=frozenset(fields),
        base=base.name,
    )


# ------------------------------------------------------------ remembered
def remembered_format(mapping: FieldMapping) -> CrmFormat:
    """The format an import used, with the export's own field names.

    Columns the export named by an API name (``Total_ARR__c``) become the
    names a Salesforce formula refers to, unless a mapping file set them.
    """
    crm = mapping.crm
    base = FORMATS.get(crm.base, TIERBOOK)
    fields = dict(mapping.fields)
    formula = {c: n for c, n in crm.formula_fields.items() if n != base.formula_fields.get(c) or c in crm.explicit}
    formula.update({c: h for c, h in fields.items() if _API_NAME.match(h) and c not in crm.explicit})
    upload = {"id": crm.upload_id, "tier": crm.upload_tier, "segment": crm.upload_segment}
    return derived_format(base, crm.name, fields, upload, formula, crm.picklists)


def _fields(crm: CrmFormat) -> dict[str, str]:
    return {c: crm.spec(c).names[0] for c in INPUT_COLUMNS if c in crm.explicit and crm.spec(c)}  # type: ignore[union-attr]


def _formula_extra(crm: CrmFormat) -> dict[str, str]:
    """Formula names that neither the base format nor the named headers give."""
    base = FORMATS.get(crm.base, TIERBOOK)
    fields = _fields(crm)
    implied = dict(base.formula_fields)
    implied.update({c: h for c, h in fields.items() if _API_NAME.match(h)})
    return {c: n for c, n in crm.formula_fields.items() if implied.get(c) != n}


def format_rows(crm: CrmFormat) -> list[tuple[str, str]]:
    """The remembered mapping as (item, CRM field) rows: the workbook's CrmFields table."""
    base = FORMATS.get(crm.base, TIERBOOK)
    rows = [(CrmItem.FORMAT, crm.name), (CrmItem.BASE, crm.base), (CrmItem.RECORD_ID, crm.upload_id),
            (Col.TIER, crm.upload_tier), (Col.SEGMENT, crm.upload_segment)]
    rows += list(_fields(crm).items())
    rows += [(CrmItem.FORMULA + c, n) for c, n in _formula_extra(crm).items()]
    if crm.picklists != base.picklists:
        rows.append((CrmItem.PICKLISTS, ", ".join(sorted(crm.picklists))))
    return rows


def format_from_rows(rows: Sequence[tuple[str, str]], where: str) -> CrmFormat:
    """A remembered mapping read back from its rows.

    Raises:
        InputError: an item names no Tierbook column or built-in format
            (``where`` says which table the rows came from).
    """
    items = {str(k).strip(): str(v).strip() for k, v in rows if str(k).strip()}
    base_name = items.get(CrmItem.BASE, "tierbook")
    if base_name not in FORMATS:
        raise InputError(f"{where}: {CrmItem.BASE} {base_name!r} is not one of " + ", ".join(FORMATS))
    canonical = {header_key(c): c for c in INPUT_COLUMNS}
    special = {CrmItem.FORMAT, CrmItem.BASE, CrmItem.RECORD_ID, CrmItem.PICKLISTS, Col.TIER, Col.SEGMENT}
    fields, formula = {}, {}
    for item, value in items.items():
        if item in special:
            continue
        column = item[len(CrmItem.FORMULA):] if item.startswith(CrmItem.FORMULA) else item
        if header_key(column) not in canonical:
            raise InputError(f"{where}: {item!r} is not a Tierbook column; expected one of " + ", ".join(INPUT_COLUMNS))
        (formula if item.startswith(CrmItem.FORMULA) else fields)[canonical[header_key(column)]] = value
    upload = {k: items[i] for k, i in (("id", CrmItem.RECORD_ID), ("tier", Col.TIER), ("segment", Col.SEGMENT))
              if items.get(i)}
    picklists = [p.strip() for p in items[CrmItem.PICKLISTS].split(",") if p.strip()] \
        if CrmItem.PICKLISTS in items else None
    return derived_format(FORMATS[base_name], items.get(CrmItem.FORMAT) or base_name, fields, upload, formula, picklists)


def mapping_toml(crm: CrmFormat) -> str:
    """The remembered mapping as a mapping file (what :func:`load_mapping` reads)."""
    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    lines = ["# The mapping the last tierbook import used; tierbook export reads it, --mapping accepts it.",
             f"name = {q(crm.name)}", f"base = {q(crm.base)}", "", "[fields]"]
    lines += [f"{q(c)} = {q(h)}" for c, h in _fields(crm).items()]
    lines += ["", "[upload]", f"id = {q(crm.upload_id)}", f"tier = {q(crm.upload_tier)}",
              f"segment = {q(crm.upload_segment)}"]
    base = FORMATS.get(crm.base, TIERBOOK)
    extra = _formula_extra(crm)
    if crm.picklists != base.picklists or extra:
        lines += ["", "[formula]"]
        if crm.picklists != base.picklists:
            lines.append("picklists = [" + ", ".join(q(p) for p in sorted(crm.picklists)) + "]")
        if extra:
            lines += ["", "[formula.fields]"] + [f"{q(c)} = {q(n)}" for c, n in extra.items()]
    return "\n".join(lines) + "\n"


def mapping_path(book: Path) -> Path:
    """Where a book's remembered mapping file lives: ``BOOK.crm-mapping.toml`` next to it."""
    return book.with_name(book.stem + MAPPING_SUFFIX)


__all__ = ["CrmItem", "MAPPING_SUFFIX", "derived_format", "format_from_rows", "format_rows", "load_mapping",
           "mapping_path", "mapping_toml", "remembered_format"]
