"""Staff work only with a second factor (security.md 5)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .selectors import user_has_totp

# Where a staff member without TOTP may go: the setup itself, re-authentication
# (the setup may ask for it), logout and the language switch.
_ALLOWED_URL_NAMES = (
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "account_reauthenticate",
    "account_logout",
    "set_language",
)


class StaffSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/"))
            and request.path not in {reverse(name) for name in _ALLOWED_URL_NAMES}
            and not user_has_totp(user)
        ):
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
