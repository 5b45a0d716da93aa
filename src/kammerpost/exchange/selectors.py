"""Reads of the cloud area for its pages: what arrived with its verdicts, what waits."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department
from kammerpost.inspection import policy_named
from kammerpost.intake.models import Document, DocumentState
from kammerpost.intake.selectors import reasons_localised

from .models import Exchange


@dataclass(frozen=True)
class UploadRow:
    document: Document
    verdict: str  # accepted | rejected | held | pending
    reasons: list[dict[str, str]]


_VERDICTS = {
    DocumentState.ACCEPTED: "accepted",
    DocumentState.REJECTED: "rejected",
    DocumentState.HELD: "held",
}


def exchange_uploads(exchange: Exchange) -> list[UploadRow]:
    """The person's files in the order they arrived, each with its verdict, reason and hint."""
    if exchange.item_id is None:
        return []
    documents = Document.objects.filter(item_id=exchange.item_id).order_by("position")
    return [
        UploadRow(
            document=document,
            verdict=_VERDICTS.get(DocumentState(document.state), "pending"),
            reasons=reasons_localised(document.reasons),
        )
        for document in documents
    ]


def allowed_formats_text(exchange: Exchange) -> str:
    policy = policy_named(exchange.policy_name)
    return ", ".join(policy.formats).upper()


def colleagues_of(user: User, departments: QuerySet[Department]) -> QuerySet[User]:
    """Active staff of these departments other than ``user``: who may deputise."""
    return (
        User.objects.filter(
            is_active=True, is_staff=True, staff_memberships__department__in=departments
        )
        .exclude(pk=user.pk)
        .distinct()
        .order_by("email")
    )
