"""The plan of a run: made once, written as planned, and a dry run that reads the book and writes nothing."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tierbook.columns import NEEDS_DATA, Col, HistoryCol
from tierbook.engine.history import Change
from tierbook.workbook.assign import assign
from tierbook.workbook.edit import set_settings
from tierbook.workbook.layout import ARR_USED, RUN_STAMP_CELLS, Quadrants, SegmentGridCol, Sheet, Tables
from tierbook.workbook.package import Package, save_package
from tierbook.workbook.plan import RUN_SHEETS, plan_refresh, standing_run
from tierbook.workbook.printing import RUN_LABEL, UNSTAMPED
from tierbook.workbook.read import read_book

from .helpers import members

STAMP = "2026-03-01 08:00:00"


def history_rows(path: Path, stamp: str) -> list[dict[str, object]]:
    """The Tier History rows one run logged, by heading."""
    ws = openpyxl.load_workbook(path, data_only=True)[Sheet.HISTORY]
    header = [c.value for c in ws[Tables.HISTORY.row]]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=Tables.HISTORY.row + 1, values_only=True)]
    return [r for r in rows if r.get(HistoryCol.RUN) == stamp]


def moves_in(rows: list[dict[str, object]], tiers: tuple[str, ...]) -> dict[str, int]:
    """How the logged rows moved, read from their Old and New Tier as a user would."""
    order = {t: i for i, t in enumerate(tiers)}
    counts = {Change.UP: 0, Change.DOWN: 0, Change.TO_NEEDS_DATA: 0, Change.FROM_NEEDS_DATA: 0}
    for r in rows:
        old, new = r[HistoryCol.OLD_TIER], r[HistoryCol.NEW_TIER]
        if new == NEEDS_DATA:
            counts[Change.TO_NEEDS_DATA] += 1
        elif old == NEEDS_DATA:
            counts[Change.FROM_NEEDS_DATA] += 1
        else:
            counts[Change.UP if order[new] < order[old] else Change.DOWN] += 1
    return counts


def test_a_dry_run_writes_nothing_and_plans_the_changes_the_run_then_logs(book: Path) -> None:
    set_settings(book, ["policy=score"])
    files_before, parts_before = sorted(p.name for p in book.parent.iterdir()), members(book)
    dry = assign(book, stamp=STAMP, dry_run=True)
    assert members(book) == parts_before and sorted(p.name for p in book.parent.iterdir()) == files_before
    assert not dry.written and dry.backup is None

    done = assign(book, stamp=STAMP, backup=False)
    logged = history_rows(book, STAMP)
    assert dry.changes == done.changes == len(logged) > 0
    tiers = done.run.settings.tier_names
    planned = {k: dry.plan.moves[k] for k in (Change.UP, Change.DOWN, Change.TO_NEEDS_DATA, Change.FROM_NEEDS_DATA)}
    assert planned == moves_in(logged, tiers)
    assert dry.plan.needs_data == int((done.run.tiers.tier == NEEDS_DATA).sum())


def test_the_tiers_written_are_the_tiers_planned_row_for_row(book: Path) -> None:
    set_settings(book, ["policy=arr-share"])
    dry = assign(book, stamp=STAMP, dry_run=True)
    planned = dry.plan.table(Tables.ACCOUNTS)
    assert planned is not None and planned.rows == 150
    assign(book, stamp=STAMP, backup=False)
    ws = openpyxl.load_workbook(book, data_only=True)[Sheet.ACCOUNTS]
    header = [c.value for c in ws[1]]
    tier_col, id_col = header.index(Col.TIER) + 1, header.index(Col.ACCOUNT_ID) + 1
    written = [ws.cell(r, tier_col).value for r in range(2, 152)]
    assert written == list(planned.columns[Col.TIER])
    # A named account: the one the run put in the first row holds the tier the plan gave it.
    assert (ws.cell(2, id_col).value, written[0]) == (dry.run.accounts.frame[Col.ACCOUNT_ID].iloc[0],
                                                      planned.columns[Col.TIER][0])


def test_a_dry_run_names_every_table_it_would_write_and_the_history_rows_it_would_add(book: Path) -> None:
    set_settings(book, ["policy=score"])
    assign(book, stamp="2026-02-01 08:00:00", backup=False)
    ws = openpyxl.load_workbook(book, data_only=True)[Sheet.HISTORY]
    there = sum(1 for r in ws.iter_rows(min_row=Tables.HISTORY.row + 1, values_only=True) if any(r))
    set_settings(book, ["policy=arr-accounts"])
    dry = assign(book, stamp=STAMP, dry_run=True)
    text = dry.plan.describe()
    assert text.startswith(f"150 accounts tiered; {dry.changes:,} tier changes: "
                           f"{dry.plan.moves[Change.UP]:,} up, {dry.plan.moves[Change.DOWN]:,} down")
    assert f"{Sheet.HISTORY} sheet, table {Tables.HISTORY.table}: {dry.changes:,} rows added after the {there:,} there" \
        in text
    for place in (Tables.ACCOUNTS, Tables.DATA_QUALITY, Tables.CAPACITY, Tables.SUMMARY, Tables.RUN):
        assert f"{place.sheet} sheet, table {place.table}: " in text


def footer_of(package: Package, sheet: str) -> str:
    """The printed footer of a sheet, as its XML holds it."""
    xml = package.text(package.sheet_part(sheet))
    return xml[xml.index("<oddFooter>"): xml.index("</oddFooter>")]


def test_the_footers_point_to_start_and_the_title_rows_name_the_run_on_every_printed_page(book: Path) -> None:
    assign(book, stamp=STAMP, backup=False)
    package = Package.open(book)
    for sheet in package.sheets:
        assert (RUN_LABEL + UNSTAMPED in footer_of(package, sheet)) == (sheet in RUN_SHEETS), sheet
        assert STAMP not in footer_of(package, sheet), sheet  # a run from Excel could not update it
    wb = openpyxl.load_workbook(book, data_only=True)
    named = {sheet: wb[sheet].cell(r, c).value for sheet, r, c in RUN_STAMP_CELLS}
    assert named == {sheet: f"{RUN_LABEL}{STAMP} UTC" for sheet in (Sheet.SUMMARY, Sheet.CAPACITY,
                                                                       Sheet.DATA_QUALITY, Sheet.HISTORY)}
    formulas = openpyxl.load_workbook(book)
    assert all("Start!$B$25" in formulas[sheet].cell(r, c).value for sheet, r, c in RUN_STAMP_CELLS)
    dry = assign(book, stamp="2026-11-25 10:00:00", dry_run=True)
    assert dry.plan.footer is not None and dry.plan.footer.stamp == UNSTAMPED


def test_a_footer_an_earlier_version_stamped_points_to_start_again(book: Path) -> None:
    from tierbook.workbook.printing import with_run_stamp

    package = Package.open(book)
    part = package.sheet_part(Sheet.SUMMARY)
    stamped = with_run_stamp(package.text(part), "2025-01-01 00:00:00")
    save_package(package, {part: stamped.encode()}, book, backup=False)
    assign(book, stamp=STAMP, backup=False)
    assert RUN_LABEL + UNSTAMPED in footer_of(Package.open(book), Sheet.SUMMARY)


def test_a_settings_refresh_plans_no_footer_and_the_title_rows_keep_the_last_run(book: Path) -> None:
    assign(book, stamp=STAMP, backup=False)
    read = read_book(Package.open(book))
    plan = plan_refresh(read, standing_run(read))
    assert plan.footer is None
    set_settings(book, ["margin_pct=0.4"])
    sheet, r, c = RUN_STAMP_CELLS[0]
    assert openpyxl.load_workbook(book, data_only=True)[sheet].cell(r, c).value == f"{RUN_LABEL}{STAMP} UTC"


def test_the_segment_picture_shows_each_segments_accounts_and_arr_as_the_accounts_sheet_counts_them(book: Path) -> None:
    assign(book, stamp=STAMP, backup=False)
    wb = openpyxl.load_workbook(book, data_only=True)
    accounts = wb[Sheet.ACCOUNTS]
    header = [c.value for c in accounts[Tables.ACCOUNTS.row]]
    rows = [dict(zip(header, r)) for r in accounts.iter_rows(min_row=Tables.ACCOUNTS.row + 1, values_only=True)
            if r[0] is not None]
    segments = wb[Sheet.SEGMENTS]
    grid = Tables.SEGMENT_GRID
    name_col = grid.col + SegmentGridCol.ALL.index(SegmentGridCol.SEGMENT)
    for i, (size, contract) in enumerate(Quadrants.GRID_ORDER):
        segment = segments.cell(grid.row + 1 + i, name_col).value
        r, c = Quadrants.cell(size, contract)
        mine = [row for row in rows if row[Col.SEGMENT] == segment]
        assert segments.cell(r, c).value == segment
        assert segments.cell(r + 1, c).value == len(mine) > 0, segment
        assert segments.cell(r + 2, c).value == pytest.approx(sum(row[ARR_USED] or 0 for row in mine), abs=0.005)
def test_check_data_lists_a_renamed_service_in_both_tables_rows_beside_the_policy_findings(book: Path) -> None:
    from tierbook.columns import Problem, ProblemCol, ServiceCol
    from tierbook.workbook.cells import ref
    from tierbook.workbook.formulas import SERVICE_COLUMNS
    from tierbook.workbook.package import Package
    from tierbook.workbook.plan import plan_check
    from tierbook.workbook.read import read_book

    from .helpers import set_cells

    first = Tables.SERVICES.row + 1  # Executive Sponsorship: first row of Services and of Matrix
    set_cells(book, Sheet.SERVICES, {ref(first, Tables.SERVICES.col + SERVICE_COLUMNS.index(ServiceCol.SERVICE)):
                                     "Executive Sponsor Programme"})
    set_cells(book, Sheet.RULES, {ref(Tables.RULES.row + 2, Tables.RULES.col + 2): "Enterprize"})
    set_settings(book, ["policy=rules"])
    plan = plan_check(read_book(Package.open(book)))
    quality = plan.table(Tables.DATA_QUALITY)
    assert quality is not None
    rows = list(zip(quality.columns[ProblemCol.ROW], quality.columns[ProblemCol.VALUE],
                    quality.columns[ProblemCol.PROBLEM]))
    assert (first, "Executive Sponsorship", Problem.SERVICE_NOT_IN_CATALOG) in rows
    assert (first, "Executive Sponsor Programme", Problem.SERVICE_NOT_IN_MATRIX) in rows
    assert Problem.RULE_NEVER_MATCHES in quality.columns[ProblemCol.PROBLEM]
    errors = sum(1 for s in quality.columns[ProblemCol.SEVERITY] if s == "error")
    assert f"checked: {len(rows):,} problems, {errors:,} of them errors." in plan.message
    assert "rule can never match" in plan.message


def test_assign_records_the_inputs_it_read_and_a_settings_refresh_leaves_them(book: Path) -> None:
    from tierbook.workbook.fingerprint import last_run_values_now
    from tierbook.workbook.layout import InputCol
    from tierbook.workbook.package import Package
    from tierbook.workbook.plan import geometry, plan_assign, plan_refresh, run_book, standing_run
    from tierbook.workbook.read import read_book

    set_settings(book, ["policy=score"])
    wb = read_book(Package.open(book))
    assigned = plan_assign(wb, run_book(wb), STAMP).table(Tables.RUN_INPUTS)
    assert assigned is not None and not assigned.fit
    assert list(assigned.columns[InputCol.LAST_RUN]) == last_run_values_now(wb, geometry(wb))
    standing = standing_run(wb)
    assert standing is not None
    assert plan_refresh(wb, standing).table(Tables.RUN_INPUTS) is None
