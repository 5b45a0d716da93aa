"""Every write of the intake: receiving items, inspecting documents, housekeeping.

One service receives for every channel. It writes the documents to the vault
first (durable blobs), then commits the item with its documents in one
transaction, then queues their inspection. A crash before the commit leaves
only orphaned blobs, which :func:`vault_orphans_remove` deletes; a lost queue
entry is found again by :func:`documents_due_enqueue`.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from kammerpost.chamber.models import Department
from kammerpost.inspection import ClamdScanner, Inspection, Inspector, Verdict, policy_named
from kammerpost.inspection.names import clean_name
from kammerpost.inspection.report import Finding, Reason
from kammerpost.operations import metrics
from kammerpost.operations.logs import current_request_id
from kammerpost.privacy.services import audit_record
from kammerpost.vault import (
    BlobInfo,
    BlobIntegrityError,
    Vault,
    VaultError,
    vault_from_environment,
)

from . import tasks
from .crashpoints import crashpoint
from .models import (
    DECIDED_STATES,
    Channel,
    Document,
    DocumentState,
    InboundItem,
    ReferenceCounter,
    Sender,
)

log = logging.getLogger(__name__)

# Which policy a channel applies when no procedure narrows it (policy.md 1, 2).
CHANNEL_POLICIES = {
    Channel.PORTAL: "default",
    Channel.EMAIL: "email",
    Channel.EXCHANGE: "exchange",
    Channel.OPERATOR: "default",
}


@dataclass(frozen=True)
class IncomingFile:
    """A file as a channel hands it over: the sender's name and a readable stream."""

    name: str
    source: BinaryIO


@cache
def intake_vault() -> Vault:
    return vault_from_environment()


@cache
def _scanner() -> ClamdScanner | None:
    return ClamdScanner(settings.CLAMD_URL, settings.CLAMD_TIMEOUT) if settings.CLAMD_URL else None


@cache
def _inspector(policy_name: str) -> Inspector:
    return Inspector(policy_named(policy_name), scanner=_scanner())


def sender_for_address(*, email: str, display_name: str = "") -> Sender:
    """The sender known by this address, created on first contact."""
    address = email.strip().lower()
    sender = Sender.objects.filter(email=address).order_by("id").first()
    if sender is None:
        sender = Sender.objects.create(email=address, display_name=display_name.strip()[:200])
    return sender


def _next_reference(now: datetime) -> str:
    year = timezone.localtime(now).year
    ReferenceCounter.objects.get_or_create(year=year)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db()
    return f"E-{year}-{counter.last:06d}"


def inbound_item_receive(
    *,
    channel: Channel,
    department: Department,
    sender: Sender,
    files: Sequence[IncomingFile],
    subject: str = "",
    text: str = "",
    procedure: str = "",
    policy_name: str | None = None,
    form_data: dict[str, object] | None = None,
    file_reference: str = "",
    actor_label: str = "system",
    ip_address: str | None = None,
) -> InboundItem:
    """Store and commit an item with its files; returns only once all of it is durable."""
    vault = intake_vault()
    policy = policy_name or CHANNEL_POLICIES[channel]
    stored: list[BlobInfo] = []
    try:
        for incoming in files:
            stored.append(vault.write(incoming.source))
        crashpoint("intake.before_commit")
        with transaction.atomic():
            item = _item_create(
                channel=channel,
                department=department,
                sender=sender,
                files=files,
                stored=stored,
                subject=subject,
                text=text,
                procedure=procedure,
                policy_name=policy,
                form_data=form_data or {},
                file_reference=file_reference,
                actor_label=actor_label,
                ip_address=ip_address,
            )
    except BaseException:
        for blob in stored:  # best effort; whatever stays behind is an orphan for the sweep
            try:
                vault.delete(blob.key)
            except VaultError:
                log.warning("could not remove blob %s after a failed receive", blob.key)
        raise
    return item


def _item_create(
    *,
    channel: Channel,
    department: Department,
    sender: Sender,
    files: Sequence[IncomingFile],
    stored: Sequence[BlobInfo],
    subject: str,
    text: str,
    procedure: str,
    policy_name: str,
    form_data: dict[str, object],
    file_reference: str,
    actor_label: str,
    ip_address: str | None,
) -> InboundItem:
    now = timezone.now()
    item = InboundItem.objects.create(
        reference=_next_reference(now),
        channel=channel,
        department=department,
        procedure=procedure,
        sender=sender,
        file_reference=file_reference[:64],
        subject=subject[:255],
        text=text,
        form_data=form_data,
        received_at=now,
        completed_at=now if not files else None,
    )
    documents = _documents_create(item, files, stored, policy_name, first_position=1, now=now)
    audit_record(
        action="item.received",
        actor_label=actor_label,
        item=item,
        ip_address=ip_address,
        detail={"channel": str(channel), "documents": len(documents)},
    )
    metrics.item_received(channel, reference=item.reference, documents=len(documents))
    return item


def _documents_create(
    item: InboundItem,
    files: Sequence[IncomingFile],
    stored: Sequence[BlobInfo],
    policy_name: str,
    *,
    first_position: int,
    now: datetime,
) -> list[Document]:
    """The documents for stored blobs, queued for inspection once the transaction commits."""
    due = now + timedelta(seconds=settings.INTAKE_REQUEUE_SECONDS)
    documents = [
        Document.objects.create(
            item=item,
            position=position,
            original_name=clean_name(incoming.name).display,
            size=blob.size,
            sha256=blob.sha256,
            vault_key=blob.key,
            policy_name=policy_name,
            received_at=now,
            due_at=due,
        )
        for position, (incoming, blob) in enumerate(
            zip(files, stored, strict=True), start=first_position
        )
    ]
    ids = [d.pk for d in documents]
    transaction.on_commit(lambda: _enqueue_inspections(ids), robust=True)
    return documents


def documents_add(
    *,
    item: InboundItem,
    files: Sequence[IncomingFile],
    policy_name: str | None = None,
    actor_label: str = "system",
    ip_address: str | None = None,
) -> list[Document]:
    """Add files to an existing item (a message in its thread); same pipeline as a receive."""
    vault = intake_vault()
    policy = policy_name or CHANNEL_POLICIES[Channel(item.channel)]
    stored: list[BlobInfo] = []
    try:
        for incoming in files:
            stored.append(vault.write(incoming.source))
        with transaction.atomic():
            locked = InboundItem.objects.select_for_update().get(pk=item.pk)
            last = locked.documents.order_by("-position").values_list("position", flat=True)
            documents = _documents_create(
                locked,
                files,
                stored,
                policy,
                first_position=(last.first() or 0) + 1,
                now=timezone.now(),
            )
            if documents:
                # New undecided documents: the item is no longer complete.
                InboundItem.objects.filter(pk=item.pk).update(completed_at=None)
            audit_record(
                action="item.documents_added",
                actor_label=actor_label,
                item=locked,
                ip_address=ip_address,
                detail={"documents": len(documents)},
            )
    except BaseException:
        for blob in stored:
            try:
                vault.delete(blob.key)
            except VaultError:
                log.warning("could not remove blob %s after a failed add", blob.key)
        raise
    return documents


def _enqueue_inspections(document_ids: Sequence[int]) -> None:
    for document_id in document_ids:
        tasks.document_inspect_task.enqueue(document_id, request_id=current_request_id())


def _claim(document_id: int, now: datetime) -> uuid.UUID | None:
    """Take the document for inspection; None if it is decided or another worker holds it."""
    token = uuid.uuid4()
    lease_until = now + timedelta(seconds=settings.INTAKE_LEASE_SECONDS)
    claimable = Q(state__in=[DocumentState.RECEIVED, DocumentState.HELD]) | Q(
        state=DocumentState.INSPECTING, lease_until__lt=now
    )
    taken = Document.objects.filter(claimable, pk=document_id).update(
        state=DocumentState.INSPECTING,
        claim=token,
        lease_until=lease_until,
        due_at=lease_until,
        attempts=F("attempts") + 1,
    )
    return token if taken else None


def document_inspect(*, document_id: int) -> DocumentState | None:
    """Inspect one document and record the verdict, exactly once across all workers.

    Returns the new state, or None when there was nothing to do (already
    decided, or held by another worker whose lease has not run out).
    """
    token = _claim(document_id, timezone.now())
    if token is None:
        return None
    document = Document.objects.select_related("item").get(pk=document_id)
    with metrics.inspection_timer():
        result = _inspect_stored(document)
    return _decide(document, token, result)


def _inspect_stored(document: Document) -> Inspection | Finding:
    vault = intake_vault()
    with tempfile.TemporaryDirectory(prefix="kammerpost-inspect-") as workdir:
        plain = f"{workdir}/document"
        try:
            with open(plain, "wb") as target:  # noqa: PTH123 - a private temp file
                vault.copy_to(document.vault_key, target, sha256=document.sha256)
        except BlobIntegrityError as exc:
            # Not an outage: stored bytes changed. Keep it held for people to look at.
            log.critical("document %s failed its integrity check: %s", document.pk, exc)
            audit_record(
                action="document.integrity_failed",
                actor_label="worker",
                document=document,
                detail={"error": str(exc)[:200]},
            )
            return Finding("storage.unavailable")
        except VaultError as exc:
            log.error("document %s unreadable in the vault: %s", document.pk, exc)
            return Finding("storage.unavailable")
        return _inspector(document.policy_name).inspect(
            plain, name=document.original_name, sha256=document.sha256
        )


def _retry_delay(attempts: int) -> timedelta:
    base, cap = settings.INTAKE_RETRY_BASE_SECONDS, settings.INTAKE_RETRY_MAX_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _decide(document: Document, token: uuid.UUID, result: Inspection | Finding) -> DocumentState:
    now = timezone.now()
    if isinstance(result, Finding):
        state, reasons, facts, real = DocumentState.HELD, [Reason.from_finding(result)], {}, ""
    else:
        state = {
            Verdict.ACCEPTED: DocumentState.ACCEPTED,
            Verdict.REJECTED: DocumentState.REJECTED,
            Verdict.HELD: DocumentState.HELD,
        }[result.verdict]
        reasons, facts, real = list(result.reasons), result.facts, result.format or ""
    held = state == DocumentState.HELD
    with transaction.atomic():
        recorded = Document.objects.filter(
            pk=document.pk, state=DocumentState.INSPECTING, claim=token
        ).update(
            state=state,
            reasons=[r.as_dict() for r in reasons],
            facts=facts,
            real_format=real,
            claim=None,
            lease_until=None,
            due_at=now + _retry_delay(document.attempts) if held else None,
            decided_at=None if held else now,
        )
        if not recorded:  # our lease ran out and another worker took over
            return DocumentState.INSPECTING
        metrics.document_decided(document.pk, state)
        audit_record(
            action="document.held" if held else "document.decided",
            actor_label="worker",
            document=document,
            detail={
                "state": str(state),
                "codes": [r.code for r in reasons],
                "attempt": document.attempts,
            },
        )
        if not held:
            _item_complete_if_decided(document.item)
    return state


def _item_complete_if_decided(item: InboundItem) -> None:
    undecided = item.documents.exclude(state__in=DECIDED_STATES).exists()
    if not undecided and InboundItem.objects.filter(pk=item.pk, completed_at__isnull=True).update(
        completed_at=timezone.now()
    ):
        audit_record(action="item.completed", actor_label="worker", item=item)


def documents_due_enqueue(*, now: datetime | None = None) -> int:
    """Queue every undecided document whose time has come again; returns how many."""
    now = now or timezone.now()
    requeue = now + timedelta(seconds=settings.INTAKE_REQUEUE_SECONDS)
    due = list(
        Document.objects.exclude(state__in=DECIDED_STATES)
        .filter(due_at__lte=now)
        .values_list("pk", flat=True)[:1000]
    )
    if due:
        Document.objects.filter(pk__in=due).update(due_at=requeue)
        _enqueue_inspections(due)
    return len(due)


def vault_orphans_remove(*, older_than: timedelta | None = None) -> int:
    """Delete blobs no document points to (left by a receive that died before its commit)."""
    return blobs_unreferenced_remove(
        vault=intake_vault(),
        referenced=lambda keys: set(
            Document.objects.filter(vault_key__in=keys).values_list("vault_key", flat=True)
        ),
        action="vault.orphans_removed",
        older_than=older_than,
    )


def blobs_unreferenced_remove(
    *,
    vault: Vault,
    referenced: Callable[[list[str]], set[str]],
    action: str,
    older_than: timedelta | None = None,
) -> int:
    """Delete the blobs of ``vault`` that ``referenced`` does not name; returns how many.

    Only blobs older than the grace period go: younger ones may belong to a
    receive that is still writing.
    """
    grace = (
        older_than
        if older_than is not None
        else timedelta(seconds=settings.INTAKE_ORPHAN_GRACE_SECONDS)
    )
    cutoff = timezone.now() - grace
    # Vault.keys() yields (key, written) pairs; it is no dict.
    candidates = [key for key, written in vault.keys() if written <= cutoff]  # noqa: SIM118
    removed = 0
    for start in range(0, len(candidates), 500):
        batch = candidates[start : start + 500]
        known = referenced(batch)
        for key in batch:
            if key not in known:
                vault.delete(key)
                removed += 1
    if removed:
        audit_record(action=action, detail={"count": removed})
    return removed
