"""The ways of answering a sender: one backend each, registered in one place.

``settings.CORRESPONDENCE_REPLY_BACKENDS`` lists the backends by dotted path,
in the order the back office offers them. A new way (the cloud area's) is a
new class and one line there; the others stay untouched, and the domain never
imports the adapter that provides it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from kammerpost.accounts.models import User
from kammerpost.intake.models import Channel, InboundItem
from kammerpost.intake.services import IncomingFile
from kammerpost.privacy.selectors import communication_is_electronic
from kammerpost.privacy.services import audit_record

from .exceptions import ReplyNotPossibleError, Text
from .mail import address_is_valid, mail_send, original_message_id, threading_headers
from .thread import message_write, thread_notification_send

THREAD = "thread"
EMAIL = "email"
INVITATION = "invite"


class ReplyBackend(Protocol):
    """One way of answering: what the clerk sees, when it applies, how it sends."""

    method: ClassVar[str]  # the value the back office posts
    label: ClassVar[Text]  # the clerk's choice
    help_text: ClassVar[Text]  # what the sender receives
    needs_text: ClassVar[bool]
    accepts_files: ClassVar[bool]

    def available(self, item: InboundItem) -> bool: ...

    def send(
        self,
        *,
        actor: User,
        item: InboundItem,
        text: str,
        files: Sequence[IncomingFile],
        ip_address: str | None,
    ) -> None: ...


def reply_backends() -> list[ReplyBackend]:
    """Every registered backend, in the configured order."""
    return [import_string(path)() for path in settings.CORRESPONDENCE_REPLY_BACKENDS]


def _mail_address(item: InboundItem) -> str:
    """The sender's address, if a mail to it is allowed at all."""
    address = item.sender.email
    if not address or not address_is_valid(address):
        raise ReplyNotPossibleError(
            _("Für diesen Absender ist keine gültige E-Mail-Adresse bekannt."),
            _("Antworten Sie per Post."),
        )
    if not communication_is_electronic(sender=item.sender):
        raise ReplyNotPossibleError(
            _("Der Absender wünscht keine elektronische Kommunikation."),
            _("Antworten Sie per Post."),
        )
    return address


class PortalThreadReply:
    """A staff message in the item's portal thread; the customer is told only that it waits."""

    method: ClassVar[str] = THREAD
    label: ClassVar[Text] = _("Antwort im Nachrichtenverlauf des Kundenportals")
    help_text: ClassVar[Text] = _(
        "Die Antwort erscheint im Nachrichtenverlauf des Kundenportals; der Absender "
        "erhält eine E-Mail ohne Inhalt, dass eine Nachricht bereitliegt."
    )
    needs_text: ClassVar[bool] = True
    accepts_files: ClassVar[bool] = True

    def available(self, item: InboundItem) -> bool:
        return item.channel == Channel.PORTAL

    def send(
        self,
        *,
        actor: User,
        item: InboundItem,
        text: str,
        files: Sequence[IncomingFile],
        ip_address: str | None,
    ) -> None:
        message_write(
            actor=actor,
            item=item,
            text=text,
            files=files,
            from_staff=True,
            ip_address=ip_address,
            after_commit=lambda: thread_notification_send(item=item),
        )


def _mail_to_sender(item: InboundItem, template: str, **context: str) -> None:
    """A mail from the item's department to its sender, threaded to the original mail."""
    mail_send(
        template=template,
        context={"reference": item.reference, "department": item.department.name, **context},
        to=_mail_address(item),
        from_email=item.department.email,
        headers=threading_headers(original_message_id(item)),
    )


class EmailReply:
    """The answer itself by e-mail, with the unencrypted-mail warning, threaded to the original."""

    method: ClassVar[str] = EMAIL
    label: ClassVar[Text] = _("Antwort als E-Mail (unverschlüsselt)")
    help_text: ClassVar[Text] = _(
        "Für die Antwort als E-Mail. Die E-Mail ist unverschlüsselt: "
        "schreiben Sie keine vertraulichen Angaben hinein."
    )
    needs_text: ClassVar[bool] = True
    accepts_files: ClassVar[bool] = False

    def available(self, item: InboundItem) -> bool:
        return item.channel != Channel.PORTAL

    def send(
        self,
        *,
        actor: User,
        item: InboundItem,
        text: str,
        files: Sequence[IncomingFile],
        ip_address: str | None,
    ) -> None:
        _mail_to_sender(item, "email_reply", text=text.strip())
        audit_record(action="item.replied_by_email", actor=actor, item=item, ip_address=ip_address)


class PortalInvitationReply:
    """A mail saying an answer waits in the portal; the answer itself is not in it."""

    method: ClassVar[str] = INVITATION
    label: ClassVar[Text] = _(
        "Hinweis per E-Mail, dass die Antwort im Kundenportal bereitliegt "
        "(der Text steht nicht in der E-Mail)"
    )
    help_text: ClassVar[Text] = _(
        "Der Absender erhält nur den Hinweis auf das Kundenportal, ohne den Text."
    )
    needs_text: ClassVar[bool] = False
    accepts_files: ClassVar[bool] = False

    def available(self, item: InboundItem) -> bool:
        return item.channel != Channel.PORTAL

    def send(
        self,
        *,
        actor: User,
        item: InboundItem,
        text: str,
        files: Sequence[IncomingFile],
        ip_address: str | None,
    ) -> None:
        _mail_to_sender(item, "portal_invitation")
        audit_record(action="item.invited_to_portal", actor=actor, item=item, ip_address=ip_address)
