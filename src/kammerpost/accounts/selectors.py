"""Reads on accounts, always scoped to what the asking user may see."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import QuerySet

from .models import Business, Membership, User


def user_has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def memberships_of(user: User, *, administrator: bool = False) -> QuerySet[Membership]:
    """The businesses this person belongs to (as administrator only, if asked): the one lookup.

    Who may send for a business, see its items or manage it is decided from this.
    """
    memberships = Membership.objects.filter(user=user).select_related("business")
    if administrator:
        memberships = memberships.filter(role=Membership.Role.ADMINISTRATOR)
    return memberships


def business_ids_of(user: User) -> QuerySet[Membership, int]:
    """The ids of the person's businesses, as a subquery."""
    return memberships_of(user).values_list("business_id", flat=True)


def business_members(*, business: Business) -> QuerySet[Membership]:
    return Membership.objects.filter(business=business).select_related("user")


def business_is_administered_by(*, business: Business, user: User) -> bool:
    return memberships_of(user, administrator=True).filter(business=business).exists()
