"""Reads on the chamber's structure: departments, and procedure answers as people read them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import Department
from .procedures import Procedure

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kammerpost.accounts.models import User


class DepartmentNotFoundError(LookupError):
    pass


def department_by_slug(slug: str) -> Department:
    try:
        return Department.objects.get(slug=slug, is_active=True)
    except Department.DoesNotExist:
        raise DepartmentNotFoundError(slug) from None


def departments_of_staff(user: User | AnonymousUser) -> QuerySet[Department]:
    """The active departments this person works in (StaffMembership); none but for active staff.

    The one lookup of staff memberships: the back office's access, assigning a clerk and
    the account page all ask this.
    """
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return Department.objects.none()
    return Department.objects.filter(staff_memberships__user=user, is_active=True).distinct()


def procedure_answers(
    *, procedure: Procedure, values: Mapping[str, object]
) -> list[tuple[str, str]]:
    """(label, answer) for each of the procedure's fields that ``values`` holds, in its order.

    A choice reads as its label, a department as its name; an empty answer as "–".
    The portal's check page and the back office's item page show the same rows.
    """
    rows = []
    for field in procedure.fields:
        if field.name not in values:
            continue
        value = str(values[field.name] or "")
        if field.type == "choice":
            value = next((c.label for c in field.choices if c.value == value), value)
        elif field.type == "department" and value:
            department = Department.objects.filter(slug=value).first()
            value = department.name if department is not None else value
        rows.append((field.label, value or "–"))
    return rows
