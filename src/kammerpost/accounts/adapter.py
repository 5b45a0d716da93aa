"""How allauth fits Kammerpost: opaque usernames, audited refusals, links from the portal URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from kammerpost.privacy.services import audit_record

from .services import account_communication_start, opaque_username


def client_ip(request: HttpRequest | None) -> str | None:
    # TLS ends at the reverse proxy, which sets REMOTE_ADDR for gunicorn (docs/operations.md).
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def portal_link(path: str) -> str:
    """An absolute link into the portal, always from ``KAMMERPOST_PORTAL_URL``.

    Never from the request: its Host header is the client's to choose, and a
    password-reset link built from it would carry the key to the attacker's host.
    """
    base = urlsplit(settings.PORTAL_URL)
    return f"{base.scheme}://{base.netloc}{path}"


@dataclass(frozen=True)
class PortalSite:
    """What mail templates call ``current_site``: the portal, not the request's Host."""

    domain: str
    name: str


class AccountAdapter(DefaultAccountAdapter):
    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return portal_link(path.replace("UID-KEY", quote(key)))

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return portal_link(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Any other link allauth built from the request (signup, reset page) is moved
        # onto the portal's own address before a mail template sees it.
        request = getattr(self, "request", None) or context.get("request")
        if request is not None:
            root = request.build_absolute_uri("/")
            context = {
                key: portal_link("/" + value[len(root) :])
                if isinstance(value, str) and value.startswith(root)
                else value
                for key, value in context.items()
            }
        domain = urlsplit(settings.PORTAL_URL).netloc
        context["current_site"] = PortalSite(domain=domain, name=domain)
        super().send_mail(template_prefix, email, context)

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
