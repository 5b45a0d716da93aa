"""Mails as real mail programs write them, built in code (nothing binary committed).

Outlook (HTML with inline cid: images, also GIF; winmail.dat in TNEF, built
here with a small TNEF writer; S/MIME signed), Thunderbird (S/MIME and
PGP/MIME signed, format=flowed), Apple Mail (a PDF ``inline`` between text
parts), Gmail (encoded words inside quoted file names), phones ("Von meinem
iPhone gesendet"), and signed mails carrying forbidden attachments.

The S/MIME certificates come from :func:`smime_pki` (cryptography, built once
per session); signatures are made with cryptography's PKCS#7 builder over
the exact bytes of the signed entity, as mail programs do.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import io
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image

from tests.corpus import ooxml, pdfs
from tests.corpus.mails import FROM, TO, Expected

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
CRLF = "\r\n"


# --- S/MIME test PKI --------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    cert: x509.Certificate
    key: Any


@dataclass(frozen=True)
class SmimePKI:
    root: Signer
    sender: Signer  # FROM, under root
    stranger: Signer  # FROM, under a root nobody trusts
    other_address: Signer  # another address, under root
    expired: Signer  # FROM, under root, expired yesterday
    recipient: Signer  # RSA, for enveloped (encrypted) mail

    def write_trust_dir(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        pem = self.root.cert.public_bytes(serialization.Encoding.PEM)
        (directory / "kammer-test-root.pem").write_bytes(pem)
        return directory


def _issue(
    name: str,
    issuer: Signer | None,
    *,
    email: str | None = None,
    key: Any = None,
    not_after: dt.datetime | None = None,
) -> Signer:
    key = key or ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=60))
        .not_valid_after(not_after or NOW + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is None:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
    else:
        builder = (
            builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
                critical=False,
            )
            .add_extension(
                x509.KeyUsage(True, False, True, False, False, False, False, False, False),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            )
        )
    if email:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False
        )
    cert = builder.sign(issuer.key if issuer else key, hashes.SHA256())
    return Signer(cert, key)


@functools.cache
def smime_pki() -> SmimePKI:
    root = _issue("Kammerpost Test S/MIME Root", None)
    untrusted_root = _issue("Unbekannte Wurzel", None)
    return SmimePKI(
        root=root,
        sender=_issue("Max Müller", root, email=FROM),
        stranger=_issue("Max Müller", untrusted_root, email=FROM),
        other_address=_issue("Jemand Anderes", root, email="jemand@example.net"),
        expired=_issue("Max Müller (alt)", root, email=FROM, not_after=NOW - dt.timedelta(days=1)),
        recipient=_issue(
            "Kammer Poststelle",
            root,
            email=TO,
            key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ),
    )


def _cms_sign(data: bytes, signer: Signer, *, detached: bool) -> bytes:
    options = [pkcs7.PKCS7Options.Binary]  # sign the bytes exactly as they go over the wire
    if detached:
        options.append(pkcs7.PKCS7Options.DetachedSignature)
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(data)
        .add_signer(signer.cert, signer.key, hashes.SHA256())
        .sign(serialization.Encoding.DER, options)
    )


# --- building blocks --------------------------------------------------------------------


def _b64(data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return CRLF.join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", CRLF)


def _head(subject: str, extra: str = "", *, sender: str = f"Max Müller <{FROM}>") -> str:
    return _crlf(
        f"From: {sender}\nTo: {TO}\nSubject: {subject}\n"
        f"Date: Thu, 03 Dec 2026 09:14:00 +0100\nMessage-ID: <{abs(hash(subject))}@example.org>\n"
        f"MIME-Version: 1.0\n{extra}"
    )


def entity(headers: str, body: str) -> str:
    """One MIME entity: header lines, an empty line, the body (CRLF line ends)."""
    return _crlf(headers.strip()) + CRLF + CRLF + body


def multipart(subtype: str, boundary: str, parts: list[str], params: str = "") -> str:
    body = "".join(f"--{boundary}{CRLF}{part}{CRLF}" for part in parts) + f"--{boundary}--{CRLF}"
    return entity(f'Content-Type: multipart/{subtype}; boundary="{boundary}"{params}', body)


def text_part(text: str, *, flowed: bool = False) -> str:
    fmt = "; format=flowed" if flowed else ""
    return entity(
        f"Content-Type: text/plain; charset=UTF-8{fmt}\nContent-Transfer-Encoding: base64",
        _b64(_crlf(text).encode()),
    )


def html_part(html: str) -> str:
    return entity(
        "Content-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: base64",
        _b64(html.encode()),
    )


def file_part(
    name: str, data: bytes, ctype: str, *, disposition: str = "attachment", cid: str = ""
) -> str:
    content_id = f"\nContent-ID: <{cid}>" if cid else ""
    return entity(
        f'Content-Type: {ctype}; name="{name}"\n'
        f'Content-Disposition: {disposition}; filename="{name}"\n'
        f"Content-Transfer-Encoding: base64{content_id}",
        _b64(data),
    )


def mail(subject: str, body_entity: str, *, sender: str = f"Max Müller <{FROM}>") -> bytes:
    """A whole message: the top-level header followed by the body entity's own header."""
    return (_head(subject, sender=sender) + body_entity).encode("utf-8")


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (30, 12), 3).save(buffer, "GIF")
    return buffer.getvalue()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def zip_file() -> bytes:
    return ooxml.plain_zip()


# --- TNEF (winmail.dat) writer -------------------------------------------------------------

_TNEF_SIGNATURE = 0x223E9F78
_LVL_MESSAGE, _LVL_ATTACHMENT = 1, 2


def _tnef_attribute(level: int, attribute_id: int, data: bytes) -> bytes:
    """One TNEF attribute (MS-OXTNEF 2.1.3.1): level, id, length, data, 16-bit checksum."""
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BII", level, attribute_id, len(data)) + data + struct.pack("<H", checksum)


def tnef(body: str, files: list[tuple[str, bytes]]) -> bytes:
    """A winmail.dat as Outlook writes it for "Rich Text" mail: version, code page, body, files."""
    out = struct.pack("<IH", _TNEF_SIGNATURE, 0x0001)
    out += _tnef_attribute(_LVL_MESSAGE, 0x00089006, struct.pack("<I", 0x00010000))  # version
    out += _tnef_attribute(_LVL_MESSAGE, 0x00069007, struct.pack("<II", 1252, 0))  # code page
    out += _tnef_attribute(_LVL_MESSAGE, 0x00078008, b"IPM.Microsoft Mail.Note\x00")
    out += _tnef_attribute(_LVL_MESSAGE, 0x0002800C, body.encode("cp1252"))  # attBody
    for name, data in files:
        rendering = struct.pack("<HIIHHI", 1, 0xFFFFFFFF, 0, 0, 0, 0)[:14]
        out += _tnef_attribute(_LVL_ATTACHMENT, 0x00069002, rendering)  # attAttachRenddata
        out += _tnef_attribute(_LVL_ATTACHMENT, 0x00018010, name.encode("cp1252") + b"\x00")
        out += _tnef_attribute(_LVL_ATTACHMENT, 0x0006800F, data)  # attAttachData
    return out


# --- the mails ----------------------------------------------------------------------------

LETTER = (
    "Sehr geehrte Damen und Herren,\n\n"
    "anbei sende ich Ihnen die Unterlagen für die Eintragung in die Handwerksrolle.\n\n"
    "Mit freundlichen Grüßen\nMax Müller\nTischlerei Müller\n"
)
OUTLOOK_HTML = (
    '<html xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office">'
    "<head><!--[if gte mso 9]><xml><o:OfficeDocumentSettings><o:AllowPNG/>"
    "</o:OfficeDocumentSettings></xml><![endif]--><style>p.MsoNormal{margin:0}</style></head>"
    '<body lang="DE"><p class="MsoNormal">Sehr geehrte Damen und Herren,</p>'
    '<p class="MsoNormal">anbei die Unterlagen.</p><p class="MsoNormal">Mit freundlichen '
    'Gr&uuml;&szlig;en<br>Max M&uuml;ller</p><p><!--[if gte vml 1]><v:shapetype id="_x0000_t75" '
    'coordsize="21600,21600" o:spt="75" o:preferrelative="t" filled="f" stroked="f">'
    '<v:path o:extrusionok="f" gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
    '<v:shape id="Grafik_x0020_1" style="width:30pt;height:15pt"><v:imagedata '
    'src="cid:image001.png@01DB4512.3A2F1B60" o:title=""/></v:shape><![endif]-->'
    '<![if !vml]><img width="40" height="20" '
    'src="cid:Image001.png@01DB4512.3A2F1B60" alt="Logo"><![endif]> '
    '<img src="cid:image002.gif@01DB4512.3A2F1B60"></p></body></html>'
)


def _outlook_related() -> str:
    return multipart(
        "related",
        "----=_NextPart_001_0012_01DB4512.3A2F1B60",
        [
            multipart(
                "alternative",
                "----=_NextPart_002_0013_01DB4512.3A2F1B60",
                [text_part(LETTER), html_part(OUTLOOK_HTML)],
            ),
            file_part(
                "image001.png",
                png(),
                "image/png",
                disposition="inline",
                cid="image001.png@01DB4512.3A2F1B60",
            ),
            file_part(
                "image002.gif",
                gif(),
                "image/gif",
                disposition="inline",
                cid="image002.gif@01DB4512.3A2F1B60",
            ),
        ],
        params='; type="multipart/alternative"',
    )


def outlook_inline_images() -> bytes:
    """Outlook: HTML with a PNG and a GIF logo shown by cid:, and a PDF attached."""
    return mail(
        "Unterlagen Eintragung",
        multipart(
            "mixed",
            "----=_NextPart_000_0011_01DB4512.3A2F1B60",
            [_outlook_related(), file_part("antrag.pdf", pdfs.clean(), "application/pdf")],
        ),
    )


def outlook_winmail(files: list[tuple[str, bytes]] | None = None) -> bytes:
    """Outlook in "Rich Text" mode: a winmail.dat carries the body and the files."""
    files = [("angebot.pdf", pdfs.clean())] if files is None else files
    body = "Sehr geehrte Damen und Herren,\r\nanbei mein Angebot.\r\nGrüße, Max Müller\r\n"
    return mail(
        "Angebot",
        multipart(
            "mixed",
            "----=_NextPart_000_0001",
            [
                text_part("Angebot, siehe Anlage."),
                entity(
                    'Content-Type: application/ms-tnef; name="winmail.dat"\n'
                    'Content-Disposition: attachment; filename="winmail.dat"\n'
                    "Content-Transfer-Encoding: base64",
                    _b64(tnef(body, files)),
                ),
            ],
        ),
    )


def outlook_winmail_with_zip() -> bytes:
    return outlook_winmail([("unterlagen.zip", zip_file())])


def smime_signed(
    inner: str,
    signer: Signer | None = None,
    *,
    tamper: bool = False,
    x_prefix: bool = False,
    garble: Callable[[bytes], bytes] | None = None,
) -> str:
    """multipart/signed as Outlook and Thunderbird send it (RFC 8551 3.5.3)."""
    signer = signer or smime_pki().sender
    signature = _cms_sign(inner.encode("utf-8"), signer, detached=True)
    if garble is not None:
        signature = garble(signature)
    if tamper:
        inner = inner.replace("Unterlagen", "Unterlagem", 1)
    kind = "application/x-pkcs7-signature" if x_prefix else "application/pkcs7-signature"
    sig_part = entity(
        f'Content-Type: {kind}; name="smime.p7s"\nContent-Transfer-Encoding: base64\n'
        'Content-Disposition: attachment; filename="smime.p7s"\n'
        "Content-Description: S/MIME Cryptographic Signature",
        _b64(signature),
    )
    boundary = "------------ms010203040506070809000102"
    body = (
        "This is a cryptographically signed message in MIME format.\r\n\r\n"
        f"--{boundary}{CRLF}{inner}{CRLF}--{boundary}{CRLF}{sig_part}{CRLF}--{boundary}--{CRLF}"
    )
    return entity(
        f'Content-Type: multipart/signed; protocol="{kind}"; micalg=sha-256;\n'
        f' boundary="{boundary}"',
        body,
    )


def _letter_with(files: list[str], *, flowed: bool = False) -> str:
    return multipart(
        "mixed", "------------boundary0815", [text_part(LETTER, flowed=flowed), *files]
    )


def thunderbird_smime() -> bytes:
    inner = _letter_with(
        [file_part("Unterlagen.pdf", pdfs.clean(), "application/pdf")], flowed=True
    )
    return mail("Unterlagen signiert", smime_signed(inner))


def outlook_smime() -> bytes:
    inner = multipart("mixed", "----=_NextPart_000_0011", [_outlook_related()])
    return mail("Unterlagen signiert (Outlook)", smime_signed(inner, x_prefix=True))


def smime_signed_by(signer_name: str, *, tamper: bool = False) -> Callable[[], bytes]:
    def build() -> bytes:
        signer = getattr(smime_pki(), signer_name)
        inner = _letter_with([file_part("Unterlagen.pdf", pdfs.clean(), "application/pdf")])
        return mail("Unterlagen", smime_signed(inner, signer, tamper=tamper))

    build.__name__ = f"smime_{signer_name}{'_tampered' if tamper else ''}"
    return build


def smime_opaque() -> bytes:
    """application/pkcs7-mime; smime-type=signed-data: the content lives inside the signature."""
    inner = _letter_with([file_part("Unterlagen.pdf", pdfs.clean(), "application/pdf")])
    signed = _cms_sign(inner.encode("utf-8"), smime_pki().sender, detached=False)
    return mail(
        "Unterlagen (opak signiert)",
        entity(
            'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"\n'
            'Content-Disposition: attachment; filename="smime.p7m"\n'
            "Content-Transfer-Encoding: base64",
            _b64(signed),
        ),
    )


def smime_opaque_with_zip() -> bytes:
    inner = _letter_with([file_part("unterlagen.zip", zip_file(), "application/zip")])
    signed = _cms_sign(inner.encode("utf-8"), smime_pki().sender, detached=False)
    return mail(
        "Unterlagen (opak signiert, ZIP)",
        entity(
            'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"\n'
            "Content-Transfer-Encoding: base64",
            _b64(signed),
        ),
    )


def smime_encrypted() -> bytes:
    inner = _letter_with([file_part("Unterlagen.pdf", pdfs.clean(), "application/pdf")])
    enveloped = (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(inner.encode())
        .add_recipient(smime_pki().recipient.cert)
        .encrypt(serialization.Encoding.DER, [])
    )
    return mail(
        "Vertraulich",
        entity(
            'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"\n'
            'Content-Disposition: attachment; filename="smime.p7m"\n'
            "Content-Transfer-Encoding: base64",
            _b64(enveloped),
        ),
    )


PGP_SIGNATURE = (
    "-----BEGIN PGP SIGNATURE-----\n\n"
    "iHUEARYKAB0WIQTx0bQp8Gd2Ea1b2c3d4e5f6a7b8c9d0AUCZ2VzdAAKCRCd0AUCZ2Vz\n"
    "dCk3AP9oZWxsbyB0aGlzIGlzIG5vdCBhIHJlYWwgc2lnbmF0dXJlAQD/c2lnbmF0dXJl\n"
    "=abcd\n-----END PGP SIGNATURE-----\n"
)


def pgp_signed(files: list[str]) -> bytes:
    """Thunderbird's OpenPGP: multipart/signed around the protected-headers mixed part."""
    inner = multipart(
        "mixed",
        "------------pgp0123456789",
        [text_part(LETTER, flowed=True), *files],
        params='; protected-headers="v1"',
    )
    boundary = "------------sig9876543210"
    sig = entity(
        'Content-Type: application/pgp-signature; name="OpenPGP_signature.asc"\n'
        "Content-Description: OpenPGP digital signature\n"
        'Content-Disposition: attachment; filename="OpenPGP_signature.asc"',
        _crlf(PGP_SIGNATURE),
    )
    body = (
        "This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n"
        f"--{boundary}{CRLF}{inner}{CRLF}--{boundary}{CRLF}{sig}{CRLF}--{boundary}--{CRLF}"
    )
    return mail(
        "Unterlagen (PGP)",
        entity(
            "Content-Type: multipart/signed; micalg=pgp-sha256;\n"
            f' protocol="application/pgp-signature"; boundary="{boundary}"',
            body,
        ),
    )


PGP_KEY = (
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxjMEZ2VzdBYJKwYBBAHaRw8BAQdAdGhpcyBpcyBub3Qg"
    "YSByZWFsIGtleQ==\n-----END PGP PUBLIC KEY BLOCK-----\n"
)


def thunderbird_pgp() -> bytes:
    """Thunderbird attaches the sender's public key beside the document (Autocrypt)."""
    key = entity(
        'Content-Type: application/pgp-keys; name="OpenPGP_0x9DD005026765737.asc"\n'
        'Content-Disposition: attachment; filename="OpenPGP_0x9DD005026765737.asc"\n'
        "Content-Transfer-Encoding: quoted-printable",
        _crlf(PGP_KEY),
    )
    return pgp_signed([file_part("Unterlagen.pdf", pdfs.clean(), "application/pdf"), key])


def pgp_signed_with_zip() -> bytes:
    return pgp_signed([file_part("unterlagen.zip", zip_file(), "application/zip")])


def smime_signed_with_zip() -> bytes:
    inner = _letter_with([file_part("unterlagen.zip", zip_file(), "application/zip")])
    return mail("Unterlagen (ZIP)", smime_signed(inner))


def apple_mail_inline_pdf() -> bytes:
    """Apple Mail: the PDF sits inline between two HTML parts of the message."""
    return mail(
        "Rechnung",
        multipart(
            "alternative",
            "Apple-Mail=_A1B2C3D4-0001",
            [
                text_part("Guten Tag,\n\nhier die Rechnung:\n\n\n\nViele Grüße\nMax"),
                multipart(
                    "mixed",
                    "Apple-Mail=_A1B2C3D4-0002",
                    [
                        html_part("<html><body><div>Guten Tag,<br><br>hier die Rechnung:</div>"),
                        file_part(
                            "Rechnung 2026-114.pdf",
                            pdfs.clean(),
                            "application/pdf",
                            disposition="inline",
                        ),
                        html_part("<div><br>Viele Grüße<br>Max</div></body></html>"),
                    ],
                ),
            ],
        ),
    )


def gmail_encoded_name() -> bytes:
    encoded = "=?UTF-8?B?" + base64.b64encode("Übersicht Prüfung.pdf".encode()).decode() + "?="
    return mail(
        "Übersicht",
        multipart(
            "mixed",
            "000000000000a1b2c3d4e5f6",
            [
                multipart(
                    "alternative",
                    "000000000000a1b2c3d4e5f5",
                    [text_part(LETTER), html_part(f'<div dir="ltr">{LETTER}</div>')],
                ),
                entity(
                    f'Content-Type: application/pdf; name="{encoded}"\n'
                    f'Content-Disposition: attachment; filename="{encoded}"\n'
                    "Content-Transfer-Encoding: base64\nX-Attachment-Id: f_lm1",
                    _b64(pdfs.clean()),
                ),
            ],
        ),
        sender="Max Müller <meister.mueller@example.org>",
    )


def iphone_photo() -> bytes:
    """iOS Mail: a photo inline between the text and the "Von meinem iPhone gesendet" tail."""
    return mail(
        "Foto Gesellenbrief",
        multipart(
            "mixed",
            "Apple-Mail-5F3C1A2B",
            [
                entity(
                    "Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit",
                    "Hier das Foto.\r\n",
                ),
                file_part("IMG_0412.jpeg", jpeg(), "image/jpeg", disposition="inline"),
                entity(
                    "Content-Type: text/plain; charset=utf-8\n"
                    "Content-Transfer-Encoding: quoted-printable",
                    "\r\n\r\nVon meinem iPhone gesendet\r\n",
                ),
            ],
        ),
    )


def ie_conditional_script() -> bytes:
    return mail(
        "Hallo",
        html_part("<p>Hallo</p><!--[if IE]><script>document.location='x'</script><![endif]-->"),
    )


def downlevel_revealed_script() -> bytes:
    return mail("Hallo", html_part("<p>Hallo</p><![if !IE]><script>steal()</script><![endif]>"))


def nul_in_header() -> bytes:
    return (
        _head("Antrag\x00Bcc: opfer@example.com")
        + entity("Content-Type: text/plain; charset=utf-8", "Hallo.\r\n")
    ).encode()


def bare_lf() -> bytes:
    """A mail whose lines end in LF only (sent over a raw socket: smtplib would fix them)."""
    return (f"From: {FROM}\nTo: {TO}\nSubject: LF\n\n" + "Eine Zeile.\n" * 200).encode()


class Clerk(NamedTuple):
    """What the clerk sees of an accepted mail."""

    documents: tuple[str, ...]
    signature: str = ""  # MailSignature status ("" = not signed)
    reason: str = ""
    omitted: tuple[str, ...] = ()
    text: str = ""  # a phrase the item's text contains


_SEC = (550, "5.7.1")
ACCEPTED: list[tuple[str, Callable[[], bytes], Clerk]] = [
    (
        "outlook html with inline png and gif",
        outlook_inline_images,
        Clerk(("antrag.pdf",), omitted=("image001.png", "image002.gif"), text="anbei sende"),
    ),
    ("outlook winmail.dat", outlook_winmail, Clerk(("angebot.pdf",), text="anbei mein Angebot")),
    (
        "outlook s/mime signed",
        outlook_smime,
        Clerk((), "valid", omitted=("image001.png", "image002.gif")),
    ),
    (
        "thunderbird s/mime signed",
        thunderbird_smime,
        Clerk(("Unterlagen.pdf",), "valid", text="Handwerksrolle"),
    ),
    (
        "thunderbird pgp/mime signed",
        thunderbird_pgp,
        Clerk(("Unterlagen.pdf",), "unchecked", "pgp", text="Handwerksrolle"),
    ),
    ("s/mime opaque signed", smime_opaque, Clerk(("Unterlagen.pdf",), "valid")),
    (
        "s/mime untrusted root",
        smime_signed_by("stranger"),
        Clerk(("Unterlagen.pdf",), "unverifiable", "untrusted"),
    ),
    (
        "s/mime expired certificate",
        smime_signed_by("expired"),
        Clerk(("Unterlagen.pdf",), "unverifiable", "expired"),
    ),
    (
        "s/mime other address",
        smime_signed_by("other_address"),
        Clerk(("Unterlagen.pdf",), "invalid", "address"),
    ),
    (
        "s/mime content altered",
        smime_signed_by("sender", tamper=True),
        Clerk(("Unterlagen.pdf",), "invalid", "broken"),
    ),
    (
        "apple mail inline pdf",
        apple_mail_inline_pdf,
        Clerk(("Rechnung 2026-114.pdf",), text="hier die Rechnung"),
    ),
    ("gmail encoded words in name", gmail_encoded_name, Clerk(("Übersicht Prüfung.pdf",))),
    (
        "iphone photo",
        iphone_photo,
        Clerk(("IMG_0412.jpeg",), text="Von meinem iPhone gesendet"),
    ),
]
REFUSED: list[tuple[str, Callable[[], bytes], Expected]] = [
    (
        "s/mime signed with zip",
        smime_signed_with_zip,
        Expected(*_SEC, ("archive", "unterlagen.zip")),
    ),
    ("pgp signed with zip", pgp_signed_with_zip, Expected(*_SEC, ("archive", "unterlagen.zip"))),
    (
        "opaque signed with zip",
        smime_opaque_with_zip,
        Expected(*_SEC, ("archive", "unterlagen.zip")),
    ),
    (
        "winmail.dat with zip",
        outlook_winmail_with_zip,
        Expected(*_SEC, ("archive", "unterlagen.zip")),
    ),
    ("s/mime encrypted", smime_encrypted, Expected(550, "5.7.5", ("encrypted", "portal"))),
    (
        "script in ie conditional comment",
        ie_conditional_script,
        Expected(*_SEC, ("active content", "script")),
    ),
    (
        "script in downlevel-revealed comment",
        downlevel_revealed_script,
        Expected(*_SEC, ("active content", "script")),
    ),
    ("nul in a header", nul_in_header, Expected(550, "5.6.0", ("header", "control"))),
]
