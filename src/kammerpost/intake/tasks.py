"""Background work of the intake, through Django's tasks API."""

from __future__ import annotations

from django.tasks import task

from kammerpost.operations.logs import request_context

from . import services


@task()
def document_inspect_task(document_id: int, request_id: str = "") -> str | None:
    # The request id of the receive that queued it: its log lines follow the item here.
    with request_context(request_id):
        state = services.document_inspect(document_id=document_id)
    return None if state is None else str(state)


@task()
def documents_due_enqueue_task() -> int:
    return services.documents_due_enqueue()
