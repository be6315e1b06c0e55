"""The zip container of an .xlsx: members inflated only when read, and a writer that streams.

A workbook at Excel's last row holds an Accounts sheet of about 1.2 GB of
XML. Holding every member inflated, and the new sheet as one more string,
would take several times that; so members are inflated on first use, a big
one can be read in pieces (:meth:`Members.chunks`), and :func:`write_zip`
writes a member given as pieces without ever joining them. A member that is
not replaced is copied as its compressed bytes, untouched: nothing is
inflated or deflated again for it.

Deflate: parts above :data:`BIG_PART` bytes are compressed at level 1 with
ISA-L (the ``isal`` package) where it is installed, about four times as fast
as zlib's level 1 and as small; zlib otherwise. Smaller parts use zlib's
default level, so a workbook's small parts come out the same everywhere.
"""

from __future__ import annotations

import importlib
import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO

BIG_PART = 4_000_000
"""Parts larger than this are deflated at level 1 (fast); smaller ones at zlib's default level."""
CHUNK = 16 << 20
"""Bytes of XML handled at a time when a big member is read or written in pieces."""



def _optional(module: str):  # type: ignore[no-untyped-def]
    """An accelerator module if it is installed (not in xlwings Lite's Pyodide, where zlib serves), else None."""
    try:
        return importlib.import_module(module)
    except ImportError:  # pragma: no cover - depends on what is installed
        return None


_fast_zlib = _optional("isal.isal_zlib")  # ISA-L: deflate and inflate (PSF licence, BSD library)


def fast_deflate_name() -> str:
    """Which library deflates big parts here (for benchmarks and reports)."""
    return "isal" if _fast_zlib is not None else "zlib"


_crc32 = _fast_zlib.crc32 if _fast_zlib is not None else zlib.crc32


def _compressor(big: bool):  # type: ignore[no-untyped-def]
    if big and _fast_zlib is not None:
        return _fast_zlib.compressobj(1, zlib.DEFLATED, -15)
    return zlib.compressobj(1 if big else zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)


def _decompressor():  # type: ignore[no-untyped-def]
    return (_fast_zlib or zlib).decompressobj(-15)


# ---------------------------------------------------------------------- read
class Members(Mapping[str, bytes]):
    """Member name -> inflated content, in the zip's order; each member inflated on first use and kept."""

    def __init__(self, archive: zipfile.ZipFile, raw: bytes, infos: list[zipfile.ZipInfo], label: str = "") -> None:
        self._archive = archive
        self._raw = raw
        self._label = label
        self._infos = {i.filename: i for i in infos}
        self._cache: dict[str, bytes] = {}

    def __getitem__(self, name: str) -> bytes:
        found = self._cache.get(name)
        if found is None:
            self._infos[name]  # KeyError for an absent member, as a dict
            found = self._cache[name] = b"".join(self.chunks(name))
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._infos)

    def __len__(self) -> int:
        return len(self._infos)

    def __contains__(self, name: object) -> bool:
        return name in self._infos

    def info(self, name: str) -> zipfile.ZipInfo:
        return self._infos[name]

    def size(self, name: str) -> int:
        """The inflated size the zip declares for a member."""
        return self._infos[name].file_size

    def loaded(self, name: str) -> bool:
        return name in self._cache

    def forget(self, name: str) -> None:
        """Drop a member's inflated copy (a big sheet, once it has been read or written in pieces)."""
        self._cache.pop(name, None)

    def raw_member(self, name: str) -> memoryview:
        """A member's compressed bytes, as stored in the file."""
        info = self._infos[name]
        start = info.header_offset
        header = self._raw[start:start + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"{name}: bad local header")
        n, m = struct.unpack("<HH", header[26:30])
        begin = start + 30 + n + m
        return memoryview(self._raw)[begin:begin + info.compress_size]

    def chunks(self, name: str, size: int = CHUNK) -> Iterator[bytes]:
        """A member's content in pieces of at most ``size`` bytes, inflated as they are read (size and CRC checked).

        Raises:
            WorkbookError: the member is damaged, or inflates beyond the size it declares (a zip bomb).
        """
        try:
            yield from self._chunks(name, size)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            from ..errors import WorkbookError

            raise WorkbookError(f"{self._label}: not an .xlsx workbook, or a damaged one ({exc})") from None

    def _chunks(self, name: str, size: int) -> Iterator[bytes]:
        cached = self._cache.get(name)
        if cached is not None:
            for i in range(0, len(cached), size):
                yield cached[i:i + size]
            return
        info = self._infos[name]
        if info.compress_type != zipfile.ZIP_DEFLATED:
            data = self._archive.read(name)
            for i in range(0, len(data), size):
                yield data[i:i + size]
            return
        raw = self.raw_member(name)
        inflate = _decompressor()
        crc, total, pos, pending, ready, held = 0, 0, 0, b"", [], 0
        while not inflate.eof:
            if not pending:
                if pos >= len(raw):
                    break
                pending = raw[pos:pos + (1 << 18)]
                pos += len(pending)
            out = inflate.decompress(pending, size)
            pending = inflate.unconsumed_tail
            if out:
                total += len(out)
                if total > info.file_size:
                    raise zipfile.BadZipFile(f"{name}: inflates beyond the {info.file_size:,} bytes it declares")
                crc = _crc32(out, crc)
                ready.append(out)
                held += len(out)
                if held >= size:
                    yield b"".join(ready)
                    ready, held = [], 0
        if ready:
            yield b"".join(ready)
        if total != info.file_size or crc != info.CRC:
            raise zipfile.BadZipFile(f"{name}: damaged (size or CRC does not match)")


# --------------------------------------------------------------------- write
@dataclass
class Streamed:
    """A member's new content as pieces, produced while the zip is written (never held whole).

    ``pieces`` is called once, at write time; ``size_hint`` (the expected
    size, in bytes) chooses the deflate level and whether ZIP64 sizes are
    reserved. ``key`` names the change that makes the new content out of
    ``base``, the member it was made from (its CRC and size; :mod:`.patchkey`):
    the same change made again to what it made gives it back, so when the
    member it replaces is that one, and was made by that change, it is
    copied as it is.
    """

    pieces: Callable[[], Iterable[bytes]]
    size_hint: int
    key: bytes | None = None
    base: tuple[int, int] | None = None

    def to_bytes(self) -> bytes:
        return b"".join(self.pieces())


@dataclass(frozen=True)
class Entry:
    """One member to write: its name and metadata, and new content or a raw copy of the source's."""

    name: str
    date_time: tuple[int, int, int, int, int, int]
    compress_type: int
    external_attr: int
    create_system: int
    comment: bytes
    content: bytes | Streamed | None = None
    """New content; None: copy the source member's compressed bytes as they are."""
    source: zipfile.ZipInfo | None = None


_RECORD = b"tierbook-patch "
"""How a member's comment (in the zip's directory) records the change that made it: key, CRC, size."""


def _record(key: bytes, crc: int, size: int) -> bytes:
    return _RECORD + f"{key.hex()} {crc:08x} {size}".encode()


def unchanged(entry: Entry) -> bool:
    """Whether a keyed new content would give back the member it replaces, as that member's comment records.

    The comment names the key of the change that made the member and the
    CRC and size it came out with; the member must still have both, so a
    member another program rewrote (keeping the comment or not) is written
    anew. And the new content must have been made from this very member: a
    change made to an edited copy of it (a staged package) says nothing of
    the member as stored.
    """
    content, info = entry.content, entry.source
    if not isinstance(content, Streamed) or content.key is None or info is None:
        return False
    return (content.base == (info.CRC, info.file_size)
            and info.comment == _record(content.key, info.CRC, info.file_size))


def _new_comment(entry: Entry, crc: int, size: int) -> bytes:
    """A new member's comment: the record of its change if it has a key; an old record is never carried over."""
    content = entry.content
    if isinstance(content, Streamed) and content.key is not None:
        return _record(content.key, crc, size)
    return b"" if entry.comment.startswith(_RECORD) else entry.comment


def _dos_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    return (h << 11) | (mi << 5) | (s // 2), ((max(y, 1980) - 1980) << 9) | (mo << 5) | d


class _Writer:
    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.central: list[bytes] = []
        self.offset = out.tell()

    def _local(self, name: bytes, flags: int, method: int, dt: tuple[int, int], crc: int, csize: int,
               usize: int, zip64: bool) -> bytes:
        extra = struct.pack("<HHQQ", 1, 16, usize, csize) if zip64 else b""
        sizes = (0xFFFFFFFF, 0xFFFFFFFF) if zip64 else (csize, usize)
        return struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if zip64 else 20, flags, method, dt[0], dt[1], crc,
                           sizes[0], sizes[1], len(name), len(extra)) + name + extra

    def add(self, entry: Entry, raw: memoryview | None) -> None:
        name = entry.name.encode("utf-8")
        flags = 0 if entry.name.isascii() else 0x800
        dt = _dos_time(entry.date_time)
        start = self.out.tell()
        if raw is not None:  # a copy of the source member, compressed bytes and all
            info = entry.source
            assert info is not None
            method, crc, csize, usize = info.compress_type, info.CRC, info.compress_size, info.file_size
            comment = info.comment
            zip64 = usize >= 0xFFFFFFFF or csize >= 0xFFFFFFFF
            self.out.write(self._local(name, flags, method, dt, crc, csize, usize, zip64))
            self.out.write(raw)
        else:
            content = entry.content
            assert content is not None
            size_hint = content.size_hint if isinstance(content, Streamed) else len(content)
            method = entry.compress_type
            zip64 = isinstance(content, Streamed) and size_hint > (1 << 30)
            header = self._local(name, flags, method, dt, 0, 0, 0, zip64)
            self.out.write(header)
            crc = csize = usize = 0
            pieces: Iterable[bytes] = content.pieces() if isinstance(content, Streamed) else (content,)
            deflate = _compressor(size_hint > BIG_PART) if method == zipfile.ZIP_DEFLATED else None
            for piece in pieces:
                if not piece:
                    continue
                usize += len(piece)
                crc = _crc32(piece, crc)
                data = deflate.compress(piece) if deflate is not None else piece
                csize += len(data)
                self.out.write(data)
            if deflate is not None:
                data = deflate.flush()
                csize += len(data)
                self.out.write(data)
            if not zip64 and (usize >= 0xFFFFFFFF or csize >= 0xFFFFFFFF):
                raise zipfile.LargeZipFile(f"{entry.name}: larger than the size reserved for it")
            end = self.out.tell()
            self.out.seek(start)
            self.out.write(self._local(name, flags, method, dt, crc, csize, usize, zip64))
            self.out.seek(end)
            comment = _new_comment(entry, crc, usize)
        self.central.append(self._central(entry, name, flags, method, dt, crc, csize, usize, start, comment))

    def _central(self, entry: Entry, name: bytes, flags: int, method: int, dt: tuple[int, int], crc: int,
                 csize: int, usize: int, offset: int, comment: bytes) -> bytes:
        big = [v for v in (usize, csize, offset) if v >= 0xFFFFFFFF]
        extra = struct.pack("<HH", 1, 8 * len(big)) + b"".join(struct.pack("<Q", v) for v in big) if big else b""
        version = 45 if big else 20

        def fit(v: int) -> int:
            return 0xFFFFFFFF if v >= 0xFFFFFFFF else v

        return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (entry.create_system << 8) | version, version, flags,
                           method, dt[0], dt[1], crc, fit(csize), fit(usize), len(name), len(extra),
                           len(comment), 0, 0, entry.external_attr, fit(offset)) + name + extra + comment

    def close(self) -> None:
        start = self.out.tell()
        directory = b"".join(self.central)
        self.out.write(directory)
        count, size = len(self.central), len(directory)
        if count >= 0xFFFF or start >= 0xFFFFFFFF or size >= 0xFFFFFFFF:
            end64 = self.out.tell()
            self.out.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, size, start))
            self.out.write(struct.pack("<IIQI", 0x07064B50, 0, end64, 1))
        self.out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(count, 0xFFFF), min(count, 0xFFFF),
                                   min(size, 0xFFFFFFFF), min(start, 0xFFFFFFFF), 0))


def write_zip(target: BinaryIO | str, entries: Iterable[Entry], members: Members | None) -> None:
    """Write ``entries`` in order; an entry without content, or whose new content would give back the
    source member unchanged (:func:`unchanged`), is copied raw from ``members``."""
    own = isinstance(target, str)
    out: BinaryIO = open(target, "wb") if own else target  # type: ignore[assignment]
    try:
        writer = _Writer(out)
        for entry in entries:
            copy = entry.content is None or unchanged(entry)
            raw = members.raw_member(entry.name) if copy and members is not None else None
            if entry.content is None and raw is None:
                raise ValueError(f"{entry.name}: nothing to write")
            writer.add(entry, raw)
        writer.close()
        if own:
            out.flush()
    finally:
        if own:
            out.close()


def open_members(content: bytes, opener: Callable[[io.BytesIO], zipfile.ZipFile],
                 label: str = "") -> tuple[list[zipfile.ZipInfo], Members]:
    """The members of a zip held in memory (checked by ``opener`` before anything is inflated)."""
    archive = opener(io.BytesIO(content))
    infos = archive.infolist()
    return infos, Members(archive, content, infos, label)
