"""Every URL pattern is public on purpose or guarded; every response carries the headers.

security.md 8 (the meta-test over all URL patterns), 17 (headers on every
response) and 19 (signed-in pages are not cached). The patterns are walked from
``kammerpost.urls`` at collection time, so a new view is a new test case: an
unguarded one fails until it is listed in ``PUBLIC`` with a reason.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import (
    Resolver404,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
    reverse,
)
from django.utils.regex_helper import normalize


@dataclass(frozen=True)
class Public:
    reason: str
    # An HTML page anyone can open without arguments: the browser tests check it with axe.
    page: bool = False


# Route (as ``ResolverMatch.route`` spells it) -> why anyone may GET it.
PUBLIC: dict[str, Public] = {
    "": Public("start page: channels and accepted formats", page=True),
    "health": Public("health check for the load balancer; answers only 'ok'"),
    "ready": Public("readiness for the load balancer: each dependency's state, no details"),
    # "metrics" is not here: without the bearer token it answers 404 (tests/operations).
    "i18n/setlang/": Public("language switch; GET only redirects back, POST sets a cookie"),
    # Accounts (django-allauth): what a person needs before having a session.
    "konto/login/": Public("login form", page=True),
    "konto/logout/": Public("logout; anonymous GET only redirects to the start page"),
    "konto/signup/": Public("self-registration form", page=True),
    "konto/inactive/": Public("notice that an account is deactivated", page=True),
    "konto/confirm-email/": Public("notice 'confirmation link sent'", page=True),
    r"konto/confirm-email/(?P<key>[-:\w]+)/$": Public(
        "the e-mailed confirmation link; confirming needs a POST"
    ),
    "konto/password/reset/": Public("password reset request form", page=True),
    "konto/password/reset/done/": Public("notice 'reset link sent'", page=True),
    "konto/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": Public(
        "the e-mailed reset link (single use, expires)"
    ),
    "konto/password/reset/key/done/": Public("notice 'password changed'", page=True),
    "konto/einladung/<str:token>/": Public(
        "the e-mailed invitation link; moves the token into the session and redirects"
    ),
    "konto/einladung/": Public("invitation to a business; accepting it needs a login"),
}

# Values tried for URL parameters until the sample path resolves to the pattern itself.
_SAMPLE_VALUES = ("1", "x", "00000000-0000-4000-8000-000000000000")


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None
    path: str

    def __str__(self) -> str:
        return self.route or "(start)"


def _walk(
    resolver: URLResolver, levels: tuple[URLResolver | URLPattern, ...] = ()
) -> Iterator[tuple[URLResolver | URLPattern, ...]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, (*levels, entry))
        else:
            yield (*levels, entry)


def _route_of(levels: Sequence[URLResolver | URLPattern]) -> str:
    route = ""
    for level in levels:
        part = str(level.pattern)
        route = part if not route else route + part.removeprefix("^")
    return route


def _sample_path(levels: Sequence[URLResolver | URLPattern], route: str) -> str:
    """A concrete path that Django resolves to exactly this pattern."""
    formats = []
    params: list[str] = []
    for level in levels:
        fmt, level_params = normalize(level.pattern.regex.pattern)[0]
        formats.append(fmt)
        params.extend(level_params)
    template = "/" + "".join(formats)
    labels = tuple(config.label for config in apps.get_app_configs())
    for values in itertools.product(_SAMPLE_VALUES + labels, repeat=len(params)):
        path = template % dict(zip(params, values, strict=True))
        try:
            if resolve(path).route == route:
                return path
        except Resolver404:
            continue
    raise AssertionError(f"no sample path found for URL pattern {route!r}")


def url_routes() -> list[Route]:
    routes = []
    for levels in _walk(get_resolver()):
        route = _route_of(levels)
        routes.append(Route(route, levels[-1].name, _sample_path(levels, route)))
    return routes


ROUTES = url_routes()


def public_pages() -> list[Route]:
    """HTML pages anyone can open: for the browser tests (axe, keyboard, reflow)."""
    return [r for r in ROUTES if r.route in PUBLIC and PUBLIC[r.route].page]


def _login_paths() -> set[str]:
    paths = {reverse("admin:login")}
    login_url = str(settings.LOGIN_URL)
    paths.add(login_url if login_url.startswith("/") else reverse(login_url))
    return paths


def _anonymous_outcome(client: Client, path: str) -> str:
    """'guarded' (login redirect, 403, 404, 405) or what the anonymous visitor got."""
    login_paths = _login_paths()
    seen = []
    for _ in range(4):  # e.g. admin logout -> admin index -> login
        response = client.get(path)
        seen.append(f"{path} -> {response.status_code}")
        if response.status_code in {403, 404, 405}:
            return "guarded"
        if response.status_code not in {301, 302, 303, 307, 308}:
            return "open: " + ", ".join(seen)
        location = urlsplit(response["Location"])
        if location.netloc:
            return "open (redirects off site): " + ", ".join(seen)
        if location.path in login_paths:
            return "guarded"
        path = location.path
    return "open (redirect loop): " + ", ".join(seen)


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_url_is_public_on_purpose_or_guarded(client: Client, route: Route) -> None:
    outcome = _anonymous_outcome(client, route.path)
    if route.route in PUBLIC:
        assert outcome != "guarded", f"{route} is listed as public but refuses anonymous visitors"
    else:
        assert outcome == "guarded", (
            f"{route} ({route.name}) answers anonymous visitors ({outcome}); guard it "
            "or list it in PUBLIC with a reason"
        )


def test_public_list_names_only_existing_routes() -> None:
    stale = set(PUBLIC) - {route.route for route in ROUTES}
    assert not stale, f"PUBLIC lists routes that no longer exist: {sorted(stale)}"


def _assert_security_headers(response_headers: dict[str, str], what: str) -> None:
    csp = response_headers.get("Content-Security-Policy", "")
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp, f"{what}: CSP lacks {directive}: {csp!r}"
    assert "unsafe-inline" not in csp, f"{what}: CSP allows inline code: {csp!r}"
    assert response_headers.get("X-Content-Type-Options") == "nosniff", what
    assert response_headers.get("Referrer-Policy") == "same-origin", what
    permissions = response_headers.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions, f"{what}: Permissions-Policy lacks {feature}"


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_response_carries_the_security_headers(client: Client, route: Route) -> None:
    response = client.get(route.path)
    _assert_security_headers(dict(response.headers), f"GET {route.path} ({response.status_code})")


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_signed_in_responses_are_never_cached(
    client: Client, django_user_model: type, route: Route
) -> None:
    # A superuser reaches every admin page; its answers must not be cached either.
    user = django_user_model.objects.create_superuser("u-guard", "guard@example.org", None)
    client.force_login(user)
    response = client.get(route.path)
    cache_control = response.headers.get("Cache-Control", "")
    assert "no-store" in cache_control, (
        f"GET {route.path} signed in ({response.status_code}): Cache-Control {cache_control!r}"
    )
    _assert_security_headers(dict(response.headers), f"signed-in GET {route.path}")
