"""What the public pages show, drawn from the same configuration the checks and the deletion use.

The formats and limits come from the inspection policy table
(``kammerpost.inspection.policy``), the per-procedure narrowing from the
procedure definitions, the retention periods from ``privacy.RetentionRule``;
the texts around them from ``PublicPage`` rows (admin) or the shipped defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from kammerpost.chamber.models import Department
from kammerpost.chamber.procedures import procedures_all
from kammerpost.inspection import FORMATS, policy_named
from kammerpost.inspection.policy import MB
from kammerpost.languages import active_language, localised
from kammerpost.privacy.selectors import retention_periods

from .defaults import DEFAULT_PAGES
from .markup import markup_render
from .models import PublicPage


@dataclass(frozen=True)
class AcceptedFormat:
    short: str
    label: str
    extensions: str


def accepted_formats() -> list[AcceptedFormat]:
    """The chamber's default formats, read from the table each time (as the checks do)."""
    english = active_language() == "en"
    return [
        AcceptedFormat(
            short=FORMATS[key].short,
            label=FORMATS[key].label_en if english else FORMATS[key].label_de,
            extensions=", ".join(FORMATS[key].extensions),
        )
        for key in policy_named("default").formats
    ]


def size_limits_mb() -> dict[str, int]:
    """Per file in the portal, per mail (the whole message), per file in the cloud area.

    The e-mail figure is the "email" file policy's limit, which is the message
    limit of ``MAIL_LIMITS`` (inspection/policy.py derives one from the other).
    """
    return {
        "portal": policy_named("default").limits.max_file_size // MB,
        "email": policy_named("email").limits.max_file_size // MB,
        "exchange": policy_named("exchange").limits.max_file_size // MB,
    }


@dataclass(frozen=True)
class Narrowing:
    procedure: str
    slot: str
    allowed: str


def procedure_narrowings() -> list[Narrowing]:
    """Each document slot of an online procedure that accepts fewer formats than the default."""
    lang = active_language()
    default = set(policy_named("default").formats)
    rows = []
    for procedure in sorted(procedures_all().values(), key=lambda p: p.title):
        for slot in procedure.slots:
            policy = policy_named(slot.policy)
            if set(policy.formats) != default:
                rows.append(Narrowing(procedure.title, slot.label, policy.allowed_list(lang)))
    return rows


def _lazy(template: str, build: Callable[[], dict[str, object]]) -> Callable[[], str]:
    return lambda: render_to_string(f"pages/fragments/{template}.html", build())


# Placeholders an administrator may write: {{ name }} alone in a paragraph (blocks)
# or inside a sentence (values). Listed in the admin's help text.
BLOCKS: dict[str, Callable[[], str]] = {
    "formate": _lazy("formats", lambda: {"formats": accepted_formats()}),
    "grenzen": _lazy(
        "limits",
        lambda: {"limits": size_limits_mb(), "cloud_gb": size_limits_mb()["exchange"] // 1024},
    ),
    "verfahren": _lazy("narrowings", lambda: {"narrowings": procedure_narrowings()}),
    "speicherfristen": _lazy("retention", lambda: {"periods": retention_periods()}),
}
VALUES: dict[str, Callable[[], str]] = {
    "kammer": lambda: str(settings.CHAMBER_NAME),
    "mail_mb": lambda: str(size_limits_mb()["email"]),
    "portal_mb": lambda: str(size_limits_mb()["portal"]),
    "cloud_gb": lambda: str(size_limits_mb()["exchange"] // 1024),
    "kontakt_adresse": lambda: f"info@{settings.CHAMBER_DOMAIN}",
    "datenschutz_adresse": lambda: f"datenschutz@{settings.CHAMBER_DOMAIN}",
}
PLACEHOLDER_NAMES = frozenset(BLOCKS) | frozenset(VALUES)


@dataclass(frozen=True)
class RenderedPage:
    slug: str
    title: str
    body: SafeString


def public_page(slug: str) -> RenderedPage:
    """The page's title and body in the active language: the admin's text, else the default."""
    if slug not in DEFAULT_PAGES:
        raise Http404
    page = PublicPage.objects.filter(slug=slug).first()
    source = page if page is not None else DEFAULT_PAGES[slug]
    return RenderedPage(
        slug=slug,
        title=localised(source, "title"),
        body=markup_render(localised(source, "body"), blocks=BLOCKS, values=VALUES),
    )


def contact_departments() -> list[Department]:
    """The topics of the contact form: every active department."""
    return list(Department.objects.filter(is_active=True).order_by("name"))
