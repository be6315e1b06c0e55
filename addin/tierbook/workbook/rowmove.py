"""Move a table's rows inside a worksheet, as Excel does when table rows are deleted.

The rows kept close up in order; every cell of the table's columns moves
with its row (formulas, values, styles), and every formula in the workbook
that pointed at a moved cell points at it again (:func:`.refs.rows_moved`).
A row's cells outside the table, and the row's own attributes (height,
hidden), stay where they are.

Moving is done row by row on the XML text: a row's table cells are one
piece of text that takes its new row number in one substitution; only
formula cells are taken apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .cells import area, col_number
from .package import Package, xml_unescape
from .refs import RowMove, refs, rows_moved, translated
from .sheetxml import iter_rows, split_sheet
from .structure import (
    CELL,
    F_ELEMENT,
    REF_ATTR,
    SHARED_INDEX,
    SPANS,
    Change,
    Group,
    cell_at,
    current_part,
    formula_cells,
    markup_formulas,
    plain_formula,
    readdressed,
    rewrite_other_parts,
    shared_groups,
    sheet_ranges,
    tables_rewritten,
    with_text,
)
from xml.sax.saxutils import escape

Position = tuple[int, int]
Plan = tuple[int, int, str] | None  # a shared formula kept shared: (first row, last row, text); None: cell by cell
_FIRST_COL = re.compile(r'<c\b[^>]*?\sr="([A-Z]+)')
_R_ATTR = re.compile(r'( r="[A-Z]+)\d+"')


def move_rows(package: Package, parts: dict[str, bytes | None], sheet: str, move: RowMove) -> str:
    """Move the cells of a table's rows as ``move`` says; returns the sheet's new XML (also in ``parts``)."""
    def change_on(host: str) -> Change:
        return lambda f: rows_moved(f, host, sheet, move)

    here = change_on(sheet)
    part = package.sheet_part(sheet)
    head, body, tail = split_sheet(current_part(package, parts, part))
    formulas = {pos: cell for pos, (_, _, cell) in formula_cells(body).items()}
    groups = shared_groups(formulas)

    def new_pos(pos: Position) -> Position | None:
        if move.first <= pos[0] <= move.last and move.c1 <= pos[1] <= move.c2:
            r = move.row(pos[0])
            return (r, pos[1]) if r else None
        return pos

    plans: dict[str, Plan] = {}
    for si, group in groups.items():
        if any(new_pos(p) != p for p in group.members):
            plans[si] = _reshare(group, move, new_pos)
        elif _touches(group, move):
            plans[si] = None

    def formula_cell(pos: Position, cell: str, target: Position) -> str:
        return _moved_formula(cell, pos, target, groups, plans, here)

    opens: dict[int, str] = {}
    staying: dict[int, tuple[str, str]] = {}  # a band row's cells left and right of the table
    table: dict[int, str] = {}  # new row -> its table cells
    for r, text in iter_rows(body):
        open_tag, content = _split_row(text)
        opens[r] = open_tag
        if not move.first <= r <= move.last:
            staying[r] = (_formulas_moved(content, r, r, formula_cell), "")
            continue
        before, cells, after = _split_cells(content, move.c1, move.c2)
        staying[r] = (before, after)
        target = move.row(r)
        if target and cells:
            table[target] = _segment_moved(cells, r, target, formula_cell)
    pieces = []
    for r in sorted(set(opens) | set(table)):
        before, after = staying.get(r, ("", ""))
        content = before + table.get(r, "") + after
        open_tag = opens.get(r, f'<row r="{r}">')
        if content:
            pieces.append(open_tag + content + "</row>")
        elif open_tag != f'<row r="{r}">':
            pieces.append(open_tag[:-1] + "/>")
    head = markup_formulas(head, here)
    tail = sheet_ranges(markup_formulas(tail, here), here, cells_too=False)
    new = head + "".join(pieces) + tail
    parts[part] = new.encode("utf-8")
    rewrite_other_parts(package, parts, sheet, change_on)
    tables_rewritten(package, parts, sheet, change_on, lambda f: f)
    return new


def _split_row(text: str) -> tuple[str, str]:
    """(the row's opening tag without spans, its cells)."""
    if text.endswith("/>") and "</row>" not in text:
        return SPANS.sub("", text[:-2].rstrip() + ">"), ""
    end = text.index(">")
    return SPANS.sub("", text[:end + 1]), text[end + 1:-len("</row>")]


def _split_cells(content: str, c1: int, c2: int) -> tuple[str, str, str]:
    """A row's cells left of, inside and right of columns c1..c2."""
    if not content:
        return "", "", ""
    first = _FIRST_COL.match(content)
    last = _FIRST_COL.match(content, content.rfind("<c "))
    if first and last and c1 <= col_number(first.group(1)) and col_number(last.group(1)) <= c2:
        return "", content, ""
    parts: list[list[str]] = [[], [], []]
    for m in CELL.finditer(content):
        c = cell_at(m.group(0))[1]
        parts[0 if c < c1 else 1 if c <= c2 else 2].append(m.group(0))
    return "".join(parts[0]), "".join(parts[1]), "".join(parts[2])


def _formulas_moved(cells: str, row: int, target: int,
                    formula_cell: Callable[[Position, str, Position], str]) -> str:
    """Cells with their formula cells rewritten (and moved to ``target``)."""
    if "<f" not in cells:
        return cells
    out, last = [], 0
    pos = cells.find("<f")
    while pos >= 0:
        start = cells.rfind("<c ", 0, pos)
        end = cells.find("</c>", pos) + 4
        cell = cells[start:end]
        r, c = cell_at(cell)
        out.append(cells[last:start])
        out.append(formula_cell((r, c), cell, (target, c)))
        last = end
        pos = cells.find("<f", end)
    out.append(cells[last:])
    return "".join(out)


def _segment_moved(cells: str, row: int, target: int,
                   formula_cell: Callable[[Position, str, Position], str]) -> str:
    """A row's table cells at their new row."""
    cells = _formulas_moved(cells, row, target, formula_cell)
    if target == row:
        return cells
    address = f'{target}"'
    return _R_ATTR.sub(lambda m: m.group(1) + address, cells)


def _moved_formula(cell: str, pos: Position, target: Position, groups: dict[str, Group],
                   plans: dict[str, Plan], here: Change) -> str:
    """One formula cell at its new place, its references following the moved cells."""
    m = F_ELEMENT.search(cell)
    assert m is not None
    si = SHARED_INDEX.search(m.group(1))
    group = groups.get(si.group(1)) if si else None
    if group is not None and group.si in plans:
        plan = plans[group.si]
        if plan is None:
            f = plain_formula(m.group(1), here(group.text_at(*pos)))
        elif target[0] == plan[0]:
            attrs = SHARED_INDEX.sub("", REF_ATTR.sub("", m.group(1)))
            f = f'<f{attrs} ref="{area(plan[0], target[1], plan[1], target[1])}" si="{group.si}">{escape(plan[2])}</f>'
        else:
            f = f'<f t="shared" si="{group.si}"/>'
    elif m.group(2) is not None and group is None:
        text = xml_unescape(m.group(2))
        changed = here(text)
        f = m.group(0) if changed == text else with_text(m, changed)
    else:
        f = m.group(0)  # a member of a shared formula that nothing moves
    new = cell[:m.start()] + f + cell[m.end():]
    return new if target == pos else readdressed(new, *target)


def _touches(group: Group, move: RowMove) -> bool:
    """Whether a shared formula may refer to cells that move (then it is written out cell by cell)."""
    return any(ref.sheet is None and ref.kind not in ("cols", "rows")
               and max(ref.c1, ref.c2) >= move.c1 and min(ref.c1, ref.c2) <= move.c2 for ref in refs(group.text))


def _reshare(group: Group, move: RowMove,
             new_pos: Callable[[tuple[int, int]], tuple[int, int] | None]) -> tuple[int, int, str] | None:
    """(first row, last row, text) of a shared formula that can stay shared after the move, or None.

    It can when its members fill one column of the moving rows from top to
    bottom, stay one block, and its text refers only to its own row of the
    moving columns and to cells that do not move: then each member's
    formula is the first remaining member's, copied down.
    """
    cols = {c for _, c in group.members}
    rows = sorted(r for r, _ in group.members)
    if len(cols) != 1 or rows[-1] - rows[0] + 1 != len(rows) or rows[0] != group.row:
        return None
    col = cols.pop()
    if not (move.c1 <= col <= move.c2 and move.first <= rows[0] and rows[-1] <= move.last):
        return None
    kept = [p[0] for p in (new_pos((r, col)) for r in rows) if p is not None]
    if not kept or kept[-1] - kept[0] + 1 != len(kept):
        return None
    for ref in refs(group.text):
        if ref.kind in ("cols", "rows"):
            continue
        if ref.sheet is not None:
            if not (ref.abs_r1 and ref.abs_r2):
                return None  # copied down it would shift; moved it would not
            continue
        own_row = ref.r1 == ref.r2 == group.row and not ref.abs_r1 and not ref.abs_r2
        if own_row and move.c1 <= min(ref.c1, ref.c2) and max(ref.c1, ref.c2) <= move.c2:
            continue
        fixed = ref.abs_r1 and ref.abs_r2 and all(new_pos((r, c)) == (r, c) for r in (ref.r1, ref.r2)
                                                 for c in (ref.c1, ref.c2))
        if not fixed:
            return None
    return kept[0], kept[-1], translated(group.text, kept[0] - group.row, 0)


__all__ = ["move_rows"]
