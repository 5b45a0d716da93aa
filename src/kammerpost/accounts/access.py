"""The only way a view gets an account object by id: foreign objects are a 404."""

from __future__ import annotations

from django.http import Http404

from .models import Business, Membership, User


def business_for_member(*, user: User, business_id: int, administrator: bool = False) -> Business:
    memberships = Membership.objects.filter(user=user, business_id=business_id)
    if administrator:
        memberships = memberships.filter(role=Membership.Role.ADMINISTRATOR)
    membership = memberships.select_related("business").first()
    if membership is None:
        raise Http404
    return membership.business
