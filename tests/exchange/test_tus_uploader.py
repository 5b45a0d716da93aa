"""The browser side: the pinned tus-js-client in the static files and the uploader include."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import RequestFactory

REPOSITORY = Path(__file__).resolve().parents[2]


def test_tus_js_client_is_pinned_and_installed_into_the_static_files() -> None:
    package = json.loads((REPOSITORY / "package.json").read_text())
    version = package["dependencies"]["tus-js-client"]
    assert version[0].isdigit(), "pin an exact version, not a range"
    lock = json.loads((REPOSITORY / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/tus-js-client"]["version"] == version
    # scripts/install-js (make install) copies it; the test fails if that did not run.
    vendored = finders.find("kammerpost/vendor/tus.min.js")
    assert vendored, "run scripts/install-js (part of make install)"
    installed = REPOSITORY / "node_modules" / "tus-js-client" / "dist" / "tus.min.js"
    assert Path(vendored).read_bytes() == installed.read_bytes()
    assert finders.find("kammerpost/exchange-upload.js")


def test_the_include_is_a_working_form_with_labelled_progress_and_a_live_status() -> None:
    request = RequestFactory().get("/")
    html = render_to_string(
        "exchange/includes/tus_upload.html",
        {"tus_endpoint": "/cloud/x/tus/", "fallback_action": "/cloud/x/hochladen/"},
        request=request,
    )
    # Without JavaScript: a plain multipart form post with the CSRF token.
    assert 'method="post" enctype="multipart/form-data" action="/cloud/x/hochladen/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="tus-file">' in html
    assert 'id="tus-file" name="file"' in html
    # With it: the endpoint, a labelled progress bar, a polite live region, real buttons.
    assert 'data-tus-endpoint="/cloud/x/tus/"' in html
    assert '<label for="tus-progress">' in html
    assert '<progress id="tus-progress"' in html
    assert 'role="status" aria-live="polite"' in html
    assert html.count("<button") == 3
    assert "/static/kammerpost/vendor/tus.min.js" in html
    assert "/static/kammerpost/exchange-upload.js" in html
    assert "<script>" not in html  # no inline script (CSP)
