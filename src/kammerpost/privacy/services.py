"""The audit trail: every service that changes something records it here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import AuditEvent

if TYPE_CHECKING:
    from kammerpost.accounts.models import User
    from kammerpost.intake.models import Document, InboundItem


def _single_line(text: str) -> str:
    # Log lines cannot be forged: no CR/LF or other control characters survive.
    return "".join(ch if ch.isprintable() else " " for ch in text)


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    actor_label: str = "system",
    item: InboundItem | None = None,
    document: Document | None = None,
    detail: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    label = actor.get_username() if actor is not None else actor_label
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_label=_single_line(label)[:254],
        item=item if item is not None else (document.item if document is not None else None),
        document=document,
        detail=detail or {},
        ip_address=ip_address,
    )
