"""Mail we send, built from templates: rendering, the rules for addresses and headers.

Everything leaves through Django's mail API (``MAILERS["default"]``: the
configured relay, or the outbox directory, ``outbox.py``). Subjects and
bodies are templates in ``templates/correspondence/mail/`` (``<name>_subject.txt``,
``<name>_message.txt``; German first, English below: a sender's language is
not known). No value that came from a sender reaches a header unless it has
passed ``single_line`` (no CR/LF or other controls, security.md 22); the
modern ``email`` policy Django uses would refuse a line break in a header anyway.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, make_msgid
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from kammerpost.intake.models import InboundItem
from kammerpost.mailpolicy import single_line
from kammerpost.privacy.services import opt_out_link_issue

_MESSAGE_ID: Final = re.compile(r"<[^<>\s\"\\]{1,246}@[^<>\s\"\\]{1,246}>")
# RFC 3834 5: never answer the addresses of robots and lists.
_ROBOT_LOCAL_PARTS: Final = frozenset(
    {"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply", "bounce"}
)
SUBJECT_MAX_CHARS: Final = 200  # a subject is a line, not a letter


def address_is_valid(address: str) -> bool:
    """A single, syntactically valid address without any control character."""
    try:
        validate_email(address)
    except ValidationError:
        return False
    return address == single_line(address)


def threading_headers(message_id: str) -> dict[str, str]:
    """In-Reply-To and References for an answer to ``message_id`` (none if it is malformed)."""
    return (
        {"In-Reply-To": message_id, "References": message_id}
        if _MESSAGE_ID.fullmatch(message_id)
        else {}
    )


def original_message_id(item: InboundItem) -> str:
    """The Message-ID of the mail the item came from ("" for other channels).

    Read through the item's relation, so the domain needs no import of the gateway.
    """
    mail = getattr(item, "mail_message", None)
    return str(mail.message_id) if mail is not None else ""


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
    if not address_is_valid(envelope_from):
        return "invalid_address"
    return ""


def _rendered(name: str, context: Mapping[str, Any]) -> tuple[str, str]:
    full = {
        "chamber_name": settings.CHAMBER_NAME,
        "portal_url": settings.PORTAL_URL,
        **context,
    }
    # The templates carry both languages themselves; German formats for any value.
    with translation.override("de"):
        subject = render_to_string(f"correspondence/mail/{name}_subject.txt", full)
        body = render_to_string(f"correspondence/mail/{name}_message.txt", full)
    return subject, body.strip() + "\n"


def _opt_out_url(address: str) -> str:
    token = opt_out_link_issue(address=address)
    return settings.PORTAL_URL.rstrip("/") + reverse("pages:opt-out-link", args=[token])


def mail_send(
    *,
    template: str,
    context: Mapping[str, Any],
    to: str,
    from_email: str,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """Render ``template`` (subject and body) and send it to one address.

    Every mail carries its own single-use opt-out link (``opt_out_url``).
    """
    subject, body = _rendered(template, {"opt_out_url": _opt_out_url(to), **context})
    message = EmailMessage(
        subject=single_line(subject, SUBJECT_MAX_CHARS),
        body=body,
        from_email=from_email,
        to=[to],
        headers={
            "Message-ID": make_msgid(domain=settings.CHAMBER_DOMAIN),
            **{name: single_line(value) for name, value in (headers or {}).items()},
        },
    )
    message.send()
    return message
