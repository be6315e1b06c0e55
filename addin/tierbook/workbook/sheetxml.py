"""Edit the cells of one worksheet's XML in place, keeping every other cell as it is.

A worksheet part is ``...<sheetData><row r="1">cells</row>...</sheetData>...``.
The functions here cut it into rows and cells as text and splice new cells in;
cells, rows and markup they are not asked to change come out byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.sax.saxutils import unescape

from ..engine.dates import MAX_SERIAL
from .cells import cached_xml, col_letter, col_number, value_cell

_SHEETDATA = re.compile(r"<sheetData\s*/>|<sheetData>(.*?)</sheetData>", re.S)
_ROW = re.compile(r"<row\b[^>]*?(?:/>|>.*?</row>)", re.S)
_ROW_NUM = re.compile(r'<row\b[^>]*?\sr="(\d+)"')
_CELL = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)
_CELL_REF = re.compile(r'<c\b[^>]*?\sr="([A-Z]+)(\d+)"')
_STYLE = re.compile(r'\ss="(\d+)"')
_SPANS = re.compile(r'\sspans="[^"]*"')
_F = re.compile(r"<f\b[^>]*?(?:/>|>.*?</f>)", re.S)
_DIMENSION = re.compile(r'<dimension ref="([^"]+)"\s*/>')


def split_sheet(xml: str) -> tuple[str, str, str]:
    """(before sheetData's rows, the rows, after them)."""
    start = xml.find("<sheetData")
    if start < 0:
        raise ValueError("worksheet without <sheetData>")
    open_end = xml.index(">", start)
    if xml[open_end - 1] == "/":
        return xml[:start] + "<sheetData>", "", "</sheetData>" + xml[open_end + 1:]
    end = xml.rindex("</sheetData>")
    return xml[:start] + "<sheetData>", xml[open_end + 1:end], xml[end:]


def iter_rows(body: str, previous: int = 0) -> Iterable[tuple[int, str]]:
    """(row number, row XML) of every <row> of a sheetData body, in order.

    Rows and cells may leave out their r= address (valid SpreadsheetML: each
    then follows the previous one). A row without one comes out with its
    number written in, so that editing the sheet cannot renumber the rows
    after it; its cells get theirs when the row is edited. ``previous`` is
    the number of the row before the body (a sheet read in pieces).
    """
    pieces = body.split("<row")
    for piece in pieces[1:]:
        if piece[:1] not in (" ", ">", "/", "\t", "\n", "\r"):
            raise ValueError("unexpected markup in sheetData")
        text = "<row" + piece.rstrip()
        m = _ROW_NUM.match(text)
        if m is None:
            number = previous + 1
            text = f'<row r="{number}"' + text[4:]
        else:
            number = int(m.group(1))
        previous = number
        yield number, text


def _addressed_cells(row_xml: str, number: int) -> str:
    """A row's XML with an r= address on every cell (a cell without one follows the previous cell)."""
    column = 0

    def address(m: re.Match[str]) -> str:
        nonlocal column
        cell = m.group(0)
        ref = re.match(r'<c\b[^>]*?\sr="([A-Z]+)\d*"', cell)
        if ref is not None:
            column = col_number(ref.group(1))
            return cell
        column += 1
        return f'<c r="{col_letter(column)}{number}"' + cell[2:]

    return _CELL.sub(address, row_xml)


def row_cells(row_xml: str) -> dict[int, str]:
    """Column number -> cell XML of one row (a cell without its r= address follows the previous cell)."""
    out = {}
    column = 0
    for m in _CELL.finditer(row_xml):
        cell = m.group(0)
        ref = _CELL_REF.match(cell)
        column = col_number(ref.group(1)) if ref is not None else column + 1
        out[column] = cell
    return out


def cell_style(cell_xml: str | None) -> str | None:
    if not cell_xml:
        return None
    m = _STYLE.search(cell_xml.split(">", 1)[0])
    return m.group(1) if m else None


def read_rows(xml: str, rows: Iterable[int]) -> dict[int, dict[int, str]]:
    """The cells of some rows: row -> column -> cell XML (rows absent from the sheet are left out)."""
    wanted = set(rows)
    if len(wanted) <= 64:
        found = {}
        for r in wanted:
            text = _find_row(xml, r)
            if text is not None:
                found[r] = row_cells(text)
        return found
    _, body, _ = split_sheet(xml)
    return {r: row_cells(text) for r, text in iter_rows(body) if r in wanted}


def _find_row(xml: str, r: int) -> str | None:
    """One row's XML found by its number (rows are written <row r="N" ...> by every spreadsheet program)."""
    start = xml.find(f'<row r="{r}"')
    if start < 0:
        if re.search(r"<row\b(?![^>]*?\sr=)", xml) or re.search(r"<row\s+[^r>][^>]*\sr=", xml):
            _, body, _ = split_sheet(xml)  # unusual attribute order: scan
            return next((t for n, t in iter_rows(body) if n == r), None)
        return None
    close = xml.index(">", start)
    if xml[close - 1] == "/":
        return xml[start:close + 1]
    return xml[start:xml.index("</row>", close) + len("</row>")]


def last_row(xml: str, columns: Iterable[int] | None = None) -> int:
    """The last row that has a non-empty cell (in the given columns, or any)."""
    cols = set(columns) if columns is not None else None
    _, body, _ = split_sheet(xml)
    last = 0
    for r, text in iter_rows(body):
        for c, cell in row_cells(text).items():
            if (cols is None or c in cols) and has_content(cell):
                last = max(last, r)
                break
    return last


def has_content(cell_xml: str) -> bool:
    """Whether a cell holds a value or a formula (a styled empty cell does not)."""
    if cell_xml.endswith("/>") and "</c>" not in cell_xml:
        return False
    return "<f" in cell_xml or bool(re.search(r"<v>[^<]|<t[^>]*>[^<]", cell_xml))


def recached(cell_xml: str | None, address: str, value: object, style: str | None = None) -> str:
    """A cell with a new cached value: a formula cell keeps its <f> as it is; a constant is replaced.

    Returns the old XML when the cached value is already the same.
    """
    if cell_xml and "<f" in cell_xml:
        f = _F.search(cell_xml)
        open_tag = cell_xml[: cell_xml.index(">")].rstrip("/")
        open_tag = re.sub(r'\st="[^"]*"', "", open_tag)
        t, v = cached_xml(value)
        new = f"{open_tag}{t}>{f.group(0)}{v}</c>"  # type: ignore[union-attr]
        return cell_xml if _same_value(cell_xml, new) else new
    new = value_cell(address, cell_style(cell_xml) or style, value, shorten=True)
    if cell_xml is not None and _same_value(cell_xml, new):
        return cell_xml
    return new


def _cached_text(cell_xml: str) -> tuple[str | None, str | None]:
    t = re.search(r'<c\b[^>]*?\st="([^"]*)"', cell_xml)
    v = re.search(r"<v>(.*?)</v>|<v/>", cell_xml, re.S)
    inline = re.search(r"<is>(.*?)</is>", cell_xml, re.S)
    kind = t.group(1) if t else "n"
    if inline:
        return kind, re.sub(r"<[^>]+>", "", inline.group(1))
    return kind, (v.group(1) or "") if v else None


def _same_value(old: str, new: str) -> bool:
    if old == new:
        return True
    (ko, vo), (kn, vn) = _cached_text(old), _cached_text(new)
    if _STYLE.search(old.split(">", 1)[0]) and cell_style(old) != cell_style(new):
        return False
    if kn == "n" and ko == "n" and vo is not None and vn is not None:
        try:
            return float(vo) == float(vn)
        except ValueError:
            return False
    blank_old = vo in (None, "")
    blank_new = vn in (None, "")
    if blank_old and blank_new:
        return True
    return ko == kn and vo == vn and ("<f" in old) == ("<f" in new)


_ERROR_CELL = re.compile(r'<c\b[^>]*?\st="e"[^>]*>')
_ERROR_VALUE = re.compile(r"<v>([^<]*)</v>")


def error_cells(xml: bytes | Iterable[bytes]) -> list[tuple[int, int, str]]:
    """(row, column, error text) of every cell whose stored result is an Excel error (``t="e"``: #DIV/0!, #N/A).

    Readers of cached values (python-calamine) hand such a cell over as
    empty; a number column that shows #DIV/0! must be reported, not read as
    blank. The sheet may come in pieces (as it is inflated), so a big one is never held whole.
    """
    out: list[tuple[int, int, str]] = []
    carry = b""
    for piece in ([xml] if isinstance(xml, (bytes, bytearray)) else xml):
        data = carry + piece if carry else piece
        cut = data.rfind(b"</c>") + 4 if len(data) > 4 else 0
        cut = cut if cut >= 4 else 0
        _error_cells_in(data[:cut], out)
        carry = data[cut:]
    _error_cells_in(carry, out)
    return out


def _error_cells_in(xml: bytes, out: list[tuple[int, int, str]]) -> None:
    if b' t="e"' not in xml:
        return
    text = xml.decode("utf-8", errors="replace")
    for m in _ERROR_CELL.finditer(text):
        address = _CELL_REF.match(m.group(0))
        end = text.find("</c>", m.end())
        value = _ERROR_VALUE.search(text, m.end(), end if end >= 0 else m.end())
        if address and value:
            out.append((int(address.group(2)), col_number(address.group(1)), unescape(value.group(1))))


_STYLED_NUMBER = re.compile(r'(<c\b[^>]*?)\ss="\d+"([^>]*><v>)(-?[0-9.eE+]+)(</v>)')


def undated_out_of_range(xml: bytes) -> bytes | None:
    """The sheet with the style taken off number cells no date can be; None if there are none.

    A style is what makes a number a date; a value beyond Excel's last day or
    below zero cannot be one, so it is read as the number it is.
    """
    text = xml.decode("utf-8")
    found = False

    def plain(m: re.Match[str]) -> str:
        nonlocal found
        try:
            value = float(m.group(3))
        except ValueError:
            return m.group(0)
        if 0 <= value <= MAX_SERIAL or ' t="' in m.group(1) + m.group(2):
            return m.group(0)
        found = True
        return m.group(1) + m.group(2) + m.group(3) + m.group(4)

    out = _STYLED_NUMBER.sub(plain, text)
    return out.encode("utf-8") if found else None
