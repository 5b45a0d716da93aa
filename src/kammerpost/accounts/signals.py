"""Logins, logouts and second-factor changes go into the audit trail (security.md 25).

Only what happened, who, when and from where: never passwords, codes or tokens.
"""

from __future__ import annotations

from typing import Any

from allauth.account.signals import email_changed, password_changed, password_reset
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from kammerpost.privacy.services import audit_record

from .adapter import client_ip


@receiver(user_logged_in, dispatch_uid="kammerpost-audit-login")
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action="login.succeeded", actor=user, ip_address=client_ip(request))


@receiver(user_logged_out, dispatch_uid="kammerpost-audit-logout")
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action="logout", actor=user, ip_address=client_ip(request))


@receiver(user_login_failed, dispatch_uid="kammerpost-audit-login-failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # Django has already masked secrets in `credentials`; we keep only the address.
    audit_record(
        action="login.failed",
        actor_label="anonymous",
        detail={"email": str(credentials.get("email") or credentials.get("username") or "")[:254]},
        ip_address=client_ip(request),
    )


def _authenticator(action: str) -> Any:
    def record(
        sender: Any, request: Any = None, user: Any = None, authenticator: Any = None, **kwargs: Any
    ) -> None:
        audit_record(
            action=action,
            actor=user,
            detail={"type": getattr(authenticator, "type", "")},
            ip_address=client_ip(request),
        )

    return record


_added = _authenticator("mfa.added")
_removed = _authenticator("mfa.removed")
_reset = _authenticator("mfa.reset")
authenticator_added.connect(_added, dispatch_uid="kammerpost-audit-mfa-added")
authenticator_removed.connect(_removed, dispatch_uid="kammerpost-audit-mfa-removed")
authenticator_reset.connect(_reset, dispatch_uid="kammerpost-audit-mfa-reset")


@receiver(password_changed, dispatch_uid="kammerpost-audit-password-changed")
def _password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action="password.changed", actor=user, ip_address=client_ip(request))


@receiver(password_reset, dispatch_uid="kammerpost-audit-password-reset")
def _password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action="password.reset", actor=user, ip_address=client_ip(request))


@receiver(email_changed, dispatch_uid="kammerpost-audit-email-changed")
def _email_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action="email.changed", actor=user, ip_address=client_ip(request))
