"""The pre-scan: cheap checks on the raw bytes before Python's ``email`` package sees them.

``email`` falls over on 1,000 nested multiparts (RecursionError), needs
seconds for 50,000 parts and grows super-linearly with encoded words. So
the gateway first looks at the bytes with C-speed searches only - header
size, encoded-word count, boundary declarations and delimiter lines with a
stack for the depth - and refuses what is over the published limits before
any parser runs. The counts are upper bounds (a "boundary=" in a text body
counts too); the worker's full parse checks the exact structure again.
"""

from __future__ import annotations

import re
from typing import Final

from .rules import MB, MailLimits, Refusal

_BOUNDARY: Final = re.compile(
    rb'boundary[ \t]*=[ \t]*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))', re.IGNORECASE
)
_DELIMITER: Final = re.compile(rb"--([^\r\n]{1,210}?)[ \t]*\r?\n")
# CR, LF and TAB belong to header syntax; any other control byte is a broken header.
_HEADER_CONTROLS: Final = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ENCODED_WORD: Final = re.compile(rb"=\?[^?\s]{1,75}\?[bBqQ]\?[^?\s]{0,1000}\?=")


def header_block(raw: bytes) -> bytes:
    """The top-level header: everything before the first empty line."""
    ends = [at for at in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if at != -1]
    return raw[: min(ends)] if ends else raw


def prescan(raw: bytes, limits: MailLimits) -> Refusal | None:
    """The first rule the raw message breaks, or None if a full parse is safe to try."""
    if len(raw) > limits.max_message_bytes:
        return Refusal("size.too_large", {"limit_mb": limits.max_message_bytes // MB})
    if _smuggling(raw):
        return Refusal("mime.bare_linefeed")
    if raw.count(b"\n") != raw.count(b"\r\n"):
        # SMTP lines end in CRLF (RFC 5321 2.3.8); a bare LF is read differently by
        # different programs, and the signed bytes of S/MIME are CRLF by definition.
        return Refusal("mime.bare_linefeeds")
    refusal = _check_encoded_words(raw, limits)
    if refusal is None:
        refusal = _check_header(raw, limits)
    if refusal is None:
        refusal = _check_structure(raw, limits)
    return refusal


def _smuggling(raw: bytes) -> bool:
    """A dot line next to a bare LF: how SMTP smuggling hides a second message.

    aiosmtpd ends DATA only at CRLF.CRLF and strips the stuffing dot of a
    line ".\\n...", which leaves CRLF LF behind; every shape is refused.
    Plain substring searches: a regex over 20 MB would cost a third of a second.
    """
    if b"\n.\n" in raw or b"\r\n\n" in raw or raw.endswith(b"\n."):
        return True
    at = raw.find(b"\n.\r\n")
    while at != -1:
        if at == 0 or raw[at - 1 : at] != b"\r":
            return True
        at = raw.find(b"\n.\r\n", at + 1)
    return False


def _occurrences(haystack: bytes, needle: bytes, limit: int) -> list[int]:
    """Up to ``limit`` positions of ``needle``; memchr speed where a regex would crawl."""
    found: list[int] = []
    at = haystack.find(needle)
    while at != -1 and len(found) < limit:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


def _check_header(raw: bytes, limits: MailLimits) -> Refusal | None:
    header = header_block(raw)
    fields = header.count(b"\n") + 1 - len(re.findall(rb"\n[ \t]", header))
    if len(header) > limits.max_header_bytes or fields > limits.max_header_fields:
        return Refusal(
            "mime.headers_too_large",
            {"limit": limits.max_header_bytes, "fields": limits.max_header_fields},
        )
    if len(re.findall(rb"(?im)^from[ \t]*:", header)) > 1:
        return Refusal("mime.duplicate_header", {"header": "From"})
    if _HEADER_CONTROLS.search(header):
        return Refusal(
            "mime.broken_headers",
            {"what_de": "Steuerzeichen im Kopffeld", "what_en": "control character"},
        )
    return None


def _check_encoded_words(raw: bytes, limits: MailLimits) -> Refusal | None:
    # count() is a memchr-speed upper bound; the regex runs only when it is over.
    if raw.count(b"=?") <= limits.max_encoded_words:
        return None
    for found, _ in enumerate(_ENCODED_WORD.finditer(raw), start=1):
        if found > limits.max_encoded_words:
            return Refusal("mime.too_many_encoded_words", {"limit": limits.max_encoded_words})
    return None


def _check_structure(raw: bytes, limits: MailLimits) -> Refusal | None:
    too_many = Refusal("mime.too_many_parts", {"limit": limits.max_parts})
    too_deep = Refusal("mime.too_deep", {"limit": limits.max_depth})
    lowered = raw.lower()
    if lowered.count(b"message/rfc822") + lowered.count(b"message/global") > limits.max_parts:
        return too_many
    # Collection stops a little past the limits; the walk then tells a bomb's shape
    # (too deep or too many) from the events seen so far.
    cap = 2 * limits.max_parts + 2
    events: list[tuple[int, bytes, bool]] = []  # (position, boundary, True = declaration)
    declared: set[bytes] = set()
    for at in _occurrences(lowered, b"boundary", 4 * cap):
        match = _BOUNDARY.match(raw, at)
        if match is None:
            continue
        boundary = (match.group(1) or match.group(2)).rstrip()
        declared.add(boundary)
        events.append((at, boundary, True))
        if len(declared) > cap:
            break
    if not declared:
        return None
    delimiters = 0
    starts = _occurrences(raw, b"\n--", 8 * cap)
    for at in [-1, *starts] if raw.startswith(b"--") else starts:
        match = _DELIMITER.match(raw, at + 1)
        if match is None:
            continue
        token = match.group(1)
        if token in declared or (token.endswith(b"--") and token[:-2] in declared):
            delimiters += 1
            events.append((at + 1, token, False))
            if delimiters > 2 * cap:
                break
    events.sort(key=lambda event: event[0])
    refusal = _walk_boundaries(events, declared, limits, too_many, too_deep)
    if refusal is None and (len(declared) > limits.max_parts or delimiters > 2 * cap):
        refusal = too_many
    return refusal


def _walk_boundaries(
    events: list[tuple[int, bytes, bool]],
    declared: set[bytes],
    limits: MailLimits,
    too_many: Refusal,
    too_deep: Refusal,
) -> Refusal | None:
    """Follow declarations and delimiters with a stack: its height is the nesting depth."""
    stack: list[bytes] = []
    parts = 1
    for _, token, is_declaration in events:
        if is_declaration:
            if token not in stack:
                stack.append(token)
                if len(stack) > limits.max_depth:
                    return too_deep
            continue
        closing = token not in declared
        boundary = token[:-2] if closing else token
        if boundary not in stack:
            continue
        while stack[-1] != boundary:  # inner multiparts end implicitly
            stack.pop()
        if closing:
            stack.pop()
        else:
            parts += 1
            if parts > limits.max_parts:
                return too_many
    return None
