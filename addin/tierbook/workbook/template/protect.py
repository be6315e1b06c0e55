"""Sheet protection of the formula sheets: a pasted value cannot replace a formula unnoticed.

Services, Matrix and Summary are protected without a password (Review >
Unprotect Sheet lifts it in one click). Input cells are unlocked, and so are
the input columns of the rows below the Services and Matrix tables, where a
new service is typed; the cells Assign Tiers writes on Summary (FTE, Pareto)
are unlocked too, so the Excel buttons can write them. Sheets whose tables
Assign Tiers resizes (Accounts, Capacity, Data Quality, Tier History) and
Start are not protected: Excel cannot resize a table on a protected sheet,
and xlwings has no way to lift a protection. The file writer patches sheet
XML and is not bound by protection.
"""

from __future__ import annotations

from ...columns import ServiceCol
from ..formulas import SERVICE_COLUMNS, matrix_columns
from ..layout import Sheet, Tables
from .style import LIST_ROWS, Formats

PROTECTED: tuple[str, ...] = (Sheet.SERVICES, Sheet.MATRIX, Sheet.SUMMARY)
ALLOWED = {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True,
           "select_locked_cells": True, "select_unlocked_cells": True}
"""What a user may still do on a protected sheet: filter, sort, widen columns, select."""

SERVICE_INPUTS: tuple[str, ...] = ServiceCol.ALL


def _unlock_below(ws, f: Formats, header_row: int, first_free: int, cols: list[int]) -> None:  # type: ignore[no-untyped-def]
    """Unlock input columns from ``first_free`` (1-based) down to the validation lists' reach."""
    for r in range(first_free, header_row + LIST_ROWS + 1):
        for c in cols:
            ws.write_blank(r - 1, c - 1, None, f.unlocked)


def protect_sheets(sheets: dict, f: Formats, tiers: tuple[str, ...], n_services: int, n_matrix: int) -> None:  # type: ignore[type-arg]
    s, m = Tables.SERVICES, Tables.MATRIX
    _unlock_below(sheets[Sheet.SERVICES], f, s.row, s.row + 1 + n_services,
                  [s.col + SERVICE_COLUMNS.index(h) for h in SERVICE_INPUTS])
    headers = matrix_columns(tiers)
    _unlock_below(sheets[Sheet.MATRIX], f, m.row, m.row + 1 + n_matrix,
                  [m.col + headers.index(h) for h in (headers[0], *tiers)])
    for name in PROTECTED:
        sheets[name].protect("", dict(ALLOWED))
