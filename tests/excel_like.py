"""Edit a workbook's XML the way Excel leaves a file after a user worked in it.

Tierbook writes inline strings, shared formulas and plain tables. A book that
comes back from Excel has shared strings, a calculation chain, a sorted and
filtered Accounts table with hidden rows, maybe a Total Row, rows deleted
from the middle and user columns inserted between Tierbook's own. Each
function here makes one such edit on the zip members, the way Excel records
it (references in formulas, tables, validations and widths follow the cells).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from tierbook.workbook.cells import col_letter, col_number

Members = dict[str, bytes]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_CALC_CHAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"
CT_CALC_CHAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"

_ROW = re.compile(r"<row\b[^>]*?(?:/>|>.*?</row>)", re.S)
_CELL = re.compile(r"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)
_REF = re.compile(r"(?<![A-Za-z_\d$.])(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\d(A-Za-z_])")
_COLUMN_RANGE = re.compile(r"(?<![A-Za-z_\d$.])(\$?)([A-Z]{1,3}):(\$?)([A-Z]{1,3})(?![\d(A-Za-z_])")


def read(path: Path) -> Members:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def write(path: Path, members: Members) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


def text(members: Members, part: str) -> str:
    return members[part].decode("utf-8")


def put(members: Members, part: str, xml: str) -> None:
    members[part] = xml.encode("utf-8")


# ------------------------------------------------------------------ lookups
def sheet_parts(members: Members) -> dict[str, str]:
    """Sheet name -> worksheet part."""
    workbook = text(members, "xl/workbook.xml")
    rels = text(members, "xl/_rels/workbook.xml.rels")
    targets = dict(re.findall(r'<Relationship Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets.update({a: b for b, a in re.findall(r'<Relationship Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    out = {}
    for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+" r:id="([^"]+)"', workbook):
        target = targets[rid]
        out[name] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return out


def table_part(members: Members, display_name: str) -> str:
    for name in members:
        if name.startswith("xl/tables/") and f'displayName="{display_name}"' in text(members, name):
            return name
    raise KeyError(display_name)


def table_ref(members: Members, part: str) -> tuple[int, int, int, int]:
    ref = re.search(r'<table\b[^>]*?\sref="([A-Z]+)(\d+):([A-Z]+)(\d+)"', text(members, part))
    assert ref is not None
    return int(ref[2]), col_number(ref[1]), int(ref[4]), col_number(ref[3])


def table_headers(members: Members, part: str) -> list[str]:
    return re.findall(r'<tableColumn\b[^>]*?\sname="([^"]*)"', text(members, part))


# ----------------------------------------------------------- formula shifts
def shift_formula(formula: str, rows: tuple[int, int] | None = None, cols: tuple[int, int] | None = None,
                  relative_rows_by: int = 0, own_sheet: bool = True, sheet: str | None = None) -> str:
    """Move references as Excel does.

    ``rows=(at, by)``: references to rows at or below ``at`` move by ``by``
    (row insertion or deletion). ``cols=(at, by)``: columns at or right of
    ``at`` move. ``relative_rows_by``: relative row parts move (a formula
    copied to another row). References qualified with another sheet than
    ``sheet`` are left alone; with ``own_sheet`` False only references
    qualified with ``sheet`` move.
    """
    def qualified(start: int) -> str | None:
        head = formula[:start]
        m = re.search(r"(?:'((?:[^']|'')+)'|([A-Za-z_][\w.]*))!$", head)
        if not m:
            return None
        return (m[1] or "").replace("''", "'") if m[1] is not None else m[2]

    def moves(start: int) -> bool:
        owner = qualified(start)
        return (owner is None and own_sheet) or (sheet is not None and owner == sheet)

    def cell(m: re.Match[str]) -> str:
        c_abs, letters, r_abs, digits = m.groups()
        col, row = col_number(letters), int(digits)
        if moves(m.start()):
            if relative_rows_by and not r_abs:
                row += relative_rows_by
            if rows and row >= rows[0]:
                row += rows[1]
            if cols and col >= cols[0]:
                col += cols[1]
        return f"{c_abs}{col_letter(col)}{r_abs}{row}"

    def column_range(m: re.Match[str]) -> str:
        a_abs, a, b_abs, b = m.groups()
        ca, cb = col_number(a), col_number(b)
        if cols and moves(m.start()):
            ca += cols[1] if ca >= cols[0] else 0
            cb += cols[1] if cb >= cols[0] else 0
        return f"{a_abs}{col_letter(ca)}:{b_abs}{col_letter(cb)}"

    return _REF.sub(cell, _COLUMN_RANGE.sub(column_range, formula))


def expand_shared_formulas(xml: str) -> str:
    """Write every shared formula out in full in each of its cells (Excel does so when rows move)."""
    masters: dict[str, tuple[int, str]] = {}
    for m in re.finditer(r'<c r="[A-Z]+(\d+)"[^>]*><f t="shared" ref="[^"]+" si="(\d+)">(.*?)</f>', xml, re.S):
        masters[m[2]] = (int(m[1]), m[3])

    def expand(m: re.Match[str]) -> str:
        cell = m.group(0)
        row = int(re.match(r'<c r="[A-Z]+(\d+)"', cell)[1])  # type: ignore[index]
        si = re.search(r'<f t="shared"[^>]*?si="(\d+)"', cell)
        if si is None or si[1] not in masters:
            return cell
        master_row, formula = masters[si[1]]
        full = shift_formula(formula, relative_rows_by=row - master_row) if row != master_row else formula
        return re.sub(r'<f t="shared"[^>]*?(?:/>|>.*?</f>)', f"<f>{full}</f>", cell, count=1, flags=re.S)

    return _CELL.sub(lambda m: expand(m) if "<f t=\"shared\"" in m.group(0) else m.group(0), xml)


def _rewrite_formulas(xml: str, **shift: object) -> str:
    return re.sub(r"(<f\b[^>]*>)(.*?)(</f>)", lambda m: m[1] + shift_formula(m[2], **shift) + m[3], xml,
                  flags=re.S)  # type: ignore[arg-type]


def _renumber_row(row_xml: str, new: int, col_shift: tuple[int, int] | None = None) -> str:
    row_xml = re.sub(r'^<row r="\d+"', f'<row r="{new}"', row_xml)
    row_xml = re.sub(r'\sspans="[^"]*"', "", row_xml, count=1)

    def cell(m: re.Match[str]) -> str:
        letters = m[1]
        col = col_number(letters)
        if col_shift and col >= col_shift[0]:
            col += col_shift[1]
        return f'<c r="{col_letter(col)}{new}"'

    return re.sub(r'<c r="([A-Z]+)\d+"', cell, row_xml)


def _rows(xml: str) -> tuple[str, list[str], str]:
    start = xml.index("<sheetData>") + len("<sheetData>")
    end = xml.index("</sheetData>")
    return xml[:start], _ROW.findall(xml[start:end]), xml[end:]


def _row_number(row_xml: str) -> int:
    return int(re.match(r'<row r="(\d+)"', row_xml)[1])  # type: ignore[index]


def _set_table_ref(table_xml: str, r1: int, c1: int, r2: int, c2: int, totals: int = 0) -> str:
    """The table's ref, and its filter's, sort's and sort conditions' ranges inside it."""
    whole = f"{col_letter(c1)}{r1}:{col_letter(c2)}{r2}"
    data_end = r2 - totals
    table_xml = re.sub(r'(<table\b[^>]*?\sref=")[^"]+"', rf'\g<1>{whole}"', table_xml, count=1)
    table_xml = re.sub(r'(<autoFilter\b[^>]*?\sref=")[^"]+"', rf'\g<1>{col_letter(c1)}{r1}:{col_letter(c2)}{data_end}"',
                       table_xml, count=1)
    table_xml = re.sub(r'(<sortState\b[^>]*?\sref=")[^"]+"', rf'\g<1>{col_letter(c1)}{r1 + 1}:{col_letter(c2)}{data_end}"',
                       table_xml)

    def condition(m: re.Match[str]) -> str:
        col = re.match(r"([A-Z]+)", m[2])[1]  # type: ignore[index]
        return f'{m[1]}{col}{r1 + 1}:{col}{data_end}"'

    return re.sub(r'(<sortCondition\b[^>]*?\sref=")([^"]+)"', condition, table_xml)


# ------------------------------------------------------------- the edits
def to_shared_strings(members: Members) -> None:
    """Every inline string becomes a shared string, as Excel saves them."""
    sst_part = "xl/sharedStrings.xml"
    sst = text(members, sst_part)
    items = re.findall(r"<si>.*?</si>", sst, re.S)
    index = {item: i for i, item in enumerate(items)}

    def shared(m: re.Match[str]) -> str:
        cell = m.group(0)
        if 't="inlineStr"' not in cell:
            return cell
        inner = re.search(r"<is>(.*?)</is>", cell, re.S)
        item = f"<si>{inner[1] if inner else '<t></t>'}</si>"
        if item not in index:
            index[item] = len(items)
            items.append(item)
        head = re.match(r"<c\b[^>]*?(?=/?>)", cell)[0].replace(' t="inlineStr"', "")  # type: ignore[index]
        return f'{head} t="s"><v>{index[item]}</v></c>'

    for part in sheet_parts(members).values():
        put(members, part, _CELL.sub(shared, text(members, part)))
    put(members, sst_part, f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" '
                           f'count="{len(items)}" uniqueCount="{len(items)}">' + "".join(items) + "</sst>")


def add_calc_chain(members: Members) -> None:
    """A calculation chain listing every formula cell (Excel's cache of the order it computes them)."""
    entries = []
    for i, (_name, part) in enumerate(sheet_parts(members).items(), start=1):
        for m in re.finditer(r'<c r="([A-Z]+\d+)"[^>]*><f\b', text(members, part)):
            entries.append(f'<c r="{m[1]}" i="{i}"/>')
    put(members, "xl/calcChain.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                     f'<calcChain xmlns="{MAIN_NS}">' + "".join(entries) + "</calcChain>")
    rels = text(members, "xl/_rels/workbook.xml.rels")
    put(members, "xl/_rels/workbook.xml.rels", rels.replace(
        "</Relationships>", f'<Relationship Id="rId900" Type="{REL_CALC_CHAIN}" Target="calcChain.xml"/></Relationships>'))
    types = text(members, "[Content_Types].xml")
    put(members, "[Content_Types].xml", types.replace(
        "</Types>", f'<Override PartName="/xl/calcChain.xml" ContentType="{CT_CALC_CHAIN}"/></Types>'))


def _cell_sort_key(cell: str | None) -> tuple[int, float, str]:
    if cell is None:
        return (2, 0.0, "")
    inline = re.search(r"<t[^>]*>(.*?)</t>", cell, re.S)
    if inline:
        return (1, 0.0, inline[1].casefold())
    value = re.search(r"<v>(.*?)</v>", cell)
    if value:
        try:
            return (0, float(value[1]), "")
        except ValueError:
            return (1, 0.0, value[1])
    return (2, 0.0, "")


def sort_table(members: Members, sheet: str, table: str, header: str, descending: bool,
               inside_filter: bool) -> None:
    """Sort a table's rows by one column (whole rows move, formulas follow), recording a sortState."""
    part, tpart = sheet_parts(members)[sheet], table_part(members, table)
    r1, c1, r2, c2 = table_ref(members, tpart)
    totals = int((re.search(r'totalsRowCount="(\d+)"', text(members, tpart)) or [0, 0])[1])
    col = c1 + table_headers(members, tpart).index(header)
    head, rows, tail = _rows(expand_shared_formulas(text(members, part)))
    data = [r for r in rows if r1 < _row_number(r) <= r2 - totals]
    keyed = []
    for row in data:
        cell = next((c for c in _CELL.findall(row) if re.match(rf'<c r="{col_letter(col)}\d+"', c)), None)
        keyed.append((_cell_sort_key(cell), row))
    keyed.sort(key=lambda kv: kv[0], reverse=descending)
    numbers = sorted(_row_number(r) for r in data)
    moved = {}
    for new, (_, row) in zip(numbers, keyed):
        delta = new - _row_number(row)
        shifted = _rewrite_formulas(row, relative_rows_by=delta) if delta else row
        moved[new] = _renumber_row(shifted, new)
    out = [moved.get(_row_number(r), r) for r in rows]
    put(members, part, head + "".join(out) + tail)
    letter = col_letter(col)
    order = ' descending="1"' if descending else ""
    sort = (f'<sortState ref="{col_letter(c1)}{r1 + 1}:{col_letter(c2)}{r2 - totals}"><sortCondition'
            f'{order} ref="{letter}{r1 + 1}:{letter}{r2 - totals}"/></sortState>')
    txml = text(members, tpart)
    txml = re.sub(r"<sortState\b.*?</sortState>", "", txml, flags=re.S)
    if inside_filter:
        txml = re.sub(r"<autoFilter\b([^>]*?)/>", rf"<autoFilter\1>{sort}</autoFilter>", txml, count=1)
        txml = txml.replace("</autoFilter>", sort + "</autoFilter>", 1) if sort not in txml else txml
    else:
        txml = re.sub(r"(<autoFilter\b[^>]*?(?:/>|>.*?</autoFilter>))", rf"\1{sort}", txml, count=1, flags=re.S)
    put(members, tpart, txml)


def filter_rows(members: Members, sheet: str, table: str, header: str, hide: set[int]) -> None:
    """A filter on one column that shows the values of the rows it keeps and hides the rows in ``hide``."""
    part, tpart = sheet_parts(members)[sheet], table_part(members, table)
    r1, c1, r2, _ = table_ref(members, tpart)
    col_id = table_headers(members, tpart).index(header)
    letter = col_letter(c1 + col_id)
    head, rows, tail = _rows(text(members, part))
    shown: set[str] = set()
    out = []
    for row in rows:
        r = _row_number(row)
        if r in hide:
            row = re.sub(r'^<row r="(\d+)"', r'<row r="\1" hidden="1"', row)
        elif r1 < r <= r2:
            cell = next((c for c in _CELL.findall(row) if c.startswith(f'<c r="{letter}{r}"')), None)
            value = re.search(r"<t[^>]*>(.*?)</t>|<v>(.*?)</v>", cell or "", re.S)
            shown.add((value[1] or value[2] or "") if value else "")
        out.append(row)
    put(members, part, head + "".join(out) + tail)
    blank = ' blank="1"' if "" in shown else ""
    values = "".join(f'<filter val="{v}"/>' for v in sorted(shown - {""}))
    condition = f'<filterColumn colId="{col_id}"><filters{blank}>{values}</filters></filterColumn>'
    txml = text(members, tpart)
    txml = re.sub(r"<autoFilter\b([^>]*?)/>", r"<autoFilter\1></autoFilter>", txml, count=1)
    txml = re.sub(r"(<autoFilter\b[^>]*>)", rf"\1{condition}", txml, count=1)
    put(members, tpart, txml)


def add_totals_row(members: Members, sheet: str, table: str, label_header: str, sum_header: str) -> None:
    """Excel's Total Row: one more table row, a label and a SUBTOTAL, ``totalsRowCount="1"``."""
    part, tpart = sheet_parts(members)[sheet], table_part(members, table)
    r1, c1, r2, c2 = table_ref(members, tpart)
    headers = table_headers(members, tpart)
    total = r2 + 1
    label_c, sum_c = c1 + headers.index(label_header), c1 + headers.index(sum_header)
    cells = (f'<c r="{col_letter(label_c)}{total}" t="inlineStr"><is><t>Total</t></is></c>'
             f'<c r="{col_letter(sum_c)}{total}"><f>SUBTOTAL(109,{table}[{escape(sum_header)}])</f><v>0</v></c>')
    cells = "".join(sorted(re.findall(r"<c\b.*?</c>", cells), key=lambda c: col_number(re.match(r'<c r="([A-Z]+)', c)[1])))  # type: ignore[index]
    head, rows, tail = _rows(text(members, part))
    rows = [r for r in rows if _row_number(r) != total] + [f'<row r="{total}">{cells}</row>']
    rows.sort(key=_row_number)
    put(members, part, head + "".join(rows) + tail)
    txml = text(members, tpart)
    txml = re.sub(r"(<table\b)", r'\1 totalsRowCount="1"', txml, count=1)
    txml = re.sub(r'\stotalsRowShown="0"', "", txml, count=1)
    txml = txml.replace(f'name="{label_header}"/>', f'name="{label_header}" totalsRowLabel="Total"/>', 1)
    txml = txml.replace(f'name="{sum_header}"/>', f'name="{sum_header}" totalsRowFunction="sum"/>', 1)
    put(members, tpart, _set_table_ref(txml, r1, c1, total, c2, totals=1))


def delete_rows(members: Members, sheet: str, table: str, doomed: set[int]) -> None:
    """Delete whole rows from the middle of a table; what is below moves up, as in Excel."""
    part, tpart = sheet_parts(members)[sheet], table_part(members, table)
    r1, c1, r2, c2 = table_ref(members, tpart)
    totals = int((re.search(r'totalsRowCount="(\d+)"', text(members, tpart)) or [0, 0])[1])
    head, rows, tail = _rows(expand_shared_formulas(text(members, part)))
    out = []
    for row in rows:
        r = _row_number(row)
        if r in doomed:
            continue
        gone = sum(1 for d in doomed if d < r)
        if gone:
            row = _renumber_row(_rewrite_formulas(row, relative_rows_by=-gone), r - gone)
        out.append(row)
    put(members, part, head + "".join(out) + tail)
    txml = text(members, tpart)
    put(members, tpart, _set_table_ref(txml, r1, c1, r2 - len(doomed), c2, totals=totals))


def insert_column(members: Members, sheet: str, table: str, before_header: str | None, header: str,
                  values: list[str]) -> None:
    """Insert a user column into a table (before a column, or at its end), shifting what is right of it."""
    parts = sheet_parts(members)
    part, tpart = parts[sheet], table_part(members, table)
    r1, c1, r2, c2 = table_ref(members, tpart)
    headers = table_headers(members, tpart)
    at = c1 + headers.index(before_header) if before_header else c2 + 1
    shift = (at, 1)
    head, rows, tail = _rows(expand_shared_formulas(text(members, part)))
    out = []
    for row in rows:
        r = _row_number(row)
        row = _renumber_row(_rewrite_formulas(row, cols=shift, sheet=sheet), r, col_shift=shift)
        i = r - r1
        value = header if i == 0 else (values[i - 1] if 0 < i <= len(values) else None)
        if value is not None and r <= r2:
            new = f'<c r="{col_letter(at)}{r}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
            found = list(_CELL.finditer(row))
            pos = next((m.start() for m in found if col_number(re.match(r'<c r="([A-Z]+)', m[0])[1]) > at), None)  # type: ignore[index]
            if pos is None:
                row = row[:-len("</row>")] + new + "</row>" if row.endswith("</row>") else row[:-2] + ">" + new + "</row>"
            else:
                row = row[:pos] + new + row[pos:]
        out.append(row)
    xml = head + "".join(out) + tail
    xml = re.sub(r'(<dataValidation\b[^>]*?\ssqref=")([^"]+)"',
                 lambda m: m[1] + " ".join(shift_formula(s, cols=shift) for s in m[2].split()) + '"', xml)
    xml = re.sub(r'<col min="(\d+)" max="(\d+)"', lambda m: '<col min="{}" max="{}"'.format(
        *(int(v) + (1 if int(v) >= at else 0) for v in m.groups())), xml)
    xml = re.sub(r'<dimension ref="([^"]+)"/>', lambda m: f'<dimension ref="{shift_formula(m[1], cols=shift)}"/>', xml)
    put(members, part, xml)
    for name, other in parts.items():
        if name != sheet and "<f" in text(members, other):
            put(members, other, _rewrite_formulas(text(members, other), cols=shift, own_sheet=False, sheet=sheet))
    txml = text(members, tpart)
    ids = [int(i) for i in re.findall(r'<tableColumn id="(\d+)"', txml)]
    new_col = f'<tableColumn id="{max(ids) + 1}" name="{escape(header)}"/>'
    columns = re.findall(r"<tableColumn\b.*?(?:/>|</tableColumn>)", txml, re.S)
    index = at - c1
    columns.insert(index, new_col)
    txml = re.sub(r"<tableColumns count=\"\d+\">.*</tableColumns>",
                  f'<tableColumns count="{len(columns)}">' + "".join(columns) + "</tableColumns>", txml, flags=re.S)
    txml = re.sub(r'(<filterColumn colId=")(\d+)"', lambda m: f'{m[1]}{int(m[2]) + (1 if int(m[2]) >= index else 0)}"',
                  txml)
    txml = re.sub(r'(<sortCondition\b[^>]*?\sref=")([^"]+)"', lambda m: m[1] + shift_formula(m[2], cols=shift) + '"',
                  txml)
    totals = int((re.search(r'totalsRowCount="(\d+)"', txml) or [0, 0])[1])
    put(members, tpart, _set_table_ref(txml, r1, c1, r2, c2 + 1, totals=totals))


__all__ = ["add_calc_chain", "add_totals_row", "delete_rows", "expand_shared_formulas", "filter_rows",
           "insert_column", "read", "shift_formula", "sort_table", "to_shared_strings", "write"]
