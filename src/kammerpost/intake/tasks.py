"""Background work of the intake, through Django's tasks API."""

from __future__ import annotations

from django.tasks import task

from . import services


@task()
def document_inspect_task(document_id: int) -> str | None:
    state = services.document_inspect(document_id=document_id)
    return None if state is None else str(state)


@task()
def documents_due_enqueue_task() -> int:
    return services.documents_due_enqueue()
