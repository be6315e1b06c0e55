"""The .xlsx file as a zip of parts: find sheets and tables, replace a few parts, keep the rest.

Assign Tiers rewrites only the parts it owns. Every other member of the zip
(other sheets, styles, charts, drawings, defined names, add-in parts) is
copied with the same name, order, timestamp and content. What a table is
inside the package, and how it fits a new number of rows, is in :mod:`.tables`.
"""

from __future__ import annotations

import codecs
import io
import os
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import unescape

from ..atomic import atomic_write, book_lock
from ..engine.progress import report
from ..errors import WorkbookError
from .cells import xstring_unescape
from .sheetpatch import select_rows
from .tables import TableInfo, missing_table
from .zipio import Entry, Members, Streamed, open_members, write_zip

__all__ = ["Package", "backup_path", "book_lock", "check_writable", "save_package"]

_ENTITIES = {"&quot;": '"', "&apos;": "'"}


def xml_unescape(text: str) -> str:
    return unescape(text, _ENTITIES)


def attr(tag: str, name: str) -> str | None:
    m = re.search(r'\s' + re.escape(name) + r'="([^"]*)"', tag)
    return xml_unescape(m.group(1)) if m else None


def _resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def rels_part(part: str) -> str:
    """The relationships part of ``part`` ("" is the package itself: ``_rels/.rels``)."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def rels_owner(rels: str) -> str:
    """The part a relationships part belongs to ("" for the package's own ``_rels/.rels``)."""
    folder, name = posixpath.split(rels)
    return posixpath.join(posixpath.dirname(folder), name[: -len(".rels")])


CONTENT_TYPES = "[Content_Types].xml"
EMPTY_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')
Edits = MutableMapping[str, "bytes | None"]
"""Pending part edits: new content, or None for a part left out."""


@dataclass
class Package:
    """An opened .xlsx: its members and where the sheets and tables are."""

    path: Path
    infos: list[zipfile.ZipInfo]
    data: Members
    workbook_part: str
    sheets: dict[str, str]
    raw: bytes = b""
    tables: dict[str, TableInfo] = field(default_factory=dict)
    _views: dict[tuple[str, str | None], list[tuple[frozenset[int], str]]] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, path: str | os.PathLike[str], content: bytes | None = None) -> "Package":
        """Open a workbook file (or its ``content``, named ``path``)."""
        path = Path(path)
        if content is None and not path.is_file():
            raise WorkbookError(f"{path}: no such workbook")
        report(f"Reading {path.name}")
        try:
            content = content if content is not None else path.read_bytes()
        except OSError as exc:
            raise WorkbookError(f"{path}: cannot read the workbook ({exc.strerror})") from exc
        from ..files import open_xlsx_zip  # here: xlwings Lite bundles no file readers, and never opens a file

        try:
            infos, data = open_members(content, lambda _f: open_xlsx_zip(path, content, WorkbookError), str(path))
            root = data["_rels/.rels"].decode("utf-8")
            wb_part = next(
                _resolve("", attr(m.group(0), "Target") or "")
                for m in re.finditer(r"<Relationship\b[^>]*>", root)
                if (attr(m.group(0), "Type") or "").endswith("/officeDocument")
            )
            workbook = data[wb_part].decode("utf-8")
            rels = _relationships(data[rels_part(wb_part)].decode("utf-8"), wb_part)
        except (KeyError, StopIteration) as exc:
            raise WorkbookError(f"{path}: not an .xlsx workbook (no workbook part)") from exc
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise WorkbookError(f"{path}: not an .xlsx workbook, or a damaged one ({exc})") from exc
        sheets: dict[str, str] = {}
        for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
            tag = m.group(0)
            rid = re.search(r'\s(?:\w+:)?id="([^"]*)"', tag)
            name = attr(tag, "name")
            if rid and name and rid.group(1) in rels:
                sheets[name] = rels[rid.group(1)][1]
        package = cls(path=path, infos=infos, data=data, workbook_part=wb_part, sheets=sheets, raw=content)
        package._find_tables()
        return package

    def _find_tables(self) -> None:
        for sheet, part in self.sheets.items():
            rp = rels_part(part)
            if rp not in self.data:
                continue
            for _rid, (rtype, target) in _relationships(self.data[rp].decode("utf-8"), part).items():
                if not rtype.endswith("/table") or target not in self.data:
                    continue
                xml = self.data[target].decode("utf-8")
                head = re.search(r"<table\b[^>]*>", xml)
                if head is None:
                    continue
                name = attr(head.group(0), "displayName") or attr(head.group(0), "name") or ""
                columns = [xstring_unescape(xml_unescape(c))
                           for c in re.findall(r'<tableColumn\b[^>]*?\sname="([^"]*)"', xml)]
                totals = attr(head.group(0), "totalsRowCount") or "0"
                self.tables[name.casefold()] = TableInfo(name, target, sheet, attr(head.group(0), "ref") or "A1",
                                                         columns, xml, int(totals) if totals.isdigit() else 0)

    # ----------------------------------------------------------------- access
    def text(self, part: str) -> str:
        return self.data[part].decode("utf-8")

    def pieces(self, part: str) -> Iterator[str]:
        """A part's text in pieces, inflated as they are read: for a sheet too big to hold twice."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        for chunk in self.data.chunks(part):
            yield decoder.decode(chunk)
        tail = decoder.decode(b"", final=True)
        if tail:
            yield tail

    def view(self, part: str, rows: Iterable[int], containing: str | None = None) -> str:
        """A sheet cut down to ``rows`` and the rows holding ``containing`` (:func:`~.sheetpatch.select_rows`).

        Each cut is kept: a reader that looks at a big sheet while its values
        are parsed (:meth:`~.source.FileSource.prefetch`) cuts it for the
        rows its writer will read, and the writer then has them without one
        more pass over the sheet. A kept cut serves any subset of its rows.
        """
        wanted = frozenset(rows)
        kept = self._views.setdefault((part, containing), [])
        for known, xml in kept:
            if wanted <= known:
                return xml
        xml = select_rows(self.pieces(part), wanted, containing)
        kept.append((wanted, xml))
        return xml

    def sheet_part(self, sheet: str) -> str:
        try:
            return self.sheets[sheet]
        except KeyError:
            raise WorkbookError(
                f"{self.path.name}: no sheet {sheet!r}; its sheets are " + ", ".join(self.sheets)
            ) from None

    def table(self, name: str, sheet: str | None = None) -> TableInfo:
        info = self.tables.get(name.casefold())
        if info is None:
            raise missing_table(self.path.name, name, sheet)
        return info

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Id -> (type, target part) of a part's relationships."""
        rp = rels_part(part)
        return _relationships(self.text(rp), part) if rp in self.data else {}

    def has_table(self, name: str) -> bool:
        return name.casefold() in self.tables

    # ----------------------------------------------------------------- editing
    # Every edit of [Content_Types].xml and of relationships goes through these,
    # on top of the edits already pending in ``parts``.
    def current(self, part: str, parts: Edits) -> str | None:
        """A part's text with the pending edits applied; None when it is absent or left out."""
        data = parts[part] if part in parts else self.data.get(part)
        return None if data is None else data.decode("utf-8")

    def add_part(self, parts: Edits, part: str, data: bytes, content_type: str | None = None) -> None:
        """Add a member (or replace one); with ``content_type``, declare it in [Content_Types].xml."""
        parts[part] = data
        if content_type is None:
            return
        types = self.current(CONTENT_TYPES, parts) or ""
        override = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
        existing = _override_pattern(part)
        if existing.search(types):
            types = existing.sub(lambda _m: override, types, count=1)
        else:
            types = types.replace("</Types>", override + "</Types>", 1)
        parts[CONTENT_TYPES] = types.encode("utf-8")

    def relate(self, parts: Edits, owner: str, rel_type: str, target: str) -> str:
        """A relationship of ``owner`` ("" for the package) to part ``target``; returns its Id (reused if present)."""
        rp = rels_part(owner)
        xml = self.current(rp, parts) or EMPTY_RELS
        existing = _relationships(xml, owner)
        for rid, (rtype, found) in existing.items():
            if rtype == rel_type and found == target:
                return rid
        n = 1
        while f"rId{n}" in existing or f'Id="rId{n}"' in xml:
            n += 1
        rid = f"rId{n}"
        relative = posixpath.relpath(target, posixpath.dirname(owner) or ".")
        rel = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{relative}"/>'
        parts[rp] = xml.replace("</Relationships>", rel + "</Relationships>", 1).encode("utf-8")
        return rid

    def remove_part(self, parts: Edits, part: str) -> None:
        """Leave a member out, with its content type, its own relationships and every relationship to it."""
        parts[part] = None
        if rels_part(part) in self.data or rels_part(part) in parts:
            parts[rels_part(part)] = None
        types = self.current(CONTENT_TYPES, parts)
        if types is not None and _override_pattern(part).search(types):
            parts[CONTENT_TYPES] = _override_pattern(part).sub("", types).encode("utf-8")
        for rp in [*self.data, *(p for p in parts if p not in self.data)]:
            xml = self.current(rp, parts) if rp.endswith(".rels") else None
            if xml is None:
                continue
            ids = {rid for rid, (_t, found) in _relationships(xml, rels_owner(rp)).items() if found == part}
            if ids:
                kept = re.sub(r"<Relationship\b[^>]*>",
                              lambda m: "" if (attr(m.group(0), "Id") or "") in ids else m.group(0), xml)
                parts[rp] = kept.encode("utf-8")

    def to_bytes(self, replaced: Mapping[str, bytes | Streamed | None]) -> bytes:
        buffer = io.BytesIO()
        self.write_zip(buffer, replaced)  # type: ignore[arg-type]
        return buffer.getvalue()

    def write_zip(self, target: str | os.PathLike[str] | BinaryIO,
                  replaced: Mapping[str, bytes | Streamed | None]) -> None:
        """Write every member to ``target``: replaced ones with new content (None: left out), the others as they were.

        A member not replaced is copied as its compressed bytes. New members go
        after the existing ones, with the first member's timestamp, so a rebuild
        gives the same bytes.
        """
        added = [name for name, content in replaced.items() if name not in self.data and content is not None]
        stamp = self.infos[0].date_time if self.infos else (1980, 1, 1, 0, 0, 0)
        members = [*self.infos, *(zipfile.ZipInfo(name, date_time=stamp) for name in added)]

        def entries() -> Iterator[Entry]:
            for info in members:
                name = info.filename
                if name in replaced and replaced[name] is None:
                    continue
                known = name in self.data
                yield Entry(name, info.date_time, info.compress_type if known else zipfile.ZIP_DEFLATED,
                            info.external_attr, info.create_system, info.comment,
                            content=replaced.get(name), source=info if known else None)

        write_zip(os.fspath(target) if isinstance(target, (str, os.PathLike)) else target, entries(), self.data)


def _override_pattern(part: str) -> re.Pattern[str]:
    return re.compile(r'<Override\b[^>]*\bPartName="/' + re.escape(part) + r'"[^>]*/>')


def _relationships(xml: str, owner: str) -> dict[str, tuple[str, str]]:
    out = {}
    for m in re.finditer(r"<Relationship\b[^>]*>", xml):
        tag = m.group(0)
        if (attr(tag, "TargetMode") or "") == "External":
            continue
        out[attr(tag, "Id") or ""] = (attr(tag, "Type") or "", _resolve(owner, attr(tag, "Target") or ""))
    return out


# ------------------------------------------------------------------ file safety
LOCK_PATTERNS = ("~${name}", ".~lock.{name}#")


def lock_file(path: Path) -> Path | None:
    """The lock file Excel or LibreOffice keeps next to an open workbook, if any."""
    for pattern in LOCK_PATTERNS:
        candidate = path.with_name(pattern.format(name=path.name))
        if candidate.exists():
            return candidate
    return None


def check_writable(path: Path) -> None:
    """A clear error when the workbook is open in Excel/LibreOffice or cannot be written."""
    lock = lock_file(path)
    if lock is not None:
        raise WorkbookError(
            f"{path.name} is open in Excel or LibreOffice (lock file {lock.name}); "
            "save and close it there, then run again"
        )
    if path.exists() and (not os.access(path, os.W_OK) or not os.stat(path).st_mode & 0o222):
        raise WorkbookError(f"{path}: the workbook is read-only; make it writable or save a copy and run on that")
    if not os.access(path.parent, os.W_OK) or not os.stat(path.parent).st_mode & 0o222:
        raise WorkbookError(f"{path.parent}: cannot write in this folder (read-only)")


def backup_path(path: Path) -> Path:
    """Where the previous version is kept: BOOK.bak.xlsx next to BOOK.xlsx."""
    return path.with_name(f"{path.stem}.bak{path.suffix}")


def save_package(package: Package, replaced: dict[str, bytes | None], target: Path | None = None,
                 backup: bool = True) -> Path:
    """Write the workbook atomically: a temporary file next to it, then a rename, under the book's lock.

    The previous version stays as BOOK.bak.xlsx (one backup). If anything
    fails, the workbook is left exactly as it was.
    """
    target = Path(target or package.path)
    report(f"Saving {target.name}")
    with book_lock(target):
        check_writable(target)
        atomic_write(target, lambda temp: package.write_zip(temp, replaced),
                     backup=backup_path(target) if backup else None)
    return target
