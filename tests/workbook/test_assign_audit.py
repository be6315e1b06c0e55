"""Audited overrides in a workbook: who and when in Tier History, expiry on a fixed clock, the messages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from tierbook.cli import main
from tierbook.columns import Col, HistoryCol, Problem, ProblemCol
from tierbook.sample import sample_accounts
from tierbook.workbook.assign import assign
from tierbook.workbook.create import accounts_input_parts
from tierbook.workbook.package import Package, save_package
from tierbook.workbook.template import build_template
from tierbook.workbook.cells import col_letter
from tierbook.workbook.layout import Sheet, Tables

from .helpers import set_cells

STAMP1, STAMP2 = "2026-02-27 09:00:00", "2026-02-28 09:00:00"


def headers(path: Path, sheet: str = Sheet.ACCOUNTS, row: int = 1) -> list[str]:
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return [c.value for c in ws[row]]


def cell(path: Path, header: str, row: int) -> str:
    """The address of an Accounts cell by its column's heading."""
    return f"{col_letter(headers(path).index(header) + 1)}{row}"


def account(path: Path, row: int) -> dict[str, object]:
    ws = openpyxl.load_workbook(path, data_only=True)[Sheet.ACCOUNTS]
    return dict(zip(headers(path), (c.value for c in ws[row])))


def history(path: Path, stamp: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path, data_only=True)[Sheet.HISTORY]
    names = [c.value for c in ws[Tables.HISTORY.row]]
    rows = [dict(zip(names, r)) for r in ws.iter_rows(min_row=Tables.HISTORY.row + 1, values_only=True)]
    return [r for r in rows if r.get(HistoryCol.RUN) == stamp]


def data_quality(path: Path) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path, data_only=True)[Sheet.DATA_QUALITY]
    names = [c.value for c in ws[Tables.DATA_QUALITY.row]]
    return [dict(zip(names, r)) for r in ws.iter_rows(min_row=Tables.DATA_QUALITY.row + 1, values_only=True)]


def pin(path: Path, rows: tuple[int, ...], until: str, by: str = "") -> None:
    """Pin the accounts of ``rows`` to High-touch until ``until``, as a user types it."""
    values: dict[str, object] = {}
    for r in rows:
        values.update({cell(path, Col.TIER_OVERRIDE, r): "High-touch", cell(path, Col.OVERRIDE_REASON, r): "Pilot",
                       cell(path, Col.OVERRIDE_UNTIL, r): until})
        if by:
            values[cell(path, Col.OVERRIDE_BY, r)] = by
    set_cells(path, Sheet.ACCOUNTS, values)


def small_accounts(path: Path, count: int = 3) -> tuple[int, ...]:
    """Rows of ``count`` accounts the policy does not put in High-touch (and that no sample override pins)."""
    ws = openpyxl.load_workbook(path, data_only=True)[Sheet.ACCOUNTS]
    h = headers(path)
    tier, override = h.index(Col.TIER), h.index(Col.TIER_OVERRIDE)
    rows = [r for r in range(2, ws.max_row + 1)
            if ws.cell(r, tier + 1).value == "Tech-touch" and not ws.cell(r, override + 1).value]
    return tuple(rows[:count])


def test_the_accounts_table_carries_the_override_audit_columns_after_override_reason(book: Path) -> None:
    h = headers(book)
    i = h.index(Col.OVERRIDE_REASON)
    assert h[i + 1: i + 4] == [Col.OVERRIDE_BY, Col.OVERRIDE_SET_ON, Col.OVERRIDE_UNTIL]
    assert headers(book, Sheet.HISTORY, Tables.HISTORY.row)[-1] == HistoryCol.BY


def test_the_first_run_on_pasted_accounts_logs_each_accounts_first_tier(tmp_path: Path) -> None:
    path = tmp_path / "Pasted.xlsx"
    package = Package.open(path.name, build_template())
    pasted = sample_accounts(60, seed=3)
    save_package(package, accounts_input_parts(package, pasted), path, backup=False)
    result = assign(path, stamp=STAMP1, by="Ana Lima", backup=False)
    logged = history(path, STAMP1)
    assert len(logged) == 60 and result.changes == 0
    first = logged[0]
    assert (first[HistoryCol.ACCOUNT_ID], first[HistoryCol.OLD_TIER], first[HistoryCol.NEW_TIER]) == (
        pasted[Col.ACCOUNT_ID].iloc[0], None, account(path, 2)[Col.TIER])
    assert str(first[HistoryCol.REASON]).startswith("First tier: ") and first[HistoryCol.BY] == "Ana Lima"
    assert history(path, STAMP2) == [] and assign(path, stamp=STAMP2, backup=False).changes == 0
    assert history(path, STAMP2) == []  # a re-run logs nothing again


def test_a_new_sample_book_starts_with_an_empty_tier_history(book: Path) -> None:
    rows = [r for r in openpyxl.load_workbook(book, data_only=True)[Sheet.HISTORY].iter_rows(
        min_row=Tables.HISTORY.row + 1, values_only=True) if any(r)]
    assert rows == []


def test_an_override_expires_the_day_after_its_date_and_the_message_counts_it(book: Path) -> None:
    rows = small_accounts(book)
    pin(book, rows, "2026-02-27")
    on_the_day = assign(book, stamp=STAMP1, today=dt.date(2026, 2, 27), by="Ana Lima", backup=False)
    assert [account(book, r)[Col.TIER] for r in rows] == ["High-touch"] * 3
    logged = {r[HistoryCol.ACCOUNT_ID]: r for r in history(book, STAMP1)}
    named = account(book, rows[0])
    entry = logged[named[Col.ACCOUNT_ID]]
    assert (entry[HistoryCol.OLD_TIER], entry[HistoryCol.NEW_TIER], entry[HistoryCol.BY]) == (
        "Tech-touch", "High-touch", "Ana Lima")
    assert str(entry[HistoryCol.REASON]).startswith("Override set: Override -> High-touch: Pilot (until 2026-02-27)")
    assert "expired" not in on_the_day.plan.message

    day_after = assign(book, stamp=STAMP2, today=dt.date(2026, 2, 28), by="Ana Lima", backup=False)
    assert "3 overrides expired; their accounts are back on the policy tier." in day_after.plan.message
    assert [account(book, r)[Col.TIER] for r in rows] == ["Tech-touch"] * 3
    ended = {r[HistoryCol.ACCOUNT_ID]: r for r in history(book, STAMP2)}
    assert str(ended[named[Col.ACCOUNT_ID]][HistoryCol.REASON]).startswith("Override expired: ")
    expired = [p for p in data_quality(book) if p[ProblemCol.PROBLEM] == Problem.OVERRIDE_EXPIRED]
    assert sorted(p[ProblemCol.ROW] for p in expired) == list(rows)
    assert all(p[ProblemCol.COLUMN] == Col.OVERRIDE_UNTIL and p[ProblemCol.VALUE] == "2026-02-27" for p in expired)


def test_an_override_up_for_review_is_listed_on_data_quality(book: Path) -> None:
    rows = small_accounts(book, 1)
    pin(book, rows, "2026-03-29", by="Raj Patel")
    result = assign(book, stamp=STAMP1, today=dt.date(2026, 2, 27), backup=False)
    assert "1 override up for review within 30 days" in result.plan.message
    due = [p for p in data_quality(book) if p[ProblemCol.PROBLEM] == Problem.OVERRIDE_REVIEW]
    assert [p[ProblemCol.ROW] for p in due] == list(rows)
    assert history(book, STAMP1)[0][HistoryCol.BY] == "Raj Patel"  # who set it, not who ran it


def test_tierbook_assign_by_names_who_ran_it_in_tier_history(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = small_accounts(book, 3)
    pin(book, rows, "2020-01-31")  # long past: expired whatever the day
    assert main(["assign", str(book), "--by", "Dana Scully"]) == 0
    out = capsys.readouterr().out
    assert "3 overrides expired; their accounts are back on the policy tier." in out
    pin(book, rows, "")
    assert main(["assign", str(book), "--by", "Dana Scully"]) == 0
    ws = openpyxl.load_workbook(book, data_only=True)[Sheet.HISTORY]
    names = [c.value for c in ws[Tables.HISTORY.row]]
    last = [dict(zip(names, r)) for r in ws.iter_rows(min_row=Tables.HISTORY.row + 1, values_only=True) if any(r)]
    ids = {account(book, r)[Col.ACCOUNT_ID] for r in rows}
    mine = [r for r in last[-3:] if r[HistoryCol.ACCOUNT_ID] in ids]
    assert len(mine) == 3 and all(r[HistoryCol.BY] == "Dana Scully" for r in mine)
    assert all(str(r[HistoryCol.REASON]).startswith("Override set: ") for r in mine)


def test_without_by_the_command_line_names_the_machines_user(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", "quinn")
    rows = small_accounts(book, 1)
    pin(book, rows, "")
    assert main(["assign", str(book)]) == 0
    ws = openpyxl.load_workbook(book, data_only=True)[Sheet.HISTORY]
    names = [c.value for c in ws[Tables.HISTORY.row]]
    last = [dict(zip(names, r)) for r in ws.iter_rows(min_row=Tables.HISTORY.row + 1, values_only=True) if any(r)]
    assert last[-1][HistoryCol.BY] == "quinn"


def test_an_applied_scenario_is_logged_by_name_and_by_who(book: Path) -> None:
    assert main(["whatif", str(book), "Wider", "account_bands:High-touch=25%", "--apply", "Wider",
                 "--by", "Dana Scully"]) == 0
    ws = openpyxl.load_workbook(book, data_only=True)[Sheet.HISTORY]
    names = [c.value for c in ws[Tables.HISTORY.row]]
    rows = [dict(zip(names, r)) for r in ws.iter_rows(min_row=Tables.HISTORY.row + 1, values_only=True) if any(r)]
    applied = [r for r in rows if str(r[HistoryCol.REASON]).startswith("Scenario 'Wider' applied: ")]
    assert applied and all(r[HistoryCol.BY] == "Dana Scully" for r in applied)
    assert all(r[HistoryCol.OLD_TIER] != r[HistoryCol.NEW_TIER] for r in applied)
