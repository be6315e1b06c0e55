"""Previous Tier and tier changes follow the Account ID, never the row."""

import numpy as np

from tierbook.engine.history import follow_tiers, history_rows, pair_rows


def test_previous_tier_moves_only_when_the_tier_does():
    changes = follow_tiers(["A", "B", "C"], ["High", "Mid", "Low"], ["", "High", ""],
                           ["A", "B", "C"], ["High", "Low", "Low"])
    assert changes.previous.tolist() == ["", "Mid", ""]
    assert changes.changed.tolist() == [False, True, False]


def test_sorted_rows_keep_each_accounts_history():
    old_ids, old_tiers, old_prev = ["A", "B", "C"], ["High", "Mid", "Low"], ["Mid", "", "Mid"]
    changes = follow_tiers(old_ids, old_tiers, old_prev, ["C", "A", "B"], ["Low", "High", "Mid"])
    assert changes.previous.tolist() == ["Mid", "Mid", ""]
    assert not changes.changed.any()


def test_rows_removed_from_the_middle_do_not_shift_tiers_onto_other_accounts():
    ids = [f"ACC-{i:04d}" for i in range(1500)]
    tiers = np.array(["High", "Mid", "Low"], dtype=object)[np.arange(1500) % 3]
    kept = ids[1::2]
    new_tiers = tiers[1::2].copy()
    new_tiers[:8] = "Needs data"
    changes = follow_tiers(ids, tiers, [""] * 1500, kept, new_tiers)
    assert changes.count == 8
    assert changes.previous[:8].tolist() == tiers[1:17:2].tolist()


def test_a_new_account_has_no_previous_tier_and_is_not_a_change():
    changes = follow_tiers(["A"], ["High"], [""], ["A", "NEW"], ["High", "Low"])
    assert changes.previous.tolist() == ["", ""] and not changes.changed.any()


def test_blank_ids_get_no_history():
    changes = follow_tiers(["A", None, " "], ["High", "Mid", "Low"], ["", "", ""],
                           ["A", None, " "], ["Low", "High", "High"])
    assert changes.changed.tolist() == [True, False, False]
    assert changes.previous.tolist() == ["High", "", ""]


def test_duplicate_ids_pair_in_row_order():
    assert pair_rows(["A", "B", "A"], ["A", "A", "B"]).tolist() == [0, 2, 1]
    changes = follow_tiers(["A", "B", "A"], ["High", "Mid", "Low"], ["", "", ""],
                           ["A", "B", "A"], ["High", "Mid", "Mid"])
    assert changes.changed.tolist() == [False, False, True]
    assert changes.previous.tolist() == ["", "", "Low"]


def test_numeric_ids_from_a_spreadsheet_match_their_text():
    assert pair_rows([1001.0, 1002.0], ["1002", "1001"]).tolist() == [1, 0]


def test_history_rows_name_account_old_and_new_tier():
    changes = follow_tiers(["A", "B"], ["High", "Mid"], ["", ""], ["B", "A"], ["Low", "High"])
    rows = history_rows(changes, ["B", "A"], ["Beta", "Acme"], ["Low", "High"], ["why B", "why A"], "2026-01-01",
                        by="ana")
    assert rows.to_dict("records") == [{"Run": "2026-01-01", "Account ID": "B", "Account Name": "Beta",
                                        "Old Tier": "Mid", "New Tier": "Low", "Why": "why B", "By": "ana"}]


def test_tier_moves_say_up_down_and_to_or_from_needs_data():
    from tierbook.engine.history import Change, tier_moves

    tiers = ("High", "Mid", "Low")
    moves = tier_moves(["Low", "High", "Mid", "Needs data", "Gold", " mid "],
                       ["Mid", "Low", "Needs data", "High", "Low", "Mid"], tiers)
    assert moves.tolist() == [Change.UP, Change.DOWN, Change.TO_NEEDS_DATA, Change.FROM_NEEDS_DATA,
                              Change.RENAMED, Change.UNCHANGED]


def test_move_counts_add_up_to_the_tier_changes_and_count_accounts_new_to_a_tier():
    from tierbook.engine.history import Change, move_counts

    tiers = ("High", "Mid", "Low")
    new = ["Mid", "Low", "Needs data", "High", "Low", "Low"]
    changes = follow_tiers(["A", "B", "C", "D", "E"], ["Low", "High", "Mid", "Needs data", "Low"], [""] * 5,
                           ["A", "B", "C", "D", "E", "F"], new)
    counts = move_counts(changes, new, tiers)
    assert counts == {Change.UP: 1, Change.DOWN: 1, Change.TO_NEEDS_DATA: 1, Change.FROM_NEEDS_DATA: 1,
                      Change.RENAMED: 0, Change.IN: 1, Change.OUT: 0}
    assert sum(v for k, v in counts.items() if k not in (Change.IN, Change.OUT)) == changes.count


def test_a_tiered_account_no_longer_there_counts_as_gone_and_an_untiered_one_does_not():
    from tierbook.engine.history import Change, move_counts

    # B had a tier and is gone; C never had one and is gone too; A stays.
    changes = follow_tiers(["A", "B", "C"], ["High", "Mid", ""], ["", "", ""], ["A", "D"], ["High", "Low"])
    counts = move_counts(changes, ["High", "Low"], ("High", "Mid", "Low"))
    assert (changes.gone, counts[Change.OUT], counts[Change.IN]) == (1, 1, 1)


# ------------------------------------------------------------ override events and first tiers
def _book(overrides: dict[str, tuple[str, str, str]] | None = None):  # type: ignore[no-untyped-def]
    """Four accounts; ``overrides``: name -> (Tier Override, Override By, Override Until)."""
    import pandas as pd

    from tierbook.columns import Col

    names = ["Acme", "Beta", "Gamma", "Delta"]
    frame = pd.DataFrame({Col.ACCOUNT_ID: ["A1", "A2", "A3", "A4"], Col.ACCOUNT_NAME: names,
                          Col.ARR: [900_000, 300_000, 40_000, 10_000], Col.TIER_OVERRIDE: "",
                          Col.OVERRIDE_REASON: "", Col.OVERRIDE_BY: "", Col.OVERRIDE_UNTIL: ""}, dtype=object)
    for name, (tier, by, until) in (overrides or {}).items():
        i = names.index(name)
        frame.loc[i, [Col.TIER_OVERRIDE, Col.OVERRIDE_REASON, Col.OVERRIDE_BY, Col.OVERRIDE_UNTIL]] = [
            tier, "Strategic logo", by, until]
    return frame


def _logged(before, after, day: str = "2026-03-01", by: str = "ops",  # type: ignore[no-untyped-def]
            last_day: str | None = None):
    """The Tier History rows a run on ``after`` on ``day`` logs when the last run (on ``last_day``, default
    the same day) tiered ``before``, by account name."""
    import datetime as dt

    from tierbook.columns import Col
    from tierbook.engine import Settings, run

    settings = Settings(tier_names=("High-touch", "Mid-touch", "Tech-touch"))
    today = dt.date.fromisoformat(day)
    last = dt.date.fromisoformat(last_day) if last_day else today
    old = run(before, settings, today=last) if before is not None else None
    new = run(after, settings, today=today)
    frame = new.accounts.frame
    if old is None:
        changes = follow_tiers([], [], [], frame[Col.ACCOUNT_ID], new.tiers.tier)
        old_reasons: object = []
    else:
        changes = follow_tiers(old.accounts.frame[Col.ACCOUNT_ID], old.tiers.tier, [""] * len(old.tiers.tier),
                               frame[Col.ACCOUNT_ID], new.tiers.tier)
        old_reasons = old.tiers.reason.to_numpy(dtype=object)
    rows = history_rows(changes, frame[Col.ACCOUNT_ID], frame[Col.ACCOUNT_NAME], new.tiers.tier, new.tiers.reason,
                        "2026-03-01 09:00:00", old_reasons=old_reasons, overrides=new.tiers.overrides, by=by,
                        override_by=frame[Col.OVERRIDE_BY].to_numpy(dtype=object),
                        override_given=frame[Col.TIER_OVERRIDE].to_numpy(dtype=object))
    return {r["Account Name"]: r for r in rows.to_dict("records")}


def test_every_account_logs_its_first_tier_from_none():
    rows = _logged(None, _book())
    assert set(rows) == {"Acme", "Beta", "Gamma", "Delta"}
    assert (rows["Acme"]["Old Tier"], rows["Acme"]["New Tier"], rows["Acme"]["By"]) == ("", "High-touch", "ops")
    assert rows["Acme"]["Why"].startswith("First tier: ARR 900,000")


def test_an_override_set_is_logged_with_who_set_it_even_when_the_tier_stays():
    rows = _logged(_book(), _book({"Acme": ("High-touch", "Ana Lima", ""), "Delta": ("Mid-touch", "", "")}))
    assert set(rows) == {"Acme", "Delta"}
    assert (rows["Acme"]["Old Tier"], rows["Acme"]["New Tier"], rows["Acme"]["By"]) == (
        "High-touch", "High-touch", "Ana Lima")
    assert rows["Acme"]["Why"] == "Override set: Override -> High-touch: Strategic logo (by Ana Lima)"
    assert (rows["Delta"]["Old Tier"], rows["Delta"]["New Tier"], rows["Delta"]["By"]) == (
        "Tech-touch", "Mid-touch", "ops")


def test_an_override_changed_is_logged_and_one_left_alone_is_not():
    before = _book({"Gamma": ("High-touch", "Ana Lima", ""), "Delta": ("Mid-touch", "Ana Lima", "")})
    after = _book({"Gamma": ("High-touch", "Ana Lima", ""), "Delta": ("High-touch", "Raj Patel", "")})
    rows = _logged(before, after)
    assert set(rows) == {"Delta"}
    assert (rows["Delta"]["Old Tier"], rows["Delta"]["New Tier"], rows["Delta"]["By"]) == (
        "Mid-touch", "High-touch", "Raj Patel")
    assert rows["Delta"]["Why"].startswith("Override changed: Override -> High-touch")


def test_an_override_that_expires_is_logged_the_day_after_its_date():
    pinned = _book({"Delta": ("High-touch", "Ana Lima", "2026-02-28")})
    assert _logged(pinned, pinned, day="2026-02-28", last_day="2026-02-27") == {}
    ended = _logged(pinned, pinned, day="2026-03-01", last_day="2026-02-28")
    assert set(ended) == {"Delta"}
    assert (ended["Delta"]["Old Tier"], ended["Delta"]["New Tier"], ended["Delta"]["By"]) == (
        "High-touch", "Tech-touch", "ops")
    assert ended["Delta"]["Why"].startswith("Override expired: ")


def _pinned_yesterday_then(after, day: str = "2026-03-01"):  # type: ignore[no-untyped-def]
    return _logged(_book({"Delta": ("High-touch", "Ana Lima", "")}), after, day=day)


def test_an_override_removed_is_logged_and_one_no_longer_naming_a_tier_says_so():
    removed = _pinned_yesterday_then(_book())
    assert (removed["Delta"]["Old Tier"], removed["Delta"]["New Tier"]) == ("High-touch", "Tech-touch")
    assert removed["Delta"]["Why"].startswith("Override removed: ARR 10,000")
    misspelt = _pinned_yesterday_then(_book({"Delta": ("Hihg-touch", "Ana Lima", "")}))
    assert misspelt["Delta"]["Why"].startswith("Override no longer applied: ")


def test_first_tiers_too_many_for_the_sheet_are_counted_per_tier_and_other_entries_keep_their_rows():
    import pandas as pd

    from tierbook.engine.history import fitted_history

    rows = pd.DataFrame(list(_logged(None, _book()).values()))
    changed = rows.iloc[[0]].assign(**{"Account Name": "Zeta", "Old Tier": "Mid-touch", "Why": "ARR 950,000"})
    rows = pd.concat([rows, changed], ignore_index=True)
    assert fitted_history(rows, room=5).equals(rows)  # they fit: a row each
    fitted = fitted_history(rows, room=4)
    by_tier = {r["New Tier"]: r for r in fitted.to_dict("records") if r["Why"].startswith("First tier: ")}
    assert {t: r["Account Name"] for t, r in by_tier.items()} == {
        t: f"{n:,} accounts" for t, n in rows[rows["Why"].str.startswith("First tier: ")]["New Tier"].value_counts().items()}
    assert sum(int(r["Account Name"].split()[0]) for r in by_tier.values()) == 4
    assert {r["By"] for r in by_tier.values()} == {"ops"}
    assert fitted[fitted["Account Name"] == "Zeta"]["Why"].tolist() == ["ARR 950,000"]  # a change keeps its own row
