"""CRM field names and how they map to Tierbook's columns.

Tierbook's own column names live in :mod:`tierbook.columns`; the names a CRM
gives the same facts (Salesforce API names such as ``NumberOfEmployees``,
HubSpot labels such as ``Number of Employees``) are external and live here.

A :class:`CrmFormat` is one CRM's conventions: for each canonical column the
headers an export may use (in order of preference), the columns of an upload
file, and the field names a formula field refers to. A :class:`FieldMapping` is
one export's headers matched to canonical columns; which mapping an export
gets (a name, a mapping file, or auto-detection) is :mod:`.resolve`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import pandas as pd

from ..columns import INPUT_COLUMNS, Col, header_key

# A Salesforce custom field holding ARR: ARR__c, Total_ARR__c, ARR_USD__c,
# Annual_Recurring_Revenue__c (optionally prefixed "Account." in report exports).
_SF_ARR = r"(?i)^(?:account\.)?(?:[a-z0-9]+_)*(?:arr|annual_?recurring_?revenue)(?:_[a-z0-9]+)*__c$"
# A Salesforce API name (standard or custom): what a formula field can refer to.
_API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")



@dataclass(frozen=True)
class FieldSpec:
    """The headers that mean one canonical column in a CRM's export.

    Attributes:
        column: the canonical column (:class:`tierbook.columns.Col`).
        names: headers in order of preference, matched ignoring case, spaces
            and underscores.
        pattern: a regular expression a header may match instead (custom
            fields whose name varies by org, such as ``ARR__c``).
    """

    column: str
    names: tuple[str, ...]
    pattern: str | None = None

    def candidates(self, headers: Sequence[str]) -> list[str]:
        """The headers of an export that could be this column, best first."""
        keys = {header_key(h): h for h in reversed(list(headers))}
        found = [keys[header_key(n)] for n in self.names if header_key(n) in keys]
        if self.pattern:
            rx = re.compile(self.pattern)
            found += [h for h in headers if rx.match(str(h)) and h not in found]
        return list(dict.fromkeys(found))


@dataclass(frozen=True)
class CrmFormat:
    """One CRM's conventions for exports, uploads and formula fields.

    Attributes:
        name: ``tierbook``, ``salesforce``, ``hubspot`` or a mapping file's name.
        specs: per canonical column, the export headers that mean it.
        upload_id / upload_tier / upload_segment: the columns of an upload
            file (the record ID the CRM upserts by, and the two fields written).
        formula_fields: canonical column -> field name a formula refers to
            (Salesforce API names); columns not listed use their export header.
        picklists: formula field names that are picklists (read with TEXT()).
        id_kind: ``salesforce`` matches 15- and 18-character record IDs.
        explicit: columns a mapping file names, which must be in the export.
        base: the built-in format this one starts from.
    """

    name: str
    specs: tuple[FieldSpec, ...]
    upload_id: str
    upload_tier: str
    upload_segment: str
    formula_fields: Mapping[str, str] = field(default_factory=dict)
    picklists: frozenset[str] = frozenset()
    id_kind: str = "text"
    explicit: frozenset[str] = frozenset()
    base: str = "tierbook"

    def __post_init__(self) -> None:
        object.__setattr__(self, "formula_fields", MappingProxyType(dict(self.formula_fields)))
        object.__setattr__(self, "picklists", frozenset(self.picklists))

    def spec(self, column: str) -> FieldSpec | None:
        return next((s for s in self.specs if s.column == column), None)


def _specs(**names: tuple[str, ...] | str) -> tuple[FieldSpec, ...]:
    """Specs for every input column: the given headers, else the canonical name alone."""
    by_column = {c.replace(" ", "_").upper(): c for c in INPUT_COLUMNS}
    given = {by_column[k]: (v if isinstance(v, tuple) else (v,)) for k, v in names.items()}
    return tuple(FieldSpec(c, given.get(c, (c,))) for c in INPUT_COLUMNS)


TIERBOOK = CrmFormat(
    name="tierbook",
    specs=_specs(),
    upload_id=Col.ACCOUNT_ID,
    upload_tier=Col.TIER,
    upload_segment=Col.SEGMENT,
)

SALESFORCE = CrmFormat(
    name="salesforce",
    specs=tuple(
        replace(s, pattern=_SF_ARR) if s.column == Col.ARR else s
        for s in _specs(
            ACCOUNT_ID=("Id", "Account ID", "AccountId", "Account.Id"),
            ACCOUNT_NAME=("Name", "Account Name", "Account.Name"),
            ARR=("ARR", "Annual Recurring Revenue"),
            EMPLOYEES=("NumberOfEmployees", "Employees"),
            COMPANY_REVENUE=("AnnualRevenue", "Annual Revenue"),
            INDUSTRY=("Industry",),
            REGION=("Region__c", "Region", "BillingCountry", "Billing Country"),
            PRODUCT=("Product__c", "Product", "Plan__c"),
            NPS=("NPS__c", "NPS", "NPS_Score__c"),
            USAGE_SCORE=("Usage_Score__c", "Usage Score"),
            EXPANSION_POTENTIAL=("Expansion_Potential__c", "Expansion Potential"),
            RENEWAL_DATE=("Renewal_Date__c", "Renewal Date", "Contract_End_Date__c"),
            CSM=("CSM__c", "CSM", "Customer_Success_Manager__c"),
            TIER_OVERRIDE=("Tier_Override__c", "Tier Override"),
            OVERRIDE_REASON=("Tier_Override_Reason__c", "Override_Reason__c", "Override Reason",
                             "Tier Override Reason"),
        )
    ),
    upload_id="Id",
    upload_tier="Tier__c",
    upload_segment="Segment__c",
    base="salesforce",
    formula_fields={
        Col.ACCOUNT_ID: "Id",
        Col.ACCOUNT_NAME: "Name",
        Col.ARR: "ARR__c",
        Col.EMPLOYEES: "NumberOfEmployees",
        Col.COMPANY_REVENUE: "AnnualRevenue",
        Col.INDUSTRY: "Industry",
        Col.REGION: "BillingCountry",
        Col.PRODUCT: "Product__c",
        Col.NPS: "NPS__c",
        Col.USAGE_SCORE: "Usage_Score__c",
        Col.EXPANSION_POTENTIAL: "Expansion_Potential__c",
        Col.RENEWAL_DATE: "Renewal_Date__c",
        Col.CSM: "CSM__c",
        Col.TIER_OVERRIDE: "Tier_Override__c",
        Col.OVERRIDE_REASON: "Tier_Override_Reason__c",
    },
    picklists=frozenset({"Industry", "Type", "Rating", "Tier_Override__c"}),
    id_kind="salesforce",
)

HUBSPOT = CrmFormat(
    name="hubspot",
    specs=_specs(
        ACCOUNT_ID=("Record ID", "Company ID", "hs_object_id"),
        ACCOUNT_NAME=("Company name", "Name"),
        ARR=("ARR", "Annual Recurring Revenue", "Recurring Revenue"),
        EMPLOYEES=("Number of Employees",),
        COMPANY_REVENUE=("Annual Revenue",),
        INDUSTRY=("Industry",),
        REGION=("Region", "Country/Region", "Country"),
        RENEWAL_DATE=("Renewal Date", "Contract Renewal Date", "Contract End Date"),
        CSM=("CSM", "Customer Success Manager"),
        OVERRIDE_REASON=("Override Reason", "Tier Override Reason"),
    ),
    upload_id="Record ID",
    upload_tier="Tier",
    upload_segment="Segment",
    base="hubspot",
)

FORMATS: dict[str, CrmFormat] = {f.name: f for f in (TIERBOOK, SALESFORCE, HUBSPOT)}


@dataclass(frozen=True)
class FieldMapping:
    """How one export's headers map to canonical columns.

    Attributes:
        crm: the conventions of the CRM the export came from.
        fields: canonical column -> export header, for every column found.
        chosen_by: ``auto``, ``named`` (``--mapping salesforce``) or the file.
    """

    crm: CrmFormat
    fields: Mapping[str, str]
    chosen_by: str = "named"

    def describe(self) -> str:
        """One line a user can check, e.g. ``salesforce: Id -> Account ID, ARR__c -> ARR``."""
        pairs = ", ".join(
            f"{h} -> {c}" if header_key(h) != header_key(c) else c for c, h in self.fields.items()
        )
        return f"{self.crm.name} ({self.chosen_by}): {pairs}"


def apply_mapping(raw: pd.DataFrame, mapping: FieldMapping) -> pd.DataFrame:
    """The export with mapped headers renamed to canonical columns; other columns as they are."""
    renames = {header: column for column, header in mapping.fields.items()}
    return raw.rename(columns=renames)


# ----------------------------------------------------------------- record IDs
_SF_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$")
_SF_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def salesforce_id18(record_id: str) -> str:
    """The 18-character, case-safe form of a Salesforce record ID (15 or 18 characters).

    Salesforce reports export 15-character IDs (case-sensitive) and Data
    Loader exports 18-character ones; both name the same record. Anything
    that is not a Salesforce ID is returned unchanged.
    """
    if not isinstance(record_id, str) or not _SF_ID.match(record_id):
        return record_id
    if len(record_id) == 18:
        return record_id[:15] + record_id[15:].upper()
    suffix = ""
    for block in range(3):
        chunk = record_id[block * 5:block * 5 + 5]
        bits = sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")
        suffix += _SF_SUFFIX[bits]
    return record_id + suffix


def id_keys(ids: pd.Series, crm: CrmFormat) -> pd.Series:
    """Match keys of record IDs: the text itself, or the 18-character Salesforce form."""
    if crm.id_kind != "salesforce":
        return ids
    out = ids.astype(object).copy()
    lengths = ids.astype("str").str.len()
    candidates = (lengths == 15) | (lengths == 18)
    if candidates.any():
        out[candidates] = ids[candidates].map(salesforce_id18)
    return out
