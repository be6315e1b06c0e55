"""Read the Settings, Segments and Tier Rules sheets into :class:`Settings`, naming every bad cell.

A cell is read with the engine's one reading of a number (so "0,3" is 0.3 and
"1,000" is refused as ambiguous unless ``decimal_mark`` says which mark is the
decimal one), and a cell showing an Excel error (#DIV/0!) is reported as that
error. The engine validates the settings and says which field, key and value
are wrong; this module adds the sheet, table, row and column, and reports
every problem found at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine.reading import AMBIGUOUS, excel_error, is_blank, read_number
from ..engine.rules import parse_conditions
from ..engine.settings import Rule, Settings, setting_facts, sheet_settings
from ..errors import SettingsError
from .layout import RoleCol, RuleCol, ScoreCol, SegmentGridCol, SegmentMapCol, SettingCol, TierCol, Tables
from .tabledata import TableData, table_data

if TYPE_CHECKING:
    from .source import BookSource

Where = dict[tuple[str, object], str]
"""(Settings field, key within it) -> where its value sits in the workbook."""

_GRID_ORDER = {("large", "large"): 0, ("small", "large"): 1, ("large", "small"): 2, ("small", "small"): 3}


class CellReader:
    """Reads cells of the workbook's small tables, collecting every problem instead of stopping at the first."""

    def __init__(self, decimal: str = "auto") -> None:
        self.decimal = decimal
        self.problems: list[SettingsError] = []

    def fail(self, where: str, message: str, field: str | None = None, key: object = None, value: object = None,
             expected: str | None = None) -> None:
        self.problems.append(SettingsError(message, field=field, key=key, value=value, expected=expected,
                                           where=where))

    def error_in(self, table: TableData, i: int, header: str, value: object) -> str | None:
        """The Excel error a cell shows (the readers hand error cells over as their text, "#DIV/0!")."""
        return excel_error(value)

    def where(self, table: TableData, i: int, header: str, value: object) -> str:
        error = self.error_in(table, i, header, value)
        if error is not None:
            return f"{table.info.sheet} sheet, table {table.info.name}, row {table.first_row + i}, column {header!r} ({error})"
        return table.where(i, header, value)

    def number(self, table: TableData, i: int, header: str, field: str, key: object = None,
               allow_blank: bool = False, percent: bool = False) -> float | None:
        """One cell as a number; None (and a problem recorded) when it is not one."""
        value = table.column(header)[i]
        where = self.where(table, i, header, value)
        expected = _expected(field)
        error = self.error_in(table, i, header, value)
        if error is not None:
            self.fail(where, f"the cell shows the error {error}; expected {expected}", field, key, error, expected)
            return None
        if is_blank(value):
            if not allow_blank:
                self.fail(where, f"the cell is blank; expected {expected}", field, key, value, expected)
            return None
        number = read_number(value, self.decimal, percent=percent)
        if number.status == AMBIGUOUS:
            self.fail(where, f"{value!r} reads as {number.value:g} or as {number.other:g}; write it without a "
                      "thousands separator, or set decimal_mark to point or comma", field, key, value, expected)
            return None
        if not number.ok or isinstance(value, bool):
            self.fail(where, f"expected {expected}", field, key, value, expected)
            return None
        return number.value


def _expected(field: str) -> str:
    try:
        return setting_facts(field).expectation() if setting_facts(field).numeric else "a number"
    except KeyError:
        return "a number of 0 or more"


def convert_setting(name: str, value: object, loc: str, decimal: str = "auto") -> object:
    """A Settings key/value cell as the typed value of that field (numbers by the engine's reading)."""
    facts = setting_facts(name)
    expected = facts.expectation()
    error = excel_error(value)
    if error is not None:
        raise SettingsError(f"{name}: the cell shows the error {error}; expected {expected}", field=name,
                            value=error, expected=expected, where=loc)
    if is_blank(value):
        raise SettingsError(f"{name} is blank; expected {expected}", field=name, value=value, expected=expected,
                            where=loc)
    if facts.numeric:
        number = read_number(value, decimal, percent=facts.kind == "share")
        if number.status == AMBIGUOUS:
            raise SettingsError(f"{name}: {value!r} reads as {number.value:g} or as {number.other:g}; write it "
                                "without a thousands separator, or set decimal_mark to point or comma",
                                field=name, value=value, expected=expected, where=loc)
        if not number.ok or isinstance(value, bool):
            raise SettingsError(f"{name} must be a number; expected {expected}", field=name, value=value,
                                expected=expected, where=loc)
        return number.value
    result = str(value).strip()
    if facts.kind == "choice" and result not in facts.choices:
        folded = {c.casefold(): c for c in facts.choices}
        if result.casefold() in folded:
            return folded[result.casefold()]
        raise SettingsError(f"{name} {result!r} is not allowed; expected {expected}", field=name, value=result,
                            expected=expected, where=loc)
    return result


def locate(error: SettingsError, where: Where) -> SettingsError:
    """The engine's error(s) with the workbook location of each value added, where known."""
    located = []
    for e in error.errors:
        loc = where.get((e.field or "", _hashable(e.key))) or where.get((e.field or "", None))
        located.append(e if e.where else e.located(loc))
    return SettingsError.combine(located)


def _hashable(key: object) -> object:
    return tuple(key) if isinstance(key, list) else key


def make_settings(kwargs: dict[str, object], where: Where, problems: list[SettingsError] | None = None) -> Settings:
    """Settings(**kwargs), every error located; ``problems`` found while reading the cells come first."""
    problems = list(problems or [])
    failed = {p.field for p in problems}
    try:
        settings = Settings(**{k: v for k, v in kwargs.items() if k not in failed})  # type: ignore[arg-type]
    except SettingsError as exc:
        problems.extend(e for e in locate(exc, where).errors if e.field not in failed)
        settings = None
    if problems:
        raise SettingsError.combine(problems)
    return settings  # type: ignore[return-value]


def read_settings(source: BookSource, where: Where | None = None) -> Settings:
    """Settings from the Settings, Segments and Tier Rules sheets; every error names its cell.

    ``where`` (if given) is filled with the location of each setting, so
    that an error the engine finds later (a rule on a column the accounts
    lack) can name the cell too.
    """
    where = {} if where is None else where
    kwargs, problems = settings_fields(source, where)
    return make_settings(kwargs, where, problems)


def settings_fields(source: BookSource, where: Where) -> tuple[dict[str, object], list[SettingsError]]:
    """The Settings fields as the cells give them, not yet checked together, and the cells that could not be read."""
    kwargs: dict[str, object] = {}
    kv = table_data(source, Tables.SETTINGS)
    rows = [(i, str(k).strip(), v) for i, (k, v) in enumerate(zip(kv.column(SettingCol.KEY), kv.column(SettingCol.VALUE)))
            if not is_blank(k)]
    decimal = next((str(v).strip().casefold() for _, k, v in rows if k == "decimal_mark" and isinstance(v, str)),
                   "auto")
    reader = CellReader(decimal if decimal in ("point", "comma") else "auto")
    names = sheet_settings()
    for i, name, value in rows:
        if name not in names:
            reader.fail(kv.where(i, SettingCol.KEY, name), f"{name!r} is not a setting; the settings are "
                        + ", ".join(names), field=name, value=name, expected="one of " + ", ".join(names))
            continue
        loc = reader.where(kv, i, SettingCol.VALUE, value)
        where[(name, None)] = loc
        try:
            kwargs[name] = convert_setting(name, reader.error_in(kv, i, SettingCol.VALUE, value) or value, loc,
                                           reader.decimal)
        except SettingsError as exc:
            reader.problems.append(exc)
    _read_tiers(reader, table_data(source, Tables.TIERS), kwargs, where)
    _read_roles(reader, table_data(source, Tables.ROLES), kwargs, where)
    _read_score(reader, table_data(source, Tables.SCORE), kwargs, where)
    _read_segments(reader, table_data(source, Tables.SEGMENT_GRID), table_data(source, Tables.SEGMENT_MAP), kwargs,
                   where)
    _read_rules(reader, table_data(source, Tables.RULES), kwargs, where)
    return kwargs, reader.problems


def kept_rows(table: TableData, key_header: str) -> list[int]:
    """Row indexes whose key cell is filled."""
    return [i for i, v in enumerate(table.column(key_header)) if not is_blank(v)]


def _span(table: TableData) -> str:
    return f"{table.info.sheet} sheet, table {table.info.name}"


def _read_tiers(reader: CellReader, tiers: TableData, kwargs: dict[str, object], where: Where) -> None:
    kept = kept_rows(tiers, TierCol.TIER)
    kwargs["tier_names"] = tuple(str(tiers.column(TierCol.TIER)[i]).strip() for i in kept)
    where[("tier_names", None)] = _span(tiers)
    for name, header in (("account_bands", TierCol.ACCOUNT_SHARE), ("arr_bands", TierCol.ARR_SHARE),
                         ("score_cutoffs", TierCol.SCORE_CUTOFF)):
        shares = []
        for k, i in enumerate(kept[:-1], start=1):
            shares.append(reader.number(tiers, i, header, name, k, percent=True))
            where[(name, k)] = reader.where(tiers, i, header, tiers.column(header)[i])
        if None not in shares:
            kwargs[name] = tuple(shares)
        where[(name, None)] = f"{_span(tiers)}, column {header!r}"
    ranges = []
    for k, i in enumerate(kept, start=1):
        low = reader.number(tiers, i, TierCol.COVERAGE_LOW, "coverage_ranges", k, allow_blank=True)
        if low is None:
            break
        ranges.append((low, reader.number(tiers, i, TierCol.COVERAGE_HIGH, "coverage_ranges", k, allow_blank=True)))
        where[("coverage_ranges", k)] = reader.where(tiers, i, TierCol.COVERAGE_LOW, low)
    kwargs["coverage_ranges"] = tuple(ranges)
    where[("coverage_ranges", None)] = f"{_span(tiers)}, columns {TierCol.COVERAGE_LOW!r} and {TierCol.COVERAGE_HIGH!r}"


def _read_roles(reader: CellReader, roles: TableData, kwargs: dict[str, object], where: Where) -> None:
    found: dict[str, dict[str, float | None]] = {"productive_hours": {}, "loaded_cost": {}, "headcount": {}}
    for i in kept_rows(roles, RoleCol.ROLE):
        role = str(roles.column(RoleCol.ROLE)[i]).strip()
        for name, header in (("productive_hours", RoleCol.PRODUCTIVE_HOURS), ("loaded_cost", RoleCol.LOADED_COST),
                             ("headcount", RoleCol.HEADCOUNT)):
            found[name][role] = reader.number(roles, i, header, name, role)
            where[(name, role)] = reader.where(roles, i, header, roles.column(header)[i])
    for name, per_role in found.items():
        if None not in per_role.values():
            kwargs[name] = per_role
    csm_role = kwargs.get("csm_role")
    if csm_role is not None and csm_role not in found["productive_hours"]:
        reader.fail(where[("csm_role", None)], f"csm_role {csm_role!r} is not a role of the Roles table; expected "
                    "one of " + ", ".join(found["productive_hours"]), "csm_role", None, csm_role,
                    "a role of the Roles table")
        kwargs.pop("csm_role")


def _read_score(reader: CellReader, score: TableData, kwargs: dict[str, object], where: Where) -> None:
    criteria = []
    for i in kept_rows(score, ScoreCol.CRITERION):
        column = str(score.column(ScoreCol.CRITERION)[i]).strip()
        criteria.append((column, reader.number(score, i, ScoreCol.WEIGHT, "score_criteria", column)))
        where[("score_criteria", column)] = reader.where(score, i, ScoreCol.WEIGHT, score.column(ScoreCol.WEIGHT)[i])
    if all(w is not None for _, w in criteria):
        kwargs["score_criteria"] = tuple(criteria)
    where[("score_criteria", None)] = _span(score)


def _read_segments(reader: CellReader, grid: TableData, smap: TableData, kwargs: dict[str, object],
                   where: Where) -> None:
    names: list[str | None] = [None] * 4
    for i in kept_rows(grid, SegmentGridCol.SEGMENT):
        size, contract = grid.column(SegmentGridCol.SIZE)[i], grid.column(SegmentGridCol.CONTRACT)[i]
        key = (str(size).strip().lower(), str(contract).strip().lower())
        if key not in _GRID_ORDER:
            reader.fail(grid.where(i, SegmentGridCol.SIZE, size), "company size and contract value must each be "
                        "'large' or 'small'", "segment_names", None, key, "large or small")
            continue
        names[_GRID_ORDER[key]] = str(grid.column(SegmentGridCol.SEGMENT)[i]).strip()
    where[("segment_names", None)] = _span(grid)
    if any(n is None for n in names):
        reader.fail(_span(grid), "name all four segments (large/small company x large/small contract)",
                    "segment_names", None, names, "four segment names")
    else:
        kwargs["segment_names"] = tuple(names)
    mapping = {}
    for i in kept_rows(smap, SegmentMapCol.SEGMENT):
        segment = str(smap.column(SegmentMapCol.SEGMENT)[i]).strip()
        tier = smap.column(SegmentMapCol.TIER)[i]
        if is_blank(tier):  # listed, not mapped yet: its accounts are Needs data under the segment policy
            continue
        mapping[segment] = str(tier).strip()
        where[("segment_tiers", segment)] = reader.where(smap, i, SegmentMapCol.TIER, tier)
    kwargs["segment_tiers"] = mapping


def _read_rules(reader: CellReader, rules_t: TableData, kwargs: dict[str, object], where: Where) -> None:
    rules = []
    headers = [h for h in RuleCol.ALL if h in rules_t.headers]  # a book made before the And column has none
    for n, i in enumerate(kept_rows(rules_t, RuleCol.COLUMN), start=1):
        cells = {h: rules_t.column(h)[i] for h in headers}
        value = cells[RuleCol.VALUE]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str):
            value = value.strip()
        where[("rules", n)] = reader.where(rules_t, i, RuleCol.TIER, cells[RuleCol.TIER])
        also_text = cells.get(RuleCol.AND, "")
        try:
            also = () if is_blank(also_text) else parse_conditions(str(also_text))
        except SettingsError as exc:
            reader.fail(rules_t.where(i, RuleCol.AND, also_text), str(exc), "rules", n, also_text, exc.expected)
            continue
        try:
            rules.append(Rule(str(cells[RuleCol.COLUMN]).strip(), str(cells[RuleCol.OPERATOR]).strip(), value,
                              "" if is_blank(cells[RuleCol.TIER]) else str(cells[RuleCol.TIER]).strip(),
                              also, row=rules_t.first_row + i))
        except SettingsError as exc:
            reader.fail(rules_t.where(i, RuleCol.OPERATOR, cells[RuleCol.OPERATOR]), str(exc), "rules", n,
                        cells[RuleCol.OPERATOR], exc.expected)
    kwargs["rules"] = tuple(rules)
