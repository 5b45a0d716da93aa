"""How allauth fits Kammerpost: opaque usernames, audited refusals."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.http import HttpRequest

from kammerpost.privacy.services import audit_record

from .services import account_communication_start, opaque_username


def client_ip(request: HttpRequest | None) -> str | None:
    # TLS ends at the reverse proxy, which sets REMOTE_ADDR for gunicorn (docs/operations.md).
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request: HttpRequest, user: Any) -> None:
        # The username is an internal handle; people sign in with their address.
        if not user.username:
            user.username = opaque_username()

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError:
            audit_record(
                action="login.rate_limited",
                actor_label="anonymous",
                detail={"email": str(credentials.get("email", ""))[:254]},
                ip_address=client_ip(request),
            )
            raise

    def confirm_email(self, request: HttpRequest, email_address: Any) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed and email_address.primary:
            # Registering for the portal starts electronic communication (requirements 1.4).
            account_communication_start(user=email_address.user)
        return confirmed
