"""Writing an item's thread: a message and its files in one transaction.

A message's files become documents of the item through the intake (same
pipeline, same inspection). The intake creates them and calls back into
``_message_create`` inside its own transaction, so the documents never
commit before their message exists, and a failure leaves neither rows nor
blobs behind; the inspections are queued after the outermost commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kammerpost.accounts.models import User
from kammerpost.intake.models import Document, InboundItem, Sender
from kammerpost.intake.services import IncomingFile, documents_add
from kammerpost.privacy.services import audit_record

from .exceptions import MessageEmptyError
from .mail import address_is_valid, mail_send
from .models import Message, MessageAttachment


def message_write(
    *,
    actor: User,
    item: InboundItem,
    text: str,
    files: Sequence[IncomingFile],
    from_staff: bool,
    ip_address: str | None,
    after_commit: Callable[[], None] | None = None,
) -> Message:
    """The message with its files as documents of the item; all of it, or nothing.

    ``after_commit`` (a notice) is registered inside the same transaction: it runs
    only once the message is committed, never for one that was rolled back.
    """
    text = text.strip()
    if not text and not files:
        raise MessageEmptyError(_("Schreiben Sie eine Nachricht oder wählen Sie eine Datei aus."))
    written: list[Message] = []

    def attach(documents: list[Document]) -> None:
        written.append(
            _message_create(
                actor=actor,
                item=item,
                text=text,
                documents=documents,
                from_staff=from_staff,
                ip_address=ip_address,
            )
        )
        if after_commit is not None:
            transaction.on_commit(after_commit, robust=True)

    if files:
        documents_add(
            item=item,
            files=files,
            actor_label=actor.get_username(),
            ip_address=ip_address,
            attach=attach,
        )
    else:
        with transaction.atomic():
            attach([])
    return written[0]


def _message_create(
    *,
    actor: User,
    item: InboundItem,
    text: str,
    documents: list[Document],
    from_staff: bool,
    ip_address: str | None,
) -> Message:
    message = Message.objects.create(item=item, author=actor, text=text, from_staff=from_staff)
    MessageAttachment.objects.bulk_create(
        [MessageAttachment(message=message, document=document) for document in documents]
    )
    audit_record(
        action="message.posted",
        actor=actor,
        item=item,
        ip_address=ip_address,
        detail={"from_staff": from_staff, "documents": len(documents)},
    )
    return message


def customer_address(item: InboundItem) -> str:
    """Where a notice about the thread goes: the sender's account, else the sender's address.

    A portal sender is linked to the account that sent the item; that account
    (with its current address) is also who sees the item in the portal.
    """
    sender = Sender.objects.select_related("user").get(pk=item.sender_id)  # as it is now
    if sender.user is not None and sender.user.is_active and sender.user.email:
        return str(sender.user.email)
    return str(sender.email)


def thread_notification_send(*, item: InboundItem) -> None:
    """Mail the customer that a message waits; never its content (requirements 1.1)."""
    address = customer_address(item)
    if not address_is_valid(address):
        return
    mail_send(
        template="thread_notification",
        context={"reference": item.reference},
        to=address,
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
