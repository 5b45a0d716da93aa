"""Reads of the portal, always scoped to the person."""

from __future__ import annotations

from django.db.models import QuerySet

from kammerpost.accounts.models import User
from kammerpost.intake.access import items_for_customer
from kammerpost.intake.models import Document, InboundItem


def my_items(user: User) -> QuerySet[InboundItem]:
    return (
        items_for_customer(user)
        .select_related("department", "business")
        .prefetch_related("documents")
        .order_by("-received_at", "-id")
    )


def item_documents(item: InboundItem) -> QuerySet[Document]:
    return item.documents.order_by("position")
