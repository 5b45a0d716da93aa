"""Background work of the intake, through Django's tasks API."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import close_old_connections, connection
from django.tasks import task

from kammerpost.operations.logs import request_context

from . import services


@contextmanager
def _connections_renewed() -> Iterator[None]:
    """Drop broken or expired database connections around a task, as Django does per request.

    A worker that runs its tasks in one process (RQ's SimpleWorker, db_worker)
    outlives database restarts; without this it keeps its dead connection and
    fails every later task. With ``CONN_HEALTH_CHECKS`` a kept connection is
    checked before its next use. Inside a transaction (a test, a caller's
    atomic block) nothing is closed.
    """
    renew = not connection.in_atomic_block
    if renew:
        close_old_connections()
    try:
        yield
    finally:
        if renew:
            close_old_connections()


@task()
def document_inspect_task(document_id: int, request_id: str = "") -> str | None:
    # The request id of the receive that queued it: its log lines follow the item here.
    with _connections_renewed(), request_context(request_id):
        state = services.document_inspect(document_id=document_id)
    return None if state is None else str(state)


@task()
def documents_due_enqueue_task() -> int:
    with _connections_renewed():
        return services.documents_due_enqueue()
