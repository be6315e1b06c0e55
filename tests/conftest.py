"""Shared fixtures: small, readable account tables built row by row."""

from __future__ import annotations

import os

# xlwings reads these when it is first imported: its remote engine (xlwings
# PRO, under the free noncommercial key this open-source project's tests may
# use) then stands in for Excel, as it does inside xlwings Lite.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
os.environ.setdefault("XLWINGS_ON_SERVER", "true")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from tierbook.columns import Col


def accounts(*rows: dict, **columns: list) -> pd.DataFrame:
    """A raw account table.

    Either rows as dicts (missing keys become blank), or whole columns as
    keyword lists. Account ID and Account Name are filled in when absent so a
    test only spells what it is about.
    """
    if rows:
        table = pd.DataFrame(list(rows))
    else:
        table = pd.DataFrame({k.replace("_", " "): v for k, v in columns.items()})
    n = len(table)
    if Col.ACCOUNT_ID not in table.columns:
        table.insert(0, Col.ACCOUNT_ID, [f"A{i + 1}" for i in range(n)])
    if Col.ACCOUNT_NAME not in table.columns:
        table.insert(1, Col.ACCOUNT_NAME, [f"Account {i + 1}" for i in range(n)])
    return table


def arr_book(*arr: float) -> pd.DataFrame:
    """Accounts A1, A2, ... with the given ARR values."""
    return accounts(ARR=list(arr))


@pytest.fixture
def make_accounts():
    return accounts


@pytest.fixture(autouse=True)
def _work_in_a_temporary_folder(tmp_path, monkeypatch):
    """Every test runs in its own temporary folder: a file written by a relative name never lands in the checkout."""
    monkeypatch.chdir(tmp_path)
