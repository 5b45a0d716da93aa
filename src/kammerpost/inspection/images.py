"""JPEG and PNG: a real, decodable picture with nothing hidden after its end.

We walk the container structure ourselves (cheap, and it tells us the logical
end of the file), then let Pillow decode the picture under a pixel limit.
JPEGs are decoded at 1/8 scale: every entropy-coded block is still read and
checked, but the inverse DCT runs on 1 of 64 pixels, which keeps us near disk
speed on large photos.

PNGs: Pillow reads the header chunks; the image data we check ourselves, as
a decoder would meet it - every chunk's CRC, the zlib stream inflating to
exactly the rows the header declares, every row with a valid filter type -
without reversing the filters (that step cannot fail, and it cost a third of
the time). Compressed text and ICC chunks anywhere in the file are inflated
under the metadata limit.
"""

from __future__ import annotations

import mmap
import re
import struct
import warnings
import zlib
from pathlib import Path
from typing import BinaryIO, Final

from PIL import Image, ImageFile, PngImagePlugin

from .policy import Limits
from .report import Findings

_NEXT_MARKER: Final = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_STANDALONE: Final = frozenset({0x01, *range(0xD0, 0xD8)})
_PNG_TEXT_CHUNKS: Final = frozenset({b"tEXt", b"zTXt", b"iTXt", b"iCCP"})
# Colour type: channels, and the bit depths the PNG specification allows for it.
_PNG_CHANNELS: Final = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_PNG_DEPTHS: Final = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
# Adam7 passes: x start, y start, x step, y step.
_ADAM7: Final = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2))
_ADAM7_LAST: Final = (0, 1, 1, 2)
_PNG_FILTERS: Final = bytes(range(5))
_PNG_READ: Final = 1 << 20

ImageFile.LOAD_TRUNCATED_IMAGES = False


class _BadStructureError(Exception):
    pass


def check_jpeg(path: str, limits: Limits) -> Findings:
    """Check a file that starts with a JPEG SOI marker."""
    findings = Findings()
    if _jpeg_structure_ok(path, findings):
        _decode(path, "JPEG", limits, findings)
    return findings


def _jpeg_structure_ok(path: str, findings: Findings) -> bool:
    """Markers intact and nothing after the (MPF-extended) end; False once a finding was added."""
    with Path(path).open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        try:
            end, mpf_end = _jpeg_logical_end(data)
        except (_BadStructureError, struct.error, IndexError):
            findings.add("image.damaged", format="JPEG")
            return False
        logical_end = max(end, mpf_end)
        if logical_end < len(data) and data[logical_end:].strip(b"\x00"):
            findings.add("payload.trailing", format="JPEG", extra=len(data) - logical_end)
            return False
    return True


def _jpeg_logical_end(data: mmap.mmap) -> tuple[int, int]:
    """Offset after the EOI of the first image, and the end of MPF-declared extra images.

    Phones store extra pictures (depth maps, HDR gain maps) after the first
    image and index them in an APP2 "MPF" segment; those are part of the file.
    """
    pos, mpf_end, size = 2, 0, len(data)
    while pos < size:
        if data[pos] != 0xFF:
            raise _BadStructureError("marker expected")
        while pos < size and data[pos] == 0xFF:
            pos += 1
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            return pos, mpf_end
        if marker in _STANDALONE:
            continue
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if length < 2 or pos + length > size:
            raise _BadStructureError("segment runs past the end")
        if marker == 0xE2 and data[pos + 2 : pos + 6] == b"MPF\x00":
            mpf_end = max(mpf_end, _mpf_end(data, pos + 6, pos + length))
        pos += length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            found = _NEXT_MARKER.search(data, pos)
            if found is None:
                raise _BadStructureError("scan without end")
            pos = found.start()
    raise _BadStructureError("no end of image")


def _mpf_end(data: mmap.mmap, base: int, segment_end: int) -> int:
    order = data[base : base + 2]
    if order not in (b"II", b"MM"):
        return 0
    e = "<" if order == b"II" else ">"
    (ifd,) = struct.unpack(e + "I", data[base + 4 : base + 8])
    pos = base + ifd
    if pos + 2 > segment_end:
        return 0
    (count,) = struct.unpack(e + "H", data[pos : pos + 2])
    end = 0
    for i in range(min(count, 64)):
        tag, _typ, n, value = struct.unpack(e + "HHII", data[pos + 2 + 12 * i : pos + 14 + 12 * i])
        if tag != 0xB002:  # MPEntry
            continue
        for j in range(min(n // 16, 16)):
            entry = base + value + 16 * j
            if entry + 16 > segment_end:
                break
            _attr, img_size, img_offset = struct.unpack(e + "III", data[entry : entry + 12])
            if img_offset:  # the first image has offset 0
                start = base + img_offset
                if data[start : start + 3] != b"\xff\xd8\xff":
                    raise _BadStructureError("MPF entry is not a JPEG")
                end = max(end, start + img_size)
    return end


def check_png(path: str, limits: Limits) -> Findings:
    """Check a file that starts with the PNG signature."""
    findings = Findings()
    with Path(path).open("rb") as fh:
        try:
            end = _png_walk(fh, limits, findings)
        except (_BadStructureError, struct.error):
            findings.add("image.damaged", format="PNG")
            return findings
        if findings.items:
            return findings
        size = fh.seek(0, 2)
        if end < size:
            findings.add("payload.trailing", format="PNG", extra=size - end)
            return findings
    _decode(path, "PNG", limits, findings)
    return findings


def _png_walk(fh: BinaryIO, limits: Limits, findings: Findings) -> int:
    """Walk the chunks to IEND; return the offset after it (0 once a finding was added)."""
    size = fh.seek(0, 2)
    fh.seek(8)
    metadata = 0
    while True:
        header = fh.read(8)
        if len(header) < 8:
            raise _BadStructureError("no IEND")
        length, kind = struct.unpack(">I4s", header)
        if fh.tell() + length + 4 > size:
            # Found by fuzzing: an IEND declaring 1.5 GB passed as the end of the file.
            raise _BadStructureError("chunk runs past the end of the file")
        if kind == b"IHDR":
            width, height = struct.unpack(">II", fh.read(8))
            fh.seek(length - 8 + 4, 1)
            if width * height > limits.image_max_pixels:
                _too_many_pixels(findings, width, height, limits)
                return 0
            continue
        if kind in _PNG_TEXT_CHUNKS:
            metadata += length
            if metadata > limits.image_max_metadata:
                findings.add("image.metadata_too_large")
                return 0
        if kind == b"IEND":
            fh.seek(length + 4, 1)
            return fh.tell()
        fh.seek(length + 4, 1)


def _too_many_pixels(findings: Findings, width: int, height: int, limits: Limits) -> None:
    findings.add(
        "image.too_many_pixels",
        width=width,
        height=height,
        limit_mp=limits.image_max_pixels // 1_000_000,
    )


def _decode(path: str, expected: str, limits: Limits, findings: Findings) -> None:
    Image.MAX_IMAGE_PIXELS = limits.image_max_pixels
    PngImagePlugin.MAX_TEXT_CHUNK = limits.image_max_metadata
    PngImagePlugin.MAX_TEXT_MEMORY = limits.image_max_metadata
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[expected]) as im:
                width, height = im.size
                if width * height > limits.image_max_pixels:
                    _too_many_pixels(findings, width, height, limits)
                    return
                if expected == "JPEG":
                    im.draft(im.mode, (max(1, width // 8), max(1, height // 8)))
                    im.load()
                elif not _png_data_ok(path, limits, findings):
                    return
                findings.facts.update(width=width, height=height, mode=im.mode)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        findings.add(
            "image.too_many_pixels",
            width=0,
            height=0,
            limit_mp=limits.image_max_pixels // 1_000_000,
        )
    except ValueError as exc:
        message = str(exc).lower()
        if "too large" in message or "too much memory" in message:
            findings.add("image.metadata_too_large")
        else:
            findings.add("image.damaged", format=expected)
    except (OSError, SyntaxError, struct.error, IndexError, EOFError, zlib.error):
        findings.add("image.damaged", format=expected)
    except _BadStructureError:
        findings.add("image.damaged", format=expected)


def _png_rows(
    width: int, height: int, depth: int, colour: int, interlace: int
) -> list[tuple[int, int]]:
    """(bytes per row with its filter byte, rows) for the image, per Adam7 pass if interlaced."""
    if colour not in _PNG_CHANNELS or depth not in _PNG_DEPTHS[colour] or interlace not in (0, 1):
        raise _BadStructureError("invalid IHDR")
    bits = depth * _PNG_CHANNELS[colour]
    if not interlace:
        return [(1 + (width * bits + 7) // 8, height)]
    rows = []
    for x0, y0, dx, dy in (*_ADAM7, _ADAM7_LAST):
        w, h = (width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy
        if w > 0 and h > 0:
            rows.append((1 + (w * bits + 7) // 8, h))
    return rows


class _Scanlines:
    """The inflated image data as it streams by: each row must start with filter type 0-4."""

    def __init__(self, rows: list[tuple[int, int]]) -> None:
        self.rows = rows
        self.total = sum(stride * count for stride, count in rows)
        self.pos = self.index = self.start = 0

    @property
    def complete(self) -> bool:
        return self.pos >= self.total

    def feed(self, data: bytes) -> None:
        data = data[: self.total - self.pos]  # a decoder stops at the last row
        base, end = self.pos, self.pos + len(data)
        while self.index < len(self.rows):
            stride, count = self.rows[self.index]
            stop = self.start + stride * count
            low, high = max(base, self.start), min(end, stop)
            if low < high:
                first = self.start + -(-(low - self.start) // stride) * stride
                if first < high and data[first - base : high - base : stride].translate(
                    None, _PNG_FILTERS
                ):
                    raise _BadStructureError("invalid filter type")
            if stop > end:
                break
            self.start, self.index = stop, self.index + 1
        self.pos = end


def _png_data_ok(path: str, limits: Limits, findings: Findings) -> bool:
    """Check the image data and the compressed metadata; False once a finding was added."""
    with Path(path).open("rb") as fh:
        fh.seek(8)
        header = fh.read(8 + 13)
        width, height, depth, colour, method, filtering, interlace = struct.unpack(
            ">IIBBBBB", header[8:]
        )
        if method or filtering:
            raise _BadStructureError("unknown compression or filter method")
        lines = _Scanlines(_png_rows(width, height, depth, colour, interlace))
        inflater = zlib.decompressobj()
        metadata = 0
        fh.seek(8)
        while True:
            length, kind = struct.unpack(">I4s", fh.read(8))
            crc = zlib.crc32(kind)
            if kind == b"IDAT":
                left = length
                while left:
                    piece = fh.read(min(left, _PNG_READ))
                    if not piece:
                        raise _BadStructureError("truncated IDAT")
                    left -= len(piece)
                    crc = zlib.crc32(piece, crc)
                    while piece and not lines.complete and not inflater.eof:
                        lines.feed(inflater.decompress(piece, _PNG_READ))
                        piece = inflater.unconsumed_tail
            else:
                body = fh.read(length)
                if len(body) != length:
                    raise _BadStructureError("truncated chunk")
                crc = zlib.crc32(body, crc)
                if kind in _PNG_TEXT_CHUNKS:
                    metadata += _png_text_size(kind, body, limits.image_max_metadata)
                    if metadata > limits.image_max_metadata:
                        findings.add("image.metadata_too_large")
                        return False
            if fh.read(4) != struct.pack(">I", crc):
                raise _BadStructureError("CRC mismatch")
            if kind == b"IEND":
                break
        if not lines.complete:
            raise _BadStructureError("image data ends before the last row")
    return True


def _png_text_size(kind: bytes, body: bytes, limit: int) -> int:
    """The size a text or ICC chunk has once inflated (more than ``limit`` = too large)."""
    keyword, _, rest = body.partition(b"\0")
    if kind == b"tEXt":
        return len(body)
    if kind == b"iTXt":
        if len(rest) < 2 or not rest[0]:  # not compressed
            return len(body)
        rest = rest[2:].split(b"\0", 2)[-1]  # language tag, translated keyword
        compressed = rest
    else:  # zTXt and iCCP: a method byte, then zlib data
        compressed = rest[1:]
    inflater = zlib.decompressobj()
    out = inflater.decompress(compressed, limit + 1)
    return len(keyword) + len(out)
