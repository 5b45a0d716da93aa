"""The only way anyone gets an item or a document: a customer or a clerk, scoped to them.

Every function is scoped to the person asking; anything they may not see (no
account, another customer's item, another department's item, a document
that is not accepted when its content is asked for) is a 404, never a 403:
nobody learns that a foreign object exists.

Customers see their own items (sent in the portal, or from an e-mail address
linked to their account) and the items sent for a business they belong to.
Clerks see the items of the departments they work in (StaffMembership), and
only as active staff.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kammerpost.accounts.selectors import business_ids_of
from kammerpost.chamber.models import Department
from kammerpost.chamber.selectors import departments_of_staff
from kammerpost.privacy.services import audit_record
from kammerpost.vault import BlobNotFoundError

from .models import Document, DocumentState, InboundItem
from .services import intake_vault

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kammerpost.accounts.models import User


# --- customers ---------------------------------------------------------------------------


def items_for_customer(user: User | AnonymousUser) -> QuerySet[InboundItem]:
    """Own items (sent in the portal or by e-mail from the account) and the businesses' items."""
    if not (user.is_authenticated and user.is_active):
        return InboundItem.objects.none()
    return InboundItem.objects.filter(
        Q(portal_submission__user=user)
        | Q(sender__user=user)
        | Q(business_id__in=business_ids_of(user))
    ).distinct()


def item_for_customer(*, user: User | AnonymousUser, reference: str) -> InboundItem:
    item = (
        items_for_customer(user)
        .select_related("department", "sender", "business")
        .filter(reference=reference)
        .first()
    )
    if item is None:
        raise Http404
    return item


# --- staff -------------------------------------------------------------------------------


def departments_for_staff(user: User | AnonymousUser) -> QuerySet[Department]:
    """The active departments this user works in; none for anyone but active staff."""
    return departments_of_staff(user)


def department_for_staff(*, user: User | AnonymousUser, slug: str) -> Department:
    department = departments_for_staff(user).filter(slug=slug).first()
    if department is None:
        raise Http404
    return department


def items_visible_to_staff(
    items: QuerySet[InboundItem], user: User | AnonymousUser
) -> QuerySet[InboundItem]:
    """``items`` narrowed to those this clerk may see: their departments', and of a
    confidential item (one with readers: a cloud exchange's) only if they are a reader."""
    readers = InboundItem.readers.through.objects.filter(inbounditem_id=OuterRef("pk"))
    return items.filter(department__in=departments_for_staff(user)).filter(
        ~Exists(readers) | Exists(readers.filter(user_id=user.pk))
    )


def item_for_staff(*, user: User | AnonymousUser, reference: str) -> InboundItem:
    item = (
        items_visible_to_staff(
            InboundItem.objects.select_related("department", "sender", "assigned_to", "business"),
            user,
        )
        .filter(reference=reference)
        .first()
    )
    if item is None:
        raise Http404
    return item


def document_for_staff(*, user: User | AnonymousUser, reference: str, position: int) -> Document:
    """An ACCEPTED document of an item the clerk may see; held, rejected or undecided: 404."""
    item = item_for_staff(user=user, reference=reference)
    document = (
        Document.objects.select_related("item", "item__department")
        .filter(item=item, position=position, state=DocumentState.ACCEPTED)
        .first()
    )
    if document is None:
        raise Http404
    return document


# --- a document's content ----------------------------------------------------------------


def document_content_open(
    *, actor: User, document: Document, ip_address: str | None
) -> Iterator[bytes]:
    """The one way to read a document's bytes for a person: accepted only, and audited.

    Anything not ACCEPTED (received, inspecting, held, rejected) is a 404,
    whoever asks and however they got the object. The vault checks the stored
    SHA-256 before the first byte goes out; a blob that is gone is a 404 too.
    Each open records one ``document.downloaded`` audit event: who, when, which
    document, from which address. The caller must read the iterator to the
    end or close it (a streaming response does both).
    """
    # Read the state from the database: a caller's object may be older than a re-inspection.
    current = Document.objects.filter(pk=document.pk).values_list("state", flat=True).first()
    if document.state != DocumentState.ACCEPTED or current != DocumentState.ACCEPTED:
        raise Http404
    try:
        reader = intake_vault().read(document.vault_key, sha256=document.sha256)
    except BlobNotFoundError:
        raise Http404 from None
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
