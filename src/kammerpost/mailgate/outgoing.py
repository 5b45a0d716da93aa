"""Mail we send: acknowledgements of accepted mail and staff replies to e-mail senders.

Everything leaves through Django's mail API (``MAILERS["default"]``: the
configured relay, or the outbox directory). No value that came from a
sender reaches a header unless it has passed ``single_line`` (no CR/LF or
other controls, security.md 22); the modern ``email`` policy Django uses
would refuse a line break in a header anyway.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, make_msgid
from django.core.validators import validate_email

from kammerpost.accounts.models import User
from kammerpost.intake.models import InboundItem
from kammerpost.mailpolicy.mime import single_line
from kammerpost.privacy.selectors import communication_is_electronic
from kammerpost.privacy.services import audit_record

_MESSAGE_ID: Final = re.compile(r"<[^<>\s\"\\]{1,246}@[^<>\s\"\\]{1,246}>")
# RFC 3834 5: never answer the addresses of robots and lists.
_ROBOT_LOCAL_PARTS: Final = frozenset(
    {"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply", "bounce"}
)

UNENCRYPTED_DE: Final = (
    "Bitte beachten Sie: E-Mails werden unverschlüsselt über das Internet übertragen und "
    "können unterwegs mitgelesen werden. Für vertrauliche Unterlagen nutzen Sie bitte unser "
    "Kundenportal: {portal}"
)
UNENCRYPTED_EN: Final = (
    "Please note: e-mail travels unencrypted over the Internet and can be read on its way. "
    "For confidential documents please use our customer portal: {portal}"
)


class ReplyNotPossibleError(Exception):
    """A reply cannot go by e-mail; carries the reason for the clerk."""

    def __init__(self, message_de: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_de = message_de
        self.message_en = message_en


def _valid_address(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return address == single_line(address)


def _threading_headers(message_id: str) -> dict[str, str]:
    return (
        {"In-Reply-To": message_id, "References": message_id}
        if _MESSAGE_ID.fullmatch(message_id)
        else {}
    )


def _send(
    *, to: str, subject: str, body: str, sender: str, headers: dict[str, str]
) -> EmailMessage:
    message = EmailMessage(
        subject=single_line(subject, 200),
        body=body,
        from_email=sender,
        to=[to],
        headers={
            "Message-ID": make_msgid(domain=settings.CHAMBER_DOMAIN),
            **{name: single_line(value) for name, value in headers.items()},
        },
    )
    message.send()
    return message


def acknowledgement_skip_reason(
    *, envelope_from: str, auto_submitted: bool, list_mail: bool
) -> str:
    """Why no acknowledgement may go out (RFC 3834), or "" when one may."""
    if not envelope_from:
        return "null_sender"
    if auto_submitted:
        return "auto_submitted"
    if list_mail:
        return "list"
    local, _, domain = envelope_from.lower().rpartition("@")
    if (
        local in _ROBOT_LOCAL_PARTS
        or local.startswith(("owner-", "bounce"))
        or local.endswith("-request")
    ):
        return "robot"
    if domain == settings.CHAMBER_DOMAIN.lower():
        return "own_domain"  # never answer ourselves: no mail loops
    if not _valid_address(envelope_from):
        return "invalid_address"
    return ""


def acknowledgement_send(
    *, items: Sequence[InboundItem], to: str, subject: str, message_id: str, attachments: int
) -> None:
    """The receipt for an accepted mail: reference numbers, and that e-mail is not private."""
    references = ", ".join(item.reference for item in items)
    departments = ", ".join(item.department.name for item in items)
    shown_subject = single_line(subject, 80) or "(ohne Betreff / no subject)"
    portal = settings.PORTAL_URL
    body = "\n".join(
        [
            "Guten Tag,",
            "",
            f"Ihre Nachricht „{shown_subject}“ ist bei der {settings.CHAMBER_NAME} "
            f"eingegangen ({departments}).",
            f"Eingangsnummer: {references}",
            f"Anhänge: {attachments} (sie werden auf Schadsoftware geprüft)",
            "",
            UNENCRYPTED_DE.format(portal=portal),
            "",
            "Diese Nachricht wurde automatisch erstellt.",
            "",
            "-- English --",
            "",
            f'Your message "{shown_subject}" has reached the {settings.CHAMBER_NAME}.',
            f"Reference number: {references}",
            f"Attachments: {attachments} (they are checked for malware)",
            "",
            UNENCRYPTED_EN.format(portal=portal),
            "",
            "This message was created automatically.",
        ]
    )
    _send(
        to=to,
        subject=f"Eingangsbestätigung {references} / Acknowledgement of receipt: {shown_subject}",
        body=body,
        sender=settings.DEFAULT_FROM_EMAIL,
        headers={
            "Auto-Submitted": "auto-replied",
            "X-Auto-Response-Suppress": "All",
            **_threading_headers(message_id),
        },
    )


def _reply_address(item: InboundItem) -> str:
    address = item.sender.email
    if not address or not _valid_address(address):
        raise ReplyNotPossibleError(
            "Für diesen Absender ist keine gültige E-Mail-Adresse bekannt.",
            "No valid e-mail address is known for this sender.",
        )
    return address


def _original_message_id(item: InboundItem) -> str:
    mail = getattr(item, "mail_message", None)
    return mail.message_id if mail is not None else ""


def item_reply_by_email(*, item: InboundItem, text: str, actor: User) -> None:
    """Send a clerk's answer to the sender by e-mail, with the unencrypted-mail warning."""
    address = _reply_address(item)
    if not communication_is_electronic(sender=item.sender):
        raise ReplyNotPossibleError(
            "Der Absender wünscht keine elektronische Kommunikation; antworten Sie per Post.",
            "The sender asked for no electronic communication; reply by post.",
        )
    portal = settings.PORTAL_URL
    body = "\n".join(
        [
            text.strip(),
            "",
            "-- ",
            f"{item.department.name}, {settings.CHAMBER_NAME}",
            f"Eingangsnummer / reference: {item.reference}",
            "",
            UNENCRYPTED_DE.format(portal=portal),
            UNENCRYPTED_EN.format(portal=portal),
        ]
    )
    _send(
        to=address,
        subject=f"Ihre Nachricht / your message {item.reference}",
        body=body,
        sender=item.department.email,
        headers=_threading_headers(_original_message_id(item)),
    )
    audit_record(action="item.replied_by_email", actor=actor, item=item)


def item_reply_invite_to_portal(*, item: InboundItem, actor: User) -> None:
    """Tell the sender an answer waits in the portal; the answer itself is not in the mail."""
    address = _reply_address(item)
    portal = settings.PORTAL_URL
    body = "\n".join(
        [
            "Guten Tag,",
            "",
            f"zu Ihrem Eingang {item.reference} liegt eine Antwort der {settings.CHAMBER_NAME} "
            f"({item.department.name}) für Sie bereit. Aus Gründen der Vertraulichkeit senden "
            "wir sie nicht per E-Mail. Sie finden sie nach der Anmeldung im Kundenportal:",
            portal,
            "",
            "-- English --",
            "",
            f"An answer from the {settings.CHAMBER_NAME} ({item.department.name}) to your "
            f"message {item.reference} is waiting for you. For confidentiality we do not send "
            "it by e-mail. Please sign in to the customer portal:",
            portal,
        ]
    )
    _send(
        to=address,
        subject=f"Antwort im Kundenportal / answer in the customer portal: {item.reference}",
        body=body,
        sender=item.department.email,
        headers=_threading_headers(_original_message_id(item)),
    )
    audit_record(action="item.invited_to_portal", actor=actor, item=item)
