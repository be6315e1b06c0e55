"""Reading a workbook: bad inputs are named by sheet, row, column and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from tierbook.errors import SettingsError, WorkbookError
from tierbook.layout import Sheet, Tables
from tierbook.workbook.cells import ref
from tierbook.workbook.package import Package
from tierbook.workbook.read import read_book

from .helpers import set_cells


def read_error(path: Path) -> str:
    with pytest.raises(SettingsError) as err:
        read_book(Package.open(path))
    return str(err.value)


def test_reads_the_settings_catalog_and_matrix(book: Path) -> None:
    data = read_book(Package.open(book))
    assert data.settings.tier_names == ("High-touch", "Mid-touch", "Tech-touch")
    assert len(data.catalog) == 21 and list(data.matrix.columns) == list(data.settings.tier_names)
    assert data.n_accounts == 150 and data.first_row == 2


def test_rule_with_unknown_tier_names_its_row(book: Path) -> None:
    p = Tables.RULES
    set_cells(book, Sheet.RULES, {ref(p.row + 2, p.col + 3): "Gold"})
    message = read_error(book)
    assert f"Tier Rules sheet, table TierRules, row {p.row + 2}" in message and "'Gold'" in message


def test_segment_map_with_unknown_tier_names_its_row(book: Path) -> None:
    p = Tables.SEGMENT_MAP
    set_cells(book, Sheet.SEGMENTS, {ref(p.row + 4, p.col + 1): "Platinum"})
    message = read_error(book)
    assert f"row {p.row + 4}" in message and "'Platinum'" in message and "Segments sheet" in message


def test_negative_interval_names_the_matrix_cell(book: Path) -> None:
    p = Tables.MATRIX
    set_cells(book, Sheet.MATRIX, {ref(p.row + 3, p.col + 1): -2})
    message = read_error(book)
    assert "Matrix sheet" in message and f"row {p.row + 3}" in message and "'High-touch'" in message and "-2" in message


def test_bands_over_one_name_the_tiers_table(book: Path) -> None:
    p = Tables.TIERS
    set_cells(book, Sheet.SETTINGS, {ref(p.row + 1, p.col + 1): 0.8})
    message = read_error(book)
    assert "Tiers" in message and "account_bands" in message and "more than 1" in message


def test_unknown_csm_role_lists_the_roles(book: Path) -> None:
    row = Tables.SETTINGS.row + 1 + 12  # csm_role
    set_cells(book, Sheet.SETTINGS, {f"B{row}": "Account Manager"})
    message = read_error(book)
    assert f"row {row}" in message and "'Account Manager'" in message and "CSM" in message


def test_renamed_table_is_a_clear_error(book: Path) -> None:
    package = Package.open(book)
    package.tables.pop("services")
    with pytest.raises(WorkbookError, match="no Excel table named 'Services'"):
        read_book(package)


def test_not_a_workbook(tmp_path: Path) -> None:
    bad = tmp_path / "x.xlsx"
    bad.write_text("hello")
    with pytest.raises(WorkbookError, match="not an .xlsx workbook"):
        Package.open(bad)
