"""A document download as an HTTP response, with the headers security.md 14 asks for.

Any channel that hands a person an accepted document's bytes answers with
:func:`document_download_response`: the content comes from
``access.document_content_open`` (accepted only, audited), the headers from here.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import quote

from django.http import StreamingHttpResponse

from kammerpost.inspection import FORMATS

from .access import document_content_open

if TYPE_CHECKING:
    from kammerpost.accounts.models import User

    from .models import Document

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


def document_download_response(
    *, actor: User, document: Document, ip_address: str | None
) -> StreamingHttpResponse:
    """The document's verified plaintext as an attachment that no browser runs or renders."""
    reader = document_content_open(actor=actor, document=document, ip_address=ip_address)
    response = StreamingHttpResponse(reader, content_type=media_type_for(document.real_format))
    response["Content-Length"] = str(document.size)
    response["Content-Disposition"] = content_disposition(
        download_name(document.original_name, document.real_format)
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Nothing in a downloaded file may run with our origin, even if a browser renders it.
    response["Content-Security-Policy"] = (
        "default-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; sandbox"
    )
    return response
