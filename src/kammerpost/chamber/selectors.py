"""Reads on the chamber's structure."""

from __future__ import annotations

from .models import Department


class DepartmentNotFoundError(LookupError):
    pass


def department_by_slug(slug: str) -> Department:
    try:
        return Department.objects.get(slug=slug, is_active=True)
    except Department.DoesNotExist:
        raise DepartmentNotFoundError(slug) from None
