"""Writes on the chamber's structure."""

from __future__ import annotations

from typing import Final

from django.db import transaction

from .models import Department

# The departments every chamber starts with (requirements.md 1.1).
DEMO_DEPARTMENTS: Final = (
    ("handwerksrolle", "Handwerksrolle", "handwerksrolle"),
    ("lehrlingsrolle", "Lehrlingsrolle", "lehrlingsrolle"),
    ("pruefungswesen", "Prüfungswesen", "pruefungswesen"),
    ("verwaltung", "Allgemeine Verwaltung", "verwaltung"),
)


@transaction.atomic
def departments_ensure_demo() -> list[Department]:
    return [
        Department.objects.get_or_create(slug=slug, defaults={"name": name, "mailbox": mailbox})[0]
        for slug, name, mailbox in DEMO_DEPARTMENTS
    ]
