"""The published e-mail rules (policy.md 2.2) as data: refusals and their texts.

Pure Python, no Django: the pre-scan, the worker process and the SMTP
answers share these tables; the limits come from the chamber's one policy
table (``kammerpost.inspection.policy.MailLimits``). A refusal names its
rule (which row of the table), the SMTP code with its enhanced status code,
and what exactly was wrong, in German and English. Texts may hold
``{placeholders}``; values that come from the sender (file names) are
sanitised where the answer is built (``answers.py``), never here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from kammerpost.inspection.policy import MAIL_LIMITS, MB, MailLimits

# The rule's name says the published size.
_SIZE_MB: Final = MAIL_LIMITS.max_message_bytes // MB


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of policy.md 2.2: how the SMTP answer starts and what people call the rule."""

    code: int
    enhanced: str
    label_de: str
    label_en: str


RULES: Final[dict[str, Rule]] = {
    "size": Rule(552, "5.3.4", f"Größenbegrenzung ({_SIZE_MB} MB)", f"size limit ({_SIZE_MB} MB)"),
    "mime": Rule(550, "5.6.0", "MIME-Aufbau der Nachricht", "MIME structure of the message"),
    "charset": Rule(550, "5.6.0", "zugelassene Zeichensätze", "allowed character sets"),
    "html": Rule(550, "5.7.1", "HTML ohne aktive Inhalte", "HTML without active content"),
    "archive": Rule(550, "5.7.1", "keine Archive als Anhang", "no archives as attachments"),
    "attachment": Rule(550, "5.7.1", "Dateirichtlinie für Anhänge", "file policy for attachments"),
    "link_only": Rule(
        550, "5.7.1", "Links zu Dateidiensten werden nicht abgerufen", "links are not fetched"
    ),
    # RFC 3463 X.7.5: the content cannot be decrypted here (we hold no key).
    "encrypted": Rule(
        550, "5.7.5", "verschlüsselte E-Mails sind nicht lesbar", "encrypted mail cannot be read"
    ),
}


@dataclass(frozen=True, slots=True)
class RefusalText:
    rule: str
    message_de: str
    message_en: str
    hint_de: str = ""
    hint_en: str = ""


_RESEND_DE: Final = "Senden Sie die Nachricht mit einem üblichen E-Mail-Programm neu."
_RESEND_EN: Final = "Send the message again from an ordinary mail program."
_PORTAL_DE: Final = "Nutzen Sie für Dokumente das Kundenportal."
_PORTAL_EN: Final = "Please use the customer portal for documents."


def _mime(de: str, en: str, hint_de: str = _RESEND_DE, hint_en: str = _RESEND_EN) -> RefusalText:
    return RefusalText("mime", de, en, hint_de, hint_en)


REFUSALS: Final[dict[str, RefusalText]] = {
    "size.too_large": RefusalText(
        "size",
        "Die Nachricht ist größer als {limit_mb} MB.",
        "The message is larger than {limit_mb} MB.",
        "Senden Sie große Dateien über das Kundenportal oder den Cloud-Bereich.",
        "Send large files through the customer portal or the cloud area.",
    ),
    "mime.unparseable": _mime(
        "Die Nachricht lässt sich nicht als MIME-Nachricht lesen.",
        "The message cannot be read as a MIME message.",
    ),
    "mime.too_complex": _mime(
        "Die Nachricht ist zu aufwendig aufgebaut, um sie sicher zu lesen.",
        "The message is too complex to be read safely.",
    ),
    "mime.too_deep": _mime(
        "Die Nachricht ist tiefer als {limit} Ebenen verschachtelt.",
        "The message is nested deeper than {limit} levels.",
    ),
    "mime.too_many_parts": _mime(
        "Die Nachricht hat mehr als {limit} Teile.",
        "The message has more than {limit} parts.",
    ),
    "mime.headers_too_large": _mime(
        "Der Nachrichtenkopf ist zu groß (mehr als {limit} Byte oder {fields} Felder).",
        "The message header is too large (more than {limit} bytes or {fields} fields).",
    ),
    "mime.line_too_long": _mime(
        "Eine Zeile der Nachricht ist länger als 1000 Zeichen (RFC 5321).",
        "A line of the message is longer than 1000 characters (RFC 5321).",
    ),
    "mime.too_many_encoded_words": _mime(
        "Die Kopfzeilen enthalten mehr als {limit} kodierte Wörter (RFC 2047).",
        "The headers hold more than {limit} encoded words (RFC 2047).",
    ),
    "mime.broken_headers": _mime(
        "Der Nachrichtenkopf ist fehlerhaft ({what_de}).",
        "The message header is broken ({what_en}).",
    ),
    "mime.duplicate_header": _mime(
        "Das Kopffeld {header} kommt mehrfach vor; die Nachricht ist fehlerhaft aufgebaut.",
        "The header field {header} appears more than once; the message is malformed.",
    ),
    "mime.no_sender": _mime(
        "Die Nachricht hat keine lesbare Absenderadresse (From).",
        "The message has no readable sender address (From).",
    ),
    "mime.broken_base64": _mime(
        "Teil {part} der Nachricht ist fehlerhaft Base64-kodiert; der Inhalt ist nicht "
        "sicher lesbar.",
        "Part {part} of the message has broken base64 encoding; its content cannot be read "
        "reliably.",
    ),
    "mime.boundary": _mime(
        "Die MIME-Grenzen der Nachricht sind fehlerhaft ({what_de}).",
        "The MIME boundaries of the message are broken ({what_en}).",
    ),
    "mime.bare_linefeed": _mime(
        "Die Nachricht enthält eine Punkt-Zeile mit Zeilenvorschub ohne Wagenrücklauf "
        "(LF statt CRLF). So werden Nachrichten eingeschmuggelt (SMTP smuggling).",
        "The message contains a dot line ended by a bare line feed (LF instead of CRLF). "
        "This is how messages are smuggled (SMTP smuggling).",
    ),
    "mime.bare_linefeeds": _mime(
        "Die Zeilen der Nachricht enden mit einem Zeilenvorschub ohne Wagenrücklauf (LF statt "
        "CRLF); SMTP verlangt CRLF (RFC 5321 2.3.8).",
        "The lines of the message end in a bare line feed (LF instead of CRLF); SMTP requires "
        "CRLF (RFC 5321 2.3.8).",
        "Senden Sie die Nachricht mit einem üblichen E-Mail-Programm oder stellen Sie Ihr "
        "Programm auf CRLF-Zeilenenden um.",
        "Send the message from an ordinary mail program, or make your program end lines with CRLF.",
    ),
    "mime.tnef_unreadable": _mime(
        "Der Outlook-Anhang winmail.dat (TNEF) lässt sich nicht lesen.",
        "The Outlook attachment winmail.dat (TNEF) cannot be read.",
        "Stellen Sie Outlook auf das Format HTML oder Nur-Text um und senden Sie die "
        "Nachricht erneut.",
        "Set Outlook to the HTML or plain text format and send the message again.",
    ),
    "encrypted.mail": RefusalText(
        "encrypted",
        "Die Nachricht ist verschlüsselt (S/MIME oder PGP); wir können sie nicht lesen.",
        "The message is encrypted (S/MIME or PGP); we cannot read it.",
        "Senden Sie vertrauliche Unterlagen verschlüsselt über das Kundenportal.",
        "Send confidential documents through the customer portal, which encrypts them.",
    ),
    "charset.not_allowed": RefusalText(
        "charset",
        "Der Zeichensatz „{charset}“ ist nicht zugelassen. Erlaubt sind US-ASCII, UTF-8, "
        "ISO-8859-1, ISO-8859-15 und Windows-1252.",
        'The character set "{charset}" is not allowed. Allowed are US-ASCII, UTF-8, '
        "ISO-8859-1, ISO-8859-15 and Windows-1252.",
        "Stellen Sie Ihr E-Mail-Programm auf UTF-8 um und senden Sie die Nachricht erneut.",
        "Set your mail program to UTF-8 and send the message again.",
    ),
    "html.active": RefusalText(
        "html",
        "Der HTML-Teil der Nachricht enthält aktive Inhalte: {what_de}.",
        "The HTML part of the message contains active content: {what_en}.",
        "Senden Sie die Nachricht als reinen Text oder ohne Skripte und eingebettete Inhalte.",
        "Send the message as plain text, or without scripts and embedded content.",
    ),
    "archive.attachment": RefusalText(
        "archive",
        "Der Anhang „{file}“ ist ein Archiv ({kind}). Archive nehmen wir nicht an.",
        'The attachment "{file}" is an archive ({kind}). We do not accept archives.',
        "Packen Sie das Archiv aus und senden Sie die Dokumente einzeln als PDF, JPEG, PNG, "
        "DOCX oder XLSX.",
        "Unpack the archive and send the documents one by one as PDF, JPEG, PNG, DOCX or XLSX.",
    ),
    "attachment.rejected": RefusalText(
        "attachment",
        "Der Anhang „{file}“ wurde abgelehnt: {reason_de}",
        'The attachment "{file}" was refused: {reason_en}',
        "{hint_de}",
        "{hint_en}",
    ),
    "attachment.name_ambiguous": RefusalText(
        "attachment",
        "Der Anhang „{file}“ trägt zwei verschiedene Dateinamen (filename= und filename*=).",
        'The attachment "{file}" carries two different file names (filename= and filename*=).',
        "Benennen Sie die Datei eindeutig und senden Sie sie erneut.",
        "Give the file one clear name and send it again.",
    ),
    "link_only": RefusalText(
        "link_only",
        "Die Nachricht enthält nur einen Link zu einem Dateidienst ({host}). Links werden nicht "
        "abgerufen.",
        "The message only contains a link to a file host ({host}). Links are not fetched.",
        "Laden Sie die Dateien im Kundenportal oder im Cloud-Bereich hoch.",
        "Upload the files in the customer portal or the cloud area.",
    ),
}


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a message is refused: a code of ``REFUSALS`` and the values its texts need."""

    code: str
    params: dict[str, str | int] = field(default_factory=dict)

    @property
    def text(self) -> RefusalText:
        return REFUSALS[self.code]

    @property
    def rule(self) -> Rule:
        return RULES[self.text.rule]

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Refusal:
        code = str(data["code"])
        if code not in REFUSALS:
            raise ValueError(f"unknown refusal {code!r}")
        raw = data.get("params") or {}
        if not isinstance(raw, dict):
            raise ValueError("refusal params must be an object")
        params = {str(k): v for k, v in raw.items() if isinstance(v, str | int)}
        return cls(code, params)


__all__ = ["MAIL_LIMITS", "MB", "REFUSALS", "RULES", "MailLimits", "Refusal", "RefusalText", "Rule"]
