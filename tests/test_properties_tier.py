"""`tierbook tier` on generated account files: invariants that hold for every input.

For any table a CRM export or a spreadsheet can hold (see tests/strategies.py):
no traceback; every input row comes back once, in order; every input cell
comes back exactly as written; a value Tierbook reads otherwise than as plain
text says is reported with its row, column and value; equal ARR gets an
equal tier; tiering the output again gives the same tiers.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tierbook.engine import Settings
from tierbook.engine.pipeline import Run
from tierbook.files import csv_unsafe
from tierbook.columns import Col, NUMERIC_COLUMNS, ProblemCol
from tierbook.tasks import tier_file

from .strategies import ROW_MARKER, Table, account_tables

POLICIES = ("arr-accounts", "arr-share", "segment", "score", "rules")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.function_scoped_fixture])


def write_csv(table: pd.DataFrame, path: Path) -> list[list[str]]:
    """Write the table as a CRM would (every cell as text) and return the records written."""
    records = [[str(h) for h in table.columns]]
    for row in table.itertuples(index=False):
        records.append(["" if v is None else str(v) for v in row])
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(records)
    return records


def read_records(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def plain_reading(text: str) -> float | None:
    """What a cell says without interpretation: a plain decimal number, or nothing."""
    t = text.strip()
    if not t or any(ch not in "0123456789.-+eE" for ch in t):
        return None
    try:
        value = float(t)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def reported(result: Run, row: int, header: str) -> bool:
    p = result.problems
    return bool(((p[ProblemCol.ROW] == row) & (p[ProblemCol.COLUMN] == header)).any())


def assert_reads_are_plain_or_reported(result: Run, written: list[list[str]]) -> None:
    """Every number cell is either read exactly as written, or the reading is on Data Quality."""
    headers = written[0]
    for column in NUMERIC_COLUMNS:
        header = result.accounts.source.get(column)
        if header is None:
            continue
        j = headers.index(header)
        values = result.accounts.numbers[column].values
        for i, record in enumerate(written[1:]):
            text = record[j]
            if not text.strip():
                assert not np.isfinite(values[i]), f"blank {header!r} in row {i + 2} read as {values[i]}"
                continue
            plain = plain_reading(text)
            read = values[i]
            if plain is not None and np.isfinite(read) and read == plain:
                continue
            assert reported(result, i + 2, header), (
                f"row {i + 2}, {header!r} = {text[:60]!r} read as {read} without a Data Quality row")


def assert_equal_arr_equal_tier(result: Run) -> None:
    arr = result.accounts.numbers[Col.ARR].values
    codes = result.tiers.policy_code
    ok = np.isfinite(arr)
    frame = pd.DataFrame({"arr": arr[ok], "code": codes[ok]})
    spread = frame.groupby("arr")["code"].nunique()
    assert (spread <= 1).all(), f"equal ARR, different tiers: {spread[spread > 1].index.tolist()[:5]}"


@SETTINGS
@given(table=account_tables(), policy=st.sampled_from(POLICIES))
def test_any_csv_export_tiers_without_losing_or_changing_a_row(tmp_path_factory: pytest.TempPathFactory,
                                                                table: Table, policy: str) -> None:
    folder = tmp_path_factory.mktemp("tier")
    source, target = folder / "export.csv", folder / "tiered.csv"
    written = write_csv(table.frame, source)
    result = tier_file(source, target, Settings(policy=policy))
    got = read_records(target)
    n_in = len(written[0])
    assert got[0][:n_in] == written[0], "headers changed"
    assert len(got) == len(written), f"{len(written) - 1} rows in, {len(got) - 1} out"
    for i, (before, after) in enumerate(zip(written[1:], got[1:]), start=2):
        assert [csv_unsafe(v) for v in after[:n_in]] == before, f"row {i} changed"
    assert_reads_are_plain_or_reported(result, written)
    if policy.startswith("arr"):
        assert_equal_arr_equal_tier(result)
    again = tier_file(target, folder / "again.csv", Settings(policy=policy))
    assert list(again.tiers.tier) == list(result.tiers.tier), "tiering the output again moved a tier"


@SETTINGS
@given(table=account_tables(cell_limit=32_767), policy=st.sampled_from(POLICIES))
def test_any_xlsx_export_tiers_every_row_once_in_order(tmp_path_factory: pytest.TempPathFactory,
                                                        table: Table, policy: str) -> None:
    folder = tmp_path_factory.mktemp("tierx")
    source, target = folder / "export.xlsx", folder / "tiered.csv"
    with pd.ExcelWriter(source, engine="xlsxwriter",
                        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False,
                                                   "strings_to_numbers": False}}) as writer:
        table.frame.to_excel(writer, sheet_name="Accounts", index=False)
    result = tier_file(source, target, Settings(policy=policy))
    got = read_records(target)
    marker = got[0].index(ROW_MARKER)
    assert [r[marker] for r in got[1:]] == list(table.frame[ROW_MARKER]), "rows lost, repeated or reordered"
    assert len(result.tiers.tier) == len(table.frame)
    if policy.startswith("arr"):
        assert_equal_arr_equal_tier(result)
