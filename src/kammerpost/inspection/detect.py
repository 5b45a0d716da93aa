"""Type by content: the signature at byte 0 decides the candidate format.

No tolerance for bytes before a signature: PDF readers accept up to 1 KiB of
junk before ``%PDF``, and polyglot files live in that gap, so we do not.
Everything that is not a candidate for an accepted format is named as
precisely as we can, because the sender's hint depends on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from .report import Finding

HEAD_SIZE: Final = 8192

# Candidates that go on to the format rules.
PDF, JPEG, PNG, ZIP, OLE = "pdf", "jpeg", "png", "zip", "ole"

_CANDIDATES: Final[tuple[tuple[bytes, str], ...]] = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"PK\x03\x04", ZIP),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE),
)

# (signature at byte 0, reason code, parameters)
_REFUSED_AT_ZERO: Final[tuple[tuple[bytes, str, dict[str, str | int]], ...]] = (
    (b"MZ", "exe.pe", {}),
    (b"\x7fELF", "exe.elf", {}),
    (b"\xfe\xed\xfa\xce", "exe.macho", {}),
    (b"\xfe\xed\xfa\xcf", "exe.macho", {}),
    (b"\xce\xfa\xed\xfe", "exe.macho", {}),
    (b"\xcf\xfa\xed\xfe", "exe.macho", {}),
    (b"\xca\xfe\xba\xbe", "exe.java", {}),  # also universal Mach-O: a program either way
    (b"L\x00\x00\x00\x01\x14\x02\x00", "exe.lnk", {}),
    (b"#!", "exe.script", {}),
    (b"PK\x05\x06", "archive.zip", {}),  # empty ZIP
    (b"PK\x07\x08", "archive.zip", {}),  # spanned ZIP
    (b"Rar!\x1a\x07", "archive.rar", {}),
    (b"7z\xbc\xaf\x27\x1c", "archive.7z", {}),
    (b"\x1f\x8b", "archive.gzip", {}),
    (b"BZh", "archive.bzip2", {}),
    (b"\xfd7zXZ\x00", "archive.xz", {}),
    (b"\x28\xb5\x2f\xfd", "archive.zstd", {}),
    (b"MSCF", "archive.cab", {}),
    (b"ISc(", "archive.cab", {}),
    (b"\x60\xea", "archive.other", {"kind": "ARJ"}),
    (b"070707", "archive.other", {"kind": "cpio"}),
    (b"070701", "archive.other", {"kind": "cpio"}),
    (b"xar!", "archive.other", {"kind": "XAR"}),
    (b"{\\rtf", "format.rtf", {}),
    (b"GIF87a", "format.image_unsupported", {"kind": "GIF"}),
    (b"GIF89a", "format.image_unsupported", {"kind": "GIF"}),
    (b"BM", "format.image_unsupported", {"kind": "BMP"}),
    (b"II*\x00", "format.image_unsupported", {"kind": "TIFF"}),
    (b"MM\x00*", "format.image_unsupported", {"kind": "TIFF"}),
    (b"\x00\x00\x01\x00", "format.image_unsupported", {"kind": "ICO"}),
    (b"8BPS", "format.image_unsupported", {"kind": "Photoshop"}),
)

_HEIF_BRANDS: Final = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")

# Scripting that Windows or a shell runs directly from a text file.
_SCRIPT_PATTERNS: Final = re.compile(
    rb"(?im)^\s*(@?echo\s+off|@?rem\s|::|set\s+\w+=|start\s|call\s|goto\s|powershell|cmd(\.exe)?\s"
    rb"|wscript|cscript|<\s*(script|job|hta:application|package)\b|"
    rb"(dim|sub|function|on\s+error)\s+\w|createobject\s*\(|invoke-\w+|iex\s*\(|"
    rb"new-object\s|\$\w+\s*=|import\s+\w+|var\s+\w+\s*=|eval\s*\(|<\?php)"
)
_MARKUP: Final = re.compile(rb"^\s*<(\?xml|!doctype|html|head|body|svg|!--|[a-z]+[\s>])", re.I)
_SVG: Final = re.compile(rb"<svg[\s>]", re.I)


@dataclass(frozen=True, slots=True)
class Detection:
    """Either a candidate format for the format rules, or a finding that refuses the file."""

    candidate: str | None
    finding: Finding | None


def detect(head: bytes) -> Detection:
    """Decide by the first bytes of a file (``HEAD_SIZE`` of them suffice)."""
    for magic, candidate in _CANDIDATES:
        if head.startswith(magic):
            return Detection(candidate, None)
    return Detection(None, _refusal(head))


def _refusal(head: bytes) -> Finding:
    for magic, code, params in _REFUSED_AT_ZERO:
        if head.startswith(magic):
            return Finding(code, dict(params))
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return Finding("format.image_unsupported", {"kind": "HEIC/HEIF"})
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Finding("format.image_unsupported", {"kind": "WebP"})
    if head[257:262] == b"ustar":
        return Finding("archive.tar", {})
    for magic, candidate in _CANDIDATES:
        offset = head.find(magic, 1, 1024)
        if offset > 0 and candidate != OLE:
            return Finding("format.junk_before_signature", {"offset": offset})
    return _text_refusal(head)


def _text_refusal(head: bytes) -> Finding:
    text = head.removeprefix(b"\xef\xbb\xbf")
    if text.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text
        text = text[2:].replace(b"\x00", b"")
    if _MARKUP.match(text):
        if _SVG.search(text):
            return Finding("format.svg", {})
        if re.search(rb"<\s*(job|hta:application|package)\b", text, re.I):
            return Finding("exe.script", {})
        return Finding("format.html", {})
    if _looks_like_text(text):
        if _SCRIPT_PATTERNS.search(text):
            return Finding("exe.script", {})
        return Finding("format.text", {})
    return Finding("format.unknown", {})


def _looks_like_text(data: bytes) -> bool:
    if not data or b"\x00" in data:
        return False
    controls = sum(1 for b in data if b < 32 and b not in (9, 10, 12, 13))
    return controls * 100 < len(data)
