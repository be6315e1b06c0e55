"""Bring back the previous version of a book: ``tierbook restore BOOK``.

Every write of a book keeps the version it replaces as ``BOOK.bak.xlsx``
(:func:`~tierbook.atomic.atomic_write`). Restoring swaps them, under the
book's lock and atomically: the backup becomes the book, and the book as it
was becomes the backup, so a restore can itself be undone by restoring again.

A backup older than the book's last good version (the book was saved in
Excel, or rewritten by ``tierbook new --force``, after the backup was kept)
is not the version the last run replaced: restoring it would undo more than
that run, so it is refused unless the user says ``force``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_write, backup_is_current, book_lock
from ..errors import WorkbookError
from .package import backup_path, check_writable


@dataclass(frozen=True)
class Restored:
    """What a restore did: the book brought back, and where the version it replaced is kept."""

    path: Path
    backup: Path
    kept: bool


def _when(path: Path) -> str:
    return dt.datetime.fromtimestamp(os.stat(path).st_mtime, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def restore_backup(path: str | os.PathLike[str], force: bool = False) -> Restored:
    """Put ``BOOK.bak.xlsx`` back in place of ``BOOK.xlsx``, keeping the current book as the new backup.

    Raises:
        WorkbookError: no backup; the book is open in Excel or LibreOffice or
            read-only; or the backup is older than the book's last good version
            and ``force`` is not set (the message says what restoring would lose).
    """
    path = Path(path)
    backup = backup_path(path)
    with book_lock(path):
        if not backup.is_file():
            raise WorkbookError(f"{path.name}: no backup to restore ({backup.name} is not next to it); "
                                "a backup is kept each time Tierbook writes the book")
        check_writable(path)
        exists = path.is_file()
        if exists and not force and not backup_is_current(path, backup):
            raise WorkbookError(
                f"{backup.name} (kept {_when(backup)}) is older than {path.name}'s last good version (written "
                f"{_when(path)}, after the backup was kept: saved in Excel, or rewritten without a backup); "
                f"restoring it would undo more than the last run. Run tierbook restore {path.name} --force to "
                "restore it anyway")
        atomic_write(path, lambda temp: shutil.copyfile(backup, temp), backup=backup if exists else None)
    return Restored(path, backup, kept=exists)
