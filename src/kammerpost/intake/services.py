"""Every write of the intake: receiving items, inspecting documents, housekeeping.

One service receives for every channel. It writes the documents to the vault
first (durable blobs), then commits the item with its documents and the
channel's own rows (``attach``) in one transaction, and queues their
inspection only after the outermost commit. A crash before the commit leaves
only orphaned blobs, which :func:`vault_orphans_remove` deletes; a lost queue
entry is found again by :func:`documents_due_enqueue`.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from kammerpost.accounts.models import Business, User
from kammerpost.chamber.models import Department
from kammerpost.inspection import Inspection, Verdict
from kammerpost.inspection.names import clean_name
from kammerpost.inspection.report import Finding, Reason
from kammerpost.operations import metrics
from kammerpost.operations.logs import current_request_id
from kammerpost.privacy.services import audit_record
from kammerpost.providers import find_service, inspector_for
from kammerpost.vault import BlobInfo, BlobIntegrityError, Vault, VaultError

from . import handover, tasks
from .crashpoints import crashpoint
from .models import (
    DECIDED_STATES,
    Channel,
    Document,
    DocumentState,
    InboundItem,
    ReferenceCounter,
    Sender,
    StagedBlob,
    address_normalised,
)

log = logging.getLogger(__name__)

# Which policy a channel applies when no procedure narrows it (policy.md 1, 2).
CHANNEL_POLICIES = {
    Channel.PORTAL: "default",
    Channel.EMAIL: "email",
    Channel.EXCHANGE: "exchange",
    Channel.OPERATOR: "default",
    # The contact form takes no files; the default keeps documents_add working on its items.
    Channel.CONTACT: "default",
}


@dataclass(frozen=True)
class IncomingFile:
    """A file as a channel hands it over: the sender's name and a readable stream.

    ``policy_name`` narrows the policy for this one file (a procedure's slot);
    None takes the item's, or else the channel's.
    """

    name: str
    source: BinaryIO
    policy_name: str | None = None


@dataclass(frozen=True)
class StoredFile:
    """A file the channel already wrote to the intake vault (a portal draft's blob).

    The intake takes the blob over as it is, without a second copy; if the
    receive fails, the blob stays with its owner (the draft).
    """

    name: str
    blob: BlobInfo
    policy_name: str | None = None


ReceivedFile = IncomingFile | StoredFile


def intake_vault() -> Vault:
    """The vault of the intake's documents (and of the blobs channels stage), from the provider."""
    return find_service(Vault)


def sender_for_address(*, email: str, display_name: str = "") -> Sender:
    """The sender known by this address, created on first contact.

    Safe under concurrency: the database holds one sender per normalised
    address; a create that loses the race (IntegrityError, inside its own
    savepoint) fetches the winner's row instead.
    """
    address = address_normalised(email)
    sender = Sender.objects.filter(email=address).first()
    if sender is not None:
        return sender
    try:
        with transaction.atomic():
            return Sender.objects.create(email=address, display_name=display_name.strip()[:200])
    except IntegrityError:
        return Sender.objects.get(email=address)


def sender_account_link(*, sender: Sender, user: User | None = None) -> Sender:
    """Link an unlinked sender to its account: ``user``, or the one active account of the address.

    An address that two active accounts share (or none) stays unlinked; a
    sender already linked keeps its account.
    """
    if sender.user_id is not None:
        return sender
    if user is None:
        users = list(User.objects.filter(email__iexact=sender.email, is_active=True)[:2])
        if len(users) != 1:
            return sender
        user = users[0]
    if Sender.objects.filter(pk=sender.pk, user__isnull=True).update(user=user):
        sender.user = user
    else:  # linked meanwhile by someone else
        sender.refresh_from_db(fields=["user"])
    return sender


def sender_for_account(*, user: User) -> Sender:
    """The sender a signed-in person sends as: their address's sender, linked to them."""
    sender = sender_for_address(email=user.email, display_name=user.get_full_name())
    return sender_account_link(sender=sender, user=user)


def _next_reference(now: datetime) -> str:
    year = timezone.localtime(now).year
    ReferenceCounter.objects.get_or_create(year=year)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db()
    return f"E-{year}-{counter.last:06d}"


@contextmanager
def _blobs_written(vault: Vault, files: Sequence[ReceivedFile]) -> Iterator[list[BlobInfo]]:
    """The files' blobs, durable before anything refers to them; removed again on failure.

    The body commits the rows that point to the blobs. If it raises (or the
    process dies, which leaves orphans for :func:`vault_orphans_remove`), the
    blobs written here go; a :class:`StoredFile`'s blob belongs to the channel
    and stays.
    """
    written: list[BlobInfo] = []
    try:
        blobs = []
        for received in files:
            if isinstance(received, StoredFile):
                blobs.append(received.blob)
            else:
                # The plaintext the vault encrypts also goes to a worker on this host.
                with handover.spooled(received.source) as spool:
                    blob = vault.write(spool.source)
                    written.append(blob)
                    spool.keep(blob.key, blob.size)
                blobs.append(blob)
        yield blobs
    except BaseException:
        for blob in written:  # best effort; whatever stays behind is an orphan for the sweep
            handover.release(blob.key)
            try:
                vault.delete(blob.key)
            except VaultError:
                log.warning("could not remove blob %s after a failed receive", blob.key)
        raise


def inbound_item_receive(
    *,
    channel: Channel,
    department: Department,
    sender: Sender,
    files: Sequence[ReceivedFile],
    subject: str = "",
    text: str = "",
    procedure: str = "",
    policy_name: str | None = None,
    form_data: dict[str, object] | None = None,
    file_reference: str = "",
    business: Business | None = None,
    sender_confirmed: bool = False,
    actor_label: str = "system",
    ip_address: str | None = None,
    attach: Callable[[InboundItem, list[Document]], None] | None = None,
) -> InboundItem:
    """Store and commit an item with its files; returns only once all of it is durable.

    ``attach`` writes the channel's own rows (a portal Submission) in the same
    transaction: if it raises, nothing of the item is committed. The
    documents' inspection is queued only once the outermost transaction
    commits, so no worker sees an item without the channel's rows.
    """
    policy = policy_name or CHANNEL_POLICIES[channel]
    with _blobs_written(intake_vault(), files) as blobs:
        crashpoint("intake.before_commit")
        with transaction.atomic():
            now = timezone.now()
            item = InboundItem.objects.create(
                reference=_next_reference(now),
                channel=channel,
                department=department,
                procedure=procedure,
                sender=sender,
                business=business,
                sender_confirmed=sender_confirmed,
                file_reference=file_reference[:64],
                subject=subject[:255],
                text=text,
                form_data=form_data or {},
                received_at=now,
                completed_at=now if not files else None,
            )
            documents = _documents_create(item, files, blobs, policy, first_position=1, now=now)
            audit_record(
                action="item.received",
                actor_label=actor_label,
                item=item,
                ip_address=ip_address,
                detail={"channel": str(channel), "documents": len(documents)},
            )
            if attach is not None:
                attach(item, documents)
                crashpoint("intake.attach")
            transaction.on_commit(
                partial(metrics.item_received, channel, item.reference, len(documents))
            )
    return item


def _documents_create(
    item: InboundItem,
    files: Sequence[ReceivedFile],
    blobs: Sequence[BlobInfo],
    policy_name: str,
    *,
    first_position: int,
    now: datetime,
) -> list[Document]:
    """The documents for stored blobs, queued for inspection once the transaction commits.

    Each document's policy is fixed here, at creation: a worker never sees a
    document under any other policy than its own.
    """
    _staged_take_over([f.blob.key for f in files if isinstance(f, StoredFile)])
    due = now + timedelta(seconds=settings.INTAKE_REQUEUE_SECONDS)
    documents = [
        Document.objects.create(
            item=item,
            position=position,
            original_name=clean_name(received.name).display,
            size=blob.size,
            sha256=blob.sha256,
            vault_key=blob.key,
            policy_name=received.policy_name or policy_name,
            received_at=now,
            due_at=due,
        )
        for position, (received, blob) in enumerate(
            zip(files, blobs, strict=True), start=first_position
        )
    ]
    ids = [d.pk for d in documents]
    # on_commit inside nested atomic blocks waits for the outermost commit.
    transaction.on_commit(lambda: _enqueue_inspections(ids), robust=True)
    return documents


def documents_add(
    *,
    item: InboundItem,
    files: Sequence[ReceivedFile],
    policy_name: str | None = None,
    actor_label: str = "system",
    ip_address: str | None = None,
    attach: Callable[[list[Document]], None] | None = None,
) -> list[Document]:
    """Add files to an existing item (a message in its thread); same pipeline as a receive.

    ``attach`` writes the channel's rows for the new documents (a message and
    its attachments) in the same transaction, like in :func:`inbound_item_receive`.
    """
    policy = policy_name or CHANNEL_POLICIES[Channel(item.channel)]
    with _blobs_written(intake_vault(), files) as blobs, transaction.atomic():
        locked = InboundItem.objects.select_for_update().get(pk=item.pk)
        last = locked.documents.order_by("-position").values_list("position", flat=True)
        documents = _documents_create(
            locked,
            files,
            blobs,
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
        if attach is not None:
            attach(documents)
    return documents


class StagedBlobGoneError(LookupError):
    """A staged blob handed to the intake is no longer staged (its draft expired)."""


def _staged_take_over(keys: Sequence[str]) -> None:
    """The staged blobs become documents: their rows go in the receive's transaction.

    Deleting the rows also locks them against a sweep shredding the blobs
    meanwhile; a blob the sweep already took is refused, so that no document
    ever points to a shredded blob.
    """
    if not keys:
        return
    taken, _ = StagedBlob.objects.filter(vault_key__in=keys).delete()
    if taken != len(set(keys)):
        raise StagedBlobGoneError(f"{len(set(keys)) - taken} staged blob(s) are gone")


def blob_stage(*, source: BinaryIO, kind: str) -> BlobInfo:
    """Write a file to the intake vault before it becomes a document (a portal draft's file).

    Encrypted at rest from the start; the orphan sweep spares it while it is
    staged. Hand it over as a :class:`StoredFile`, or :func:`staged_blobs_discard` it.
    """
    blob = intake_vault().write(source)
    # A crash right here leaves an orphan, which the orphan sweep removes.
    StagedBlob.objects.create(vault_key=blob.key, kind=kind, created_at=timezone.now())
    return blob


def staged_blobs_discard(*, keys: Sequence[str]) -> int:
    """Shred staged blobs (a draft's removed file); those already handed over stay. How many."""
    with transaction.atomic():
        gone = list(
            StagedBlob.objects.select_for_update()
            .filter(vault_key__in=keys)
            .values_list("vault_key", flat=True)
        )
        StagedBlob.objects.filter(vault_key__in=gone).delete()
    _blobs_shred(gone)
    return len(gone)


def staged_blobs_expired_remove(*, kind: str, older_than: timedelta) -> int:
    """Shred the blobs of ``kind`` staged longer than ``older_than`` (abandoned drafts)."""
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        # A receive taking some of them over holds their rows: skip those.
        expired = list(
            StagedBlob.objects.select_for_update(skip_locked=True)
            .filter(kind=kind, created_at__lt=cutoff)
            .values_list("vault_key", flat=True)
        )
        StagedBlob.objects.filter(vault_key__in=expired).delete()
    _blobs_shred(expired)
    if expired:
        audit_record(action="vault.staged_expired", detail={"kind": kind, "count": len(expired)})
    return len(expired)


def _blobs_shred(keys: Sequence[str]) -> None:
    vault = intake_vault()
    for key in keys:
        try:
            vault.delete(key)
        except VaultError:  # no row names it any more: the orphan sweep finishes the job
            log.warning("could not shred staged blob %s", key)


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
    crashpoint("intake.before_decision")
    return _decide(document, token, result)


def _inspect_stored(document: Document) -> Inspection | Finding:
    handed = handover.take(document.vault_key, size=document.size)
    if handed is not None:
        try:
            result = _inspect_handed(document, handed)
        finally:
            handover.release(document.vault_key)
        if result is not None:
            return result
    return _inspect_read_back(document)


def _inspect_handed(document: Document, path: Path) -> Inspection | Finding | None:
    """Inspect the plaintext the receive handed over; None to read the blob back instead.

    The invariant holds as on the read-back: a verdict counts only for bytes
    that are durably stored. The receive wrote this file in the pass whose
    SHA-256 the vault recorded (the document's digest); the scanner's read
    loop hashes the inspected bytes again and must arrive at that digest.
    Meanwhile the vault authenticates the stored blob end to end
    (``Vault.verify``, no second hash, no plaintext copy); only if both hold
    does the verdict count.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify") as side:
        stored = side.submit(intake_vault().verify, document.vault_key, sha256=document.sha256)
        result = inspector_for(document.policy_name).inspect(
            path, name=document.original_name, sha256=document.sha256
        )
        try:
            stored.result()
        except VaultError as exc:
            return _vault_failure(document, exc)
    if result.sha256 is not None and result.sha256 != document.sha256:
        log.warning(
            "document %s: handed-over bytes differ from its blob; reading back", document.pk
        )
        return None
    return result


def _inspect_read_back(document: Document) -> Inspection | Finding:
    vault = intake_vault()
    with tempfile.TemporaryDirectory(prefix="kammerpost-inspect-") as workdir:
        plain = f"{workdir}/document"
        try:
            with open(plain, "wb") as target:  # noqa: PTH123 - a private temp file
                vault.copy_to(document.vault_key, target, sha256=document.sha256)
        except VaultError as exc:
            return _vault_failure(document, exc)
        return inspector_for(document.policy_name).inspect(
            plain, name=document.original_name, sha256=document.sha256
        )


def _vault_failure(document: Document, exc: VaultError) -> Finding:
    if isinstance(exc, BlobIntegrityError):
        # Not an outage: stored bytes changed. Keep it held for people to look at.
        log.critical("document %s failed its integrity check: %s", document.pk, exc)
        audit_record(
            action="document.integrity_failed",
            actor_label="worker",
            document=document,
            detail={"error": str(exc)[:200]},
        )
    else:
        log.error("document %s unreadable in the vault: %s", document.pk, exc)
    return Finding("storage.unavailable")


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
        transaction.on_commit(partial(metrics.document_decided, document.pk, state))
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
    """Delete blobs no document points to (left by a receive that died before its commit).

    Staged blobs (files in a portal draft) are no orphans: their own sweep decides.
    """
    return blobs_unreferenced_remove(
        vault=intake_vault(),
        referenced=_documents_or_staged,
        action="vault.orphans_removed",
        older_than=older_than,
    )


def _documents_or_staged(keys: list[str]) -> set[str]:
    # One statement, so one snapshot: a receive that turns a staged blob into
    # a document between two separate queries would look like an orphan.
    documents = Document.objects.filter(vault_key__in=keys).order_by()
    staged = StagedBlob.objects.filter(vault_key__in=keys).order_by()
    either = documents.values_list("vault_key", flat=True).union(
        staged.values_list("vault_key", flat=True)
    )
    return set(either.order_by())


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


def blob_staged_adopt(*, blob: BlobInfo, kind: str) -> None:
    """Stage a blob a channel wrote to the intake vault itself (a finished resumable upload).

    Like :func:`blob_stage` without the write: the orphan sweep spares it, and
    a receive takes it over as a :class:`StoredFile`.
    """
    StagedBlob.objects.get_or_create(
        vault_key=blob.key, defaults={"kind": kind, "created_at": timezone.now()}
    )
