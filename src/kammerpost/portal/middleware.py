"""Refuse oversized uploads from the Content-Length header, before the body is read.

Listed before CsrfViewMiddleware: that one reads ``request.POST`` (and thereby the
whole body) for the token, so the size check must come first (security.md 12).
Views opt in with :func:`upload_limited`, naming the policies that govern them.

A body within the limit is parsed here too, so that one Django cannot read (a
file name too long for a part's headers) gets the portal's page with the reason
instead of Django's bare "Bad Request (400)" from the CSRF check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.deprecation import MiddlewareMixin

from kammerpost.inspection import policy_named

MB = 1024 * 1024
# Multipart framing and the form's other fields on top of the file itself.
UPLOAD_MARGIN = MB

PolicyNames = Callable[..., set[str]]


def upload_limited(policies: PolicyNames) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a view as an upload entry point; ``policies(request, **kwargs)`` names its policies.

    The attribute survives ``functools.wraps`` in the decorators applied on top.
    """

    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        view.upload_policies = policies  # type: ignore[attr-defined]
        return view

    return mark


def declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class UploadLimitMiddleware(MiddlewareMixin):
    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        policies = getattr(view_func, "upload_policies", None)
        if policies is None or request.method != "POST":
            return None
        try:
            names = policies(request, **view_kwargs) or {"default"}
        except Exception:  # noqa: BLE001 - the view itself answers unknown drafts and items
            names = {"default"}
        limit = max(policy_named(name).limits.max_file_size for name in names)
        if declared_length(request) > limit + UPLOAD_MARGIN:
            return render(
                request,
                "portal/too_large.html",
                {"limit_mb": limit // MB, "back": request.path},
                status=413,
            )
        try:
            request.FILES  # noqa: B018 - parses the body now, inside this try
        except MultiPartParserError as refused:
            return render(
                request,
                "portal/upload_unreadable.html",
                # Django's parser reads at most 1 KiB of headers per part; in a browser's
                # upload only the file name can make them longer.
                {"name_too_long": "header size" in str(refused), "back": request.path},
                status=400,
            )
        return None
