"""The data subject's export (Art. 15 and 20 GDPR): a person's own data, machine-readable.

Only what is the person's own: the account, the addresses they write from,
their communication preference and its history, and the items they sent
themselves (in the portal, or by mail from their own address) with the
documents' descriptions and the messages of those items. Items a colleague
sent for the same business are the colleague's and stay out.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from kammerpost.accounts.models import User
from kammerpost.accounts.selectors import memberships_of
from kammerpost.correspondence.selectors import item_thread
from kammerpost.intake.access import items_for_customer
from kammerpost.intake.models import InboundItem, Sender

from .models import AuditEvent, CommunicationPreference

FORMAT_VERSION = 1


def _when(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def _item(item: InboundItem) -> dict[str, Any]:
    return {
        "reference": item.reference,
        "channel": item.channel,
        "department": item.department.name,
        "procedure": item.procedure,
        "file_reference": item.file_reference,
        "subject": item.subject,
        "text": item.text,
        "form_data": item.form_data,
        "status": item.status,
        "received_at": _when(item.received_at),
        "documents": [
            {
                "position": d.position,
                "name": d.original_name,
                "size": d.size,
                "sha256": d.sha256,
                "state": d.state,
                "format": d.real_format,
            }
            for d in item.documents.all()
        ],
        # Staff messages are part of the person's case; the clerk's identity is not theirs.
        "messages": [
            {
                "created_at": _when(m.created_at),
                "from": "chamber" if m.from_staff else "you",
                "text": m.text,
            }
            for m in item_thread(item=item)
        ],
    }


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything of ``user``'s own, as JSON-ready data."""
    senders = list(Sender.objects.filter(Q(user=user) | Q(email__iexact=user.email)))
    sender_ids = [s.pk for s in senders]
    preferences = {
        p.sender_id: p for p in CommunicationPreference.objects.filter(sender_id__in=sender_ids)
    }
    history = AuditEvent.objects.filter(
        action__startswith="communication.", detail__sender__in=sender_ids
    ).order_by("created_at", "id")
    own = (
        items_for_customer(user)
        .filter(Q(sender_id__in=sender_ids) | Q(portal_submission__user=user))
        .select_related("department")
        .prefetch_related("documents")
        .order_by("received_at", "id")
    )
    return {
        "format": "kammerpost-personal-data",
        "version": FORMAT_VERSION,
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _when(user.date_joined),
            "businesses": [
                {"name": m.business.name, "role": m.role}
                for m in memberships_of(user).select_related("business")
            ],
        },
        "addresses": [
            {
                "email": s.email,
                "name": s.display_name,
                "communication": {
                    "electronic": preferences[s.pk].electronic,
                    "since": _when(preferences[s.pk].since),
                    "via": preferences[s.pk].via,
                    "opted_out_at": _when(preferences[s.pk].opted_out_at),
                }
                if s.pk in preferences
                else None,
            }
            for s in senders
        ],
        "communication_history": [
            {"at": _when(e.created_at), "event": e.action, "via": e.detail.get("via", "")}
            for e in history
        ],
        "items": [_item(item) for item in own],
    }
