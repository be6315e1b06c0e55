"""Which mapping an export gets: the one named, a mapping file's, or the one its headers match (auto).

:func:`resolve_mapping` turns the header row of one export into a
:class:`~.mapping.Mapping` (canonical column -> export header), or stops with
a message that lists what it found and how to pass a mapping file.
:func:`crm_format` names a CRM's conventions the same way. Both read a
mapping file (:mod:`.mappingfile`) when given its path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..columns import CANONICAL_KEYS, OUTPUT_COLUMNS, REQUIRED_COLUMNS, header_key
from .mapping import FORMATS, CrmFormat, FieldMapping
from .mappingfile import load_mapping

MAPPING_EXAMPLE = (
    '[fields]  "Account ID" = "Id"  "Account Name" = "Name"  ARR = "Total_ARR__c"  '
    'Employees = "NumberOfEmployees"'
)


@dataclass(frozen=True)
class _Attempt:
    crm: CrmFormat
    fields: dict[str, str]
    missing: list[str]
    ambiguous: dict[str, list[str]]

    @property
    def complete(self) -> bool:
        return not self.missing and not self.ambiguous


def _attempt(crm: CrmFormat, headers: Sequence[str]) -> _Attempt:
    fields: dict[str, str] = {}
    ambiguous: dict[str, list[str]] = {}
    taken: set[str] = set()
    for spec in crm.specs:
        found = [h for h in spec.candidates(headers) if h not in taken]
        if not found:
            continue
        if spec.column in REQUIRED_COLUMNS and len(found) > 1:
            ambiguous[spec.column] = found
            continue
        fields[spec.column] = found[0]
        taken.add(found[0])
    # A leftover header that Tierbook would read as a mapped column is a second candidate.
    for header in headers:
        canonical = CANONICAL_KEYS.get(header_key(header))
        if header in taken or canonical is None or canonical in OUTPUT_COLUMNS:
            continue
        if canonical in ambiguous:
            ambiguous[canonical].append(header)
        elif canonical in fields and fields[canonical] != header:
            ambiguous[canonical] = [fields.pop(canonical), header]
    missing = [c for c in REQUIRED_COLUMNS if c not in fields and c not in ambiguous]
    missing += [c for c in crm.explicit if c not in fields and c not in ambiguous and c not in missing]
    return _Attempt(crm, fields, missing, ambiguous)


def _problems(attempt: _Attempt) -> str:
    parts = [
        f"no {c} column" + (f" {attempt.crm.spec(c).names[0]!r}" if c in attempt.crm.explicit else "")  # type: ignore[union-attr]
        for c in attempt.missing
    ]
    parts += [f"{c} could be any of " + ", ".join(map(repr, hs)) for c, hs in attempt.ambiguous.items()]
    return f"{attempt.crm.name}: " + "; ".join(parts)


def resolve_mapping(headers: Sequence[object], choice: str | CrmFormat = "auto") -> FieldMapping:
    """Map an export's headers to canonical columns.

    Args:
        headers: the export's header row.
        choice: ``auto`` (the best complete match among Tierbook, Salesforce
            and HubSpot), a format name, a :class:`CrmFormat` (from a mapping
            file) or the path of a mapping file.

    Raises:
        InputError: the mapping is incomplete (Account ID, Account Name or ARR
            not found) or ambiguous (two headers could be the same column);
            the message lists the candidates and how to pass a mapping file.
    """
    headers = [str(h) for h in headers]
    hint = f"; pass --mapping MAPPING.toml naming the columns, e.g. {MAPPING_EXAMPLE}"
    if isinstance(choice, str) and choice != "auto" and choice not in FORMATS:
        crm = load_mapping(choice)
        chosen_by = Path(choice).name
    elif isinstance(choice, CrmFormat):
        crm, chosen_by = choice, "file"
    else:
        crm, chosen_by = (FORMATS[choice], "named") if choice != "auto" else (None, "auto")
    if crm is not None:
        attempt = _attempt(crm, headers)
        if not attempt.complete:
            raise InputError(f"cannot map the export with {_problems(attempt)}" + _columns_hint(headers) + hint)
        return FieldMapping(crm, attempt.fields, chosen_by)
    attempts = [_attempt(f, headers) for f in FORMATS.values()]
    complete = [a for a in attempts if a.complete]
    if not complete:
        raise InputError(
            "cannot tell which CRM wrote this export: "
            + " | ".join(_problems(a) for a in attempts) + _columns_hint(headers) + hint
        )
    required = {tuple(a.fields[c] for c in REQUIRED_COLUMNS) for a in complete}
    if len(required) > 1:
        shown = " | ".join(
            f"{a.crm.name}: " + ", ".join(f"{a.fields[c]} -> {c}" for c in REQUIRED_COLUMNS) for a in complete
        )
        raise InputError(f"the export matches more than one CRM in different ways ({shown}); "
                         "pass --mapping salesforce|hubspot|tierbook or a mapping file" + hint)
    best = max(complete, key=lambda a: len(a.fields))  # first wins ties: tierbook, salesforce, hubspot
    return FieldMapping(best.crm, best.fields, "auto")


def _columns_hint(headers: Sequence[str]) -> str:
    shown = ", ".join(repr(h) for h in headers[:15])
    more = f" and {len(headers) - 15} more" if len(headers) > 15 else ""
    return f"; the export's columns are {shown}{more}"


def crm_format(choice: str | CrmFormat) -> CrmFormat:
    """A built-in format by name, a mapping file's format, or the format given."""
    if isinstance(choice, CrmFormat):
        return choice
    if choice in FORMATS:
        return FORMATS[choice]
    return load_mapping(choice)
