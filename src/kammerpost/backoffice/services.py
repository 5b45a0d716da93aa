"""Writes of the back office: assign, set status, download; each audited.

Replies to the sender are correspondence's (``correspondence.services.item_reply``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kammerpost.chamber.models import StaffMembership
from kammerpost.intake.models import Document, DocumentState, InboundItem, ItemStatus
from kammerpost.intake.services import intake_vault
from kammerpost.privacy.services import audit_record

from .exceptions import ClerkNotInDepartmentError

if TYPE_CHECKING:
    from kammerpost.accounts.models import User
    from kammerpost.vault.vault import BlobReader


@transaction.atomic
def item_assign(*, actor: User, item: InboundItem, clerk: User | None) -> InboundItem:
    """Give the item to a clerk of its department (or to nobody)."""
    if clerk is not None and not (
        clerk.is_staff
        and clerk.is_active
        and StaffMembership.objects.filter(user=clerk, department=item.department_id).exists()
    ):
        raise ClerkNotInDepartmentError(_("Diese Person arbeitet nicht in diesem Bereich."))
    item = InboundItem.objects.select_for_update().get(pk=item.pk)
    previous = item.assigned_to_id
    if previous == (clerk.pk if clerk else None):
        return item
    item.assigned_to = clerk
    item.save(update_fields=["assigned_to", "updated_at"])
    audit_record(
        action="item.assigned",
        actor=actor,
        item=item,
        detail={"from": previous, "to": clerk.pk if clerk else None},
    )
    return item


@transaction.atomic
def item_status_set(*, actor: User, item: InboundItem, status: str) -> InboundItem:
    """Set the working status (new, in progress, waiting for the sender, done)."""
    new_status = ItemStatus(status)  # ValueError for anything else: a programming error
    item = InboundItem.objects.select_for_update().get(pk=item.pk)
    previous = item.status
    if previous == new_status:
        return item
    item.status = new_status
    item.save(update_fields=["status", "updated_at"])
    audit_record(
        action="item.status_changed",
        actor=actor,
        item=item,
        detail={"from": previous, "to": str(new_status)},
    )
    return item


def document_download_open(
    *, actor: User, document: Document, ip_address: str | None
) -> BlobReader:
    """Open an accepted document's verified plaintext for a clerk and record who, when, where.

    The vault checks the stored SHA-256 before the first byte goes out.
    """
    if document.state != DocumentState.ACCEPTED:
        raise ValueError("only accepted documents are ever opened")
    reader = intake_vault().read(document.vault_key, sha256=document.sha256)
    try:
        audit_record(
            action="document.downloaded",
            actor=actor,
            document=document,
            ip_address=ip_address,
            detail={"position": document.position, "at": timezone.now().isoformat()},
        )
    except BaseException:
        reader.close()
        raise
    return reader
