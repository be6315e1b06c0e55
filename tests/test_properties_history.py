"""Tier history follows each account by its Account ID, for any IDs a sheet can hold: duplicates, blanks, numbers.

(Here, not in tests/engine: the engine's tests also run under xlwings Lite's
Pyodide packages, which have no hypothesis.)
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tierbook.engine.history import pair_rows


IDS = st.lists(st.sampled_from(["A", "b", "B ", "C", "", None, "7", 7.0]), max_size=30)


@settings(max_examples=300, deadline=None)
@given(old=IDS, new=IDS)
def test_the_kth_row_of_an_id_always_pairs_with_its_kth_old_row_and_no_old_row_twice(old, new):
    def key(v):
        text = "" if v is None else str(int(v)) if isinstance(v, float) else str(v).strip()
        return text or None

    rows: dict[str, list[int]] = {}
    for i, v in enumerate(old):
        if key(v) is not None:
            rows.setdefault(key(v), []).append(i)
    seen: dict[str, int] = {}
    expected = []
    for v in new:
        k = key(v)
        if k is None:
            expected.append(-1)
            continue
        n = seen[k] = seen.get(k, -1) + 1
        expected.append(rows.get(k, [])[n] if n < len(rows.get(k, [])) else -1)
    assert pair_rows(old, new).tolist() == expected
