"""Structural edits of a workbook file: insert columns into a sheet (moving rows: :mod:`.rowmove`).

What Excel does when a user inserts columns or deletes table rows, done on
the file: the cells move, and every formula, range, validation, chart series
and table that pointed at a moved cell points at it again (:mod:`.refs`
rewrites the references). Cells and parts that hold no reference to what
moved come out byte for byte.

A shared formula (one text, filled down, stored once) stays shared when its
members move together: a formula that refers only to its own row, and to
fixed cells elsewhere, is the same formula on its new row. Any other shared
formula whose cells move is written out cell by cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from .cells import col_letter, col_number, split_area
from .package import Package, attr, xml_unescape
from .refs import columns_inserted, range_list, translated
from .sheetxml import split_sheet

CELL = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)
CELL_ADDRESS = re.compile(r'(<c\b[^>]*?\sr=")([A-Z]+)(\d+)(")')
F_ELEMENT = re.compile(r"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)
SHARED_INDEX = re.compile(r'\ssi="(\d+)"')
_T = re.compile(r'\st="[^"]*"')
REF_ATTR = re.compile(r'\sref="[^"]*"')
SPANS = re.compile(r'\sspans="[^"]*"')
_ATTR_RANGES = re.compile(r'(\s(?:ref|sqref)=")([^"]*)(")')
_ATTR_CELLS = re.compile(r'(\s(?:activeCell|topLeftCell)=")([^"]*)(")')
_FORMULA_TEXT = re.compile(r"(<(?:formula|formula1|formula2|xm:f)>)(.*?)(</(?:formula|formula1|formula2|xm:f)>)", re.S)
_XM_SQREF = re.compile(r"(<xm:sqref>)(.*?)(</xm:sqref>)", re.S)
_COL = re.compile(r"<col\b[^>]*/>")
_F_WITH_TEXT = re.compile(r"<f\b([^>]*?)(?<!/)>(.*?)</f>", re.S)  # a formula element with its text (not a shared member)
_MASTER = re.compile(r'<f\b[^>]*\sref="[^"]*"[^>]*>')

Change = Callable[[str], str]


# ------------------------------------------------------------------ cells
def cell_at(cell: str) -> tuple[int, int]:
    """(row, column) of a cell's XML."""
    m = CELL_ADDRESS.match(cell)
    if m is None:
        raise ValueError("a cell without its r= address; save the workbook in Excel or LibreOffice once")
    return int(m.group(3)), col_number(m.group(2))


def readdressed(cell: str, row: int, col: int) -> str:
    """The cell's XML at another address."""
    return CELL_ADDRESS.sub(lambda m: f"{m.group(1)}{col_letter(col)}{row}{m.group(4)}", cell, count=1)


def plain_formula(attrs: str, text: str) -> str:
    """A <f> element of its own (no longer a shared member) with ``text``."""
    kept = SHARED_INDEX.sub("", REF_ATTR.sub("", _T.sub("", attrs)))
    return f"<f{kept}>{escape(text)}</f>"


def with_text(m: re.Match[str], text: str) -> str:
    return f"<f{m.group(1)}>{escape(text)}</f>"


@dataclass
class Group:
    """A shared formula: its first cell's text and where its members are."""

    si: str
    row: int = 0
    col: int = 0
    text: str = ""
    attrs: str = ""
    members: list[tuple[int, int]] = field(default_factory=list)

    def text_at(self, row: int, col: int) -> str:
        return translated(self.text, row - self.row, col - self.col)


def shared_groups(cells: dict[tuple[int, int], str]) -> dict[str, Group]:
    """The shared formulas among some cells (position -> XML), by group number."""
    groups: dict[str, Group] = {}
    for pos, cell in cells.items():
        if 't="shared"' not in cell:
            continue
        m = F_ELEMENT.search(cell)
        si = SHARED_INDEX.search(m.group(1)) if m else None
        if m is None or si is None:
            continue
        group = groups.setdefault(si.group(1), Group(si.group(1)))
        group.members.append(pos)
        if m.group(2) is not None and ' ref="' in m.group(1):
            group.row, group.col = pos
            group.text, group.attrs = xml_unescape(m.group(2)), m.group(1)
    return {si: g for si, g in groups.items() if g.row}


def formula_text(cell: str) -> tuple[re.Match[str] | None, str | None]:
    m = F_ELEMENT.search(cell)
    if m is None or m.group(2) is None:
        return m, None
    return m, xml_unescape(m.group(2))


# ----------------------------------------------------- every formula of a part
def formula_cells(body: str) -> dict[tuple[int, int], tuple[int, int, str]]:
    """Every cell of a sheetData body that holds a formula: position -> (start, end, XML)."""
    out = {}
    pos = body.find("<f")
    while pos >= 0:
        start = body.rfind("<c ", 0, pos)
        end = body.find("</c>", pos) + 4
        cell = body[start:end]
        out[cell_at(cell)] = (start, end, cell)
        pos = body.find("<f", end)
    return out


def rewrite_sheet_formulas(xml: str, change: Change, mentions: str | None = None) -> str:
    """A sheet with ``change`` applied to every formula (cells, validations, conditional formats).

    A shared formula that ``change`` alters is written out cell by cell.
    ``mentions``: skip the work when the part does not contain this text.
    """
    if (mentions is not None and mentions.casefold() not in xml.casefold()) or "<f" not in xml:
        return xml
    head, body, tail = split_sheet(xml)
    found = formula_cells(body)
    cells = {pos: cell for pos, (_, _, cell) in found.items()}
    groups = shared_groups(cells)
    expand = {si for si, g in groups.items() if change(g.text) != g.text}
    pieces, last = [], 0
    for pos, (start, end, cell) in found.items():
        m, text = formula_text(cell)
        if m is None:
            continue
        si = SHARED_INDEX.search(m.group(1))
        if si and si.group(1) in expand:
            new = plain_formula(m.group(1), change(groups[si.group(1)].text_at(*pos)))
        elif text is None or (si and si.group(1) in groups):
            continue
        else:
            changed = change(text)
            if changed == text:
                continue
            new = with_text(m, changed)
        pieces += [body[last:start], cell[:m.start()] + new + cell[m.end():]]
        last = end
    if pieces:
        body = "".join(pieces) + body[last:]
    return markup_formulas(head, change) + body + markup_formulas(tail, change)


def markup_formulas(markup: str, change: Change) -> str:
    """Formulas of validations and conditional formats outside sheetData."""
    if "formula" not in markup and "xm:f" not in markup:
        return markup
    return _FORMULA_TEXT.sub(lambda m: m.group(1) + escape(change(xml_unescape(m.group(2)))) + m.group(3), markup)


def sheet_ranges(markup: str, change: Change, cells_too: bool) -> str:
    """ref= and sqref= ranges (and active/top-left cells) of a sheet's markup; a range that would vanish is kept."""
    def one(m: re.Match[str]) -> str:
        new = range_list(m.group(2), change)
        return m.group(1) + (new or m.group(2)) + m.group(3)

    markup = _ATTR_RANGES.sub(one, markup)
    markup = _XM_SQREF.sub(one, markup)
    if cells_too:
        markup = _ATTR_CELLS.sub(one, markup)
    return markup


def rewrite_other_parts(package: Package, parts: dict[str, bytes | None], sheet: str,
                        change_on: Callable[[str], Change]) -> None:
    """Formulas on every other sheet, defined names and chart series that refer to ``sheet``.

    ``change_on(host)`` is the rewrite for formulas that sit on sheet ``host``
    ("" for defined names and charts, whose references always name a sheet).
    """
    own = package.sheet_part(sheet)
    for name, part in package.sheets.items():
        if part == own:
            continue
        xml = current_part(package, parts, part)
        new = rewrite_sheet_formulas(xml, change_on(name), mentions=sheet)
        if new != xml:
            parts[part] = new.encode("utf-8")
    workbook = current_part(package, parts, package.workbook_part)
    if sheet.casefold() in workbook.casefold():
        names = re.sub(r"(<definedName\b[^>]*>)(.*?)(</definedName>)",
                       lambda m: m.group(1) + escape(change_on("")(xml_unescape(m.group(2)))) + m.group(3),
                       workbook, flags=re.S)
        if names != workbook:
            parts[package.workbook_part] = names.encode("utf-8")
    for part in package.data:
        if part.startswith("xl/charts/") and part.endswith(".xml"):
            xml = current_part(package, parts, part)
            if sheet.casefold() not in xml.casefold():
                continue
            new = re.sub(r"(<c:f>)(.*?)(</c:f>)",
                         lambda m: m.group(1) + escape(change_on("")(xml_unescape(m.group(2)))) + m.group(3), xml, flags=re.S)
            if new != xml:
                parts[part] = new.encode("utf-8")


def current_part(package: Package, parts: dict[str, bytes | None], part: str) -> str:
    content = parts.get(part)
    return content.decode("utf-8") if content is not None else package.text(part)


def tables_rewritten(package: Package, parts: dict[str, bytes | None], sheet: str, change_on: Callable[[str], Change],
                     ranges: Change) -> None:
    """Every table's formulas (calculated columns) and, for tables on ``sheet``, their ranges."""
    for info in package.tables.values():
        xml = current_part(package, parts, info.part)
        new = re.sub(r"(<(?:calculatedColumnFormula|totalsRowFormula)\b[^>]*>)(.*?)(</(?:calculatedColumnFormula|totalsRowFormula)>)",
                     lambda m: m.group(1) + escape(change_on(info.sheet)(xml_unescape(m.group(2)))) + m.group(3),
                     xml, flags=re.S)
        if info.sheet == sheet:
            new = _ATTR_RANGES.sub(lambda m: m.group(1) + (range_list(m.group(2), ranges) or m.group(2)) + m.group(3), new)
        if new != xml:
            parts[info.part] = new.encode("utf-8")


# ------------------------------------------------------------ insert columns
def insert_columns(package: Package, parts: dict[str, bytes | None], sheet: str, at: int, count: int) -> str:
    """Insert ``count`` empty columns before column ``at`` of ``sheet``, as Excel's Insert Columns does.

    Returns the sheet's new XML (also stored in ``parts``). The caller names
    the new table columns (:func:`add_table_columns`).
    """
    def change_on(host: str) -> Change:
        return lambda f: columns_inserted(f, host, sheet, at, count)

    here = change_on(sheet)
    part = package.sheet_part(sheet)
    xml = current_part(package, parts, part)
    head, body, tail = split_sheet(xml)
    if any(_straddles(m.group(0), at) for m in _MASTER.finditer(body)):
        cells = {cell_at(m.group(0)): m.group(0) for m in CELL.finditer(body) if "<f" in m.group(0)}
        straddling = {si for si, g in shared_groups(cells).items() if _straddles(g.attrs, at)}
        body = _expanded(body, cells, straddling)

    def formula(m: re.Match[str]) -> str:
        attrs, text = m.group(1), m.group(2)
        if ' ref="' in attrs:
            attrs = REF_ATTR.sub(lambda r: ' ref="' + range_list(r.group(0)[6:-1], here) + '"', attrs)
        new = here(xml_unescape(text))
        return f"<f{attrs}>{escape(new)}</f>" if new != xml_unescape(text) or attrs != m.group(1) else m.group(0)

    body = _F_WITH_TEXT.sub(formula, body)
    body = _cells_shifted(body, at, count)
    body = SPANS.sub("", body)
    head = sheet_ranges(markup_formulas(_columns_widened(head, at, count), here), here, cells_too=True)
    tail = sheet_ranges(markup_formulas(tail, here), here, cells_too=False)
    new = head + body + tail
    parts[part] = new.encode("utf-8")
    rewrite_other_parts(package, parts, sheet, change_on)
    tables_rewritten(package, parts, sheet, change_on, here)
    return new


def _cells_shifted(body: str, at: int, count: int) -> str:
    """Every cell at or right of column ``at`` renamed ``count`` columns to the right (one pass)."""
    if re.search(r"<c\s(?!r=)", body):  # unusual attribute order: look at every cell
        return CELL_ADDRESS.sub(lambda m: m.group(0) if col_number(m.group(2)) < at else
                                f"{m.group(1)}{col_letter(col_number(m.group(2)) + count)}{m.group(3)}{m.group(4)}",
                                body)
    present = {col_number(x) for x in set(re.findall(r'<c r="([A-Z]+)\d', body))}
    moving = {col_letter(c): col_letter(c + count) for c in present if c >= at}
    if not moving:
        return body
    names = "|".join(sorted(moving, key=len, reverse=True))
    return re.sub(rf'<c r="({names})(?=\d)', lambda m: '<c r="' + moving[m.group(1)], body)


def _straddles(attrs: str, at: int) -> bool:
    ref = attr(attrs, "ref")
    if not ref:
        return False
    _, c1, _, c2 = split_area(ref)
    return c1 < at <= c2


def _expanded(body: str, cells: dict[tuple[int, int], str], sis: set[str]) -> str:
    """Members of the given shared formulas written out cell by cell."""
    groups = shared_groups(cells)
    edits = {}
    for pos, cell in cells.items():
        m = F_ELEMENT.search(cell)
        si = SHARED_INDEX.search(m.group(1)) if m else None
        if m and si and si.group(1) in sis and si.group(1) in groups:
            edits[pos] = cell[:m.start()] + plain_formula(m.group(1), groups[si.group(1)].text_at(*pos)) + cell[m.end():]
    return CELL.sub(lambda m: edits.get(cell_at(m.group(0)), m.group(0)) if "<f" in m.group(0) else m.group(0), body)


def _columns_widened(head: str, at: int, count: int) -> str:
    """<cols> after the insert: definitions right of ``at`` move, one spanning it grows.

    The new columns take the width and format of the column to their left,
    as Excel's "Format Same As Left" does.
    """
    def one(m: re.Match[str]) -> str:
        tag = m.group(0)
        lo, hi = int(attr(tag, "min") or 0), int(attr(tag, "max") or 0)
        if hi < at:
            if hi == at - 1:
                tag += _col_span(tag, at, at + count - 1)
            return tag
        return _col_span(tag, lo + count if lo >= at else lo, hi + count)

    return _COL.sub(one, head)


def _col_span(tag: str, lo: int, hi: int) -> str:
    tag = re.sub(r'\smin="\d+"', f' min="{lo}"', tag, count=1)
    return re.sub(r'\smax="\d+"', f' max="{hi}"', tag, count=1)


def add_table_columns(xml: str, index: int, names: list[str]) -> str:
    """A table part with new columns at position ``index`` (0-based) of its tableColumns, fresh ids."""
    ids = [int(i) for i in re.findall(r'<tableColumn\b[^>]*?\sid="(\d+)"', xml)]
    next_id = max(ids, default=0) + 1
    columns = list(re.finditer(r"<tableColumn\b[^>]*?(?:/>|>.*?</tableColumn>)", xml, re.S))
    new = "".join(f'<tableColumn id="{next_id + k}" name="{escape(n, {chr(34): "&quot;"}).replace(chr(10), "_x000a_")}"/>'
                  for k, n in enumerate(names))
    pos = columns[index].start() if index < len(columns) else columns[-1].end()
    xml = xml[:pos] + new + xml[pos:]
    return re.sub(r'(<tableColumns\b[^>]*?\scount=")\d+"', lambda m: f'{m.group(1)}{len(columns) + len(names)}"', xml,
                  count=1)


__all__ = ["Group", "add_table_columns", "cell_at", "current_part", "insert_columns", "markup_formulas", "plain_formula",
           "readdressed", "rewrite_other_parts", "rewrite_sheet_formulas", "shared_groups", "sheet_ranges",
           "tables_rewritten", "with_text"]
