"""Erasing an item's personal content: crypto-shred its files, replace its texts and names.

What stays is the register entry: the reference number, department, channel,
procedure, status and dates, the documents' positions, sizes and states. What
goes: every document's key and ciphertext (the vault destroys the key record
first, so nothing can decrypt it even from a backup of the blobs), the
subject, text, form data and the sender's Aktenzeichen, the texts of the
thread, and - once no item of theirs is left - the sender's address and name.

Adapters keep rows of their own beside an item (the mail gateway's archived
raw message). The domain may not import them, so they register an *item
eraser* here (in their ``AppConfig.ready``); every erasure calls each eraser
in its transaction. The audit trail records the erasure without content.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kammerpost.correspondence.models import Message
from kammerpost.intake.models import Document, InboundItem, Sender
from kammerpost.intake.services import intake_vault

from .models import (
    ANONYMISED_LABEL,
    AuditEvent,
    ErasureReason,
    ItemErasure,
    OptOutLink,
    RetentionRule,
)
from .services import audit_record

if TYPE_CHECKING:
    from kammerpost.accounts.models import User

log = logging.getLogger(__name__)

# What an erased document is called from now on (its original name may name a person).
ERASED_NAME = "(gelöscht)"
# Labels that name a process, not a person: they stay in the audit trail.
_PROCESS_LABELS = ("system", "worker", "retention", "anonymous", ANONYMISED_LABEL)

ItemEraser = Callable[[Sequence[int]], None]
_erasers: dict[str, ItemEraser] = {}


def item_eraser_register(name: str, eraser: ItemEraser) -> None:
    """An adapter's rows beside an item go with it: ``eraser(item_ids)`` runs in the erasure."""
    _erasers[name] = eraser


def _anonymous_address(sender: Sender) -> str:
    # Still unique per sender (the address constraint), and it can never receive mail.
    return f"geloescht-{sender.pk}@anonym.invalid"


def item_erase(
    *,
    item: InboundItem,
    reason: ErasureReason,
    rule: RetentionRule | None = None,
    actor: User | None = None,
) -> ItemErasure | None:
    """Erase one item's content; None if it was erased before.

    The blobs are shredded inside the transaction, before the rows change: if
    the commit fails, the item is still due and the next run finishes the
    job (the vault's delete is idempotent), and no committed row ever claims
    a document that can still be read.
    """
    with transaction.atomic():
        locked = InboundItem.objects.select_for_update().get(pk=item.pk)
        if ItemErasure.objects.filter(item=locked).exists():
            return None
        documents = list(locked.documents.order_by("position"))
        vault = intake_vault()
        for document in documents:
            vault.delete(document.vault_key)
        Document.objects.filter(item=locked).update(
            # due_at: an undecided document is never queued for inspection again.
            original_name=ERASED_NAME,
            sha256="",
            facts={},
            reasons=[],
            due_at=None,
        )
        Message.objects.filter(item=locked).update(text="")
        Message.objects.filter(item=locked, from_staff=False).update(author=None)
        InboundItem.objects.filter(pk=locked.pk).update(
            subject="", text="", form_data={}, file_reference=""
        )
        for eraser in _erasers.values():
            eraser([locked.pk])
        # The sender's own events of this item: their address and IP go, the facts stay.
        own = AuditEvent.objects.filter(item=locked).filter(
            Q(actor__isnull=True) | Q(actor__is_staff=False)
        )
        own.exclude(actor_label__in=_PROCESS_LABELS).filter(actor__isnull=True).update(
            actor_label=ANONYMISED_LABEL, ip_address=None
        )
        own.update(ip_address=None)
        erasure = ItemErasure.objects.create(
            item=locked,
            erased_at=timezone.now(),
            reason=reason,
            rule=rule,
            documents=len(documents),
        )
        audit_record(
            action="item.erased",
            actor=actor,
            actor_label="retention",
            item=locked,
            detail={
                "reason": str(reason),
                "rule": rule.pk if rule is not None else None,
                "months": rule.months if rule is not None else None,
                "documents": len(documents),
            },
        )
        senders_anonymise(sender_ids=[locked.sender_id])
    return erasure


@transaction.atomic
def senders_anonymise(*, sender_ids: Iterable[int]) -> int:
    """Anonymise the senders none of whose items remain, unless an active account holds them.

    An account holder keeps their sender (their address is in the account
    anyway; the account goes with a deletion request). An opt-out recorded
    for the address goes with it: the row no longer names anyone.
    """
    done = 0
    for sender in Sender.objects.select_for_update().filter(pk__in=list(sender_ids)):
        if sender.items.filter(erasure__isnull=True).exists():
            continue
        if sender.user_id is not None and sender.user.is_active:
            continue
        old = sender.email
        if old.endswith("@anonym.invalid"):
            continue
        Sender.objects.filter(pk=sender.pk).update(
            email=_anonymous_address(sender), display_name="", user=None
        )
        OptOutLink.objects.filter(address=old).delete()
        audit_events_anonymise(label=old)
        audit_record(
            action="sender.anonymised", actor_label="retention", detail={"sender": sender.pk}
        )
        done += 1
    return done


def audit_events_anonymise(*, label: str = "", user: User | None = None) -> int:
    """Remove a person from the audit trail as far as its database trigger allows.

    Only the narrow anonymising update the append-only trigger accepts:
    ``actor_label`` becomes ``anonymisiert``, ``ip_address`` NULL, and an
    ``email`` key leaves ``detail``; the action, its time and its objects stay.
    """
    changed = 0
    if label:
        changed += AuditEvent.objects.filter(actor__isnull=True, actor_label__iexact=label).update(
            actor_label=ANONYMISED_LABEL, ip_address=None
        )
        for event in AuditEvent.objects.filter(detail__email__iexact=label).only("detail"):
            detail = dict(event.detail)
            detail.pop("email", None)
            changed += AuditEvent.objects.filter(pk=event.pk).update(detail=detail)
    if user is not None:
        changed += AuditEvent.objects.filter(actor=user).update(ip_address=None)
    return changed
