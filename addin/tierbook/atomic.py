"""Writing files safely: one atomic writer, one lock per book, and cleanup after a killed run.

Every file Tierbook writes (a workbook, a CSV, a rule file) goes through
:func:`atomic_write`: the new content goes to a temporary file next to the
target, named ``.NAME.tierbook-PID-TOKEN.tmp`` after the process that writes
it, and is then renamed into place. A run killed halfway (SIGKILL, a power
cut) leaves the target as it was, plus that temporary file; the next write
into the same folder deletes the temporary files whose process is gone, and
never one that a running writer still owns.

A command that reads a book, changes it and writes it back holds
:func:`book_lock` from the read to the rename, so that two commands on one
book cannot both start from the old version and lose one run. The lock is an
``flock`` on ``.NAME.tierbook-lock`` next to the book: the operating system
releases it when its process ends, however it ends, so a crash never leaves
a book locked.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import stat
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError

LOCK_WAIT_SECONDS = 5.0
"""How long a second writer waits for a book's lock before it refuses (``TIERBOOK_LOCK_WAIT`` overrides)."""
LEGACY_AGE_SECONDS = 3600.0
"""Temporary files of earlier Tierbook versions (no PID in their name) are removed once this old."""

_TEMP = re.compile(r"^\..+\.tierbook-(\d+)-[0-9a-f]{8}\.(?:tmp|bak)$")
_LOCK = re.compile(r"^\..+\.tierbook-lock$")
_HELD: dict[str, int] = {}
_LOCKED: set[str] = set()  # the books of _HELD whose lock the operating system really holds


# ------------------------------------------------------------------ leftovers
def temp_path(path: Path, kind: str = "tmp") -> Path:
    """A temporary name next to ``path`` that says who writes it: ``.NAME.tierbook-PID-TOKEN.tmp``."""
    return path.with_name(f".{path.name}.tierbook-{os.getpid()}-{secrets.token_hex(4)}.{kind}")


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # Windows: os.kill(pid, 0) would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, under another user
        return True
    return True


def _legacy(target: Path) -> re.Pattern[str]:
    """Temporary names of earlier versions (tempfile.mkstemp) for this target."""
    rand = r"\.[a-z0-9_]{8}\."
    return re.compile(rf"^(?:\.{re.escape(target.name)}{rand}tmp|\.{re.escape(target.stem)}{rand}tmp\.xlsx(?:\.bak)?)$")


def remove_leftovers(folder: Path, target: Path | None = None) -> list[Path]:
    """Delete what killed Tierbook runs left in ``folder``; returns what was removed.

    Removed: temporary files whose writer process no longer runs, lock files
    nobody holds, and (for ``target``) an earlier version's temporary files
    older than :data:`LEGACY_AGE_SECONDS`. A running writer's files stay.
    """
    removed: list[Path] = []
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(".")]
    except OSError:
        return removed
    legacy = _legacy(target) if target is not None else None
    locked = _locked_prefix(target)
    now = time.time()
    for entry in entries:
        m = _TEMP.match(entry.name)
        try:
            if m is not None:
                pid = int(m.group(1))
                mine = locked is not None and entry.name.startswith(locked)
                stale = pid != os.getpid() if mine else not _alive(pid)
            elif _LOCK.match(entry.name):
                stale = _unheld_lock(entry.path)
            else:
                stale = bool(legacy and legacy.match(entry.name) and now - entry.stat().st_mtime > LEGACY_AGE_SECONDS)
            if stale:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _locked_prefix(target: Path | None) -> str | None:
    """The temporary-name prefix of ``target`` when this process holds its book lock, else None.

    Every writer of a book holds its lock while its temporary files exist, so
    under the lock another process's files for that book are leftovers, even
    when the operating system has since given their PID to a new process.
    A folder that cannot lock (some network shares) proves nothing: there
    only a file whose process is gone is a leftover.
    """
    if target is None or os.path.realpath(target) not in _LOCKED:
        return None
    return f".{target.name}.tierbook-"


def _unheld_lock(lock: str) -> bool:
    """Whether a lock file is held by nobody (then it may go; a holder keeps it open and locked)."""
    fd = os.open(lock, os.O_RDWR)
    try:
        return _try_lock(fd) is True
    finally:
        os.close(fd)


# ----------------------------------------------------------------------- lock
def lock_path(path: Path) -> Path:
    """The lock file of a book: ``.NAME.tierbook-lock`` next to it."""
    return path.with_name(f".{path.name}.tierbook-lock")


def _try_lock(fd: int) -> bool | None:
    """True: locked now; False: another process holds it; None: this file system cannot lock."""
    try:
        if os.name == "nt":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES, errno.EDEADLK):
            return False
        if exc.errno in (errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
            return None
        raise


def _wait_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get("TIERBOOK_LOCK_WAIT", LOCK_WAIT_SECONDS)))
    except ValueError:
        return LOCK_WAIT_SECONDS


def _holder_text() -> str:
    command = " ".join([Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python", *sys.argv[1:]])
    return f"process {os.getpid()}: {command[:200]}"


def _acquire(path: Path, wait: float) -> tuple[int, bool]:
    """The open lock file, and whether it is really locked (False where the folder cannot lock)."""
    lock = lock_path(path)
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        except FileNotFoundError:
            raise OutputError(f"{path.parent}: no such folder") from None
        except OSError as exc:
            raise OutputError(f"{path.parent}: cannot write in this folder ({exc.strerror})") from None
        state = _try_lock(fd)
        if state is None:
            return fd, False  # no locks here (some network shares): write unlocked, as before
        if state:
            try:
                same = os.fstat(fd).st_ino == os.stat(lock).st_ino
            except FileNotFoundError:
                same = False  # the previous holder removed it as we opened it: take the new one
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, _holder_text().encode("utf-8", "replace"))
                return fd, True
            os.close(fd)
            continue
        os.close(fd)
        if time.monotonic() >= deadline:
            try:
                holder = lock.read_text(encoding="utf-8", errors="replace").strip()
            except OSError:
                holder = ""
            raise OutputError(f"{path.name} is being written by another Tierbook command "
                              f"({holder or 'another process'}); run again when it has finished")
        time.sleep(0.05)


@contextmanager
def book_lock(path: str | os.PathLike[str], wait: float | None = None) -> Iterator[None]:
    """Hold the write lock of a book from reading it to renaming its new version into place.

    Every command that writes a book (assign, settings, import, new) runs
    inside ``with book_lock(path):``. A second writer waits up to ``wait``
    seconds (default :data:`LOCK_WAIT_SECONDS`, or ``TIERBOOK_LOCK_WAIT``),
    then refuses in one line naming the book and the process that holds it.
    The lock dies with its process (SIGKILL included), and it is re-entrant
    within one process, so a writer may call another writer. Taking it
    removes what killed runs left next to the book, so a command that ends
    up writing nothing (a setting already at its value) still cleans up.

    Raises:
        OutputError: another process holds the lock, or the folder cannot be written.
    """
    path = Path(path)
    key = os.path.realpath(path)
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    fd, locked = _acquire(path, _wait_seconds() if wait is None else wait)
    _HELD[key] = 1
    if locked:
        _LOCKED.add(key)
    try:
        remove_leftovers(path.parent, path)  # whether or not this command then writes
        yield
    finally:
        del _HELD[key]
        _LOCKED.discard(key)
        if os.name != "nt":
            try:
                os.unlink(lock_path(path))  # while still held: a waiter then sees a new file and retries
            except OSError:
                pass
        os.close(fd)


# ---------------------------------------------------------------------- write
def check_target(path: Path) -> None:
    """A clear error before writing when ``path`` cannot be a file Tierbook writes."""
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; name the file to write inside it, e.g. {path / ('out' + (path.suffix or '.csv'))}")
    if not path.parent.is_dir():
        raise OutputError(f"{path.parent}: no such folder")
    if path.exists() and (not os.access(path, os.W_OK) or not os.stat(path).st_mode & 0o222):
        raise OutputError(f"{path}: the file is read-only; make it writable or write to another file")
    if not os.access(path.parent, os.W_OK) or not os.stat(path.parent).st_mode & 0o222:
        raise OutputError(f"{path.parent}: cannot write in this folder (read-only)")


def write_failure(path: Path, exc: OSError) -> str:
    """One line for a failed write, naming the user's file (never the temporary one)."""
    kept = f"{path.name} is as it was" if path.exists() else "nothing was written"
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        try:
            free = f" ({shutil.disk_usage(path.parent).free / 1e6:,.1f} MB free)"
        except OSError:
            free = ""
        return f"{path}: the disk is full{free}; {kept}. Free some space and run again"
    if exc.errno == errno.EFBIG:
        return f"{path}: the file would be larger than this system allows (file size limit); {kept}"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{path}: cannot write in {path.parent} ({exc.strerror}); {kept}"
    return f"{path}: could not be written ({exc.strerror or exc}); {kept}"


def backup_is_current(path: Path, backup: Path) -> bool:
    """Whether ``backup`` is the version the last write of ``path`` replaced.

    :func:`atomic_write` dates a backup when it keeps it, right after the
    new file is in place, so the last write of ``path`` is never later than
    its backup. A file written afterwards (saved in Excel, or replaced by a
    write that kept no backup) is newer than its backup: that backup is then
    older than the file's last good version.
    """
    return os.stat(backup).st_mtime_ns >= os.stat(path).st_mtime_ns


def _unlink(*paths: Path | None) -> None:
    for p in paths:
        if p is not None:
            try:
                os.unlink(p)
            except OSError:
                pass


def atomic_write(path: str | os.PathLike[str], write: Callable[[str], object], backup: Path | None = None) -> Path:
    """Write a file whole or not at all: ``write(temp)`` fills a temporary file next to ``path``, then a rename.

    The new file gets the mode a plain write would give it: an existing file
    keeps its mode, a new one gets 0666 less the umask. With ``backup``, the
    previous version is kept there (a hard link where the file system allows),
    its modification time set to when it was kept.
    What earlier, killed runs left in the folder is removed first (by the book lock).

    Raises:
        OutputError: the file cannot be written (the message names ``path``; the old file is untouched).
    """
    path = Path(path)
    check_target(path)
    with book_lock(path):  # taking it removed what killed runs left
        temp = temp_path(path)
        kept = temp_path(path, "bak") if backup is not None and path.exists() else None
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # the umask applies
            write(str(temp))
            if path.exists():
                os.chmod(temp, stat.S_IMODE(os.stat(path).st_mode))
            if kept is not None and backup is not None:
                try:
                    os.link(path, kept)
                except OSError:
                    shutil.copy2(path, kept)
                os.replace(kept, backup)
                # A run killed between its two renames leaves the backup a second name of the book itself;
                # renaming one name of a file onto another of the same file does nothing, so drop this one.
                _unlink(kept)
            os.replace(temp, path)
            if kept is not None and backup is not None:
                os.utime(backup)  # when it was kept: the write that replaced it is no later (see backup_is_current)
        except OSError as exc:
            _unlink(temp, kept)
            raise OutputError(write_failure(path, exc)) from exc
        except BaseException:
            _unlink(temp, kept)
            raise
    return path
