"""Departments in the Django admin, and the online procedures read-only (they live as files)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse

from .models import Department
from .procedures import procedures_all

# The admin index links to the procedures list (admin/kammerpost_index.html).
admin.site.index_template = "admin/kammerpost_index.html"


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ("name", "slug", "mailbox", "is_active")
    prepopulated_fields = {"slug": ("name",)}  # noqa: RUF012 - Django's admin API


def procedures_view(request: HttpRequest) -> TemplateResponse:
    """Every procedure definition as loaded and validated from chamber/procedures/*.toml."""
    context = {
        **admin.site.each_context(request),
        "title": "Online-Verfahren",
        "procedures": sorted(procedures_all().values(), key=lambda p: p.slug),
    }
    return TemplateResponse(request, "admin/chamber/procedures.html", context)
