"""The only way a view gets an account object by id: foreign objects are a 404."""

from __future__ import annotations

from django.http import Http404

from .models import Business, User
from .selectors import memberships_of


def business_for_member(*, user: User, business_id: int, administrator: bool = False) -> Business:
    """A business the person belongs to (as administrator, if asked); any other is a 404.

    Also the business a portal sender acts for: one they belong to, never another.
    """
    membership = (
        memberships_of(user, administrator=administrator).filter(business_id=business_id).first()
    )
    if membership is None:
        raise Http404
    return membership.business
