"""The only way a back-office view gets a department, an item or a document.

Staff see only the departments they belong to (StaffMembership). Anything else
(no staff flag, no membership, another department's item, a document that is
not accepted when its content is asked for) is a 404, never a 403: a clerk of
department X learns nothing about department Y.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from kammerpost.chamber.models import Department
from kammerpost.intake.models import Document, DocumentState, InboundItem

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kammerpost.accounts.models import User


def departments_for_staff(user: User | AnonymousUser) -> QuerySet[Department]:
    """The active departments this user works in; none for anyone but staff."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return Department.objects.none()
    return Department.objects.filter(staff_memberships__user=user, is_active=True).distinct()


def department_for_staff(*, user: User | AnonymousUser, slug: str) -> Department:
    department = departments_for_staff(user).filter(slug=slug).first()
    if department is None:
        raise Http404
    return department


def item_for_staff(*, user: User | AnonymousUser, reference: str) -> InboundItem:
    item = (
        InboundItem.objects.select_related("department", "sender", "assigned_to")
        .filter(reference=reference, department__in=departments_for_staff(user))
        .first()
    )
    if item is None:
        raise Http404
    return item


def document_for_download(*, user: User | AnonymousUser, reference: str, position: int) -> Document:
    """An ACCEPTED document of an item the user may see; held, rejected or undecided: 404."""
    item = item_for_staff(user=user, reference=reference)
    document = (
        Document.objects.select_related("item", "item__department")
        .filter(item=item, position=position, state=DocumentState.ACCEPTED)
        .first()
    )
    if document is None:
        raise Http404
    return document
