"""The Settings sheet: the Settings table with a validation per setting, Tiers, Roles, ScoreCriteria, CrmFields."""

from __future__ import annotations

from ...engine.facts import Facts
from ...engine.settings import Settings, setting_facts, sheet_settings
from ...columns import NUMERIC_COLUMNS
from ..layout import CrmFieldCol, RoleCol, ScoreCol, SettingCol, Sheet, Tables, TierCol
from .. import text
from ..formulas import tiers_cells
from .style import (
    LIST_ROWS,
    MAX_ROW,
    MONEY0,
    NUMBER,
    PCT,
    Formats,
    list_validation,
    print_setup,
    put,
    put_formula,
    put_title,
    role_list,
    table,
    table_hint,
    tier_list,
    wrapped_row,
)


def _range_rule(facts: Facts) -> dict[str, object]:
    """Excel's data-validation criteria for a number setting's declared range."""
    low, high = facts.low, facts.high
    if low is not None and high is not None:
        return {"criteria": "between", "minimum": low, "maximum": high}
    if low is not None:
        return {"criteria": ">" if facts.low_open else ">=", "value": low}
    if high is not None:
        return {"criteria": "<" if facts.high_open else "<=", "value": high}
    return {"criteria": "between", "minimum": -1e300, "maximum": 1e300}


def write_settings(ws, f: Formats, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    put_title(ws, f, Sheet.SETTINGS, text.SETTINGS_HINT)
    p = Tables.SETTINGS
    ws.freeze_panes(p.row, 0)
    keys = sheet_settings()
    table(ws, f, p, SettingCol.ALL, len(keys), dict(zip(SettingCol.ALL, (20, 18, 70))))
    tiers = settings.tier_names
    for i, key in enumerate(keys):
        r = p.row + i  # 0-based row of this key
        value = getattr(settings, key)
        facts = setting_facts(key)
        num = PCT if facts.kind == "share" else (MONEY0 if facts.numeric else "")
        ws.write_string(r, p.col - 1, key, f.get("computed"))
        put(ws, r, p.col, value, f.get("input", num))
        ws.write_string(r, p.col + 1, facts.meaning, f.get("wrap-computed"))
        wrapped_row(ws, f, r, [(p.col + 1, facts.meaning)])
        if facts.kind == "choice":
            list_validation(ws, r, p.col, r, list(facts.choices), facts.meaning)
        elif facts.kind == "tier":
            list_validation(ws, r, p.col, r, tier_list(len(tiers)), facts.meaning)
        elif facts.kind == "role":
            list_validation(ws, r, p.col, r, role_list(), facts.meaning)
        elif facts.numeric:
            ws.data_validation(r, p.col, r, p.col, {
                "validate": "decimal", **_range_rule(facts), "input_title": "Tierbook",
                "input_message": facts.meaning[:255], "error_title": "Not allowed",
                "error_message": ("Enter " + facts.expectation() + ".")[:255]})
        else:
            ws.data_validation(r, p.col, r, p.col, {"validate": "any", "input_title": "Tierbook",
                                                    "input_message": facts.meaning[:255]})
    # Tiers
    t = Tables.TIERS
    table(ws, f, t, TierCol.ALL, len(tiers), dict(zip(TierCol.ALL, (16, 13, 13, 13, 14, 14))))
    table_hint(ws, f, t, len(TierCol.ALL), text.TIERS_HINT)
    for i, tier in enumerate(tiers):
        r = t.row + i
        last = i == len(tiers) - 1
        lo, hi = settings.coverage_ranges[i] if i < len(settings.coverage_ranges) else (None, None)
        values = (tier, None if last else settings.account_bands[i], None if last else settings.arr_bands[i],
                  None if last else settings.score_cutoffs[i], lo, hi)
        fmts = ("", PCT, PCT, "0.00", MONEY0, MONEY0)
        for j, (v, num) in enumerate(zip(values, fmts)):
            computed = last and j in (1, 2)
            if computed:
                put_formula(ws, tiers_cells(tiers, settings), r, t.col - 1 + j, f.get("computed", num))
            else:
                put(ws, r, t.col - 1 + j, v, f.get("computed" if (last and j == 3) else "input", num))
    # Roles
    ro = Tables.ROLES
    roles = settings.roles()
    table(ws, f, ro, RoleCol.ALL, len(roles), dict(zip(RoleCol.ALL, (26, 14, 14, 12))))
    table_hint(ws, f, ro, len(RoleCol.ALL), text.ROLES_HINT)
    for i, role in enumerate(roles):
        r = ro.row + i
        for j, (v, num) in enumerate(((role, ""), (settings.productive_hours.get(role), MONEY0),
                                      (settings.loaded_cost.get(role), MONEY0), (settings.headcount.get(role), NUMBER))):
            put(ws, r, ro.col - 1 + j, v, f.get("input", num))
    # Score criteria
    sc = Tables.SCORE
    table(ws, f, sc, ScoreCol.ALL, len(settings.score_criteria), dict(zip(ScoreCol.ALL, (22, 10))))
    table_hint(ws, f, sc, len(ScoreCol.ALL), text.SCORE_HINT)
    for i, (column, weight) in enumerate(settings.score_criteria):
        put(ws, sc.row + i, sc.col - 1, column, f.get("input"))
        put(ws, sc.row + i, sc.col, weight, f.get("input", "0.00"))
    list_validation(ws, sc.row, sc.col - 1, sc.row + LIST_ROWS, list(NUMERIC_COLUMNS))
    # CRM fields (written by import)
    cf = Tables.CRM_FIELDS
    table(ws, f, cf, CrmFieldCol.ALL, 1, dict(zip(CrmFieldCol.ALL, (20, 26))))
    table_hint(ws, f, cf, len(CrmFieldCol.ALL), text.CRM_FIELDS_HINT)
    for j in range(len(CrmFieldCol.ALL)):
        ws.write_blank(cf.row, cf.col - 1 + j, None, f.get("input"))
    spans = ((p.col - 1, p.col + 1), (t.col - 1, t.col - 2 + len(TierCol.ALL)), (ro.col - 1, cf.col - 2 + len(CrmFieldCol.ALL)))
    print_setup(ws, f, MAX_ROW, spans[-1][1], p.row - 1, run_footer=False, spans=spans)
