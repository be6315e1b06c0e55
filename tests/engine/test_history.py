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
