"""Writes of the back office: assign, set status, reply; each audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kammerpost.chamber.selectors import departments_of_staff
from kammerpost.intake.models import Channel, InboundItem, ItemStatus
from kammerpost.mailgate.outgoing import (
    ReplyNotPossibleError,
    item_reply_by_email,
    item_reply_invite_to_portal,
)
from kammerpost.portal.exceptions import PortalError
from kammerpost.privacy.services import audit_record

from .exceptions import ClerkNotInDepartmentError, ReplyRefusedError

if TYPE_CHECKING:
    from kammerpost.accounts.models import User

REPLY_BY_EMAIL = "email"
REPLY_INVITE_TO_PORTAL = "invite"
REPLY_IN_THREAD = "thread"


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


def item_reply(
    *, actor: User, item: InboundItem, way: str, text: str = "", ip_address: str | None = None
) -> None:
    """Answer the sender: in the portal's message thread, by e-mail or with an invitation.

    The portal's and the mail gateway's services send and write the audit event.
    """
    if way not in reply_ways(item):
        raise ValueError(way)
    try:
        if way == REPLY_IN_THREAD:
            # The portal owns the thread; imported here so the back office does not
            # depend on the portal at import time.
            from kammerpost.portal.services import message_post  # noqa: PLC0415

            message_post(actor=actor, item=item, text=text, from_staff=True, ip_address=ip_address)
        elif way == REPLY_BY_EMAIL:
            item_reply_by_email(item=item, text=text, actor=actor)
        else:
            item_reply_invite_to_portal(item=item, actor=actor)
    except PortalError as refused:
        raise ReplyRefusedError(str(refused)) from None
    except ReplyNotPossibleError as refused:
        english = (get_language() or "de").startswith("en")
        raise ReplyRefusedError(refused.message_en if english else refused.message_de) from None


def reply_ways(item: InboundItem) -> list[str]:
    """How this item's sender can be answered: portal items in their thread, others by mail."""
    if item.channel == Channel.PORTAL:
        return [REPLY_IN_THREAD]
    return [REPLY_INVITE_TO_PORTAL, REPLY_BY_EMAIL]
