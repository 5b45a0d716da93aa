"""Test scaffolding for the tus protocol: small targets under a test-only URL.

Not part of the application: ``tus_settings`` (a gunicorn server started by
the tests) and ``pytest.mark.urls`` point ``ROOT_URLCONF`` here. The real
engine, vault and database serve the uploads; only the target - what an
exchange will be - is this stand-in, which records completions in a JSON
lines file (``KAMMERPOST_TEST_TUS_LOG``) for the tests to check.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import RequestContext, Template
from django.urls import include, path

from kammerpost.exchange.tus import default_uploads, tus_dispatch
from kammerpost.vault import BlobInfo

MIB = 1024 * 1024
LIMITS = {"alpha": 4096 * MIB, "beta": 4096 * MIB, "small": MIB, "closed": 4096 * MIB}


class TestTarget:
    """A target per name: ``small`` has 1 MiB room, ``closed`` disowns its uploads."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.key = f"test:{name}"

    def max_size(self) -> int:
        return LIMITS[self.name]

    def upload_owned(self, upload_id: str) -> bool:
        return self.name != "closed"

    def upload_created(self, upload_id: str, length: int, metadata: dict[str, str]) -> None:
        self._log({"event": "created", "upload": upload_id, "length": length})

    def upload_completed(self, upload_id: str, blob: BlobInfo, metadata: dict[str, str]) -> None:
        self._log(
            {
                "event": "completed",
                "upload": upload_id,
                "target": self.key,
                "blob": blob.key,
                "size": blob.size,
                "sha256": blob.sha256,
                "metadata": metadata,
            }
        )

    def _log(self, entry: dict[str, object]) -> None:
        with Path(os.environ["KAMMERPOST_TEST_TUS_LOG"]).open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")


def csrf(request: HttpRequest) -> HttpResponse:
    """What a page of the exchange does for the browser: hand out the CSRF token."""
    return HttpResponse(get_token(request), content_type="text/plain")


PAGE = Template(
    "{% extends 'base.html' %}{% block title %}Hochladen{% endblock %}"
    "{% block content %}<h1>Dateien hochladen</h1>"
    "{% include 'exchange/includes/tus_upload.html' %}{% endblock %}"
)


def page(request: HttpRequest, name: str) -> HttpResponse:
    """A page around the uploader include, as the exchange's upload page will have it."""
    context = {"tus_endpoint": f"/test-tus/{name}/files/", "fallback_action": request.path}
    return HttpResponse(PAGE.render(RequestContext(request, context)))


def files(request: HttpRequest, name: str, upload_id: str | None = None) -> HttpResponse:
    if name not in LIMITS:
        return HttpResponse(status=404)
    return tus_dispatch(
        request,
        target=TestTarget(name),
        uploads=default_uploads(),
        upload_id=upload_id,
        base_url=f"/test-tus/{name}/files/",
    )


urlpatterns = [
    path("test-tus/csrf/", csrf),
    path("test-tus/<str:name>/page/", page),
    path("test-tus/<str:name>/files/", files),
    path("test-tus/<str:name>/files/<str:upload_id>/", files),
    # The application's own URLs too: the page's layout links to them.
    path("", include("kammerpost.urls")),
]
