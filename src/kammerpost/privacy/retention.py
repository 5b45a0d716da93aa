"""Which items are due for deletion, and the sweep that erases them.

The periods are the rows of :class:`~kammerpost.privacy.models.RetentionRule`
(the admin; the privacy notice shows the same rows). A rule counts either
from the item's receipt or - the default - from its *closing*: the last time
staff set it to "erledigt", read from the append-only audit trail
(``item.status_changed`` to ``done``); an item closed some other way (the
admin) counts from its last change. An item that is open again is never due.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from kammerpost.intake.models import InboundItem, ItemStatus
from kammerpost.vault import VaultError

from .erasure import item_erase
from .models import AuditEvent, ErasureReason, RetentionRule, RetentionStart
from .selectors import retention_rule_for

log = logging.getLogger(__name__)


def months_after(moment: datetime, months: int) -> datetime:
    """``moment`` plus calendar months; the 31st becomes the month's last day."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class DueItem:
    """An item whose retention period has run out, with the rule and the dates that say so."""

    item: InboundItem
    rule: RetentionRule
    counted_from: datetime
    due_at: datetime
    documents: int


def _closed_at() -> Subquery:
    closings = AuditEvent.objects.filter(
        item=OuterRef("pk"), action="item.status_changed", detail__to=ItemStatus.DONE.value
    ).order_by("-created_at", "-id")
    return Subquery(closings.values("created_at")[:1])


def retention_due(*, now: datetime | None = None) -> Iterator[DueItem]:
    """Every item not yet erased whose period has passed at ``now``, oldest first."""
    now = now or timezone.now()
    rules = list(RetentionRule.objects.all())
    if not rules:
        return
    shortest = min(rule.months for rule in rules)
    # Nothing received within the shortest period can be due: one index range.
    candidates = (
        InboundItem.objects.filter(
            erasure__isnull=True, received_at__lte=months_after(now, -shortest)
        )
        .annotate(closed_at=_closed_at(), document_count=Count("documents"))
        .select_related("department")
        .order_by("received_at", "id")
    )
    for item in candidates.iterator(chunk_size=500):
        rule = retention_rule_for(item, rules=rules)
        if rule is None:
            continue
        if rule.starts == RetentionStart.RECEIVED:
            counted_from = item.received_at
        elif item.status == ItemStatus.DONE:
            counted_from = item.closed_at or item.updated_at  # type: ignore[attr-defined]
        else:
            continue
        due_at = months_after(counted_from, rule.months)
        if due_at <= now:
            yield DueItem(item, rule, counted_from, due_at, item.document_count)  # type: ignore[attr-defined]


@dataclass
class SweepReport:
    erased: list[str] = field(default_factory=list)
    documents: int = 0
    failed: list[str] = field(default_factory=list)


def retention_sweep(*, now: datetime | None = None) -> SweepReport:
    """Erase every item that is due; one transaction per item, a failing one does not stop the rest.

    A vault outage leaves the item as it was (it stays due for the next run).
    """
    report = SweepReport()
    for due in list(retention_due(now=now)):
        try:
            erasure = item_erase(item=due.item, reason=ErasureReason.RETENTION, rule=due.rule)
        except VaultError:
            log.exception("retention: could not shred the documents of %s", due.item.reference)
            report.failed.append(due.item.reference)
            continue
        if erasure is not None:
            report.erased.append(due.item.reference)
            report.documents += erasure.documents
    return report
