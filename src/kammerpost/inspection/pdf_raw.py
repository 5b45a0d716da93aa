"""Every object definition in a PDF's raw bytes, for files whose table was repaired.

A reader that has to rebuild a broken cross-reference table scans the bytes
for ``N G obj`` and picks one definition per object number; which one differs
from reader to reader (first, last, the one the broken table pointed near).
A hostile file uses that: JavaScript in a definition only some readers pick,
or in an object only the broken table names. So for a repaired file the PDF
check judges *every* definition, found here without any table:

* :func:`definitions` finds each ``N G obj`` header anywhere in the file (also
  inside stream data: a reader scanning for objects may well land there) and
  cuts out its text up to ``endobj``, its ``stream`` keyword or the next
  header; stream data is kept only for (possible) object streams.
* :func:`synthetic_pdf` writes those texts as the objects of a new, well-formed
  PDF with one object per definition, so that qpdf parses each one exactly as
  it parses a real file (names decoded, nesting, strings) and the same rules
  apply to it.
* :func:`object_stream_members` lists the objects compressed inside a decoded
  object stream, as more definitions.

The file is memory-mapped: only files whose table is broken get here, and one
too large for the worker's address space is refused (fail closed).
"""

from __future__ import annotations

import mmap
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

_WS: Final = rb"[\x00\t\n\f\r ]"
# "12 0 obj" not preceded by a digit (else "112 0 obj" would also read as "12 0 obj").
_HEADER: Final = re.compile(
    rb"(?<![0-9])(\d{1,10})" + _WS + rb"+(\d{1,5})" + _WS + rb"+obj(?![A-Za-z0-9])"
)
# The text of one object is at most this long (a page tree's /Kids array of
# 100,000 pages takes 1 MB); an object that does not end within it cannot be judged.
MAX_OBJECT_TEXT: Final = 16 * 1024 * 1024
_FIRST_TOKEN: Final = re.compile(rb"[^\x00\t\n\f\r ]")
_DELIMITER: Final = re.compile(rb"[()<>\[\]%]")
_STRING_SPECIAL: Final = re.compile(rb"[()\\\\]")
_EOL: Final = re.compile(rb"\r\n|\r|\n")
_ENDOBJ: Final = re.compile(rb"endobj")
_STREAM_KEYWORD: Final = re.compile(rb"[\x00\t\n\f\r ]*stream(?:\r\n|\n|\r)")
_ENDSTREAM: Final = re.compile(rb"(?:\r\n|\r|\n)?endstream")
_HEX_ESCAPE: Final = re.compile(rb"#([0-9A-Fa-f]{2})")
# An object stream says /Type /ObjStm; one without that but with /First may
# still be read as one by a reader that follows a table.
_OBJECT_STREAM: Final = re.compile(rb"/(?:ObjStm|First)(?![A-Za-z0-9])")
_ROOT_REFERENCE: Final = re.compile(rb"/Root" + _WS + rb"*\d+" + _WS + rb"+\d+" + _WS + rb"+R")


@dataclass(frozen=True, slots=True)
class Definition:
    """One ``N G obj`` in the raw bytes: its number, its text, and object-stream data."""

    number: int
    generation: int
    offset: int
    text: bytes  # the object up to its end (for a stream: its dictionary)
    stream: bytes | None  # the stream data, kept for (possible) object streams only
    is_stream: bool
    complete: bool = True  # False: the object does not end; it cannot be judged


def decoded_names(text: bytes) -> bytes:
    """``text`` with ``#xx`` escapes decoded, as qpdf decodes names (over-decoding is safe here)."""
    return _HEX_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), text)


def names_root(path: str) -> bool:
    """Whether any trailer (or other dictionary) in the file names a /Root object."""
    with Path(path).open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return _ROOT_REFERENCE.search(data) is not None


def definitions(path: str, max_count: int) -> list[Definition] | None:
    """Every object definition in the file, in file order; None past ``max_count``."""
    with Path(path).open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        headers = _header_positions(data, max_count)
        if len(headers) > max_count:
            return None
        found = []
        for index, (number, generation, start, body) in enumerate(headers):
            next_header = headers[index + 1][2] if index + 1 < len(headers) else len(data)
            end = object_end(data, body, min(len(data), body + MAX_OBJECT_TEXT), next_header)
            if end is None:
                found.append(Definition(number, generation, start, b"", None, False, False))
                continue
            text = bytes(data[body:end])
            keyword = _STREAM_KEYWORD.match(data, end)
            stream = None
            if keyword is not None and _OBJECT_STREAM.search(decoded_names(text)):
                stream = _stream_data(data, keyword.end())
            found.append(Definition(number, generation, start, text, stream, keyword is not None))
        return found


def object_end(data: bytes | mmap.mmap, start: int, limit: int, scalar_limit: int) -> int | None:
    """Where the object that begins at ``start`` (after white space) ends; None if it does not.

    Dictionaries, arrays and strings are followed to their real end, past any
    "endobj", "stream" or "N G obj" inside strings (a hostile file hides
    content after those). Anything else ends at "endobj" or ``scalar_limit``.
    """
    first = _FIRST_TOKEN.search(data, start, limit)
    if first is None:
        return None
    position = first.start()
    if data[position : position + 1] not in (b"<", b"[", b"("):
        end = _ENDOBJ.search(data, position, scalar_limit)
        return end.start() if end is not None else scalar_limit
    depth = 0
    while True:
        special = _DELIMITER.search(data, position, limit)
        if special is None:
            return None
        char, position = special[0], special.start()
        if char == b"(":
            string_end = _string_end(data, position, limit)
            if string_end is None:
                return None
            if depth == 0:
                return string_end
            position = string_end
            continue
        if char == b"%":
            eol = _EOL.search(data, position, limit)
            if eol is None:
                return None
            position = eol.end()
            continue
        if char == b"<":
            if data[position + 1 : position + 2] == b"<":
                depth, position = depth + 1, position + 2
                continue
            closing = data.find(b">", position, limit)  # a hex string
            if closing == -1:
                return None
            position = closing + 1
            continue
        if char == b"[":
            depth, position = depth + 1, position + 1
            continue
        if char == b">":
            if data[position + 1 : position + 2] != b">":
                position += 1
                continue
            depth, position = depth - 1, position + 2
        else:  # "]"
            depth, position = depth - 1, position + 1
        if depth <= 0:
            return position


def _string_end(data: bytes | mmap.mmap, start: int, limit: int) -> int | None:
    """The end of the literal string opening at ``start``: balanced parentheses, escapes."""
    depth, position = 0, start
    while True:
        special = _STRING_SPECIAL.search(data, position, limit)
        if special is None:
            return None
        char, position = special[0], special.end()
        if char == b"\\":
            position += 1  # the escaped character, whatever it is
        elif char == b"(":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return position


def _header_positions(data: mmap.mmap, max_count: int) -> list[tuple[int, int, int, int]]:
    positions = []
    for match in _HEADER.finditer(data):
        positions.append((int(match[1]), int(match[2]), match.start(), match.end()))
        if len(positions) > max_count:
            break
    return positions


def _stream_data(data: mmap.mmap, keyword_end: int) -> bytes:
    start = keyword_end
    if data[start : start + 2] == b"\r\n":
        start += 2
    elif data[start : start + 1] in (b"\r", b"\n"):
        start += 1
    end = _ENDSTREAM.search(data, start)
    return bytes(data[start : end.start() if end is not None else len(data)])


def synthetic_pdf(texts: list[tuple[bytes, bytes | None, bool]]) -> bytes:
    """A well-formed PDF whose object i (from 1) is ``texts[i - 1]``.

    Each entry is (object text, stream data or None, is a stream). Streams
    whose data was not kept get empty data. The stream's /Length is appended
    to its dictionary (qpdf lets the last occurrence of a key count), so
    qpdf never has to search for the data's end. The catalog is an extra
    object at the end, with an empty page tree: qpdf opens no file without them.
    """
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, (text, stream, is_stream) in enumerate(texts, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number
        if is_stream:
            data = stream or b""
            body = text.rstrip()
            if body.endswith(b">>"):
                body = body[:-2] + b" /Length %d>>" % len(data)
            out += body + b"\nstream\n" + data + b"\nendstream\nendobj\n"
        else:
            out += text + b"\nendobj\n"
    catalog = len(texts) + 1
    offsets.append(len(out))
    out += b"%d 0 obj\n<< /Type /Catalog /Pages %d 0 R >>\nendobj\n" % (catalog, catalog + 1)
    offsets.append(len(out))
    out += b"%d 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n" % (catalog + 1)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (catalog + 2)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        catalog + 2,
        catalog,
        xref,
    )
    return bytes(out)


def object_stream_members(data: bytes, count: int, first: int) -> list[tuple[int, bytes]]:
    """The (number, text) of each object in a decoded object stream (ISO 32000-1, 7.5.7).

    The header is ``count`` pairs "number offset"; offsets count from
    ``first``. Each object's text runs from its offset to its real end
    (:func:`object_end`, bounded by the data), not to the next offset: a
    reader parses from the offset and reads one whole object. An object that
    does not end gets the rest of the data as its text.
    """
    header = data[:first].split()
    members = []
    for index in range(0, min(len(header) - 1, 2 * count), 2):
        if not (header[index].isdigit() and header[index + 1].isdigit()):
            break
        number, start = int(header[index]), first + int(header[index + 1])
        if start <= len(data):
            end = object_end(data, start, len(data), len(data))
            members.append((number, data[start : len(data) if end is None else end]))
    return members
