from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors


def start(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pages/start.html",
        {"formats": selectors.accepted_formats(), "limits": selectors.size_limits_mb()},
    )


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
