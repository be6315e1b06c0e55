"""Assign Tiers and import on generated workbooks: invariants that hold for every book.

Two generators: account tables of any content pasted into a Tierbook workbook
(tests/strategies.py), and books edited the way Excel leaves them
(tests/excel_like.py: shared strings, a calculation chain, a sorted and
filtered table with hidden rows, a Total Row, rows deleted from the middle,
user columns between and after Tierbook's). For each: no traceback; every
account row is tiered once and no other row is; every cell that is not
Tierbook's is unchanged; a second run changes nothing but the stamp; the
tier of each account is the one the engine gives the same accounts.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tierbook.engine import Settings, run
from tierbook.columns import Col
from tierbook.workbook.layout import WORKBOOK_OUTPUT_COLUMNS, Sheet, Tables
from tierbook.sample import sample_accounts
from tierbook.workbook.assign import assign
from tierbook.workbook.plan import RUN_SHEETS
from tierbook.workbook.create import accounts_input_parts, new_book
from tierbook.workbook.package import Package, save_package
from tierbook.workbook.sheetxml import read_rows

from .. import excel_like as X
from ..strategies import ROW_MARKER, Table, account_tables
from .helpers import add_table_column, members

STAMP1, STAMP2 = "2026-03-01 08:00:00", "2026-03-02 08:00:00"
SAMPLE = 40
BOOK_SETTINGS = settings(max_examples=25, deadline=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def empty_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "Empty.xlsx"
    new_book(path)
    return path


@pytest.fixture(scope="module")
def sample_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "Sample.xlsx"
    new_book(path, sample=SAMPLE, seed=5)
    return path


def account_cells(path: Path) -> tuple[dict[int, dict[int, str]], dict[int, str], list[str], tuple[int, ...]]:
    """Accounts sheet: row -> col -> cell XML, row -> the row's own attributes, the table's headers and bounds."""
    package = Package.open(path)
    info = package.table(Tables.ACCOUNTS.table)
    xml = package.text(package.sheet_part(Sheet.ACCOUNTS))
    r2 = info.bounds[2]
    rows = read_rows(xml, range(1, r2 + 30))
    attrs = {int(m[1]): re.sub(r'\sspans="[^"]*"', "", m[0])
             for m in re.finditer(r'<row r="(\d+)"[^>]*>', xml)}
    return rows, attrs, list(info.columns), info.bounds


def not_tierbooks(path: Path) -> tuple[dict[int, dict[int, str]], dict[int, str]]:
    """Every Accounts cell outside the columns Tierbook writes, and every row's attributes."""
    rows, attrs, headers, (r1, c1, _, _) = account_cells(path)
    owned = {c1 + j for j, h in enumerate(headers) if h in WORKBOOK_OUTPUT_COLUMNS}
    return {r: {c: x for c, x in cells.items() if c not in owned} for r, cells in rows.items()}, attrs


def changed_members(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {n for n in set(before) | set(after) if before.get(n) != after.get(n)}


def assert_second_run_changes_only_the_stamp(path: Path) -> None:
    first = members(path)
    result = assign(path, stamp=STAMP2)
    assert result.changes == 0
    package = Package.open(path)
    start = package.sheet_part(Sheet.START)
    after = members(path)
    changed = changed_members(first, after)
    assert changed <= {package.sheet_part(s) for s in RUN_SHEETS}
    unstamped = lambda xml: re.sub(rb"Assign Tiers run: [^&<]*", b"", xml)  # noqa: E731
    for name in changed - {start}:  # the printed footer names the run, and nothing else moved
        assert unstamped(after[name]) == unstamped(first[name]), name


def fill(master: Path, folder: Path, table: pd.DataFrame) -> Path:
    """A copy of the empty book with ``table`` pasted into Accounts (user columns added to the table)."""
    path = folder / "Book.xlsx"
    shutil.copy(master, path)
    known = set(Package.open(path).table(Tables.ACCOUNTS.table).columns)
    for column in table.columns:
        if column not in known and column in {ROW_MARKER, "Notes", "Health", "Owner.Name", "Phone"}:
            add_table_column(path, Tables.ACCOUNTS.table, column, [])
    package = Package.open(path)
    save_package(package, accounts_input_parts(package, table), path, backup=False)
    return path


@BOOK_SETTINGS
@given(table=account_tables(max_rows=20, cell_limit=2_000),
       policy=st.sampled_from(("arr-accounts", "arr-share", "segment", "score", "rules")))
def test_any_pasted_export_is_tiered_row_for_row(tmp_path_factory: pytest.TempPathFactory, empty_master: Path,
                                                 table: Table, policy: str) -> None:
    folder = tmp_path_factory.mktemp("paste")
    path = fill(empty_master, folder, table.frame)
    if policy != "arr-accounts":
        from tierbook.workbook.edit import set_settings

        set_settings(path, [f"policy={policy}"])
    before = not_tierbooks(path)
    result = assign(path, stamp=STAMP1)
    assert not_tierbooks(path) == before, "a cell that is not Tierbook's changed"
    n = len(table.frame)
    assert result.accounts == n
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb[Sheet.ACCOUNTS]
    headers = [c.value for c in ws[1]]
    tier_col, marker_col = headers.index(Col.TIER) + 1, headers.index(ROW_MARKER) + 1
    assert [ws.cell(r, marker_col).value for r in range(2, n + 2)] == list(table.frame[ROW_MARKER])
    assert all(ws.cell(r, tier_col).value for r in range(2, n + 2)), "an account row without a tier"
    assert ws.cell(n + 2, tier_col).value is None, "a tier below the last account"
    assert_second_run_changes_only_the_stamp(path)


# ------------------------------------------------------------- Excel-edited
EDITS = ("sort", "filter", "totals", "delete", "insert_between", "insert_after")


@st.composite
def excel_sessions(draw: st.DrawFn) -> list[tuple[str, object]]:
    """What a user did in Excel, in order: a few edits with their parameters."""
    names = draw(st.lists(st.sampled_from(EDITS), min_size=1, max_size=5, unique=True))
    steps: list[tuple[str, object]] = []
    for name in names:
        if name == "sort":
            steps.append((name, (draw(st.sampled_from((Col.ARR, Col.ACCOUNT_NAME, Col.REGION, Col.TIER))),
                                 draw(st.booleans()), draw(st.booleans()))))
        elif name == "filter":
            steps.append((name, set(draw(st.lists(st.integers(2, SAMPLE + 1), max_size=8)))))
        elif name == "delete":
            steps.append((name, set(draw(st.lists(st.integers(3, SAMPLE), min_size=1, max_size=6)))))
        elif name == "insert_between":
            steps.append((name, draw(st.sampled_from((Col.TIER, Col.TIER_REASON, Col.COST_TO_SERVE, Col.ARR)))))
        else:
            steps.append((name, None))
    if "totals" in names and "delete" in names:  # Excel deletes rows inside the data, above the Total Row
        steps.sort(key=lambda s: s[0] == "totals")
    return steps


ROW_KEY = "Row Key"
"""A user column of unique keys ("k0", "k1", ...: the sample's row order) that lets a test follow each row."""


def apply_session(path: Path, steps: list[tuple[str, object]]) -> None:
    m = X.read(path)
    X.insert_column(m, Sheet.ACCOUNTS, Tables.ACCOUNTS.table, None, ROW_KEY, [f"k{i}" for i in range(SAMPLE)])
    for name, arg in steps:
        if name == "sort":
            header, descending, inside = arg  # type: ignore[misc]
            X.sort_table(m, Sheet.ACCOUNTS, Tables.ACCOUNTS.table, header, descending, inside)
        elif name == "filter":
            X.filter_rows(m, Sheet.ACCOUNTS, Tables.ACCOUNTS.table, Col.REGION, arg)  # type: ignore[arg-type]
        elif name == "totals":
            X.add_totals_row(m, Sheet.ACCOUNTS, Tables.ACCOUNTS.table, Col.ACCOUNT_ID, Col.ARR)
        elif name == "delete":
            r1, _, r2, _ = X.table_ref(m, X.table_part(m, Tables.ACCOUNTS.table))
            X.delete_rows(m, Sheet.ACCOUNTS, Tables.ACCOUNTS.table, {r for r in arg if r < r2})  # type: ignore[union-attr]
        elif name == "insert_between":
            X.insert_column(m, Sheet.ACCOUNTS, Tables.ACCOUNTS.table, arg, "My Note",  # type: ignore[arg-type]
                            [f"note {i} <&>" for i in range(SAMPLE)])
        else:
            X.insert_column(m, Sheet.ACCOUNTS, Tables.ACCOUNTS.table, None, "Owner Notes",
                            [f"=not a formula {i}" for i in range(SAMPLE)])
    X.to_shared_strings(m)
    X.add_calc_chain(m)
    X.write(path, m)


def data_rows(path: Path) -> tuple[list[int], int | None]:
    """The rows that hold accounts, and the Total Row's number (None without one)."""
    package = Package.open(path)
    info = package.table(Tables.ACCOUNTS.table)
    r1, _, r2, _ = info.bounds
    totals = int((re.search(r'totalsRowCount="(\d+)"', info.xml) or [0, 0])[1])
    return list(range(r1 + 1, r2 - totals + 1)), (r2 if totals else None)


def keys_by_row(path: Path) -> dict[int, int]:
    """Row -> the sample row it holds (from the Row Key column)."""
    ws = openpyxl.load_workbook(path, data_only=True)[Sheet.ACCOUNTS]
    headers = [c.value for c in ws[1]]
    key_col = headers.index(ROW_KEY) + 1
    rows, _ = data_rows(path)
    return {r: int(ws.cell(r, key_col).value[1:]) for r in rows}


@BOOK_SETTINGS
@given(steps=excel_sessions())
def test_a_book_edited_in_excel_is_tiered_account_for_account(tmp_path_factory: pytest.TempPathFactory,
                                                              sample_master: Path,
                                                              steps: list[tuple[str, object]]) -> None:
    path = tmp_path_factory.mktemp("excel") / "Book.xlsx"
    shutil.copy(sample_master, path)
    apply_session(path, steps)
    rows, total_row = data_rows(path)
    keys = keys_by_row(path)
    before = not_tierbooks(path)
    result = assign(path, stamp=STAMP1)
    after = not_tierbooks(path)
    assert after == before, "a cell or row attribute that is not Tierbook's changed"
    assert result.accounts == len(rows), "the Total Row (or a stray row) was tiered as an account"
    assert data_rows(path) == (rows, total_row), "the table's rows or its Total Row moved"
    package = Package.open(path)
    table_xml = package.table(Tables.ACCOUNTS.table).xml
    r1, c1, r2, c2 = package.table(Tables.ACCOUNTS.table).bounds
    for ref in re.findall(r'<(?:autoFilter|sortState|sortCondition)\b[^>]*?\sref="([^"]+)"', table_xml):
        a, b = ref.split(":")
        assert r1 <= int(re.sub(r"\D", "", a)) and int(re.sub(r"\D", "", b)) <= r2, f"{ref} outside the table"
    # The tier of each account is the one the engine gives the same accounts on their own.
    source = sample_accounts(SAMPLE, seed=5, defects=True)
    expected = run(source.iloc[[keys[r] for r in rows]].reset_index(drop=True), Settings())
    ws = openpyxl.load_workbook(path, data_only=True)[Sheet.ACCOUNTS]
    headers = [c.value for c in ws[1]]
    tier_col = headers.index(Col.TIER) + 1
    got = [ws.cell(r, tier_col).value for r in rows]
    assert got == list(expected.tiers.tier), "an account's tier differs from the engine's for the same accounts"
    if total_row:
        assert ws.cell(total_row, tier_col).value is None
    assert_second_run_changes_only_the_stamp(path)
    openpyxl.load_workbook(path)  # still a package a strict reader accepts


# ------------------------------------------------------------- re-import from the CRM
OVERRIDE_COLUMNS = (Col.TIER_OVERRIDE, Col.OVERRIDE_REASON, Col.OVERRIDE_BY, Col.OVERRIDE_SET_ON, Col.OVERRIDE_UNTIL)
AUDITED_ROWS = range(2, 9)
"""Rows of the audited book whose accounts carry an override with every audit column filled."""


@pytest.fixture(scope="module")
def audited_master(tmp_path_factory: pytest.TempPathFactory, sample_master: Path) -> Path:
    """The sample book with seven accounts pinned, each with who, when and until (and the rest blank)."""
    from .helpers import set_cells

    path = tmp_path_factory.mktemp("audited") / "Audited.xlsx"
    shutil.copy(sample_master, path)
    ws = openpyxl.load_workbook(path, data_only=True)[Sheet.ACCOUNTS]
    headers = [c.value for c in ws[1]]
    letter = {h: openpyxl.utils.get_column_letter(headers.index(h) + 1) for h in OVERRIDE_COLUMNS}
    values: dict[str, object] = {}
    for r in AUDITED_ROWS:
        for h, v in zip(OVERRIDE_COLUMNS, ("High-touch", f"Reference {r}", f"Owner {r}", f"2026-01-{r:02d}",
                                           f"2026-0{r % 9 + 1}-28")):
            values[f"{letter[h]}{r}"] = v
    set_cells(path, Sheet.ACCOUNTS, values)
    assign(path, stamp=STAMP1, backup=False)
    pinned = [v for v in override_cells(path).values() if v[0] == "High-touch" and v[2] and v[4]]
    assert len(pinned) >= 5, "the audited book lost its overrides before any import"
    return path


def override_cells(path: Path) -> dict[tuple[str, int], tuple[object, ...]]:
    """(Account ID, its k-th row) -> the override and audit cells, as a user reads them."""
    ws = openpyxl.load_workbook(path, data_only=True)[Sheet.ACCOUNTS]
    headers = [c.value for c in ws[1]]
    cols = [headers.index(h) for h in OVERRIDE_COLUMNS]
    id_col = headers.index(Col.ACCOUNT_ID)
    out: dict[tuple[str, int], tuple[object, ...]] = {}
    for r in ws.iter_rows(min_row=2, values_only=True):
        if r[id_col] is not None and str(r[id_col]).strip():
            key = str(r[id_col])
            out[(key, sum(1 for k, _ in out if k == key))] = tuple(r[c] for c in cols)
    return out


@st.composite
def reexports(draw: st.DrawFn, ids: list[str]) -> pd.DataFrame:
    """A CRM export of some of the book's accounts (any order) and some new ones, whose override and audit
    columns hold anything a CRM can send: blanks, other tiers, dates in any form, errors, long text."""
    from ..strategies import cells

    known = draw(st.lists(st.sampled_from(ids), unique=True, min_size=1, max_size=len(ids)))
    new = [f"NEW-{i}" for i in range(draw(st.integers(0, 3)))]
    rows = known + new
    n = len(rows)
    frame = pd.DataFrame({Col.ACCOUNT_ID: rows,
                          Col.ACCOUNT_NAME: [f"Account {i}" for i in range(n)],
                          Col.ARR: draw(st.lists(st.integers(1, 3_000).map(lambda k: k * 100), min_size=n,
                                                 max_size=n))}, dtype=object)
    for column in draw(st.lists(st.sampled_from(OVERRIDE_COLUMNS), unique=True, max_size=len(OVERRIDE_COLUMNS))):
        frame[column] = draw(st.lists(st.one_of(cells(300), st.sampled_from(("Tech-touch", "High-touch", ""))),
                                      min_size=n, max_size=n))
    return frame


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_reimport_never_removes_or_changes_an_override_or_its_audit_columns(
        tmp_path_factory: pytest.TempPathFactory, audited_master: Path, data: st.DataObject) -> None:
    from tierbook.tasks import import_crm

    folder = tmp_path_factory.mktemp("reimport")
    path = folder / "Book.xlsx"
    shutil.copy(audited_master, path)
    before = override_cells(path)
    export = data.draw(reexports(sorted({k for k, _ in before})))
    source = folder / "export.csv"
    export.to_csv(source, index=False, lineterminator="\r\n")  # as CRMs write it: a field with a CR or LF is quoted
    import_crm(source, path, mapping="tierbook")
    after = override_cells(path)
    assert {k: after.get(k) for k in before} == before
