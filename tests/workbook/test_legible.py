"""Every header and explanatory text shows whole at 100 % zoom, and every sheet prints as set up, after runs too.

Texts are measured in the font the sheets show them in: Calibri 11, read
from Carlito's font file (Calibri's metric-compatible twin, the font
LibreOffice shows instead), against the column widths and row heights the
sheet XML declares, converted to pixels as Excel converts them.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from tierbook.columns import INPUT_COLUMNS
from tierbook.workbook.assign import assign
from tierbook.workbook.plan import RUN_SHEETS
from tierbook.workbook.create import new_book
from tierbook.workbook.layout import Sheet, Tables
from tierbook.workbook.package import Package
from tierbook.workbook.printing import UNSTAMPED, RUN_LABEL
from tierbook.workbook.template.style import LANDSCAPE_PIXELS, PORTRAIT_PIXELS, READABLE_SCALE
from tierbook.workbook.template.textwidth import CELL_PADDING, FILTER_BUTTON, LINE_POINTS
from tools.template import default_path

STAMP1, STAMP2 = "2026-03-01 08:00:00", "2026-03-02 08:00:00"
ACCOUNTS_ACROSS = 3
"""Landscape pages across that Accounts prints on (its 22 columns at 75 % or more)."""
ONE_PAGE = {Sheet.START, Sheet.SUMMARY}
"""Sheets that print on one page; every other prints one page wide and as many long as its rows need."""


def _font_file(style: str) -> str | None:
    if shutil.which("fc-match") is None:
        return None
    path = subprocess.run(["fc-match", "-f", "%{file}", f"Carlito:{style}"], capture_output=True, text=True).stdout
    return path if "Carlito" in path else None


def _missing(message: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@lru_cache(maxsize=2)
def _advances(bold: bool) -> tuple[dict[int, int], int]:
    try:
        from fontTools.ttLib import TTFont
    except ImportError:
        _missing("fontTools measures the texts: pip install 'tierbook[test]'")
    path = _font_file("bold" if bold else "regular")
    if path is None:
        _missing("the Carlito font is needed to measure texts: apt-get install fonts-crosextra-carlito")
    font = TTFont(path)
    cmap, metrics = font.getBestCmap(), font["hmtx"]
    return {code: metrics[glyph][0] for code, glyph in cmap.items()}, font["head"].unitsPerEm


def text_px(text: str, bold: bool = False, size: float = 11) -> float:
    """The width of one line of text in Calibri 11 (Carlito's advance widths), in pixels at 96 dpi."""
    advances, em = _advances(bold)
    return sum(advances.get(ord(ch), em) for ch in text) / em * size * 96 / 72


def lines_of(text: str, room: float, bold: bool = False) -> list[str]:
    """Greedy word wrap, as a spreadsheet wraps a cell's text."""
    out = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            if line and text_px(trial, bold) > room:
                out.append(line)
                line = word
            else:
                line = trial
        out.append(line)
    return out


class SheetGeometry:
    """Column widths (pixels) and row heights (points) of one worksheet, as its XML declares them."""

    def __init__(self, xml: str) -> None:
        fmt = re.search(r"<sheetFormatPr\b[^>]*>", xml)
        default = re.search(r'defaultColWidth="([\d.]+)"', fmt.group(0)) if fmt else None
        self.default_width = float(default.group(1)) if default else 8.43 + 0.7109375
        self.widths: dict[int, float] = {}
        for tag in re.findall(r"<col\b[^>]*>", xml):
            lo, hi = int(re.search(r'min="(\d+)"', tag).group(1)), int(re.search(r'max="(\d+)"', tag).group(1))
            width = float(re.search(r'width="([\d.]+)"', tag).group(1))
            for c in range(lo, min(hi, 200) + 1):
                self.widths[c] = width
        self.heights = {int(r): float(h) for r, h in re.findall(r'<row\b[^>]*?\br="(\d+)"[^>]*?\bht="([\d.]+)"', xml)}
        self.custom = {int(r) for r in re.findall(r'<row\b[^>]*?\br="(\d+)"[^>]*?\bcustomHeight="1"', xml)}

    def fits_itself(self, row: int) -> bool:
        """A row without a height of its own: Excel and LibreOffice make it as tall as its wrapped texts."""
        return row not in self.heights and row not in self.custom

    def col_px(self, col: int) -> int:
        """Excel's pixels for a stored column width (Calibri 11's digit is 7 pixels)."""
        return math.trunc((256 * self.widths.get(col, self.default_width) + math.trunc(128 / 7)) / 256 * 7)

    def lines(self, row: int) -> int:
        return max(1, int(self.heights.get(row, LINE_POINTS) / LINE_POINTS + 1e-9))


def geometries(path: Path) -> dict[str, SheetGeometry]:
    package = Package.open(path)
    return {name: SheetGeometry(package.text(part)) for name, part in package.sheets.items()}


def clipped_headers(path: Path) -> list[str]:
    """Every table header that does not show whole: wider than its column beside the filter button, or taller than its row."""
    package = Package.open(path)
    wb = openpyxl.load_workbook(path)
    geo = geometries(path)
    bad = []
    for info in package.tables.values():
        r1, c1, _, _ = info.bounds
        g, ws = geo[info.sheet], wb[info.sheet]
        for j, header in enumerate(info.columns):
            col = c1 + j
            room = g.col_px(col) - CELL_PADDING - FILTER_BUTTON
            wraps = bool(ws.cell(r1, col).alignment.wrap_text)
            lines = lines_of(header, room, bold=True) if wraps else [header]
            if len(lines) > g.lines(r1) or any(text_px(line, bold=True) > room for line in lines):
                bad.append(f"{info.sheet}!{get_column_letter(col)}{r1} {header!r}: needs "
                           f"{max(text_px(line, True) for line in lines):.0f} px in {len(lines)} line(s); "
                           f"the column has {room} px beside the filter button, the row {g.lines(r1)} line(s)")
    return bad


def print_columns(package: Package) -> dict[str, list[tuple[int, int, int, int]]]:
    """Sheet -> its print ranges (row1, col1, row2, col2), from the workbook's Print_Area names."""
    xml = package.text(package.workbook_part)
    order = list(package.sheets)
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    for sheet_id, value in re.findall(r'<definedName name="_xlnm.Print_Area" localSheetId="(\d+)">([^<]*)</definedName>', xml):
        ranges = [part.split("!")[-1] for part in value.split(",")]
        out[order[int(sheet_id)]] = [tuple(range_boundaries(r.replace("$", ""))[i] for i in (1, 0, 3, 2)) for r in ranges]
    return out


def hidden_texts(path: Path, users: frozenset[tuple[str, int]] = frozenset()) -> list[str]:
    """Every text cell of a book that does not show whole on screen or on paper.

    A wrapped text (or a merged one) must fit its row's height in its
    columns' width; any other text must fit its column, or run only into
    empty cells on its right. Either way it must end inside the sheet's print range.
    The columns in ``users`` ((sheet, column)) hold the user's own texts, not Tierbook's.
    """
    package = Package.open(path)
    wb = openpyxl.load_workbook(path)
    geo = geometries(path)
    areas = print_columns(package)
    headers = {(info.sheet, info.bounds[0], info.bounds[1] + j) for info in package.tables.values()
               for j in range(len(info.columns))}
    bad = []
    for ws in wb.worksheets:
        g = geo[ws.title]
        merged = {(m.min_row, m.min_col): m for m in ws.merged_cells.ranges}
        for row in ws.iter_rows():
            for cell in row:
                if (not isinstance(cell.value, str) or cell.data_type == "f" or (ws.title, cell.column) in users
                        or (ws.title, cell.row, cell.column) in headers):
                    continue
                text, bold = cell.value, bool(cell.font.b)
                size = float(cell.font.sz or 11)
                span = merged.get((cell.row, cell.column))
                last = span.max_col if span else cell.column
                pixels = sum(g.col_px(c) for c in range(cell.column, last + 1)) - CELL_PADDING
                if cell.alignment.wrap_text:
                    if span is None and g.fits_itself(cell.row):
                        continue
                    lines = lines_of(text, pixels, bold)
                    rows = g.lines(cell.row) if span is None else sum(g.lines(r) for r in range(span.min_row, span.max_row + 1))
                    if len(lines) * size / 11 > rows + 1e-9 or any(text_px(x, bold, size) > pixels for x in lines):
                        bad.append(f"{ws.title}!{cell.coordinate}: {len(lines)} line(s) in a row of {rows}: {text[:50]!r}")
                    continue
                need = text_px(text, bold, size)
                while need > pixels and last < 200:
                    last += 1
                    neighbour = ws.cell(cell.row, last).value
                    if neighbour not in (None, ""):
                        bad.append(f"{ws.title}!{cell.coordinate}: runs into {get_column_letter(last)}{cell.row}: "
                                   f"{text[:50]!r}")
                        break
                    pixels += g.col_px(last)
                in_print = [a for a in areas.get(ws.title, []) if a[1] <= cell.column <= a[3] and a[0] <= cell.row <= a[2]]
                if in_print and last > in_print[0][3]:
                    bad.append(f"{ws.title}!{cell.coordinate}: runs past the print range's last column: {text[:50]!r}")
    return bad


def shown(value: float, number_format: str) -> str:
    """A number as its format shows it, for the formats the template uses (literal text, %, decimals, thousands)."""
    if number_format in ("", "General"):
        return f"{value:.10g}"
    masked = re.sub(r'"[^"]*"', lambda q: "_" * len(q.group(0)), number_format)  # digits inside quotes are text
    m = re.search(r"[#0][#0,.]*%?", masked)
    code = m.group(0)
    percent = code.endswith("%")
    decimals = len(code.rstrip("%").split(".")[1]) if "." in code else 0
    body = f"{value * (100 if percent else 1):{',' if ',' in code else ''}.{decimals}f}" + ("%" if percent else "")
    return (number_format[: m.start()] + body + number_format[m.end():]).replace('"', "")


def hidden_numbers(path: Path, sheets: tuple[str, ...]) -> list[str]:
    """Every number cell (its cached result) that its column is too narrow for: a spreadsheet shows it as ####."""
    values = openpyxl.load_workbook(path, data_only=True)
    geo = geometries(path)
    bad = []
    for sheet in sheets:
        ws, g = values[sheet], geo[sheet]
        merged = {(m.min_row, m.min_col): m for m in ws.merged_cells.ranges}
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, (int, float)) or isinstance(cell.value, bool):
                    continue
                span = merged.get((cell.row, cell.column))
                last = span.max_col if span else cell.column
                room = sum(g.col_px(c) for c in range(cell.column, last + 1)) - CELL_PADDING
                text = shown(float(cell.value), cell.number_format)
                if text_px(text, bool(cell.font.b), float(cell.font.sz or 11)) > room:
                    bad.append(f"{sheet}!{cell.coordinate}: {text} needs more than {room} px")
    return bad


# ---------------------------------------------------------------- on screen
def test_every_table_header_of_the_template_shows_whole() -> None:
    assert clipped_headers(default_path()) == []


def test_every_explanatory_text_of_the_template_shows_whole() -> None:
    assert hidden_texts(default_path()) == []


def test_headers_and_texts_still_show_whole_after_assign_tiers(book: Path) -> None:
    assign(book, stamp=STAMP1, backup=False)
    assert clipped_headers(book) == []
    info = Package.open(book).table(Tables.ACCOUNTS.table)
    crm = frozenset((Sheet.ACCOUNTS, info.column(h)) for h in INPUT_COLUMNS)  # the CRM's names and the user's notes
    assert hidden_texts(book, crm) == []


def test_every_figure_of_a_big_book_fits_its_column(big_book: Path) -> None:
    assert shown(1234567.891, "#,##0") == "1,234,568" and shown(0.1234, "0.0%") == "12.3%"
    assert shown(257, '#,##0 "accounts"') == "257 accounts" and shown(7504400, '"ARR "#,##0') == "ARR 7,504,400"
    sheets = (Sheet.SUMMARY, Sheet.CAPACITY, Sheet.MATRIX, Sheet.SERVICES, Sheet.SEGMENTS, Sheet.START)
    assert hidden_numbers(big_book, sheets) == []


def test_the_summary_notes_say_what_each_basis_means() -> None:
    from tierbook.workbook import text

    notes = " ".join(text.SUMMARY_NOTES)
    assert "Pooled Split Basis" in notes and "ARR above 0" in notes
    assert "hire" in text.TABLE_HINTS[Tables.ROLE_GAPS.table]


# ----------------------------------------------------------------- on paper
def print_markup(xml: str) -> dict[str, str]:
    """The print settings of a worksheet: fit-to-page flag, print options, margins, page setup, header and footer."""
    out = {}
    for tag in ("pageSetUpPr", "printOptions", "pageMargins", "pageSetup"):
        m = re.search(rf"<{tag}\b[^>]*/>", xml)
        out[tag] = m.group(0) if m else ""
    m = re.search(r"<headerFooter\b.*?</headerFooter>", xml, re.S)
    out["headerFooter"] = m.group(0) if m else ""
    return out


def print_names(package: Package) -> list[str]:
    xml = package.text(package.workbook_part)
    return sorted(re.findall(r'<definedName name="_xlnm\.Print_(?:Area|Titles)"[^>]*>[^<]*</definedName>', xml))


def test_every_sheet_has_a_print_setup() -> None:
    package = Package.open(default_path())
    names = "\n".join(print_names(package))
    geo = geometries(default_path())
    for i, (sheet, part) in enumerate(package.sheets.items()):
        setup = print_markup(package.text(part))
        assert 'fitToPage="1"' in setup["pageSetUpPr"], sheet
        wide = re.search(r'fitToWidth="(\d+)"', setup["pageSetup"])
        assert (wide.group(1) if wide else "1") == ("1" if sheet != Sheet.ACCOUNTS else str(ACCOUNTS_ACROSS)), sheet
        tall = re.search(r'fitToHeight="(\d+)"', setup["pageSetup"])
        assert (tall.group(1) if tall else "1") == ("1" if sheet in ONE_PAGE else "0"), sheet
        footer = setup["headerFooter"]
        assert "&amp;A" in footer and "Page &amp;P of &amp;N" in footer, sheet
        assert (RUN_LABEL + UNSTAMPED in footer) == (sheet in RUN_SHEETS), sheet
        assert f'name="_xlnm.Print_Area" localSheetId="{i}"' in names, sheet
        if sheet not in ONE_PAGE:
            assert f'name="_xlnm.Print_Titles" localSheetId="{i}"' in names, sheet
        widest = max(sum(geo[sheet].col_px(c) for c in range(c1, c2 + 1))
                     for _, c1, _, c2 in print_columns(package)[sheet])
        landscape = 'orientation="landscape"' in setup["pageSetup"]
        assert landscape == (widest > PORTRAIT_PIXELS), f"{sheet}: {widest} px wide, landscape={landscape}"


def test_accounts_prints_at_a_readable_scale_its_ids_and_names_on_every_page() -> None:
    """Too wide for one page at 35 %: landscape, pages across at 75 % or more, Account ID and Name repeated."""
    package = Package.open(default_path())
    g = geometries(default_path())[Sheet.ACCOUNTS]
    (_, c1, _, c2), = print_columns(package)[Sheet.ACCOUNTS]
    pixels = [g.col_px(c) for c in range(c1, c2 + 1)]
    titles = sum(pixels[:2])  # Account ID, Account Name
    def scale(across: int) -> float:  # each page across repeats the title columns
        return across * LANDSCAPE_PIXELS / (sum(pixels) + (across - 1) * titles)

    assert scale(1) < 0.40  # one page wide, it would print at about a third of its size
    assert READABLE_SCALE <= scale(ACCOUNTS_ACROSS) <= 1.0, f"{ACCOUNTS_ACROSS} across: {scale(ACCOUNTS_ACROSS):.0%}"
    assert scale(ACCOUNTS_ACROSS - 1) < READABLE_SCALE  # and no more pages than that takes
    setup = print_markup(package.text(package.sheet_part(Sheet.ACCOUNTS)))
    assert 'orientation="landscape"' in setup["pageSetup"] and 'pageOrder="overThenDown"' in setup["pageSetup"]
    names = "\n".join(print_names(package))
    i = list(package.sheets).index(Sheet.ACCOUNTS)
    titles_name = re.search(rf'name="_xlnm.Print_Titles" localSheetId="{i}"[^>]*>([^<]*)<', names).group(1)
    assert titles_name == "Accounts!$A:$B,Accounts!$1:$1"


def test_the_printed_summary_holds_the_budget_check_the_policy_and_the_charts() -> None:
    package = Package.open(default_path())
    (r1, c1, r2, c2), = print_columns(package)[Sheet.SUMMARY]
    for place in (Tables.SUMMARY, Tables.BUDGET, Tables.IN_FORCE):
        info = package.table(place.table)
        t1, u1, t2, u2 = info.bounds
        assert r1 <= t1 and t2 <= r2 and c1 <= u1 and u2 <= c2, place.table
    drawing = next(p for p in package.data if p.startswith("xl/drawings/drawing") and p.endswith(".xml")
                   and "c:chart" in package.text(p))
    bottoms = [int(r) + 1 for r in re.findall(r"<xdr:to><xdr:col>\d+</xdr:col><xdr:colOff>-?\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>",
                                               package.text(drawing))]
    assert len(bottoms) == 3 and max(bottoms) <= r2


def test_print_settings_survive_assign_tiers(tmp_path: Path) -> None:
    template = Package.open(default_path())
    path = tmp_path / "Printed.xlsx"
    new_book(path, sample=300, seed=3)
    assign(path, stamp=STAMP1, backup=False)
    assign(path, stamp=STAMP2, backup=False)
    package = Package.open(path)
    assert print_names(package) == print_names(template)
    for sheet, part in template.sheets.items():
        before, after = print_markup(template.text(part)), print_markup(package.text(package.sheet_part(sheet)))
        assert STAMP2 not in after["headerFooter"], sheet  # the title rows name the run; the footer points to Start
        assert after == before, sheet


def test_the_scenarios_comparison_shows_whole_on_its_sheet(book: Path) -> None:
    from tierbook import tasks

    tasks.workbook_whatif(book, ["Shares", "policy=arr-share", "Lean", "headcount:Technical Success Manager=1",
                                 "cs_budget=1000"], save=True)
    assert clipped_headers(book) == []
    assert [t for t in hidden_texts(book) if t.startswith(Sheet.SCENARIOS)] == []
    assert hidden_numbers(book, (Sheet.SCENARIOS,)) == []
