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
    """A setting, tiering rule, service catalog row or matrix cell is invalid.

    The engine says which value is wrong and what was expected; an adapter
    that knows where the value sits (sheet, table, row, column) adds that with
    :meth:`located`. Several errors found at once travel as one, whose
    ``errors`` lists each and whose message has a line for each.

    Attributes:
        field: the Settings field (``margin_pct``, ``rules``, ``catalog``, ...), if known.
        key: the item within the field: a role, a segment, a rule's number, a row's position.
        value: the value found.
        expected: what would have been accepted, in words.
        where: the location an adapter added, e.g. "Settings sheet, table Settings, row 12, column 'Value'".
    """

    def __init__(self, message: str = "", *, field: str | None = None, key: object = None, value: object = None,
                 expected: str | None = None, where: str | None = None,
                 errors: tuple["SettingsError", ...] = ()) -> None:
        self.message = message or (f"{field}: expected {expected}, got {value!r}" if field else "")
        self.field, self.key, self.value, self.expected, self.where = field, key, value, expected, where
        self.errors: tuple[SettingsError, ...] = errors or (self,)
        super().__init__(self._text())

    def _text(self) -> str:
        if len(self.errors) > 1 or self.errors[0] is not self:
            return f"{len(self.errors)} problems in the settings:\n" + "\n".join(f"  - {e}" for e in self.errors)
        return f"{self.where}: {self.message}" if self.where else self.message

    def located(self, where: str | None) -> "SettingsError":
        """The same error, naming where its value sits (an aggregate locates nothing itself)."""
        if not where or len(self.errors) > 1:
            return self
        return SettingsError(self.message, field=self.field, key=self.key, value=self.value,
                             expected=self.expected, where=where)

    @staticmethod
    def combine(errors: "list[SettingsError] | tuple[SettingsError, ...]") -> "SettingsError":
        """One error for several (each kept in ``errors``); one error stays itself."""
        leaves = tuple(e for error in errors for e in error.errors)
        if len(leaves) == 1:
            return leaves[0]
        return SettingsError(f"{len(leaves)} problems in the settings", errors=leaves)


class TierShapeError(SettingsError):
    """The Tiers table names other tiers than the Matrix's columns: the book must be reshaped for them.

    Attributes:
        table_tiers: the names the Tiers table holds now (a cell may read ``Old=New``).
        matrix_tiers: the tiers the Matrix, Summary and Capacity are laid out for.
    """

    def __init__(self, message: str, table_tiers: tuple[str, ...], matrix_tiers: tuple[str, ...]) -> None:
        super().__init__(message, field="tier_names", value=list(table_tiers),
                         expected="the tiers the Matrix is laid out for, or a reshape")
        self.table_tiers, self.matrix_tiers = table_tiers, matrix_tiers


class WorkbookError(TierbookError):
    """A workbook file cannot be read or written safely."""


class OutputError(TierbookError):
    """A file cannot be written: no such folder, a folder in its place, a full disk, another writer."""
