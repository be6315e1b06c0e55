"""Helpers for the workbook tests: edit a cell or a table the way a user would, compare parts."""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path

import openpyxl

from tierbook.workbook.plan import check_results, freshness_results, geometry, run_book, run_stamp_results
from tierbook.workbook.cells import area, col_letter, ref, split_ref, value_cell
from tierbook.workbook.formulas import matrix_cells, quadrant_cells, services_cells, summary_cells, tiers_cells
from tierbook.workbook.package import Package, save_package
from tierbook.workbook.read import read_book
from tierbook.workbook.segmentmap import plan_segment_map
from tierbook.workbook.sheetpatch import patch_rows
from tierbook.workbook.sheetxml import read_rows, recached
from tierbook.workbook.source import load_grid, open_values
from tierbook.columns import Col
from tierbook.workbook.layout import Sheet


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def set_cells(path: Path, sheet: str, values: dict[str, object]) -> None:
    """Type values into cells (A1 addresses), keeping each cell's style, as Excel would."""
    package = Package.open(path)
    part = package.sheet_part(sheet)
    xml = package.text(part)
    positions = {a: split_ref(a) for a in values}
    old = read_rows(xml, {r for r, _ in positions.values()})
    edits: dict[int, dict[int, str | None]] = {}
    for address, value in values.items():
        r, c = positions[address]
        cell = old.get(r, {}).get(c)
        new = value_cell(address, re.search(r'\ss="(\d+)"', cell.split(">")[0]).group(1)
                         if cell and ' s="' in cell.split(">")[0] else None, value)
        edits.setdefault(r, {})[c] = new or None
    save_package(package, {part: patch_rows(xml, edits).encode()}, path, backup=False)


def add_table_column(path: Path, table: str, header: str, values: list[object]) -> int:
    """Append a user column to an Excel table (header + values); returns its sheet column."""
    package = Package.open(path)
    info = package.table(table)
    r1, c1, r2, c2 = info.bounds
    col = c2 + 1
    xml = info.xml
    count = int(re.search(r'<tableColumns count="(\d+)"', xml).group(1))
    new_id = max(int(i) for i in re.findall(r'<tableColumn id="(\d+)"', xml)) + 1
    xml = xml.replace(f'<tableColumns count="{count}"', f'<tableColumns count="{count + 1}"')
    xml = xml.replace("</tableColumns>", f'<tableColumn id="{new_id}" name="{header}"/></tableColumns>')
    info.xml = xml
    xml = info.with_ref(area(r1, c1, r2, col))
    part = package.sheet_part(info.sheet)
    edits = {r1: {col: value_cell(ref(r1, col), None, header)}}
    for i, v in enumerate(values):
        edits[r1 + 1 + i] = {col: value_cell(ref(r1 + 1 + i, col), None, v) or None}
    sheet = patch_rows(package.text(part), edits)
    save_package(package, {part: sheet.encode(), info.part: xml.encode()}, path, backup=False)
    return col


def add_total_row(path: Path, table: str, label: str, sums: tuple[str, ...] = ()) -> int:
    """Turn on a table's Total Row as Excel does: one more row in the range, a label and SUBTOTALs in it.

    Returns the sheet row of the Total Row.
    """
    package = Package.open(path)
    info = package.table(table)
    r1, c1, r2, c2 = info.bounds
    total = r2 + 1
    xml = info.xml.replace(f'ref="{info.ref}"', f'ref="{area(r1, c1, total, c2)}" totalsRowCount="1"', 1)
    xml = re.sub(r'<autoFilter ref="[^"]*"', f'<autoFilter ref="{area(r1, c1, r2, c2)}"', xml)
    xml = xml.replace(f'name="{label}"', f'name="{label}" totalsRowLabel="Total"', 1)
    edits = {total: {info.column(label): value_cell(ref(total, info.column(label)), None, "Total")}}
    values = read_book(package).source.grid(info.sheet) if sums else []
    for header in sums:
        col = info.column(header)
        xml = xml.replace(f'name="{header}"', f'name="{header}" totalsRowFunction="sum"', 1)
        cached = sum(float(row[col - 1]) for row in values[r1:r2] if isinstance(row[col - 1], (int, float)))
        edits[total][col] = (f'<c r="{ref(total, col)}"><f>SUBTOTAL(109,{info.name}[{header}])</f>'
                             f'<v>{cached}</v></c>')
    part = package.sheet_part(info.sheet)
    sheet = patch_rows(package.text(part), edits)
    save_package(package, {part: sheet.encode(), info.part: xml.encode()}, path, backup=False)
    return total


def sort_table(path: Path, table: str, header: str, descending: bool = True, in_filter: bool = True) -> None:
    """Record a sort on one column, as Excel saves a table sorted from its filter button (or at table level)."""
    package = Package.open(path)
    info = package.table(table)
    r1, c1, r2, c2 = info.bounds
    col = info.column(header)
    totals = re.search(r'totalsRowCount="(\d+)"', info.xml)
    last = r2 - (int(totals.group(1)) if totals else 0)
    state = (f'<sortState ref="{area(r1 + 1, c1, last, c2)}"><sortCondition{" descending=" + chr(34) + "1" + chr(34) if descending else ""} '
             f'ref="{area(r1 + 1, col, last, col)}"/></sortState>')
    xml = info.xml
    if in_filter:
        xml = re.sub(r"<autoFilter ([^>]*?)/>", lambda m: f"<autoFilter {m.group(1)}>{state}</autoFilter>", xml, count=1)
    else:
        xml = xml.replace("<tableColumns", state + "<tableColumns", 1)
    assert state in xml
    save_package(package, {info.part: xml.encode()}, path, backup=False)


def expected_figures(path: Path) -> dict[tuple[str, str], object]:
    """(sheet, A1) -> the engine's figure, for every formula cell Tierbook defines."""
    book = read_book(Package.open(path))
    result = run_book(book)
    geo = geometry(book)
    out: dict[tuple[str, str], object] = {}
    for sheet, cells in ((Sheet.SUMMARY, summary_cells(geo, result)),
                         (Sheet.SERVICES, services_cells(book.service_rows, book.catalog, result)),
                         (Sheet.MATRIX, matrix_cells(geo, book.services, result, book.catalog)),
                         (Sheet.SETTINGS, tiers_cells(geo.tiers, result.settings)),
                         (Sheet.SEGMENTS, quadrant_cells(geo, result))):
        for (r, c), (_formula, value) in cells.items():
            out[(sheet, ref(r, c))] = value
    for cache in (*check_results(book, result), *freshness_results(book, rerun=False),
                  *plan_segment_map(book, result).cached, *run_stamp_results(book, None)):
        for (r, c), (_formula, value) in cache.cells.items():
            out[(cache.sheet, ref(r, c))] = value
    cts_c, pct_c = geo.acol(Col.COST_TO_SERVE), geo.acol(Col.CTS_PCT_ARR)
    for i in range(book.n_accounts):
        r = book.first_row + i
        out[(Sheet.ACCOUNTS, ref(r, cts_c))] = result.cost_to_serve[i]
        out[(Sheet.ACCOUNTS, ref(r, pct_c))] = result.cts_pct_arr[i]
    return out


def blank(v: object) -> bool:
    return v is None or v == "" or (isinstance(v, float) and math.isnan(v))


def same_figure(got: object, want: object) -> bool:
    """Equal to the cent (numbers), equal (text), or both blank."""
    if blank(got) and blank(want):
        return True
    if isinstance(want, (int, float)) and isinstance(got, (int, float)) and not isinstance(got, bool):
        return abs(float(got) - float(want)) < 0.005
    return got == want


def formula_cells(path: Path) -> list[tuple[str, str]]:
    """(sheet, A1) of every formula cell of a workbook."""
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    out.append((ws.title, cell.coordinate))
    return out


def mismatches(formulas: list[tuple[str, str]], values_path: Path, expected: dict[tuple[str, str], object]) -> list[str]:
    wb = openpyxl.load_workbook(values_path, data_only=True)
    bad = []
    for sheet, address in formulas:
        if (sheet, address) not in expected:
            bad.append(f"{sheet}!{address}: a formula Tierbook has no figure for")
            continue
        got = wb[sheet][address].value
        if not same_figure(got, expected[(sheet, address)]):
            bad.append(f"{sheet}!{address}: shows {got!r}, the engine says {expected[(sheet, address)]!r}")
    return bad


__all__ = ["add_table_column", "add_total_row", "sort_table", "blank", "col_letter", "expected_figures", "formula_cells", "members",
           "mismatches", "recached", "same_figure", "set_cells"]
