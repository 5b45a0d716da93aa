"""The data subject's rights in the portal: an export of one's data, and a deletion request.

The export (Art. 15 and 20 GDPR) is a ZIP: ``data.json`` (machine-readable:
account, businesses, items, messages, documents with SHA-256, the
communication preference and its history) and the accepted documents the
person sent, as files. The portal refuses ZIP uploads because an archive
hides its content from the inspection; this ZIP is made by us, from files
that passed it, and is the usual way to hand over JSON and files together.
Documents that were refused or are still being checked are listed (name,
size, SHA-256, state) but not included: a refused file may be malware.

"The person's data" is what they sent: items whose sender is linked to their
account, and the messages (with attachments) they wrote in a colleague's
item. Items a colleague sent for the same business are the colleague's.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kammerpost.accounts.models import Membership
from kammerpost.accounts.services import user_deactivate
from kammerpost.chamber.models import Department
from kammerpost.correspondence.models import Message
from kammerpost.intake.models import Channel, Document, DocumentState, InboundItem, Sender
from kammerpost.intake.services import inbound_item_receive, intake_vault, sender_for_account

from .erasure import audit_events_anonymise, item_erase, senders_anonymise
from .models import AuditEvent, CommunicationPreference, DeletionRequest, ErasureReason
from .services import audit_record

if TYPE_CHECKING:
    from kammerpost.accounts.models import User


def _senders_of(user: User, *, with_address: bool = False) -> list[Sender]:
    """The senders linked to the account; for deletion also an unlinked one of its address.

    The export sticks to linked senders, as the portal does (``intake.access``): a
    From address proves nothing, so mail merely claiming the address is not handed
    out. A deletion may reach further: what claims the address is erased with it.
    """
    match = Q(user=user) | Q(email__iexact=user.email) if with_address else Q(user=user)
    return list(Sender.objects.filter(match))


def _document_entry(document: Document, *, included: bool) -> dict[str, Any]:
    return {
        "position": document.position,
        "name": document.original_name,
        "size": document.size,
        "sha256": document.sha256,
        "state": document.state,
        "received_at": document.received_at.isoformat(),
        "file": _file_name(document) if included else None,
    }


def _file_name(document: Document) -> str:
    # The reference and position make it unique; the original name only follows.
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in document.original_name)
    return f"dokumente/{document.item.reference}/{document.position:02d}-{safe}"


def _messages(queryset: Any) -> list[dict[str, Any]]:
    return [
        {
            "created_at": message.created_at.isoformat(),
            "from_chamber": message.from_staff,
            "text": message.text,
            "attachments": [a.document.position for a in message.attachments.all()],
        }
        for message in queryset
    ]


def person_data_collect(*, user: User) -> tuple[dict[str, Any], list[Document]]:
    """The export's JSON and the documents whose files go with it."""
    senders = _senders_of(user)
    items = (
        InboundItem.objects.filter(sender__in=senders)
        .select_related("department", "business")
        .prefetch_related("documents", "messages__attachments__document")
        .order_by("received_at", "id")
    )
    files: list[Document] = []
    exported_items = []
    for item in items:
        accepted = [d for d in item.documents.all() if d.state == DocumentState.ACCEPTED]
        files.extend(accepted)
        exported_items.append(
            {
                "reference": item.reference,
                "channel": item.channel,
                "department": item.department.name,
                "procedure": item.procedure,
                "business": item.business.name if item.business else None,
                "subject": item.subject,
                "text": item.text,
                "form_data": item.form_data,
                "your_reference": item.file_reference,
                "status": item.status,
                "received_at": item.received_at.isoformat(),
                "documents": [
                    _document_entry(d, included=d in accepted) for d in item.documents.all()
                ],
                "messages": _messages(item.messages.all()),
            }
        )
    elsewhere = (
        Message.objects.filter(author=user)
        .exclude(item__sender__in=senders)
        .select_related("item")
        .prefetch_related("attachments__document")
    )
    preferences = CommunicationPreference.objects.filter(sender__in=senders)
    history = AuditEvent.objects.filter(
        action__startswith="communication.", detail__sender__in=[s.pk for s in senders]
    ).order_by("created_at", "id")
    data = {
        "format": "kammerpost-export/1",
        "created_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined.isoformat(),
            "businesses": [
                {
                    "name": m.business.name,
                    "role": m.role,
                    "betriebsnummer": m.business.betriebsnummer,
                }
                for m in Membership.objects.filter(user=user).select_related("business")
            ],
        },
        "sender_addresses": [s.email for s in senders],
        "items": exported_items,
        "messages_in_other_items": [
            {"reference": m.item.reference, **_messages([m])[0]} for m in elsewhere
        ],
        "communication_preference": [
            {
                "address": p.sender.email,
                "electronic": p.electronic,
                "since": p.since.isoformat() if p.since else None,
                "via": p.via,
                "opted_out_at": p.opted_out_at.isoformat() if p.opted_out_at else None,
            }
            for p in preferences.select_related("sender")
        ],
        "communication_history": [
            {"at": e.created_at.isoformat(), "action": e.action, "via": e.detail.get("via", "")}
            for e in history
        ],
    }
    return data, files


def person_data_export(*, user: User, ip_address: str | None = None) -> IO[bytes]:
    """The ZIP for ``user``, in a temporary file (read from the start; closing deletes it)."""
    data, documents = person_data_collect(user=user)
    vault = intake_vault()
    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        for document in documents:
            with archive.open(_file_name(document), "w") as member:
                for segment in vault.read(document.vault_key, sha256=document.sha256):
                    member.write(segment)
    target.seek(0)
    audit_record(
        action="privacy.exported",
        actor=user,
        ip_address=ip_address,
        detail={"items": len(data["items"]), "files": len(documents)},
    )
    return target


def deletion_request_submit(
    *, user: User, text: str = "", ip_address: str | None = None
) -> DeletionRequest:
    """The person asks for deletion: an inbound item for the privacy department's staff."""
    department = Department.objects.get(slug=settings.PRIVACY_REQUEST_DEPARTMENT)
    with transaction.atomic():
        item = inbound_item_receive(
            channel=Channel.PORTAL,
            department=department,
            sender=sender_for_account(user=user),
            files=[],
            subject="Antrag auf Löschung meiner Daten (Art. 17 DSGVO)",
            text=text[: settings.PRIVACY_REQUEST_TEXT_MAX_CHARS],
            actor_label=user.get_username(),
            ip_address=ip_address,
        )
        request = DeletionRequest.objects.create(item=item, user=user, requested_at=timezone.now())
        audit_record(
            action="privacy.deletion_requested", actor=user, item=item, ip_address=ip_address
        )
    return request


@transaction.atomic
def deletion_request_approve(
    *, actor: User, deletion_request: DeletionRequest, ip_address: str | None = None
) -> DeletionRequest:
    """Staff approved: erase the person's items, end and anonymise their account. Once."""
    request = DeletionRequest.objects.select_for_update().get(pk=deletion_request.pk)
    if request.state == DeletionRequest.State.DONE or request.user is None:
        return request
    user = request.user
    senders = _senders_of(user, with_address=True)
    items = list(
        InboundItem.objects.filter(sender__in=senders, erasure__isnull=True).exclude(
            pk=request.item_id
        )
    )
    documents = 0
    for item in items:
        erasure = item_erase(item=item, reason=ErasureReason.REQUEST, actor=actor)
        documents += erasure.documents if erasure is not None else 0
    # Their messages in colleagues' items: the text goes, the thread keeps its order.
    Message.objects.filter(author=user).update(text="", author=None)
    user_deactivate(actor=actor, user=user, ip_address=ip_address)
    old_email = user.email
    user.email = f"geloescht-{user.pk}@anonym.invalid"
    user.first_name = user.last_name = ""
    user.set_unusable_password()
    user.save(update_fields=["email", "first_name", "last_name", "password"])
    user.emailaddress_set.all().delete()
    Membership.objects.filter(user=user).delete()
    audit_events_anonymise(label=old_email, user=user)
    # The request item itself goes last: it names the person too.
    item_erase(item=request.item, reason=ErasureReason.REQUEST, actor=actor)
    senders_anonymise(sender_ids=[s.pk for s in senders])
    request.state = DeletionRequest.State.DONE
    request.approved_by = actor
    request.done_at = timezone.now()
    request.outcome = {"items": len(items), "documents": documents}
    request.save(update_fields=["state", "approved_by", "done_at", "outcome"])
    audit_record(
        action="privacy.deletion_done",
        actor=actor,
        item=request.item,
        ip_address=ip_address,
        detail=request.outcome,
    )
    return request
