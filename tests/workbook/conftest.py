"""Fixtures of the workbook tests: small books built once per session, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tierbook.workbook.create import new_book


@pytest.fixture(scope="session")
def sample_book_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("books") / "sample.xlsx"
    new_book(path, sample=150, seed=11)
    return path


@pytest.fixture
def book(sample_book_master: Path, tmp_path: Path) -> Path:
    """A tiered workbook with 150 sample accounts (CRM defects included), private to the test."""
    path = tmp_path / "Tierbook.xlsx"
    shutil.copy(sample_book_master, path)
    return path


@pytest.fixture(scope="session")
def big_book_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiered workbook of 20,000 accounts: big enough that writing it takes a moment."""
    path = tmp_path_factory.mktemp("big") / "big.xlsx"
    new_book(path, sample=20_000, seed=5)
    return path


@pytest.fixture
def big_book(big_book_master: Path, tmp_path: Path) -> Path:
    path = tmp_path / "Big.xlsx"
    shutil.copy(big_book_master, path)
    return path
