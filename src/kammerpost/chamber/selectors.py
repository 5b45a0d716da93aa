"""Reads on the chamber's structure: departments, and procedure answers as people read them."""

from __future__ import annotations

from collections.abc import Mapping

from .models import Department
from .procedures import Procedure


class DepartmentNotFoundError(LookupError):
    pass


def department_by_slug(slug: str) -> Department:
    try:
        return Department.objects.get(slug=slug, is_active=True)
    except Department.DoesNotExist:
        raise DepartmentNotFoundError(slug) from None


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
