"""Reads of the portal, always scoped to the person."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from kammerpost.accounts.models import User
from kammerpost.intake.access import items_for_customer
from kammerpost.intake.models import Document, InboundItem

from .models import Message, MessageAttachment


def my_items(user: User) -> QuerySet[InboundItem]:
    return (
        items_for_customer(user)
        .select_related("department", "business")
        .prefetch_related("documents")
        .order_by("-received_at", "-id")
    )


def item_messages(item: InboundItem) -> QuerySet[Message]:
    return (
        Message.objects.filter(item=item)
        .select_related("author")
        .prefetch_related(
            Prefetch("attachments", queryset=MessageAttachment.objects.select_related("document"))
        )
    )


def item_documents(item: InboundItem) -> QuerySet[Document]:
    return item.documents.order_by("position")
