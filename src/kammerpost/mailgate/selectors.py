"""Reads for the gateway: which department an address reaches."""

from __future__ import annotations

from django.conf import settings

from kammerpost.chamber.models import Department


def department_for_address(address: str) -> Department | None:
    """The active department whose mailbox ``address`` is, or None (we never relay)."""
    local, at, domain = address.strip().strip("<>").rpartition("@")
    if not at or not local or domain.lower().rstrip(".") != settings.CHAMBER_DOMAIN.lower():
        return None
    return Department.objects.filter(mailbox__iexact=local, is_active=True).first()
