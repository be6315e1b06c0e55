"""The rule program lowered to spreadsheet formulas: an Excel formula to fill down, a Salesforce formula field.

Both are nested ``IF``s over the same conditions; :class:`_Sheet` says how
each dialect spells a reference, a text literal and a blank (Excel:
``ISNUMBER`` and ``""``; Salesforce: ``ISBLANK`` and ``TEXT()`` of a
picklist). :func:`excel_columns` and :func:`rule_input_layout` say where each
account column sits on a sheet.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..engine.pipeline import Run
from ..engine.reading import plain_number
from ..columns import INPUT_COLUMNS, header_key
from .mapping import SALESFORCE, CrmFormat
from .rule_compile import NotCompilable
from .rule_ir import (
    BLANK_TOKENS,
    All,
    Any_,
    Blank,
    Compare,
    Condition,
    NameIs,
    NotNull,
    NumberIn,
    Present,
    Program,
    TextHas,
    TextIs,
    TextIsNot,
)
from .rule_sql import sql_name

EXCEL_MAX_NESTING = 64


def _xl_str(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _sf_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class _Sheet:
    """How a spreadsheet dialect spells things."""

    ref: Mapping[str, str]      # column -> reference (cell, field, TEXT(field))
    string: object              # python callable: str -> literal
    salesforce: bool = False


def _formula(cond: Condition, sh: _Sheet) -> str:
    s = sh.string
    if isinstance(cond, All):
        return "AND(" + ", ".join(_formula(c, sh) for c in cond.items) + ")"
    if isinstance(cond, Any_):
        return "OR(" + ", ".join(_formula(c, sh) for c in cond.items) + ")"
    fld = cond.field  # type: ignore[union-attr]
    ref = sh.ref[fld.column]
    trim = f"TRIM({ref})"
    norm = f"LOWER({trim})"
    if isinstance(cond, (Blank, Present)):
        if fld.kind == "number":
            blank = f"ISBLANK({ref})" if sh.salesforce else f"NOT(ISNUMBER({ref}))"
        elif not fld.clean:
            blank = f"ISBLANK({ref})" if sh.salesforce else f"{ref}={s('')}"  # type: ignore[operator]
        else:
            empty = f"LEN({trim})=0" if sh.salesforce else f"{trim}={s('')}"  # type: ignore[operator]
            tokens = ", ".join(f"{norm}={s(t)}" for t in BLANK_TOKENS)  # type: ignore[operator]
            blank = f"OR({'ISBLANK(' + ref + '), ' if sh.salesforce else ''}{empty}, {tokens})"
        if isinstance(cond, Blank):
            return blank
        if blank.startswith("NOT(") and blank.endswith(")") and blank.count("(") == 2:
            return blank[4:-1]
        return f"NOT({blank})"
    if isinstance(cond, NotNull):
        return f"NOT(ISBLANK({ref}))" if sh.salesforce else f"{ref}<>{s('')}"  # type: ignore[operator]
    if isinstance(cond, Compare):
        op = cond.op
        present = f"NOT(ISBLANK({ref}))" if sh.salesforce else f"ISNUMBER({ref})"
        return f"AND({present}, {ref}{op}{plain_number(cond.value)})"
    if isinstance(cond, NumberIn):
        present = f"NOT(ISBLANK({ref}))" if sh.salesforce else f"ISNUMBER({ref})"
        return f"AND({present}, OR(" + ", ".join(f"{ref}={plain_number(v)}" for v in cond.values) + "))"
    if isinstance(cond, TextIs):
        parts = [f"{norm}={s(k)}" for k in cond.keys]  # type: ignore[operator]
        return parts[0] if len(parts) == 1 else "OR(" + ", ".join(parts) + ")"
    if isinstance(cond, TextIsNot):
        return f"{norm}<>{s(cond.key)}"  # type: ignore[operator]
    if isinstance(cond, TextHas):
        if sh.salesforce:
            return f"CONTAINS({norm}, {s(cond.needle)})"  # type: ignore[operator]
        return f"ISNUMBER(FIND({s(cond.needle)}, {norm}))"  # type: ignore[operator]
    if isinstance(cond, NameIs):
        key = f'LOWER(SUBSTITUTE(SUBSTITUTE({ref}, " ", ""), "_", ""))'
        parts = [f"{key}={s(k)}" for k in cond.keys]  # type: ignore[operator]
        return parts[0] if len(parts) == 1 else "OR(" + ", ".join(parts) + ")"
    raise TypeError(f"unknown condition {cond!r}")


def _nested_if(program: Program, sh: _Sheet) -> str:
    s = sh.string
    out = s(program.default)  # type: ignore[operator]
    for cond, label in reversed(program.branches):
        out = f"IF({_formula(cond, sh)}, {s(label)}, {out})"  # type: ignore[operator]
    return out


def _letter(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def excel_columns(headers: Sequence[str]) -> dict[str, str]:
    """Account column -> sheet column letter, for a sheet with these headers in row 1.

    Canonical columns are found ignoring case and spaces (as Tierbook reads
    them); a header that is a :func:`sql_name` of a column also counts, so the
    rule-input table's sheet works too.
    """
    out: dict[str, str] = {}
    for i, header in enumerate(headers):
        out.setdefault(str(header), _letter(i))
    for column in INPUT_COLUMNS:
        for i, header in enumerate(headers):
            if header_key(header) == header_key(column) or str(header) == sql_name(column):
                out[column] = _letter(i)
                break
    return out


def rule_input_layout(run: Run) -> dict[str, str]:
    """Account column -> sheet column letter of the rule-input table (:func:`rule_input_table`) on a sheet."""
    return {str(c): _letter(i) for i, c in enumerate(run.accounts.frame.columns)}


def excel_formula(program: Program, columns: Mapping[str, str], row: int = 2) -> str:
    """The program as an Excel formula for one row (fill it down), e.g. ``=IF(...)``."""
    missing = [f.column for f in program.fields if f.column not in columns]
    if missing:
        raise NotCompilable("the Excel formula needs the column(s) " + ", ".join(missing) + " on the sheet")
    if len(program.branches) > EXCEL_MAX_NESTING:
        raise NotCompilable(f"the rule has {len(program.branches)} branches; Excel nests at most "
                            f"{EXCEL_MAX_NESTING} IFs. Export it as SQL instead")
    refs = {c: f"${letter}{row}" for c, letter in columns.items()}
    return "=" + _nested_if(program, _Sheet(refs, _xl_str))


def salesforce_formula(program: Program, crm: CrmFormat = SALESFORCE) -> str:
    """The program as a Salesforce formula field (return type Text)."""
    refs: dict[str, str] = {}
    for fld in program.fields:
        name = crm.formula_fields.get(fld.column, fld.column)
        if not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", name):
            raise NotCompilable(f"the Salesforce formula needs an API field name for {fld.column!r}; "
                                "name it in the mapping file's [formula.fields]")
        refs[fld.column] = f"TEXT({name})" if name in crm.picklists else name
    return _nested_if(program, _Sheet(refs, _sf_str, salesforce=True))
