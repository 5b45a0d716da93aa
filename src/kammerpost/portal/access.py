"""The only way a portal view gets an item: scoped to the person; foreign items are a 404."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from kammerpost.accounts.models import Business, Membership, User
from kammerpost.intake.models import InboundItem


def items_visible_to(user: User) -> QuerySet[InboundItem]:
    """Own items (sent in the portal or by e-mail from the account) and the businesses' items."""
    if not user.is_authenticated:
        return InboundItem.objects.none()
    businesses = Membership.objects.filter(user=user).values("business_id")
    return InboundItem.objects.filter(
        Q(portal_submission__user=user) | Q(sender__user=user) | Q(business_id__in=businesses)
    ).distinct()


def item_for_user(*, user: User, reference: str) -> InboundItem:
    item = (
        items_visible_to(user)
        .select_related("department", "sender")
        .filter(reference=reference)
        .first()
    )
    if item is None:
        raise Http404
    return item


def business_for_submitter(*, user: User, business_id: int | None) -> Business | None:
    """The business a person sends for: one they belong to, or none (as a private person)."""
    if business_id is None:
        return None
    membership = (
        Membership.objects.filter(user=user, business_id=business_id)
        .select_related("business")
        .first()
    )
    if membership is None:
        raise Http404
    return membership.business
