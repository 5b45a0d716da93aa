"""A request id for every web request, and one log line per request without personal data."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .logs import request_context, well_formed

log = logging.getLogger("kammerpost.request")

HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """Take the proxy's X-Request-ID if well formed (nginx sets ``$request_id``), else make one.

    The id is echoed in the response, so a support call can name it. The log
    line names the URL pattern, never the path: paths may carry tokens
    (invitation and reset links), and no query string or client address is
    logged (personal data).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        with request_context(well_formed(request.headers.get(HEADER))) as request_id:
            response = self.get_response(request)
            response[HEADER] = request_id
            match = getattr(request, "resolver_match", None)
            log.info(
                "%s %s %s %.1f ms",
                request.method if request.method in _METHODS else "OTHER",
                f"/{match.route}" if match is not None else "(unresolved)",
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
        return response


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
