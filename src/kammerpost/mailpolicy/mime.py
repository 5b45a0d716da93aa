"""Reading MIME headers the careful way: charsets, encoded words, file names, addresses.

We parse with the ``compat32`` policy (linear and fast; the modern header
parser needs ~10 s for 50,000 parts) and decode what we show ourselves, so
that every charset label is checked against the allowed list and nothing
is silently guessed. Real mail is messier than the RFCs (policy.md 2.2):
Gmail and Outlook put encoded words inside quoted file names, and text
labelled ISO-8859-1 often carries Windows-1252 bytes; both are read as
browsers do.
"""

from __future__ import annotations

import binascii
import codecs
import re
from email.message import Message
from email.policy import Compat32
from email.utils import getaddresses
from typing import Final

from .rules import Refusal

# Python's codec names of the allowed charsets (policy.md 2.2).
_ALLOWED: Final = frozenset({"ascii", "utf-8", "iso8859-1", "iso8859-15", "cp1252"})
_WORD: Final = re.compile(r"=\?([^?\s]{1,75})\?([bBqQ])\?([^?\s]*)\?=")
_QP_ESCAPE: Final = re.compile(r"=([0-9A-Fa-f]{2})")
_ADDRESS: Final = re.compile(r"[^@\s<>()\[\],;:\"\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class RawHeaders(Compat32):
    """compat32, except that a header value comes back as the raw string it was.

    compat32 wraps a value with 8-bit bytes (RFC 6532 UTF-8 headers, which
    SMTPUTF8 senders write) into an ``email.header.Header`` whose str() is
    replacement characters. The raw value keeps the bytes as surrogates, and
    ``header_text`` reads them as UTF-8 (or Windows-1252).
    """

    def header_fetch_parse(self, name: str, value: str) -> str:
        return value


RAW_HEADERS: Final = RawHeaders()


class MimeRefusal(Exception):
    """A rule was broken while reading; carries the refusal to the examination."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.code)
        self.refusal = refusal


def codec_for(label: str | None, *, default: str = "utf-8") -> str:
    """The codec to read ``label`` with; MimeRefusal for a charset outside the allowed list.

    ISO-8859-1 and US-ASCII are read as Windows-1252, their superset, as
    browsers do: the bytes a mislabelled message carries still come out right.
    """
    if label is None or not label.strip():
        return default
    cleaned = label.strip().strip('"').strip()
    try:
        name = codecs.lookup(cleaned).name
    except LookupError:
        name = ""
    if name not in _ALLOWED:
        raise MimeRefusal(Refusal("charset.not_allowed", {"charset": cleaned}))
    return "cp1252" if name in {"iso8859-1", "ascii"} else name


def decode_text(data: bytes, label: str | None) -> str:
    """A text part's content as str under its (allowed) charset label."""
    codec = codec_for(label, default="")
    if codec in {"", "cp1252"}:
        # Unlabelled or ASCII/Latin-1-labelled: UTF-8 is what modern programs send
        # when they forget the label; anything else reads as Windows-1252.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", "replace")
    return data.decode(codec, "replace")


def header_text(value: str) -> str:
    """A compat32 header value as text: 8-bit bytes read as UTF-8, encoded words decoded."""
    text = _unescape_8bit(str(value))
    if "=?" not in text:
        return text
    out: list[str] = []
    pending: bytes = b""
    pending_codec = ""
    position = 0
    for match in _WORD.finditer(text):
        between = text[position : match.start()]
        adjacent = pending_codec and not between.strip()
        codec = codec_for(match.group(1).split("*", 1)[0], default="utf-8")
        if pending and not (adjacent and codec == pending_codec):
            out.append(pending.decode(pending_codec, "replace"))
            pending = b""
        if not adjacent:
            out.append(between)
        # Adjacent words of one charset are joined first: some mailers split a
        # multi-byte character across two words.
        pending += _word_bytes(match.group(2), match.group(3))
        pending_codec = codec
        position = match.end()
    if pending:
        out.append(pending.decode(pending_codec, "replace"))
    out.append(text[position:])
    return "".join(out)


def _word_bytes(encoding: str, data: str) -> bytes:
    if encoding in "bB":
        try:
            return binascii.a2b_base64(data + "=" * (-len(data) % 4))
        except binascii.Error:
            return b"?"
    return _QP_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), data.replace("_", " ")).encode(
        "latin-1", "replace"
    )


def _unescape_8bit(value: str) -> str:
    """compat32 keeps raw 8-bit header bytes as surrogates; read them as UTF-8 (RFC 6532)."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    raw = value.encode("ascii", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def single_line(text: str, limit: int = 998) -> str:
    """Text safe for one header line: CR/LF and other controls become spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())[:limit]


def sender_address(message: Message) -> tuple[str, str]:
    """(address, display name) of the one From mailbox; MimeRefusal when there isn't one."""
    values = message.get_all("From") or []
    if len(values) > 1:
        raise MimeRefusal(Refusal("mime.duplicate_header", {"header": "From"}))
    if not values:
        raise MimeRefusal(Refusal("mime.no_sender"))
    pairs = getaddresses([_unescape_8bit(str(values[0]))])
    found = [(name, address) for name, address in pairs if address]
    if len(found) != 1 or not _ADDRESS.fullmatch(found[0][1]):
        raise MimeRefusal(Refusal("mime.no_sender"))
    name, address = found[0]
    return address.lower(), single_line(header_text(name), 200)


def _param_values(message: Message, header: str, name: str) -> list[str | tuple[str, str, str]]:
    params = message.get_params(header=header, failobj=[]) or []
    return [value for key, value in params[1:] if key.lower() == name]


def _extended_value(value: tuple[str, str, str]) -> str:
    charset, _, text = value
    codec = codec_for(charset or None, default="utf-8")
    return text.encode("latin-1", "replace").decode(codec, "replace")


def file_name(part: Message) -> str | None:
    """The attachment's name; MimeRefusal when its names disagree (filename= vs filename*=)."""
    for header, key in (("content-disposition", "filename"), ("content-type", "name")):
        values = _param_values(part, header, key)
        if not values:
            continue
        names = []
        for value in values:
            if isinstance(value, tuple):
                names.append(_extended_value(value))
            else:
                # Gmail and Outlook: encoded words inside the quoted name (RFC 2047 says
                # no, every mail program says yes).
                names.append(header_text(value))
        distinct = {n.strip() for n in names}
        if len(distinct) > 1:
            shown = next(n for n in names if not isinstance(n, tuple))
            raise MimeRefusal(Refusal("attachment.name_ambiguous", {"file": shown}))
        return names[0]
    return None


def header_count(message: Message, name: str) -> int:
    return len(message.get_all(name) or [])
