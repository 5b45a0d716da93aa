"""The file policy as data: which formats, which limits, per policy name.

This is the one place the rules live. The checks, the public "accepted
formats" page and the error texts are all derived from these tables.
Narrowed policies (for procedures such as "PDF only") and channel policies
(e-mail, cloud area) are derived from the chamber's default by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Final

MB: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileFormat:
    """An accepted format: how we name it to people and which extensions belong to it."""

    key: str
    label_de: str  # used in sentences: "Die Datei ist {label_de}."
    label_en: str
    short: str  # "PDF", "JPEG", ...
    extensions: tuple[str, ...]
    media_type: str


FORMATS: Final[dict[str, FileFormat]] = {
    f.key: f
    for f in (
        FileFormat(
            "pdf", "ein PDF-Dokument", "a PDF document", "PDF", (".pdf",), "application/pdf"
        ),
        FileFormat(
            "jpeg",
            "ein JPEG-Bild",
            "a JPEG picture",
            "JPEG",
            (".jpg", ".jpeg", ".jpe"),
            "image/jpeg",
        ),
        FileFormat("png", "ein PNG-Bild", "a PNG picture", "PNG", (".png",), "image/png"),
        FileFormat(
            "docx",
            "ein Word-Dokument (DOCX)",
            "a Word document (DOCX)",
            "DOCX",
            (".docx",),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        FileFormat(
            "xlsx",
            "eine Excel-Tabelle (XLSX)",
            "an Excel spreadsheet (XLSX)",
            "XLSX",
            (".xlsx",),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Limits:
    """Every number that bounds the work one file may cause, with the reason for it."""

    # The portal's per-file limit; e-mail and the cloud area derive their own below.
    max_file_size: int = 100 * MB
    # PDF 1.2 and older predate the security features readers rely on today.
    pdf_min_version: tuple[int, int] = (1, 3)
    # Real documents have thousands of objects; millions only serve to exhaust the parser.
    pdf_max_objects: int = 1_000_000
    # Deep nesting only exists to exhaust recursive walkers.
    pdf_max_depth: int = 64
    # All stream data of one PDF, decoded: scans decode to far less; beyond is a bomb.
    pdf_max_decoded_bytes: int = 4 * 1024 * MB
    # ~50 megapixels is more than any phone camera; decompression bombs are far above.
    image_max_pixels: int = 50_000_000
    # Text chunks in real images are small; megabytes of "text" hide data or bombs.
    image_max_metadata: int = 1 * MB
    # An Office file has hundreds of parts at most; tens of thousands signal a bomb.
    zip_max_entries: int = 10_000
    # Sum of all uncompressed sizes a package may declare.
    zip_max_unpacked: int = 500 * MB
    # Ordinary XML compresses up to ~1:100; 1:1000 is a bomb.
    zip_max_ratio: int = 1000
    # XML parts are parsed in memory, so each one is bounded.
    xml_max_part_size: int = 64 * MB
    # Embedded packages (a chart's workbook) may contain packages themselves.
    ooxml_max_nesting: int = 3
    # Wall-clock limit for parsing one file in the worker process.
    parse_timeout_s: float = 60.0
    # Address space a parser worker may add to what it maps at start-up; a 50 MP
    # image decodes in 200 MB, a large PDF's object table in far less.
    parse_memory_bytes: int = 1024 * MB


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    formats: tuple[str, ...]
    limits: Limits = field(default_factory=Limits)

    def allows(self, fmt: str) -> bool:
        return fmt in self.formats

    def allowed_list(self, lang: str) -> str:
        """The allowed formats as people read them: "PDF, JPEG oder PNG"."""
        shorts = [FORMATS[f].short for f in self.formats]
        if len(shorts) == 1:
            return shorts[0]
        word = " oder " if lang == "de" else " or "
        return ", ".join(shorts[:-1]) + word + shorts[-1]


@dataclass(frozen=True, slots=True)
class MailLimits:
    """Every number that bounds the work one e-mail may cause (policy.md 2.2), with the reason.

    The mail engine (``kammerpost.mailpolicy``) and the SMTP gateway take them
    from here; the "email" file policy below shares the message limit.
    """

    # Published rule: a whole message is at most 20 MB (MiB), and so is each file in it.
    max_message_bytes: int = 20 * MB
    # Published rule: deeper nesting than 10 levels only serves to break parsers.
    max_depth: int = 10
    # Published rule: real mail has a handful of parts; thousands are a parser bomb.
    max_parts: int = 100
    # A real header is a few KB even after many relays; megabytes are an attack.
    max_header_bytes: int = 64 * 1024
    max_header_fields: int = 500
    # Python's header decoding grows super-linearly with encoded words; a long
    # subject needs a few dozen.
    max_encoded_words: int = 1000
    # The item text is for reading; the archived raw message keeps everything.
    max_text_chars: int = 200_000
    # Mail for one department or a few; a long list is a spam run.
    max_recipients: int = 20
    # A 20 MB message parses in well under a second; 20 s of CPU means a bomb.
    parse_timeout_s: float = 20.0
    # A 20 MB message needs ~150 MB to parse and decode; more is refused as too complex.
    parse_memory_bytes: int = 768 * MB


MAIL_LIMITS: Final = MailLimits()

CHAMBER_DEFAULT: Final = Policy(name="default", formats=tuple(FORMATS))

# Each derived policy names what it changes against the chamber's default.
_DERIVED: Final[dict[str, dict[str, object]]] = {
    "pdf-only": {"formats": ("pdf",)},
    "images": {"formats": ("jpeg", "png")},
    "pdf-or-images": {"formats": ("pdf", "jpeg", "png")},
    # A file in an e-mail can be no larger than the whole message.
    "email": {"max_file_size": MAIL_LIMITS.max_message_bytes},
    # The cloud area takes large files by arrangement.
    "exchange": {"max_file_size": 20 * 1024 * MB},
}

POLICY_NAMES: Final = ("default", *_DERIVED)


class UnknownPolicyError(KeyError):
    pass


def policy_named(name: str) -> Policy:
    """The chamber's default policy, or one derived from it by ``name``."""
    if name == "default":
        return CHAMBER_DEFAULT
    try:
        changes = dict(_DERIVED[name])
    except KeyError:
        raise UnknownPolicyError(name) from None
    formats = changes.pop("formats", CHAMBER_DEFAULT.formats)
    limits = replace(CHAMBER_DEFAULT.limits, **changes)  # type: ignore[arg-type]
    return Policy(name=name, formats=formats, limits=limits)  # type: ignore[arg-type]


def format_for_extension(extension: str) -> str | None:
    """Which accepted format a file extension names (".JPG" -> "jpeg"), if any."""
    ext = extension.lower()
    for f in FORMATS.values():
        if ext in f.extensions:
            return f.key
    return None
