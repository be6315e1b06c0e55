"""Who runs a button: Excel's user name, for Tier History's By, where the runtime gives it."""

from __future__ import annotations

import sys

import xlwings as xw


def excel_user(book: xw.Book) -> str:
    """Excel's user name (File > Options > General) for Tier History's By, where the runtime gives it; else blank.

    Desktop Excel gives it to xlwings' native object: ``Application.UserName``
    through COM on Windows, ``user_name`` through AppleScript on macOS.
    xlwings Lite (Pyodide, Office.js) and the remote engine give Python no
    user name, so their entries have a blank By.
    """
    if sys.platform == "emscripten":
        return ""
    try:
        api = book.app.api
        name = getattr(api, "UserName", None)
        if name is None and hasattr(api, "user_name"):
            name = api.user_name.get()
    except Exception:  # noqa: BLE001 - COM and AppleScript raise their own error types; no name is no name
        return ""
    return name.strip() if isinstance(name, str) else ""


__all__ = ["excel_user"]
