"""Reads on accounts, always scoped to what the asking user may see."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import QuerySet

from kammerpost.chamber.models import Department

from .models import Business, Membership, User


def user_has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("business")


def business_members(*, business: Business) -> QuerySet[Membership]:
    return Membership.objects.filter(business=business).select_related("user")


def business_is_administered_by(*, business: Business, user: User) -> bool:
    return Membership.objects.filter(
        business=business, user=user, role=Membership.Role.ADMINISTRATOR
    ).exists()


def staff_departments(user: User) -> QuerySet[Department]:
    if not user.is_staff:
        return Department.objects.none()
    return Department.objects.filter(staff_memberships__user=user, is_active=True)
