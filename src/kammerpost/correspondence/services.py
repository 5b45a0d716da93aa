"""Every write of correspondence: customer messages, staff replies, acknowledgements."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kammerpost.accounts.models import User
from kammerpost.intake.models import InboundItem
from kammerpost.intake.services import IncomingFile

from .exceptions import ReplyNotPossibleError
from .mail import mail_send, threading_headers
from .models import Message
from .selectors import reply_ways
from .thread import message_write


def message_post(
    *,
    actor: User,
    item: InboundItem,
    text: str,
    files: Sequence[IncomingFile] = (),
    ip_address: str | None = None,
) -> Message:
    """A customer's message in the item's thread; files become documents of the item.

    Nobody is mailed: the department sees it in the back office.
    """
    return message_write(
        actor=actor, item=item, text=text, files=files, from_staff=False, ip_address=ip_address
    )


def item_reply(
    *,
    actor: User,
    item: InboundItem,
    method: str,
    text: str = "",
    files: Sequence[IncomingFile] = (),
    ip_address: str | None = None,
) -> None:
    """Answer the sender the way ``method`` names; the backend sends and writes the audit event.

    The caller checked that ``actor`` may work on ``item`` (the back office's access).
    """
    backend = next((way for way in reply_ways(item) if way.method == method), None)
    if backend is None:
        raise ReplyNotPossibleError(
            _("Auf diesem Weg kann dieser Absender nicht erreicht werden."),
            _("Wählen Sie einen der angebotenen Wege."),
        )
    if files and not backend.accepts_files:
        raise ReplyNotPossibleError(
            _("Auf diesem Weg können keine Dateien mitgeschickt werden."),
            _("Schicken Sie Dateien im Nachrichtenverlauf des Kundenportals."),
        )
    if backend.needs_text and not text.strip() and not files:
        raise ReplyNotPossibleError(_("Geben Sie den Text der Antwort ein."))
    backend.send(actor=actor, item=item, text=text, files=files, ip_address=ip_address)


def acknowledgement_send(
    *, items: Sequence[InboundItem], to: str, message_id: str, attachments: int
) -> None:
    """The receipt for an accepted mail: reference numbers, and that e-mail is not private.

    The caller decided that one may go out (``mail.acknowledgement_skip_reason``) and
    that the sender is proven. It never repeats anything the sender wrote (Subject,
    name): a forged mail must not make the chamber carry a stranger's words to a
    third party.
    """
    mail_send(
        template="acknowledgement",
        context={
            "references": ", ".join(item.reference for item in items),
            "departments": ", ".join(item.department.name for item in items),
            "attachments": attachments,
        },
        to=to,
        from_email=settings.DEFAULT_FROM_EMAIL,
        headers={
            "Auto-Submitted": "auto-replied",
            "X-Auto-Response-Suppress": "All",
            **threading_headers(message_id),
        },
    )
