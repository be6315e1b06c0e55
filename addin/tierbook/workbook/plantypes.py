"""What a plan is made of: the tables it fills, the cached results it refreshes, the footer stamp.

These are plain values: the plan step (:mod:`.plan`) makes them, the file
writer (:mod:`.xmlwriter`) and the open-workbook writer
(:mod:`tierbook.excel.rangewriter`) copy them, and a dry run describes them
(:mod:`.dryrun`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..errors import WorkbookError
from .dryrun import describe
from .formulas import Cells
from .layout import Place
from .package import TableInfo

ROW = "\x00"
"""Stands for the row number in a filled-down formula (no formula holds it)."""


@dataclass(frozen=True)
class FilledFormula:
    """One formula filled down a table column, and the result the engine says each row shows."""

    template: str
    results: np.ndarray

    def at(self, row: int) -> str:
        """The formula (without '=') of the sheet row ``row``."""
        return self.template.replace(ROW, str(row))


@dataclass(frozen=True)
class TableFill:
    """What one table receives, by header.

    Attributes:
        place: the table (its sheet and name).
        columns: header -> one value per row written.
        formulas: header -> a formula filled down, with its cached results.
        start: data rows above the first one written that stay as they are.
        fit: the table ends with these rows: below them, inside the table, the
            columns written are cleared, the table's range ends there and its
            Total Row follows. Without, each cell is set in place and keeps
            its format (Summary figures, the run stamp).
    """

    place: Place
    columns: Mapping[str, np.ndarray]
    formulas: Mapping[str, FilledFormula] = field(default_factory=dict)
    start: int = 0
    fit: bool = True

    @property
    def headers(self) -> tuple[str, ...]:
        return (*self.columns, *self.formulas)

    @property
    def rows(self) -> int:
        values = [*self.columns.values(), *(f.results for f in self.formulas.values())]
        return len(values[0]) if values else 0


@dataclass(frozen=True)
class CachedResults:
    """The template's formula cells of one sheet: (row, column) -> (formula, the figure it must show).

    With ``formulas_only``, a cell whose formula a user replaced by a value is
    theirs and keeps it.
    """

    sheet: str
    cells: Cells
    formulas_only: bool


@dataclass(frozen=True)
class FooterStamp:
    """What the printed footers of the sheets a run writes say of the run: where it is named (Start).

    A footer cannot name the run itself: xlwings sets no page footer, so
    after a run from Excel it would name an older one. The title rows name
    it instead, by formula (:func:`~tierbook.workbook.printing.run_stamp_cells`).
    The file writer copies this into each footer, putting it back where an
    earlier Tierbook left a run's stamp; the range writer leaves footers as they are.
    """

    sheets: tuple[str, ...]
    stamp: str


@dataclass(frozen=True)
class AssignPlan:
    """Everything one button (Assign Tiers, Check Data, Plan Capacity, a settings refresh) writes, and what it says.

    Attributes:
        job: what the plan is for, as a user names it.
        tables: every table it writes, in order.
        cached: the cached results of the template's formulas it refreshes.
        message: what the button shows when it is done.
        accounts: the accounts read.
        needs_data / needs_data_arr: accounts the run could not tier, and their ARR.
        moves: the tier changes by :class:`~tierbook.engine.history.Change`, and the accounts new to a tier.
        logged: the tier changes it appends to Tier History.
        footer: what the printed footers say of the run (None: the footers stay as they are).
    """

    job: str
    tables: tuple[TableFill, ...]
    cached: tuple[CachedResults, ...] = ()
    message: str = ""
    accounts: int = 0
    needs_data: int = 0
    needs_data_arr: float = 0.0
    moves: Mapping[str, int] = field(default_factory=dict)
    logged: int = 0
    footer: FooterStamp | None = None

    def table(self, place: Place) -> TableFill | None:
        return next((t for t in self.tables if t.place == place), None)

    def describe(self) -> str:
        """What a dry run prints: accounts tiered, tier changes, Needs data, and every table it would write."""
        return describe(self)


def column_of(info: TableInfo, header: str) -> int:
    """The sheet column of a table's header (as the table spells it); the writers' one way to find it."""
    c = info.column(header)
    if c is None:
        found = ", ".join(repr(h) for h in info.columns)
        raise WorkbookError(f"{info.sheet} sheet, table {info.name}, heading row {info.bounds[0]}: no column "
                            f"{header!r} (the headings are {found}); Tierbook writes its results under that heading: "
                            "name the column so again, or add it back to the table")
    return c
