"""ZIP hygiene for Office packages: the container is read by hand before anything is inflated.

Python 3.12.1's ``zipfile`` has no check for overlapping entries (CVE-2024-0450) and
believes the sizes a file declares, so the central directory, the local headers and
the inflating are done here, with the checks an attacker's container has to pass:
one name per entry (compared case-insensitively), no overlapping or hidden byte
ranges, no names that climb out of a folder, sizes and ratios within the limits,
and content that never grows past what its header promised.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import BinaryIO, Final

from .policy import MB, Limits
from .report import Finding

STORED: Final = 0
DEFLATED: Final = 8

_EOCD: Final = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR: Final = struct.Struct("<4sLQL")
_EOCD64: Final = struct.Struct("<4sQ2H2L4Q")
_CENTRAL: Final = struct.Struct("<4s6H3L5H2L")
_LOCAL: Final = struct.Struct("<4s5H3L2H")
_EOCD_SIG: Final = b"PK\x05\x06"
_EOCD64_LOCATOR_SIG: Final = b"PK\x06\x07"
_EOCD64_SIG: Final = b"PK\x06\x06"
_CENTRAL_SIG: Final = b"PK\x01\x02"
_LOCAL_SIG: Final = b"PK\x03\x04"

_FLAG_ENCRYPTED: Final = 0x0001
_FLAG_DATA_DESCRIPTOR: Final = 0x0008
_FLAG_STRONG_ENCRYPTION: Final = 0x0040
_FLAG_UTF8: Final = 0x0800
# A data descriptor follows the data when flag bit 3 is set: 12 or 20 bytes, plus an
# optional 4-byte signature. Any other gap between entries is data nobody indexed.
_DESCRIPTOR_SIZES: Final = frozenset({12, 16, 20, 24})
# Real Office directories are a few kB; this only bounds what one read may allocate.
_MAX_CENTRAL_DIRECTORY: Final = 16 * MB
# Inflate in 1 MB steps: the per-step Python work (CRC, parser call, DDE window) then
# costs little beside the inflating (256 kB steps made large sheets ~15 % slower).
_CHUNK: Final = 1 * MB

# In order of how much they tell: a report shows the first detail found.
_DETAILS: Final[dict[str, tuple[str, str]]] = {
    "overlap": ("überlappende Einträge", "overlapping entries"),
    "duplicate": ("doppelte Dateinamen", "duplicate entry names"),
    "path": ("unzulässige Pfade in Dateinamen", "unsafe paths in entry names"),
    "encrypted": ("verschlüsselte Einträge", "encrypted entries"),
    "method": ("unbekanntes Kompressionsverfahren", "unknown compression method"),
    "ratio": ("extrem hohe Kompression", "extreme compression ratio"),
    "inflates": ("Inhalt größer als angegeben", "content larger than declared"),
    "mismatch": (
        "Dateikopf und Inhaltsverzeichnis widersprechen sich",
        "local header and central directory disagree",
    ),
    "hidden": ("versteckte Daten zwischen den Einträgen", "hidden data between entries"),
    "trailing": ("Daten hinter dem Ende des Containers", "data after the end of the container"),
}


def unsafe(detail: str) -> Finding:
    """An ``ooxml.unsafe_zip`` finding with its short German and English description."""
    de, en = _DETAILS[detail]
    return Finding("ooxml.unsafe_zip", {"detail_de": de, "detail_en": en})


def too_large(limit_bytes: int) -> Finding:
    """An ``ooxml.too_large_unpacked`` finding naming the limit that was passed."""
    return Finding("ooxml.too_large_unpacked", {"limit_mb": max(1, limit_bytes // MB)})


class PackageError(Exception):
    """Ends the check of one package with the finding that explains why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.code)
        self.finding = finding


def damaged() -> PackageError:
    """The error for a container that is not built the way the ZIP format says."""
    return PackageError(Finding("ooxml.damaged"))


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of the central directory, with where its data starts."""

    name: str
    flags: int
    method: int
    crc: int
    compressed_size: int
    size: int
    header_offset: int
    data_offset: int = -1

    @property
    def is_dir(self) -> bool:
        """Folders are empty entries whose names end in a slash."""
        return self.name.endswith("/")


@dataclass(frozen=True, slots=True)
class _End:
    entries: int
    cd_size: int
    cd_offset: int
    cd_limit: int  # where the central directory must end
    trailing: bool


class Budget:
    """Bytes that inflating may still produce for one upload, nested packages included."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.remaining = total

    def spend(self, n: int) -> None:
        """Count ``n`` inflated bytes; past the budget the check stops."""
        self.remaining -= n
        if self.remaining < 0:
            raise PackageError(too_large(self.total))


def read_directory(f: BinaryIO, size: int, limits: Limits) -> tuple[list[Entry], list[Finding]]:
    """Parse and check the container's structure without inflating anything.

    Returns the entries and the hygiene findings; when there are findings the
    content must not be read. Raises :class:`PackageError` when the structure is
    too broken to go on.
    """
    end = _find_end(f, size)
    if end.entries > limits.zip_max_entries:
        raise PackageError(too_large(limits.zip_max_unpacked))
    if end.cd_size > _MAX_CENTRAL_DIRECTORY or end.cd_offset + end.cd_size > end.cd_limit:
        raise damaged()
    problems = {"trailing"} if end.trailing else set()
    if end.cd_offset + end.cd_size < end.cd_limit:
        problems.add("hidden")
    f.seek(end.cd_offset)
    directory = f.read(end.cd_size)
    if len(directory) != end.cd_size:
        raise damaged()
    entries = _parse_central(directory, end.entries)
    problems |= _check_entries(entries, limits)
    located, layout_problems = _locate_data(f, entries, end.cd_offset)
    findings = [unsafe(key) for key in _DETAILS if key in problems | layout_problems]
    if sum(e.size for e in entries) > limits.zip_max_unpacked:
        findings.append(too_large(limits.zip_max_unpacked))
    return located, findings


def _find_end(f: BinaryIO, size: int) -> _End:
    tail_len = min(size, _EOCD.size + 0xFFFF)
    f.seek(size - tail_len)
    tail = f.read(tail_len)
    pos = tail.rfind(_EOCD_SIG)
    fallback = -1
    while pos >= 0:
        if pos + _EOCD.size <= len(tail):
            comment = _EOCD.unpack_from(tail, pos)[7]
            if pos + _EOCD.size + comment == len(tail):
                break
            if fallback < 0 and pos + _EOCD.size + comment < len(tail):
                fallback = pos
        pos = tail.rfind(_EOCD_SIG, 0, pos)
    trailing = pos < 0
    if trailing:
        if fallback < 0:
            raise damaged()
        pos = fallback
    _, disk, cd_disk, on_disk, total, cd_size, cd_offset, _ = _EOCD.unpack_from(tail, pos)
    eocd = size - tail_len + pos
    cd_limit = eocd
    # Writers may add ZIP64 records even when the classic fields suffice; zipfile
    # reads them whenever the locator is there, so do the same.
    if eocd >= _EOCD64_LOCATOR.size:
        f.seek(eocd - _EOCD64_LOCATOR.size)
        locator = f.read(_EOCD64_LOCATOR.size)
        if locator.startswith(_EOCD64_LOCATOR_SIG):
            _, _, record_offset, disks = _EOCD64_LOCATOR.unpack(locator)
            f.seek(record_offset)
            record = f.read(_EOCD64.size)
            if len(record) != _EOCD64.size or not record.startswith(_EOCD64_SIG) or disks > 1:
                raise damaged()
            fields = _EOCD64.unpack(record)
            if record_offset + 12 + fields[1] != eocd - _EOCD64_LOCATOR.size:
                raise damaged()
            disk, cd_disk, on_disk, total, cd_size, cd_offset = fields[4:]
            cd_limit = record_offset
    if disk or cd_disk or on_disk != total:
        raise damaged()  # multi-volume archives are never Office files
    return _End(total, cd_size, cd_offset, cd_limit, trailing)


def _parse_central(directory: bytes, count: int) -> list[Entry]:
    entries: list[Entry] = []
    pos = 0
    for _ in range(count):
        if directory[pos : pos + 4] != _CENTRAL_SIG or pos + _CENTRAL.size > len(directory):
            raise damaged()
        fields = _CENTRAL.unpack_from(directory, pos)
        flags, method, crc, csize, usize = fields[3], fields[4], fields[7], fields[8], fields[9]
        name_len, extra_len, comment_len, disk, offset = (*fields[10:14], fields[16])
        start = pos + _CENTRAL.size
        raw_name = directory[start : start + name_len]
        extra = directory[start + name_len : start + name_len + extra_len]
        pos = start + name_len + extra_len + comment_len
        if pos > len(directory) or disk not in (0, 0xFFFF):
            raise damaged()
        usize, csize, offset = _zip64_values(extra, usize, csize, offset)
        try:
            name = raw_name.decode("utf-8" if flags & _FLAG_UTF8 else "cp437")
        except UnicodeDecodeError:
            raise damaged() from None
        entries.append(Entry(name, flags, method, crc, csize, usize, offset))
    if pos != len(directory):
        raise damaged()
    return entries


def _zip64_values(extra: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int]:
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4 : pos + 4 + length]
        if len(body) != length:
            raise damaged()
        if tag == 0x0001:
            values = [v for (v,) in struct.iter_unpack("<Q", body[: len(body) // 8 * 8])]
            wanted = [usize == 0xFFFFFFFF, csize == 0xFFFFFFFF, offset == 0xFFFFFFFF]
            if sum(wanted) > len(values):
                raise damaged()
            it = iter(values)
            usize = next(it) if wanted[0] else usize
            csize = next(it) if wanted[1] else csize
            offset = next(it) if wanted[2] else offset
        pos += 4 + length
    return usize, csize, offset


def _check_entries(entries: list[Entry], limits: Limits) -> set[str]:
    problems: set[str] = set()
    seen: set[str] = set()
    for e in entries:
        key = e.name.casefold()
        if key in seen:
            problems.add("duplicate")
        seen.add(key)
        if _unsafe_name(e.name):
            problems.add("path")
        if e.flags & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION):
            problems.add("encrypted")
        if e.method not in (STORED, DEFLATED):
            problems.add("method")
        if e.size > e.compressed_size * limits.zip_max_ratio:
            problems.add("ratio")
        if e.is_dir and e.size:
            problems.add("hidden")
    return problems


def _unsafe_name(name: str) -> bool:
    if not name or name.startswith("/") or "\\" in name or name[1:2] == ":":
        return True
    if any(ord(c) < 32 for c in name):
        return True
    return ".." in name.split("/")


def _locate_data(f: BinaryIO, entries: list[Entry], cd_offset: int) -> tuple[list[Entry], set[str]]:
    """Read every local header: it must repeat the name, and no two entries may share bytes."""
    problems: set[str] = set()
    located: list[Entry] = []
    spans: list[tuple[int, int, bool]] = []
    for e in entries:
        f.seek(e.header_offset)
        header = f.read(_LOCAL.size)
        if len(header) != _LOCAL.size or not header.startswith(_LOCAL_SIG):
            raise damaged()
        fields = _LOCAL.unpack(header)
        flags, method, name_len, extra_len = fields[2], fields[3], fields[9], fields[10]
        local_name = f.read(name_len)
        expected = e.name.encode("utf-8" if e.flags & _FLAG_UTF8 else "cp437")
        if local_name != expected or method != e.method or (flags ^ e.flags) & _FLAG_ENCRYPTED:
            problems.add("mismatch")
        data_offset = e.header_offset + _LOCAL.size + name_len + extra_len
        end = data_offset + e.compressed_size
        spans.append((e.header_offset, end, bool(e.flags & _FLAG_DATA_DESCRIPTOR)))
        located.append(replace(e, data_offset=data_offset))
        if e.method == STORED and e.size != e.compressed_size:
            raise damaged()
    spans.sort()
    previous_end, descriptor = 0, False
    for start, end, has_descriptor in [*spans, (cd_offset, cd_offset, False)]:
        gap = start - previous_end
        if gap < 0:
            problems.add("overlap")
        elif gap and not (descriptor and gap in _DESCRIPTOR_SIZES):
            problems.add("hidden")
        previous_end, descriptor = max(previous_end, end), has_descriptor
    return located, problems


def read_head(f: BinaryIO, entry: Entry, n: int) -> bytes:
    """The first ``n`` bytes of an entry's content, inflating no more than that."""
    f.seek(entry.data_offset)
    if entry.method == STORED:
        return f.read(min(n, entry.compressed_size))
    inflater = zlib.decompressobj(-15)
    out = b""
    left = entry.compressed_size
    while len(out) < n and left > 0 and not inflater.eof:
        data = f.read(min(left, 4096))
        if not data:
            raise damaged()
        left -= len(data)
        while data and len(out) < n:
            out += inflater.decompress(data, n - len(out))
            data = inflater.unconsumed_tail
    return out[: min(n, entry.size)]


def iter_content(f: BinaryIO, entry: Entry, limit: int, budget: Budget) -> Iterator[bytes]:
    """Inflate an entry in chunks: never past its declared size, ``limit`` or the budget.

    The declared size is only an upper bound we hold the entry to; CRC and the
    real size are verified at the end, so truncated or padded streams fail.
    """
    if entry.size > limit:
        raise PackageError(too_large(limit))
    inflater = zlib.decompressobj(-15) if entry.method == DEFLATED else None
    crc = produced = 0
    pos, left = entry.data_offset, entry.compressed_size
    while left > 0:
        f.seek(pos)
        data = f.read(min(left, _CHUNK))
        if not data:
            raise damaged()
        pos += len(data)
        left -= len(data)
        while data:
            if inflater is None:
                out, data = data, b""
            else:
                # One byte more than allowed is enough to notice a lie about the size.
                room = min(entry.size - produced + 1, _CHUNK)
                out = inflater.decompress(data, room)
                data = inflater.unconsumed_tail
                if inflater.eof and (inflater.unused_data or left):
                    raise PackageError(unsafe("hidden"))
            produced += len(out)
            if produced > entry.size:
                raise PackageError(unsafe("inflates"))
            budget.spend(len(out))
            crc = zlib.crc32(out, crc)
            if out:
                yield out
    if (inflater is not None and not inflater.eof) or produced != entry.size or crc != entry.crc:
        raise damaged()


def read_content(f: BinaryIO, entry: Entry, limit: int, budget: Budget) -> bytes:
    """The whole content of an entry, under the same limits as :func:`iter_content`."""
    return b"".join(iter_content(f, entry, limit, budget))
