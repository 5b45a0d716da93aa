"""``/ready`` for load balancers and ``/metrics`` for Prometheus (``/health`` lives in pages)."""

from __future__ import annotations

import hmac
import ipaddress
import os

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from .collectors import StateCollector
from .ready import readiness


@require_GET
@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    checks = readiness()
    ok = not any(check.failing for check in checks)
    return JsonResponse(
        {
            "ready": ok,
            "checks": {c.name: {"state": str(c.state), "required": c.required} for c in checks},
        },
        status=200 if ok else 503,
    )


def metrics_allowed(request: HttpRequest) -> bool:
    """A scraper needs the bearer token; with KAMMERPOST_METRICS_ALLOW also a listed address."""
    token = settings.OPERATIONS_METRICS_TOKEN
    if not token:
        return False
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        offered.strip().encode(), token.encode()
    ):
        return False
    networks = settings.OPERATIONS_METRICS_ALLOW
    if not networks:
        return True
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(network, strict=False) for network in networks)


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        # Not there for anyone else: no hint that a token would open it.
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Every process of this host (gunicorn workers, task workers, mail gateway) added up.
        events = CollectorRegistry()
        MultiProcessCollector(events)
        body = generate_latest(events)
    else:
        body = generate_latest(REGISTRY)
    state = CollectorRegistry(auto_describe=False)
    state.register(StateCollector())
    return HttpResponse(body + generate_latest(state), content_type=CONTENT_TYPE_LATEST)
