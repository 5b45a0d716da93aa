"""Retention: delete what is due, by the rules of ``RetentionRule`` (security.md 26).

An item is due when its rule's months have passed since it was closed (the
last status change to "done") or since it arrived, as the rule says. Its
documents are crypto-shredded through the vault (key record first: nothing
can decrypt them any more), and the item, its documents' descriptions, its
messages and - when nothing else of theirs is left - its sender lose their
personal data. A dry run reports the same list without touching anything.
The audit trail records which rule removed how much, never what.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from kammerpost.correspondence.models import Message
from kammerpost.intake.models import Document, InboundItem, ItemStatus, Sender
from kammerpost.intake.services import intake_vault
from kammerpost.vault import VaultError

from .models import (
    AuditEvent,
    CommunicationPreference,
    RetentionApplied,
    RetentionRule,
    RetentionStart,
)
from .selectors import retention_rule_for
from .services import audit_record

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionDue:
    reference: str
    rule: str
    due_at: datetime
    documents: int


def months_after(start: datetime, months: int) -> datetime:
    """The same day ``months`` later, or that month's last day (31 Jan + 1 month = 28 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def _start_of(item: InboundItem, rule: RetentionRule) -> datetime | None:
    if rule.starts == RetentionStart.RECEIVED:
        return item.received_at
    if item.status != ItemStatus.DONE:
        return None  # an open case is never due
    closed = (
        AuditEvent.objects.filter(
            item=item, action="item.status_changed", detail__to=ItemStatus.DONE.value
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return closed or item.updated_at


def _due_items(now: datetime) -> list[tuple[InboundItem, RetentionRule, datetime]]:
    due = []
    pending = InboundItem.objects.filter(retention_applied__isnull=True).select_related(
        "department"
    )
    for item in pending.iterator():
        rule = retention_rule_for(item)
        if rule is None:
            continue
        start = _start_of(item, rule)
        if start is None:
            continue
        due_at = months_after(start, rule.months)
        if due_at <= now:
            due.append((item, rule, due_at))
    return due


def retention_report(*, now: datetime | None = None) -> list[RetentionDue]:
    """What a run at ``now`` would delete (the dry run): reference, rule, due date, documents."""
    return [
        RetentionDue(item.reference, rule.label_de, due_at, item.documents.count())
        for item, rule, due_at in _due_items(now or timezone.now())
    ]


def retention_apply(*, now: datetime | None = None) -> list[RetentionDue]:
    """Delete everything due at ``now``; returns what was deleted."""
    now = now or timezone.now()
    done = []
    for item, rule, due_at in _due_items(now):
        count = _item_delete(item, rule, now)
        done.append(RetentionDue(item.reference, rule.label_de, due_at, count))
    return done


def _item_delete(item: InboundItem, rule: RetentionRule, now: datetime) -> int:
    vault = intake_vault()
    keys = list(item.documents.values_list("vault_key", flat=True))
    # Shred first: if the process dies afterwards, the next run finds the item
    # again and finishes (deleting an absent blob is idempotent).
    for key in keys:
        try:
            vault.delete(key)
        except VaultError:
            log.error("retention: blob %s of %s not shredded; retried next run", key, item.pk)
            raise
    with transaction.atomic():
        Document.objects.filter(item=item).update(original_name="(gelöscht)", reasons=[], facts={})
        Message.objects.filter(item=item).update(text="")
        InboundItem.objects.filter(pk=item.pk).update(
            subject="", text="", form_data={}, file_reference=""
        )
        RetentionApplied.objects.create(
            item=item, rule=rule, applied_at=now, documents_shredded=len(keys)
        )
        _sender_anonymise_if_unused(item.sender_id)
        audit_record(
            action="retention.applied",
            item=item,
            detail={"rule": rule.pk, "months": rule.months, "documents": len(keys)},
        )
    return len(keys)


def _sender_anonymise_if_unused(sender_id: int) -> None:
    """A sender whose every item is deleted keeps no address, name or preference."""
    if InboundItem.objects.filter(sender_id=sender_id, retention_applied__isnull=True).exists():
        return
    Sender.objects.filter(pk=sender_id).update(
        email=f"geloescht-{sender_id}@invalid", display_name="", user=None
    )
    CommunicationPreference.objects.filter(sender_id=sender_id).delete()
