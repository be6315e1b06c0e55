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
    MONEY0,
    NUMBER,
    PCT,
    Formats,
    add_table,
    list_validation,
    put,
    put_formula,
    put_title,
    role_list,
    tier_list,
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
    ws.set_column(p.col - 1, p.col - 1, 20)
    ws.set_column(p.col, p.col, 18)
    ws.set_column(p.col + 1, p.col + 1, 70)
    ws.freeze_panes(p.row, 0)
    keys = sheet_settings()
    add_table(ws, p, SettingCol.ALL, len(keys))
    tiers = settings.tier_names
    for i, key in enumerate(keys):
        r = p.row + i  # 0-based row of this key
        value = getattr(settings, key)
        facts = setting_facts(key)
        num = PCT if facts.kind == "share" else (MONEY0 if facts.numeric else "")
        ws.write_string(r, p.col - 1, key, f.get("computed"))
        put(ws, r, p.col, value, f.get("input", num))
        ws.write_string(r, p.col + 1, facts.meaning, f.get("computed"))
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
    ws.write_string(t.row - 2, t.col - 1, text.TIERS_HINT, f.hint)
    widths = (16, 16, 13, 13, 22, 22)
    for j, w in enumerate(widths):
        ws.set_column(t.col - 1 + j, t.col - 1 + j, w)
    add_table(ws, t, TierCol.ALL, len(tiers))
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
    ws.write_string(ro.row - 2, ro.col - 1, text.ROLES_HINT, f.hint)
    for j, w in enumerate((26, 16, 16, 12)):
        ws.set_column(ro.col - 1 + j, ro.col - 1 + j, w)
    roles = settings.roles()
    add_table(ws, ro, RoleCol.ALL, len(roles))
    for i, role in enumerate(roles):
        r = ro.row + i
        for j, (v, num) in enumerate(((role, ""), (settings.productive_hours.get(role), MONEY0),
                                      (settings.loaded_cost.get(role), MONEY0), (settings.headcount.get(role), NUMBER))):
            put(ws, r, ro.col - 1 + j, v, f.get("input", num))
    # Score criteria
    sc = Tables.SCORE
    ws.write_string(sc.row - 2, sc.col - 1, text.SCORE_HINT, f.hint)
    ws.set_column(sc.col - 1, sc.col - 1, 22)
    ws.set_column(sc.col, sc.col, 10)
    add_table(ws, sc, ScoreCol.ALL, len(settings.score_criteria))
    for i, (column, weight) in enumerate(settings.score_criteria):
        put(ws, sc.row + i, sc.col - 1, column, f.get("input"))
        put(ws, sc.row + i, sc.col, weight, f.get("input", "0.00"))
    list_validation(ws, sc.row, sc.col - 1, sc.row + LIST_ROWS, list(NUMERIC_COLUMNS))
    # CRM fields (written by import)
    cf = Tables.CRM_FIELDS
    ws.write_string(cf.row - 2, cf.col - 1, text.CRM_FIELDS_HINT, f.hint)
    ws.set_column(cf.col - 1, cf.col - 1, 20)
    ws.set_column(cf.col, cf.col, 26)
    add_table(ws, cf, CrmFieldCol.ALL, 1)
    for j in range(len(CrmFieldCol.ALL)):
        ws.write_blank(cf.row, cf.col - 1 + j, None, f.get("input"))
