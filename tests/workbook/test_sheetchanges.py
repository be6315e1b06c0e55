"""A sheet's changes are gathered step by step and written in one pass: the same sheet as patching step after step."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tierbook.workbook.assign import assign
from tierbook.columns import Col
from tierbook.workbook.cells import col_letter
from tierbook.workbook.layout import Sheet, Tables
from tierbook.workbook.package import Package
from tierbook.workbook.plan import plan_assign, run_book
from tierbook.workbook.plantypes import column_of
from tierbook.workbook.printing import stamped_pieces, with_run_stamp
from tierbook.workbook.read import read_book
from tierbook.workbook.sheetchanges import SheetChanges
from tierbook.workbook.sheetpatch import RowBlock, patch_rows
from tierbook.workbook.sheetxml import read_rows
from tierbook.workbook.xmlwriter import plan_parts
from tierbook.workbook.zipio import Streamed

from .helpers import set_cells
from .test_sheetpatch import HEAD, TAIL, cell, cuts, sheets

FOOTER = ('<headerFooter><oddFooter>&amp;L&amp;8&amp;A&amp;C&amp;8Assign Tiers run: 2026-11-30 09:00'
          '&amp;R&amp;8Page &amp;P of &amp;N</oddFooter></headerFooter>')


@st.composite
def steps(draw: st.DrawFn) -> list[tuple[dict[int, dict[int, str | None]], tuple[int, int, int] | None]]:
    """One to three steps, each some cell edits over rows 1..14 and perhaps a block of rows in columns D:E."""
    out = []
    for k in range(draw(st.integers(1, 3))):
        raw = draw(st.dictionaries(st.integers(1, 14), st.dictionaries(
            st.integers(1, 6), st.one_of(st.none(), st.integers(0, 99)), max_size=3), max_size=4))
        edits = {r: {c: (cell(c, r, 1000 * (k + 1) + v) if v is not None else None) for c, v in row.items()}
                 for r, row in raw.items()}
        block = draw(st.none() | st.tuples(st.integers(1, 12), st.integers(0, 5), st.just(k)))
        out.append((edits, block))
    return out


def cells(xml: str) -> dict[int, dict[int, str]]:
    """Every cell by row and column (a row left with no cells is no row to a spreadsheet: not counted)."""
    return {r: row for r, row in read_rows(xml, range(1, 20)).items() if row}


def row_block(first: int, count: int, k: int) -> RowBlock:
    def build(start: int, stop: int) -> list[str]:
        return ["".join(cell(c, first + i, 5000 * (k + 1) + i) for c in (4, 5)) for i in range(start, stop)]

    return RowBlock(first, count, [4, 5], build, batch=2)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_changes_gathered_and_written_once_give_the_sheet_that_patching_step_after_step_gives(
        data: st.DataObject) -> None:
    xml = data.draw(sheets()).replace(TAIL, "</sheetData>" + FOOTER + "</worksheet>")
    plan = data.draw(steps())
    stepwise = xml
    for edits, block in plan:
        stepwise = patch_rows(stepwise, edits, row_block(*block) if block else None)
    pieces = data.draw(cuts(xml))
    sheet = SheetChanges(lambda: iter(pieces), len(xml), range(1, 20))
    for edits, block in plan:
        sheet.add(edits, row_block(*block) if block else None)
    sheet.stamp = "see Start"
    once = sheet.text()
    assert cells(once) == cells(stepwise)
    assert cells(sheet.view) == cells(stepwise)  # what a later step would read
    assert once.endswith(with_run_stamp("</sheetData>" + FOOTER + "</worksheet>", "see Start"))


def test_a_step_reads_the_cells_an_earlier_step_wrote_into_the_rows_it_declared() -> None:
    xml = HEAD + '<row r="3">' + cell(1, 3, 7) + "</row>" + TAIL
    sheet = SheetChanges.of_text(xml, {3, 4})
    sheet.add({3: {2: cell(2, 3, 8)}, 4: {1: cell(1, 4, 9)}})
    assert read_rows(sheet.view, [3, 4]) == {3: {1: cell(1, 3, 7), 2: cell(2, 3, 8)}, 4: {1: cell(1, 4, 9)}}


def test_a_later_cell_in_an_earlier_blocks_rows_wins() -> None:
    sheet = SheetChanges.of_text(HEAD + TAIL, {2})
    sheet.add({}, row_block(1, 3, 0))
    sheet.add({2: {4: cell(4, 2, 1)}})
    written = read_rows(sheet.text(), [1, 2, 3])
    assert written[2][4] == cell(4, 2, 1) and written[2][5] == cell(5, 2, 5001)
    assert written[1][4] == cell(4, 1, 5000) and written[3][5] == cell(5, 3, 5002)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_where_a_sheet_is_cut_never_changes_its_stamped_footer(data: st.DataObject) -> None:
    xml = data.draw(sheets()).replace(TAIL, "</sheetData>" + FOOTER + "</worksheet>")
    assert "".join(stamped_pieces(data.draw(cuts(xml)), "see Start")) == with_run_stamp(xml, "see Start")


def test_assign_streams_a_big_accounts_sheet_and_never_inflates_it_whole(big_book: Path) -> None:
    package = Package.open(big_book)
    info = package.table(Tables.ACCOUNTS.table, Tables.ACCOUNTS.sheet)
    part, first, last = package.sheet_part(Sheet.ACCOUNTS), info.bounds[0] + 1, info.last_data_row
    arr = col_letter(column_of(info, Col.ARR))
    set_cells(big_book, Sheet.ACCOUNTS, {f"{arr}{first}": 1, f"{arr}{last}": 900_000_000})
    package = Package.open(big_book)
    book = read_book(package)
    parts = plan_parts(plan_assign(book, run_book(book), "2026-12-01 10:00"), package)
    assert isinstance(parts[part], Streamed) and not package.data.loaded(part)
    assign(big_book, stamp="2026-12-01 10:00")
    after = Package.open(big_book)
    tiers = read_book(after).old_tier
    assert not after.data.loaded(part)
    assert len(tiers) == last - first + 1 == 20_000
    assert (tiers[0], tiers[-1]) == (book.settings.tier_names[-1], book.settings.tier_names[0])


def test_the_rows_cut_out_while_a_big_accounts_sheet_is_parsed_serve_the_writer_without_another_pass(
        big_book: Path) -> None:
    package = Package.open(big_book)
    book = read_book(package)  # the Accounts sheet is parsed on a thread; the rows its writer reads are cut meanwhile
    result = run_book(book)
    plan = plan_assign(book, result, "2026-12-02 09:00")
    part, whole = package.sheet_part(Sheet.ACCOUNTS), package.pieces

    def no_second_pass(name: str):  # type: ignore[no-untyped-def]
        assert name != part, "the Accounts sheet was read again before it is written"
        return whole(name)

    package.pieces = no_second_pass  # type: ignore[method-assign]
    parts = plan_parts(plan, package)  # the big sheet's new content is made as the zip is written: not yet read
    package.pieces = whole  # type: ignore[method-assign]
    written = b"".join(parts[part].pieces()).decode("utf-8")  # type: ignore[union-attr]
    last = book.first_row + book.n_accounts - 1
    rows = read_rows(written, [book.first_row, last])
    tier = column_of(package.table(Tables.ACCOUNTS.table), Col.TIER)
    assert f"<t>{result.tiers.tier.iloc[0]}</t>" in rows[book.first_row][tier]
    assert f"<t>{result.tiers.tier.iloc[-1]}</t>" in rows[last][tier]
