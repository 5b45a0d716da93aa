"""Response headers for a document download (security.md 14)."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from kammerpost.inspection import FORMATS

# Whatever the inspection says, these are never sent as themselves: a browser
# would render them, with our origin.
_NEVER_SERVED_AS = {"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml"}
FALLBACK_MEDIA_TYPE = "application/octet-stream"


def media_type_for(real_format: str) -> str:
    fmt = FORMATS.get(real_format)
    if fmt is None or fmt.media_type in _NEVER_SERVED_AS:
        return FALLBACK_MEDIA_TYPE
    return fmt.media_type


def download_name(original_name: str, real_format: str) -> str:
    """The sender's file name without paths or control characters, ending as its real format."""
    name = original_name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".") or "dokument"
    name = name[:150]
    fmt = FORMATS.get(real_format)
    if fmt is not None and not name.lower().endswith(fmt.extensions):
        name += fmt.extensions[0]
    return name


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266, RFC 5987)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = "".join(ch if ch not in '"\\;' else "_" for ch in ascii_name).strip()
    ascii_name = ascii_name or "dokument"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
