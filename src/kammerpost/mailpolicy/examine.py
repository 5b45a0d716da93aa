"""The mail policy (policy.md 2.2) on one raw message: refuse it, or say what it holds.

``examine(raw, workdir, limits)`` is pure and needs neither SMTP nor
Django; the gateway runs it in a worker process under memory and time
limits (``sandbox.py``). It decodes the attachments into ``workdir`` for
the inspection engine, which the caller runs on them (file policy, virus
scan). Every rule here refuses with a ``Refusal`` that names the rule.

Parts of the mail itself are not documents (policy.md 2.2): the signature
of an S/MIME or PGP/MIME signed mail (``smime.py``; the opaque S/MIME form
is unwrapped and its content examined like any mail), images the HTML
body shows by ``cid:`` (left out and named), and Outlook's ``winmail.dat``
(TNEF, unpacked: its body is text, its files are the attachments). Every
other leaf part is an attachment, whatever its Content-Disposition.
"""

from __future__ import annotations

import binascii
import mimetypes
import quopri
import re
from dataclasses import asdict, dataclass, field
from email import errors
from email.message import Message
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Final

from .html import ACTIVE, html_scan
from .links import link_only_host
from .mime import (
    RAW_HEADERS,
    MimeRefusal,
    codec_for,
    decode_text,
    file_name,
    header_count,
    header_text,
    sender_address,
    single_line,
)
from .prescan import prescan
from .rules import MailLimits, Refusal
from .smime import MailSignature, pgp_signature, smime_verify

_BOUNDARY_DEFECTS: Final[dict[type[errors.MessageDefect], tuple[str, str]]] = {
    errors.NoBoundaryInMultipartDefect: ("Grenze fehlt", "boundary missing"),
    errors.StartBoundaryNotFoundDefect: ("Startgrenze fehlt", "start boundary missing"),
    errors.CloseBoundaryNotFoundDefect: ("Schlussgrenze fehlt", "closing boundary missing"),
    errors.MultipartInvariantViolationDefect: ("Teile ohne Grenze", "parts without boundary"),
    errors.InvalidMultipartContentTransferEncodingDefect: (
        "Kodierung eines Multipart-Teils",
        "encoding of a multipart part",
    ),
}
_HEADER_DEFECTS: Final[dict[type[errors.MessageDefect], tuple[str, str]]] = {
    errors.MissingHeaderBodySeparatorDefect: ("Zeile ohne Doppelpunkt", "line without colon"),
    errors.FirstHeaderLineIsContinuationDefect: (
        "erste Zeile ist eine Fortsetzung",
        "first line is a continuation",
    ),
    errors.MisplacedEnvelopeHeaderDefect: ("Umschlagzeile im Kopf", "envelope line in header"),
}
# Headers that must not appear twice: parsers disagree about which one counts.
_SINGLE_TOP: Final = ("From", "Sender", "Subject")
_SINGLE_PART: Final = ("Content-Type", "Content-Transfer-Encoding", "Content-Disposition")
_ARCHIVE_EXTENSIONS: Final = {
    ".zip": "ZIP",
    ".zipx": "ZIP",
    ".rar": "RAR",
    ".7z": "7-Zip",
    ".tar": "tar",
    ".gz": "gzip",
    ".tgz": "gzip",
    ".bz2": "bzip2",
    ".tbz2": "bzip2",
    ".xz": "xz",
    ".txz": "xz",
    ".zst": "Zstandard",
    ".cab": "CAB",
    ".iso": "ISO",
    ".arj": "ARJ",
    ".lzh": "LZH",
    ".lha": "LZH",
    ".ace": "ACE",
    ".z": "compress",
    ".cpio": "cpio",
}
_ARCHIVE_TYPES: Final = {
    "application/zip": "ZIP",
    "application/x-zip": "ZIP",
    "application/x-zip-compressed": "ZIP",
    "multipart/x-zip": "ZIP",
    "application/vnd.rar": "RAR",
    "application/x-rar": "RAR",
    "application/x-rar-compressed": "RAR",
    "application/x-7z-compressed": "7-Zip",
    "application/gzip": "gzip",
    "application/x-gzip": "gzip",
    "application/x-tar": "tar",
    "application/x-gtar": "tar",
    "application/x-bzip2": "bzip2",
    "application/x-xz": "xz",
    "application/zstd": "Zstandard",
    "application/vnd.ms-cab-compressed": "CAB",
    "application/x-iso9660-image": "ISO",
    "application/x-compressed": "archive",
    "application/x-lzh-compressed": "LZH",
}
_BASE64: Final = re.compile(rb"[A-Za-z0-9+/]*={0,2}")
_WHITESPACE: Final = re.compile(rb"\s+")
_TEXT_CONTROLS: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# CPython records no defect for a NUL or other control byte in a header; other
# programs cut the value there, so what we read is not what they read.
_HEADER_CONTROLS: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SMIME_TYPES: Final = frozenset({"application/pkcs7-mime", "application/x-pkcs7-mime"})
_SMIME_SIGNATURES: Final = frozenset(
    {"application/pkcs7-signature", "application/x-pkcs7-signature"}
)
_PGP_SIGNATURES: Final = frozenset({"application/pgp-signature"})
# The sender's public key that Thunderbird and Enigmail attach to OpenPGP mail (Autocrypt):
# material for checking the signature, not a document.
_PGP_KEYS: Final = frozenset({"application/pgp-keys"})
# Parts that belong to the mail itself, not documents: Enigmail's and Thunderbird's copy
# of the protected headers (RFC draft "protected headers", legacy display part).
_MAIL_ITSELF: Final = frozenset({"text/rfc822-headers"})
_PGP_SIGNED_INLINE: Final = "-----BEGIN PGP SIGNED MESSAGE-----"
_PGP_ENCRYPTED_INLINE: Final = "-----BEGIN PGP MESSAGE-----"
_TNEF_TYPES: Final = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})
_ENCRYPTED_CMS: Final = frozenset(
    {"enveloped_data", "authenticated_enveloped_data", "encrypted_data"}
)


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    content_type: str
    path: str
    size: int


@dataclass(slots=True)
class Examination:
    """What the policy found: a refusal, or the parts an inbound item is made of."""

    refusal: Refusal | None = None
    subject: str = ""
    from_address: str = ""
    from_name: str = ""
    message_id: str = ""
    auto_submitted: bool = False
    list_mail: bool = False
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    signature: MailSignature | None = None  # the mail's own (outermost) signature
    omitted_images: list[str] = field(default_factory=list)  # cid: images of the body

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["refusal"] = self.refusal.as_dict() if self.refusal else None
        data["signature"] = self.signature.as_dict() if self.signature else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Examination:
        refusal = data.get("refusal")
        return cls(
            refusal=Refusal.from_dict(refusal) if refusal else None,
            subject=str(data.get("subject", "")),
            from_address=str(data.get("from_address", "")),
            from_name=str(data.get("from_name", "")),
            message_id=str(data.get("message_id", "")),
            auto_submitted=bool(data.get("auto_submitted")),
            list_mail=bool(data.get("list_mail")),
            text=str(data.get("text", "")),
            attachments=[Attachment(**a) for a in data.get("attachments", [])],
            signature=MailSignature.from_dict(signature)
            if isinstance(signature := data.get("signature"), dict)
            else None,
            omitted_images=[str(n)[:255] for n in data.get("omitted_images", [])][:100],
        )


def examine(
    raw: bytes, workdir: Path, limits: MailLimits, *, trust_dir: str | None = None
) -> Examination:
    """Apply every rule of policy.md 2.2 that needs no file inspection; never raises for input.

    ``trust_dir``: the directory of CA certificates S/MIME signers must chain to.
    """
    refusal = prescan(raw, limits)
    if refusal is not None:
        return Examination(refusal=refusal)
    try:
        message = BytesParser(policy=RAW_HEADERS).parsebytes(raw)
        return _Walk(workdir, limits, raw=raw, trust_dir=trust_dir).run(message)
    except MimeRefusal as exc:
        return Examination(refusal=exc.refusal)
    except RecursionError:
        return Examination(refusal=Refusal("mime.too_deep", {"limit": limits.max_depth}))
    except (errors.MessageError, UnicodeError, LookupError, ValueError):
        return Examination(refusal=Refusal("mime.unparseable"))


def _clean_text(text: str) -> str:
    # PostgreSQL stores no NUL; other controls only disturb the clerk's view.
    return _TEXT_CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


class _Walk:
    def __init__(
        self, workdir: Path, limits: MailLimits, *, raw: bytes, trust_dir: str | None
    ) -> None:
        self.workdir = workdir
        self.limits = limits
        self.raw = raw
        self.trust_dir = trust_dir
        self.from_address = ""
        self.parts = 0
        self.texts: list[str] = []
        self.links: list[str] = []
        self.cids: set[str] = set()
        self.attachments: list[Attachment] = []
        # Leaf parts that are not body text, decided once the HTML has named its cid: images.
        self.pending: list[tuple[Message, bytes]] = []
        self.omitted: list[str] = []
        self.signature: MailSignature | None = None

    def run(self, message: Message) -> Examination:
        self._check_headers(message, top=True)
        address, name = sender_address(message)
        self.from_address = address
        result = Examination(
            subject=single_line(header_text(message.get("Subject", "")), 255),
            from_address=address,
            from_name=name,
            message_id=single_line(header_text(str(message.get("Message-ID", ""))), 250),
            auto_submitted=_auto_submitted(message),
            list_mail=_list_mail(message),
        )
        self._visit(message, depth=1, use_html_text=True)
        self._settle()
        text = _clean_text("\n\n".join(t.strip() for t in self.texts if t.strip()))
        if len(text) > self.limits.max_text_chars:
            text = text[: self.limits.max_text_chars] + "\n[...]"
        host = link_only_host(
            text=text,
            links=self.links,
            sender_address=address,
            has_attachments=bool(self.attachments),
        )
        if host is not None:
            return Examination(refusal=Refusal("link_only", {"host": host}))
        result.text = text
        result.attachments = self.attachments
        result.signature = self.signature
        result.omitted_images = self.omitted
        return result

    def _settle(self) -> None:
        """Each pending part: an image the body shows is left out, anything else is a file."""
        for part, data in self.pending:
            content_id = str(part.get("Content-ID", "")).strip().strip("<>").strip().lower()
            if part.get_content_maintype() == "image" and content_id and content_id in self.cids:
                self.omitted.append(single_line(file_name(part) or content_id, 200))
            else:
                self._attachment(part, data)

    def _check_headers(self, part: Message, *, top: bool) -> None:
        for defect in part.defects:
            if type(defect) in _BOUNDARY_DEFECTS:
                de, en = _BOUNDARY_DEFECTS[type(defect)]
                raise MimeRefusal(Refusal("mime.boundary", {"what_de": de, "what_en": en}))
            if type(defect) in _HEADER_DEFECTS:
                de, en = _HEADER_DEFECTS[type(defect)]
                raise MimeRefusal(Refusal("mime.broken_headers", {"what_de": de, "what_en": en}))
        for key, value in part.items():
            if _HEADER_CONTROLS.search(key) or _HEADER_CONTROLS.search(str(value)):
                raise MimeRefusal(
                    Refusal(
                        "mime.broken_headers",
                        {"what_de": "Steuerzeichen im Kopffeld", "what_en": "control character"},
                    )
                )
        for name in (*_SINGLE_TOP, *_SINGLE_PART) if top else _SINGLE_PART:
            if header_count(part, name) > 1:
                raise MimeRefusal(Refusal("mime.duplicate_header", {"header": name}))
        for _, value in part.items():
            if "=?" in str(value):
                header_text(str(value))  # every encoded word's charset is checked

    def _visit(self, part: Message, *, depth: int, use_html_text: bool) -> None:
        self.parts += 1
        if self.parts > self.limits.max_parts:
            raise MimeRefusal(Refusal("mime.too_many_parts", {"limit": self.limits.max_parts}))
        if depth > self.limits.max_depth:
            raise MimeRefusal(Refusal("mime.too_deep", {"limit": self.limits.max_depth}))
        if depth > 1:
            self._check_headers(part, top=False)
        ctype = part.get_content_type()
        if part.is_multipart():
            payload = part.get_payload()
            if not isinstance(payload, list):
                raise MimeRefusal(Refusal("mime.unparseable"))
            children = [child for child in payload if isinstance(child, Message)]
            if len(children) != len(payload):
                raise MimeRefusal(Refusal("mime.unparseable"))
            if ctype.startswith("message/"):
                for inner in children:
                    self._forwarded(inner, depth=depth + 1)
            elif ctype == "multipart/encrypted":
                raise MimeRefusal(Refusal("encrypted.mail"))
            elif ctype == "multipart/signed" and len(children) == 2:
                self._signed(part, children, depth=depth, use_html_text=use_html_text)
            elif ctype == "multipart/alternative":
                has_plain = any(
                    c.get_content_type() == "text/plain" and not _is_attachment(c) for c in children
                )
                for child in children:
                    self._visit(child, depth=depth + 1, use_html_text=not has_plain)
            else:
                for child in children:
                    self._visit(child, depth=depth + 1, use_html_text=use_html_text)
            return
        data = _payload(part, self.parts)
        if ctype in _SMIME_TYPES:
            self._opaque(part, data, depth=depth, use_html_text=use_html_text)
        elif ctype in _SMIME_SIGNATURES or ctype in _PGP_SIGNATURES or ctype in _PGP_KEYS:
            pass  # signature material (outside multipart/signed it proves nothing): no document
        elif ctype in _MAIL_ITSELF:
            pass  # the headers once more, as the sender's program shows them
        elif _is_attachment(part):
            self.pending.append((part, data))
        elif ctype == "text/html":
            self._html(decode_text(data, _charset(part)), use_html_text=use_html_text)
        else:  # text/plain (other text types are attachments)
            self._plain(decode_text(data, _charset(part)))

    def _plain(self, text: str) -> None:
        """Body text; inline OpenPGP is recognised (signed: shown; encrypted: unreadable)."""
        stripped = text.lstrip()
        if stripped.startswith(_PGP_ENCRYPTED_INLINE):
            raise MimeRefusal(Refusal("encrypted.mail"))
        if stripped.startswith(_PGP_SIGNED_INLINE):
            self._record(pgp_signature())
        self.texts.append(text)

    def _html(self, markup: str, *, use_html_text: bool) -> None:
        reading = html_scan(markup)
        if reading.problems:
            de = ", ".join(ACTIVE[p][0] for p in reading.problems)
            en = ", ".join(ACTIVE[p][1] for p in reading.problems)
            raise MimeRefusal(Refusal("html.active", {"what_de": de, "what_en": en}))
        self.links.extend(reading.links)
        # Mail programs differ in the case of the same Content-ID; compare without it.
        self.cids.update(cid.lower() for cid in reading.cids)
        if use_html_text:
            self.texts.append(reading.text)

    def _record(self, signature: MailSignature) -> None:
        if self.signature is None:  # the outermost signature is the sender's
            self.signature = signature

    def _signed(
        self, part: Message, children: list[Message], *, depth: int, use_html_text: bool
    ) -> None:
        """multipart/signed (RFC 1847): the first part is the mail, the second its signature."""
        content, signature = children
        kind = signature.get_content_type()
        if kind not in _SMIME_SIGNATURES and kind not in _PGP_SIGNATURES:
            for child in children:
                self._visit(child, depth=depth + 1, use_html_text=use_html_text)
            return
        self._visit(content, depth=depth + 1, use_html_text=use_html_text)
        self.parts += 1
        self._check_headers(signature, top=False)
        if kind in _PGP_SIGNATURES:
            self._record(pgp_signature())
            return
        data = _payload(signature, self.parts)
        signed = _signed_bytes(self.raw, part.get_boundary())
        if signed is None:
            self._record(MailSignature("smime", "invalid", reason="unreadable"))
            return
        self._record(
            smime_verify(data, signed, from_address=self.from_address, trust_dir=self.trust_dir)
        )

    def _opaque(self, part: Message, data: bytes, *, depth: int, use_html_text: bool) -> None:
        """application/pkcs7-mime: encrypted (refused: we cannot read it) or opaque-signed."""
        from asn1crypto import cms  # type: ignore[import-untyped]  # noqa: PLC0415

        smime_type = str(part.get_param("smime-type") or "").lower()
        if smime_type in {"enveloped-data", "authenv-data"}:
            raise MimeRefusal(Refusal("encrypted.mail"))
        try:
            info = cms.ContentInfo.load(data)
            content_type = info["content_type"].native
            if content_type in _ENCRYPTED_CMS:
                raise MimeRefusal(Refusal("encrypted.mail"))
            if content_type != "signed_data":
                raise MimeRefusal(Refusal("mime.unparseable"))
            signed_data = info["content"]
            inner = signed_data["encap_content_info"]["content"].native
        except MimeRefusal:
            raise
        except Exception as exc:  # asn1crypto raises many kinds on garbage
            raise MimeRefusal(Refusal("mime.unparseable")) from exc
        if not isinstance(inner, bytes):
            raise MimeRefusal(Refusal("mime.unparseable"))
        self._record(
            smime_verify(
                None, signed_data, from_address=self.from_address, trust_dir=self.trust_dir
            )
        )
        # The signed content is a MIME entity of its own: every rule applies to it.
        message = BytesParser(policy=RAW_HEADERS).parsebytes(inner)
        self._check_headers(message, top=False)
        self._visit(message, depth=depth + 1, use_html_text=use_html_text)

    def _tnef(self, data: bytes) -> None:
        """Outlook's winmail.dat: its body is text, its files are attachments (named inside)."""
        from tnefparse import TNEF  # noqa: PLC0415 - only for Outlook's TNEF mail

        try:
            tnef = TNEF(data, do_checksum=False)
            files = [(a.long_filename() or a.name, bytes(a.data)) for a in tnef.attachments]
            body, html_body = tnef.body, tnef.htmlbody
        except Exception as exc:  # tnefparse raises anything on garbage
            raise MimeRefusal(Refusal("mime.tnef_unreadable")) from exc
        if html_body:
            markup = html_body if isinstance(html_body, str) else decode_text(html_body, None)
            self._html(markup, use_html_text=not body)
        if body:
            self.texts.append(body if isinstance(body, str) else decode_text(body, None))
        for name, content in files:
            self._file(str(name).strip("\x00") or None, "application/octet-stream", content)

    def _forwarded(self, inner: Message, *, depth: int) -> None:
        self._check_headers(inner, top=True)
        heading = [
            "---- Weitergeleitete Nachricht / forwarded message ----",
            f"Von / From: {single_line(header_text(inner.get('From', '')), 200)}",
            f"Betreff / Subject: {single_line(header_text(inner.get('Subject', '')), 200)}",
        ]
        self.texts.append("\n".join(heading))
        self._visit(inner, depth=depth, use_html_text=True)

    def _attachment(self, part: Message, data: bytes) -> None:
        ctype = part.get_content_type()
        name = file_name(part)
        if ctype in _TNEF_TYPES or (name or "").strip().lower() == "winmail.dat":
            self._tnef(data)
            return
        self._file(name, ctype, data)

    def _file(self, name: str | None, ctype: str, data: bytes) -> None:
        position = len(self.attachments) + 1
        if len(self.attachments) >= self.limits.max_parts:
            raise MimeRefusal(Refusal("mime.too_many_parts", {"limit": self.limits.max_parts}))
        if name is None or not name.strip():
            extension = mimetypes.guess_extension(ctype) or ""
            name = f"anhang-{position}{extension}"
        extension = "." + name.rsplit(".", 1)[-1].lower().strip() if "." in name else ""
        kind = _ARCHIVE_EXTENSIONS.get(extension) or _ARCHIVE_TYPES.get(ctype)
        if kind is not None:
            raise MimeRefusal(Refusal("archive.attachment", {"file": name, "kind": kind}))
        path = self.workdir / f"part-{position:03d}"
        path.write_bytes(data)
        self.attachments.append(Attachment(name, ctype, str(path), len(data)))


def _signed_bytes(raw: bytes, boundary: str | None) -> bytes | None:
    """The exact bytes the signature of a multipart/signed covers (RFC 1847 2.1).

    The parser does not keep them, and any re-serialisation would change
    them, so they are cut from the raw message: from after the first
    delimiter line to the CRLF before the next one (that CRLF belongs to the
    delimiter).
    """
    if not boundary:
        return None
    delimiter = b"\r\n--" + boundary.encode("ascii", "surrogateescape")
    first = raw.find(delimiter)
    if first == -1:
        return None
    line_end = raw.find(b"\r\n", first + len(delimiter))
    if line_end == -1:
        return None
    start = line_end + 2
    end = raw.find(delimiter, start)
    return raw[start:end] if end != -1 else None


def _is_attachment(part: Message) -> bool:
    if part.is_multipart():
        return False
    disposition = (part.get_content_disposition() or "").lower()
    if disposition == "attachment":
        return True
    if part.get_param("filename", header="content-disposition") or part.get_param("name"):
        return True
    return part.get_content_type() not in {"text/plain", "text/html"}


def _charset(part: Message) -> str | None:
    value = part.get_param("charset")
    if isinstance(value, tuple):  # RFC 2231 form: (charset, language, value)
        value = value[2]
    return value if isinstance(value, str) else None


def _payload(part: Message, position: int) -> bytes:
    # The payload as parsed: get_payload() would already decode 8-bit text with the
    # part's charset label, before we had a chance to check that label.
    payload = part._payload  # type: ignore[attr-defined]  # not in typeshed: private
    if not isinstance(payload, str):
        raise MimeRefusal(Refusal("mime.unparseable"))
    raw = payload.encode("ascii", "surrogateescape")
    encoding = str(part.get("Content-Transfer-Encoding", "7bit")).strip().lower()
    if encoding == "base64":
        compact = _WHITESPACE.sub(b"", raw)
        if len(compact) % 4 or not _BASE64.fullmatch(compact):
            raise MimeRefusal(Refusal("mime.broken_base64", {"part": position}))
        try:
            return binascii.a2b_base64(compact, strict_mode=True)
        except binascii.Error:
            raise MimeRefusal(Refusal("mime.broken_base64", {"part": position})) from None
    if encoding == "quoted-printable":
        return quopri.decodestring(raw)
    if encoding in {"7bit", "8bit", "binary", ""}:
        return raw
    raise MimeRefusal(Refusal("mime.unparseable"))


def _auto_submitted(message: Message) -> bool:
    value = str(message.get("Auto-Submitted", "no")).split(";")[0].strip().lower()
    suppress = str(message.get("X-Auto-Response-Suppress", "")).lower()
    return value != "no" or any(word in suppress for word in ("all", "autoreply", "oof"))


def _list_mail(message: Message) -> bool:
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (
        message.get("List-Id") is not None
        or message.get("List-Unsubscribe") is not None
        or precedence in {"bulk", "list", "junk"}
    )


__all__ = ["Attachment", "Examination", "codec_for", "examine"]
