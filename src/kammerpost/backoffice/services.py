"""Writes of the back office: assign and set status; each audited.

Replies to the sender are correspondence's (``correspondence.services.item_reply``);
reading a document is intake's (``intake.access.document_content_open``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from kammerpost.chamber.selectors import departments_of_staff
from kammerpost.intake.models import InboundItem, ItemStatus
from kammerpost.privacy.services import audit_record

from .exceptions import ClerkNotInDepartmentError

if TYPE_CHECKING:
    from kammerpost.accounts.models import User


@transaction.atomic
def item_assign(*, actor: User, item: InboundItem, clerk: User | None) -> InboundItem:
    """Give the item to a clerk of its department (or to nobody)."""
    if clerk is not None and not departments_of_staff(clerk).filter(pk=item.department_id).exists():
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
