"""PNG image data checked without Pillow's unfiltering: what a decoder would refuse, we refuse.

The files are built by hand (rows, filter bytes, zlib, CRCs), so each case
differs from a valid image in exactly one way; Pillow's full decode is the
referee for the valid ones.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from kammerpost.inspection.images import check_png
from kammerpost.inspection.policy import Limits

SIGNATURE = b"\x89PNG\r\n\x1a\n"
ADAM7 = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)


def chunk(kind: bytes, data: bytes, crc: int | None = None) -> bytes:
    value = zlib.crc32(kind + data) if crc is None else crc
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", value)


def raw_rows(width: int, height: int, interlace: bool, filter_type: int = 1) -> bytes:
    """RGB rows (8 bit), each with ``filter_type``; Adam7 passes if ``interlace``."""
    if not interlace:
        passes = [(width, height)]
    else:
        passes = []
        for x0, y0, dx, dy in ADAM7:
            w, h = (width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy
            if w > 0 and h > 0:
                passes.append((w, h))
    out = bytearray()
    for w, h in passes:
        for y in range(h):
            out.append(filter_type)
            out += bytes((x * 7 + y * 3) % 256 for x in range(w * 3))
    return bytes(out)


def png(
    width: int = 21,
    height: int = 13,
    *,
    interlace: bool = False,
    raw: bytes | None = None,
    idat_crc: int | None = None,
    after_idat: bytes = b"",
) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, int(interlace))
    data = zlib.compress(raw if raw is not None else raw_rows(width, height, interlace))
    return (
        SIGNATURE
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", data[:50])
        + chunk(b"IDAT", data[50:], crc=idat_crc)
        + after_idat
        + chunk(b"IEND", b"")
    )


def _check(tmp_path: Path, data: bytes) -> list[str]:
    path = tmp_path / "bild.png"
    path.write_bytes(data)
    return [f.code for f in check_png(str(path), Limits()).items]


@pytest.mark.parametrize("interlace", [False, True])
def test_valid_images_pillow_decodes_are_accepted(tmp_path: Path, interlace: bool) -> None:
    data = png(interlace=interlace)
    Image.open(io.BytesIO(data)).load()  # the referee: a valid file
    assert _check(tmp_path, data) == []


@pytest.mark.parametrize("interlace", [False, True])
def test_a_row_with_an_unknown_filter_type_is_damaged(tmp_path: Path, interlace: bool) -> None:
    raw = bytearray(raw_rows(21, 13, interlace))
    raw[-(21 * 3 + 1) if not interlace else len(raw) - (21 * 3 + 1)] = 5
    with pytest.raises((OSError, SyntaxError, ValueError)):
        Image.open(io.BytesIO(png(interlace=interlace, raw=bytes(raw)))).load()
    assert _check(tmp_path, png(interlace=interlace, raw=bytes(raw))) == ["image.damaged"]


def test_image_data_short_of_the_last_row_is_damaged(tmp_path: Path) -> None:
    raw = raw_rows(21, 13, False)[:-10]
    assert _check(tmp_path, png(raw=raw)) == ["image.damaged"]


def test_an_idat_crc_mismatch_is_damaged(tmp_path: Path) -> None:
    assert _check(tmp_path, png(idat_crc=0x12345678)) == ["image.damaged"]


def test_a_ztxt_bomb_after_the_image_data_is_refused(tmp_path: Path) -> None:
    bomb = chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"A" * (8 * 1024 * 1024), 9))
    assert _check(tmp_path, png(after_idat=bomb)) == ["image.metadata_too_large"]


def test_a_compressed_itxt_and_an_icc_profile_within_the_limit_are_fine(tmp_path: Path) -> None:
    itxt = chunk(b"iTXt", b"Comment\0\x01\x00de\0Kommentar\0" + zlib.compress(b"Meisterbrief"))
    assert _check(tmp_path, png(after_idat=itxt)) == []
    broken = chunk(b"zTXt", b"Comment\0\0" + b"not zlib at all")
    assert _check(tmp_path, png(after_idat=broken)) == ["image.damaged"]


def test_an_invalid_bit_depth_for_the_colour_type_is_damaged(tmp_path: Path) -> None:
    data = bytearray(png())
    data[24] = 4  # RGB with 4 bits per sample does not exist
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    assert _check(tmp_path, bytes(data)) == ["image.damaged"]
