"""Reads of correspondence: an item's thread and the ways its sender can be answered."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from kammerpost.intake.models import InboundItem

from .models import Message, MessageAttachment
from .replies import ReplyBackend, reply_backends


def item_thread(*, item: InboundItem) -> QuerySet[Message]:
    """The item's messages, oldest first, with authors and attached documents.

    The caller got ``item`` through an access function: whoever may see the
    item may read its thread.
    """
    return (
        Message.objects.filter(item=item)
        .select_related("author")
        .prefetch_related(
            Prefetch("attachments", queryset=MessageAttachment.objects.select_related("document"))
        )
    )


def reply_ways(item: InboundItem) -> list[ReplyBackend]:
    """How this item's sender can be answered, in the order to offer them."""
    return [backend for backend in reply_backends() if backend.available(item)]
