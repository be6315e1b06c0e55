"""What an xlwings Lite (Office.js) client does around a script, for tests.

``payload`` builds the JSON Excel sends to Python from a real .xlsx file;
``apply_actions`` replays the actions a script returns onto a copy of that
file, the way Excel would apply them.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import openpyxl
import xlwings as xw

from tierbook.workbook.cells import split_area
from tierbook.workbook.package import Package
from tierbook.workbook.source import open_values, sheet_grid


def _a1(row: int, col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def _wire(value: object) -> object:
    """A cell value as Office.js sends it: "" for empty, dates as ISO strings."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="milliseconds") + "Z"
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).isoformat(timespec="milliseconds") + "Z"
    return value


def _table(info) -> dict:  # type: ignore[no-untyped-def]
    r1, c1, r2, c2 = split_area(info.ref)
    last = r2 - info.totals
    return {
        "name": info.name,
        "range_address": f"{_a1(r1, c1)}:{_a1(r2, c2)}",
        "header_row_range_address": f"{_a1(r1, c1)}:{_a1(r1, c2)}",
        "data_body_range_address": f"{_a1(r1 + 1, c1)}:{_a1(last, c2)}",
        "total_row_range_address": f"{_a1(r2, c1)}:{_a1(r2, c2)}" if info.totals else None,
        "show_headers": True,
        "show_totals": bool(info.totals),
        "table_style": "TableStyleMedium2",
        "show_autofilter": True,
        "columns": list(info.columns),
        "row_count": r2 - r1 + 1,
        "column_count": c2 - c1 + 1,
    }


def payload(path: Path, include: list[str] | None = None) -> dict:
    """The book as Excel hands it to a script: every sheet's tables; values of the included sheets."""
    package = Package.open(path)
    values = open_values(package)
    sheets = []
    for name in package.sheets:
        grid = sheet_grid(values, name) if include is None or name in include else []
        sheets.append({
            "name": name,
            "values": [[_wire(v) for v in row] for row in grid] or [[]],
            "pictures": [],
            "tables": [_table(t) for t in package.tables.values() if t.sheet == name],
        })
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
            "names": [], "sheets": sheets}


def _cell(value: object) -> object:
    """How Excel stores a value it is sent: a leading apostrophe means text."""
    if value == "":
        return None
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return value


def apply_actions(path: Path, book_payload: dict, actions: list[dict], target: Path) -> list[str]:
    """Apply a script's actions to the file at ``path``, save as ``target``; return the messages shown."""
    wb = openpyxl.load_workbook(path)
    messages: list[str] = []
    totals: dict[str, list[object]] = {}
    for a in actions:
        func = a["func"]
        ws = wb.worksheets[a["sheet_position"]] if a.get("sheet_position") is not None else None
        r0, c0 = (a.get("start_row") or 0) + 1, (a.get("start_column") or 0) + 1
        if func == "setValues":
            for i, row in enumerate(a["values"]):
                for j, v in enumerate(row):
                    ws.cell(r0 + i, c0 + j).value = _cell(v)
        elif func == "setFormula":
            for i, row in enumerate(a["values"]):
                for j, v in enumerate(row):
                    ws.cell(r0 + i, c0 + j).value = v
        elif func == "rangeClearContents":
            for i in range(a["row_count"]):
                for j in range(a["column_count"]):
                    ws.cell(r0 + i, c0 + j).value = None
        elif func == "resizeTable":
            index, address = a["args"]
            name = book_payload["sheets"][a["sheet_position"]]["tables"][index]["name"]
            ws.tables[name].ref = address.replace("$", "").split("!")[-1]
        elif func == "showTotalsTable":
            index, show = a["args"]
            name = book_payload["sheets"][a["sheet_position"]]["tables"][index]["name"]
            _show_totals(ws, ws.tables[name], show, totals)
        elif func == "addSheet":
            position, name = a["args"]
            wb.create_sheet(title=name, index=position)
            book_payload["sheets"].insert(position, {"name": name, "tables": []})
        elif func == "alert":
            messages.append(a["args"][0])
        else:
            raise AssertionError(f"the test harness does not apply {func!r} yet")
    wb.save(target)
    return messages


def _show_totals(ws, table, show: bool, kept: dict[str, list[object]]) -> None:  # type: ignore[no-untyped-def]
    """Turn a table's Total Row off (its cells emptied, their contents kept) or on (just below the data), as Excel does.

    Excel keeps a Total Row's labels and functions in the table itself, so
    turning the row on again brings them back under the data.
    """
    r1, c1, r2, c2 = split_area(table.ref)
    if not show and table.totalsRowCount:
        kept[table.name] = [ws.cell(r2, c).value for c in range(c1, c2 + 1)]
        for c in range(c1, c2 + 1):
            ws.cell(r2, c).value = None
        table.ref = f"{_a1(r1, c1)}:{_a1(r2 - 1, c2)}"
        table.totalsRowCount = None
    elif show and not table.totalsRowCount:
        for j, value in enumerate(kept.pop(table.name, [])):
            ws.cell(r2 + 1, c1 + j).value = value
        table.ref = f"{_a1(r1, c1)}:{_a1(r2 + 1, c2)}"
        table.totalsRowCount = 1


def cells(path: Path) -> dict[str, dict[str, object]]:
    """Every non-empty cell (formulas as text) and every table range, per sheet."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, dict[str, object]] = {}
    for ws in wb.worksheets:
        sheet = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value not in (None, "")}
        sheet.update({f"table {t.name}": t.ref for t in ws.tables.values()})
        out[ws.title] = sheet
    return out


def differences(a: dict[str, dict[str, object]], b: dict[str, dict[str, object]]) -> list[tuple]:
    """Cells that differ between two workbooks (floats within 1e-13, as openpyxl keeps 16 digits)."""
    out = []
    for sheet in sorted(set(a) | set(b)):
        left, right = a.get(sheet, {}), b.get(sheet, {})
        for key in sorted(set(left) | set(right)):
            x, y = left.get(key), right.get(key)
            numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (x, y))
            if numbers and math.isclose(x, y, rel_tol=1e-13):  # type: ignore[arg-type]
                continue
            if x != y:
                out.append((sheet, key, x, y))
    return out
