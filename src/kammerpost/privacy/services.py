"""The audit trail: every service that changes something records it here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from .models import AuditEvent, CommunicationPreference

if TYPE_CHECKING:
    from kammerpost.accounts.models import User
    from kammerpost.intake.models import Document, InboundItem, Sender


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


@transaction.atomic
def communication_preference_record_electronic(
    *, sender: Sender, via: str = "email", actor_label: str = "system"
) -> CommunicationPreference:
    """Record "electronic, since <now>, via <via>" unless the sender opted out before.

    An existing electronic preference keeps its first date and channel.
    """
    preference, _ = CommunicationPreference.objects.select_for_update().get_or_create(sender=sender)
    if preference.opted_out_at is not None or preference.electronic:
        return preference
    preference.electronic = True
    preference.since = timezone.now()
    preference.via = _single_line(via)[:32]
    preference.save(update_fields=["electronic", "since", "via", "updated_at"])
    audit_record(
        action="communication.electronic",
        actor_label=actor_label,
        detail={"sender": sender.pk, "via": preference.via},
    )
    return preference


@transaction.atomic
def communication_preference_opt_out(
    *, sender: Sender, actor: User | None = None, actor_label: str = "system"
) -> CommunicationPreference:
    """The sender wants no electronic communication; later e-mails do not change that."""
    preference, _ = CommunicationPreference.objects.select_for_update().get_or_create(sender=sender)
    if preference.opted_out_at is None:
        preference.electronic = False
        preference.opted_out_at = timezone.now()
        preference.save(update_fields=["electronic", "opted_out_at", "updated_at"])
        audit_record(
            action="communication.opted_out",
            actor=actor,
            actor_label=actor_label,
            detail={"sender": sender.pk},
        )
    return preference
