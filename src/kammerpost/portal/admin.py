"""The online procedures in the Django admin: read-only, since they live as files."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse

from .procedures import procedures_all

# The admin index links to the procedures list (admin/kammerpost_index.html).
admin.site.index_template = "admin/kammerpost_index.html"


def procedures_view(request: HttpRequest) -> TemplateResponse:
    """Every procedure definition as loaded and validated from portal/procedures/*.toml."""
    context = {
        **admin.site.each_context(request),
        "title": "Online-Verfahren",
        "procedures": sorted(procedures_all().values(), key=lambda p: p.slug),
    }
    return TemplateResponse(request, "admin/portal/procedures.html", context)
