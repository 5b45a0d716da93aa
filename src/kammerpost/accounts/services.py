"""Writes on accounts."""

from __future__ import annotations

import secrets

from django.db import transaction

from .models import User


@transaction.atomic
def demo_administrator_ensure(*, username: str = "admin") -> tuple[User, str | None]:
    """Create the demo administrator once; return it and its new password (None if it existed)."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, None
    password = secrets.token_urlsafe(12)
    user = User.objects.create_superuser(username=username, email="", password=password)
    return user, password
