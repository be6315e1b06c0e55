"""Tierbook's exceptions: one base, a small tree, messages a user can act on.

    TierbookError
    ├── InputError            the accounts (or a file of them) cannot be used
    │   └── MissingColumnError    a required column is absent
    ├── SettingsError         a setting, rule, catalog or matrix value is invalid
    ├── WorkbookError         a workbook file cannot be read or written
    └── OutputError           a file cannot be written (folder, disk, another writer)

Every message names the offending value and what was expected, so the CLI and
the Excel front ends can show it as one line instead of a traceback.
"""

from __future__ import annotations


class TierbookError(Exception):
    """Base of every error Tierbook raises on purpose."""


class InputError(TierbookError, ValueError):
    """The accounts given to Tierbook cannot be used as they are."""


class MissingColumnError(InputError):
    """A required account column is absent."""


class SettingsError(TierbookError, ValueError):
    """A setting, tiering rule, service catalog row or matrix cell is invalid."""


class WorkbookError(TierbookError):
    """A workbook file cannot be read or written safely."""


class OutputError(TierbookError):
    """A file cannot be written: no such folder, a folder in its place, a full disk, another writer."""
