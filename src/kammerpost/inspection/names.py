"""File name hygiene: the name a sender gave is shown, never trusted.

The name is never used as a storage path. We keep only its last component,
refuse invisible control characters and writing-direction overrides (which
make ``rechnung\u202efdp.exe`` look like ``rechnungexe.pdf``), and read the
last extension, which is what mail programs and operating systems act on.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final

_BIDI_CONTROLS: Final = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
MAX_NAME_LENGTH: Final = 255


@dataclass(frozen=True, slots=True)
class FileName:
    display: str  # safe to show: last path component, NFC, no control characters
    extension: str  # lower-case, with the dot; "" when there is none
    problem: str | None  # a reason code, or None


def clean_name(raw: str) -> FileName:
    """Judge and clean a name as the sender gave it."""
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    problem = None
    if any(ch in _BIDI_CONTROLS for ch in base):
        problem = "name.bidi_override"
    elif any(unicodedata.category(ch) == "Cc" for ch in base):
        problem = "name.control_characters"
    display = (
        "".join(
            "\ufffd" if ch in _BIDI_CONTROLS or unicodedata.category(ch) == "Cc" else ch
            for ch in base
        ).strip()[:MAX_NAME_LENGTH]
        or "unbenannt"
    )
    stem, dot, ext = display.rpartition(".")
    extension = f".{ext.lower()}" if dot and stem and ext else ""
    return FileName(display=display, extension=extension, problem=problem)
