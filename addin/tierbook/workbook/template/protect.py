"""Sheet protection of the formula sheets: a pasted value cannot replace a formula unnoticed.

Services, Matrix and Summary are protected without a password (Review >
Unprotect Sheet lifts it in one click). The input cells of their tables are
unlocked, and so are the cells Assign Tiers writes on Summary (FTE, Pareto),
so the Excel buttons can write them. Rows below the Services and Matrix
tables stay locked: Excel does not grow a table on a protected sheet, and a
service typed below the table would be priced by the formulas but not read
by Tierbook; to add one, lift the protection and the table grows as usual.
Sheets whose tables Assign Tiers resizes (Accounts, Capacity, Data Quality,
Tier History) and Start are not protected: Excel cannot resize a table on a
protected sheet, and xlwings has no way to lift a protection. The file
writer patches sheet XML and is not bound by protection.
"""

from __future__ import annotations

from ..layout import Sheet

PROTECTED: tuple[str, ...] = (Sheet.SERVICES, Sheet.MATRIX, Sheet.SUMMARY)
ALLOWED = {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True,
           "select_locked_cells": True, "select_unlocked_cells": True}
"""What a user may still do on a protected sheet: filter, sort, widen columns, select."""


def protect_sheets(sheets: dict) -> None:  # type: ignore[type-arg]
    """Protect the formula sheets, no password; cells written with an unlocked format stay open."""
    for name in PROTECTED:
        sheets[name].protect("", dict(ALLOWED))
