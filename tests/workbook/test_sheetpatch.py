"""The sheet patch reads a sheet as pieces, as it is inflated: where the pieces are cut never changes what it writes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tierbook.workbook.cells import col_letter
from tierbook.workbook.sheetpatch import RowBlock, patch_pieces, select_rows
from tierbook.workbook.sheetxml import iter_rows, read_rows

HEAD = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:E9"/><sheetData>')
TAIL = '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75"/></worksheet>'


def cell(c: int, r: int, value: int) -> str:
    return f'<c r="{col_letter(c)}{r}"><v>{value}</v></c>'


@st.composite
def sheets(draw: st.DrawFn) -> str:
    """A sheet of up to 12 rows over columns A..F, some rows and cells left out."""
    rows = draw(st.lists(st.integers(1, 12), unique=True, max_size=10))
    body = []
    for r in sorted(rows):
        cols = draw(st.lists(st.integers(1, 6), unique=True, max_size=6))
        body.append(f'<row r="{r}">' + "".join(cell(c, r, r * 10 + c) for c in sorted(cols)) + "</row>")
    return HEAD + "".join(body) + TAIL


@st.composite
def cuts(draw: st.DrawFn, text: str) -> list[str]:
    points = sorted(draw(st.lists(st.integers(1, max(1, len(text) - 1)), unique=True, max_size=20)))
    return [text[a:b] for a, b in zip([0, *points], [*points, len(text)]) if a < b]


@st.composite
def cell_edits(draw: st.DrawFn) -> dict[int, dict[int, str | None]]:
    """A few cells set or emptied over rows 1..14 (some beyond the sheet's rows)."""
    edits = draw(st.dictionaries(st.integers(1, 14), st.dictionaries(
        st.integers(1, 6), st.one_of(st.none(), st.integers(0, 99)), max_size=3), max_size=4))
    return {r: {c: (cell(c, r, v + 1000) if v is not None else None) for c, v in row.items()}
            for r, row in edits.items()}


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_where_the_sheet_is_cut_into_pieces_never_changes_the_patched_sheet(data: st.DataObject) -> None:
    xml = data.draw(sheets())
    edits = data.draw(cell_edits())
    first, count = data.draw(st.integers(1, 12)), data.draw(st.integers(0, 5))
    columns = [4, 5]

    def build(start: int, stop: int) -> list[str]:
        return ["".join(cell(c, first + i, 2000 + i) for c in columns) for i in range(start, stop)]

    def block() -> RowBlock:
        return RowBlock(first, count, columns, build, batch=2)

    whole = "".join(patch_pieces([xml], edits, block()))
    pieces = data.draw(cuts(xml))
    assert "".join(patch_pieces(pieces, edits, block())) == whole
    written = read_rows(whole, range(1, 20))
    for r in range(first, first + count):  # the block's cells are there, each once
        assert written[r][4] == cell(4, r, 2000 + r - first) and written[r][5] == cell(5, r, 2000 + r - first)


def test_looking_at_a_blocks_first_and_last_rows_builds_those_rows_alone_and_the_patch_builds_each_batch_once() -> None:
    built: list[tuple[int, int]] = []

    def build(start: int, stop: int) -> list[str]:
        built.append((start, stop))
        return [cell(4, 2 + i, i) for i in range(start, stop)]

    block = RowBlock(2, 10, [4], build, batch=4)
    assert block.cells(2) == {4: cell(4, 2, 0)} and block.cells(11) == {4: cell(4, 11, 9)}
    assert built == [(0, 1), (9, 10)]
    xml = HEAD + "".join(f'<row r="{r}">{cell(1, r, r)}</row>' for r in range(1, 12)) + TAIL
    written = read_rows("".join(patch_pieces([xml], {}, block)), range(1, 12))
    assert built[2:] == [(0, 4), (4, 8), (8, 10)]
    assert [written[r][4] for r in range(2, 12)] == [cell(4, r, r - 2) for r in range(2, 12)]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_the_rows_cut_out_of_a_sheet_are_its_wanted_rows_and_those_holding_the_text_however_it_is_cut(
        data: st.DataObject) -> None:
    present = sorted(data.draw(st.sets(st.integers(1, 400), max_size=150)))
    marked = data.draw(st.sets(st.sampled_from(present), max_size=5)) if present else set()
    body = "".join(f'<row r="{r}">{cell(1, r, r)}' + ('<c r="B{0}"><f t="shared" ref="B{0}:B9" si="0"/></c>'.format(r)
                   if r in marked else "") + "</row>" for r in present)
    xml = HEAD + body + TAIL
    wanted = data.draw(st.sets(st.integers(1, 420), max_size=200))  # above and below FEW_ROWS, some not in the sheet
    expected = {r: text for r, text in iter_rows(body) if r in wanted or r in marked}
    got = select_rows(data.draw(cuts(xml)), wanted, ' ref="')
    assert dict(iter_rows(got.removeprefix("<sheetData>").removesuffix("</sheetData>"))) == expected


@st.composite
def worn_sheets(draw: st.DrawFn) -> str:
    """A sheet as other programs leave it: rows with spans and heights, empty rows, styled and empty cells."""
    body = []
    for r in sorted(draw(st.lists(st.integers(1, 12), unique=True, max_size=10))):
        attrs = draw(st.sampled_from(["", ' spans="1:6"', ' ht="15" customHeight="1"']))
        cols = draw(st.lists(st.integers(1, 6), unique=True, max_size=6))
        cells = "".join(draw(st.sampled_from([cell(c, r, r * 10 + c), f'<c r="{col_letter(c)}{r}" s="3"/>']))
                        for c in sorted(cols))
        body.append(f'<row r="{r}"{attrs}>{cells}</row>' if cells or not attrs else f'<row r="{r}"{attrs}/>')
    return HEAD + "".join(body) + TAIL


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_patch_applied_to_what_it_wrote_gives_it_back(data: st.DataObject) -> None:
    """Why a re-run may copy a sheet its patch wrote (the record in :mod:`tierbook.workbook.patchkey`)."""
    xml = data.draw(worn_sheets())
    edits = data.draw(cell_edits())
    first, count = data.draw(st.integers(1, 14)), data.draw(st.integers(0, 5))
    kinds = data.draw(st.lists(st.sampled_from(["value", "styled", "none"]), min_size=count, max_size=count))
    columns = [4, 5]

    def build(start: int, stop: int) -> list[str]:
        return ["".join(cell(c, first + i, 2000 + i) if kinds[i] == "value" else
                        f'<c r="{col_letter(c)}{first + i}" s="4"/>' if kinds[i] == "styled" else ""
                        for c in columns) for i in range(start, stop)]

    once = "".join(patch_pieces([xml], edits, RowBlock(first, count, columns, build, batch=2)))
    twice = "".join(patch_pieces(data.draw(cuts(once)), edits, RowBlock(first, count, columns, build, batch=2)))
    assert twice == once
