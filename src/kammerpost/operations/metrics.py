"""Prometheus metrics of events, counted where they happen, and the hooks that count them.

The channels and the intake call these functions with one line each; they
never fail the caller. Under gunicorn every worker process (and the task
workers and the mail gateway on the same host) writes its samples to
``PROMETHEUS_MULTIPROC_DIR``, and ``/metrics`` adds them up
(prometheus-client's multiprocess mode; docs/operations.md). Figures that
are state rather than events (backlog, queue depth, job ages) are read from
the database at scrape time instead: ``kammerpost.operations.collectors``.

Labels are closed sets (channel, verdict, SMTP code): never a name, address
or reference number, which would be personal data and unbounded.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

from prometheus_client import Counter, Histogram

from .logs import current_request_id

log = logging.getLogger("kammerpost.operations")

ITEMS_RECEIVED = Counter(
    "kammerpost_items_received", "Inbound items received, by channel.", ["channel"]
)
DOCUMENTS_DECIDED = Counter(
    "kammerpost_documents_decided",
    "Inspection outcomes recorded, by verdict (held: retried later).",
    ["verdict"],
)
INSPECTION_SECONDS = Histogram(
    "kammerpost_inspection_duration_seconds",
    "Time to read one stored document back and inspect it (scanner included).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 1.5, 2.5, 5, 10, 30, 60, 120),
)
SMTP_ANSWERS = Counter(
    "kammerpost_smtp_answers", "Replies the mail gateway sent, by SMTP code.", ["code"]
)
TUS_BYTES = Counter(
    "kammerpost_tus_bytes_received", "Bytes received through tus uploads of the cloud area."
)


def _never_fail(what: str) -> contextlib.AbstractContextManager[None]:
    @contextlib.contextmanager
    def guard() -> Iterator[None]:
        try:
            yield
        except Exception:  # a metric must never cost a receive or an answer
            log.exception("metric %s not recorded", what)

    return guard()


def item_received(channel: object, reference: str, documents: int) -> None:
    """An item was committed (call inside or after the receiving transaction)."""
    with _never_fail("item_received"):
        ITEMS_RECEIVED.labels(channel=str(channel)).inc()
    log.info("item %s received via %s with %d documents", reference, channel, documents)


def document_decided(document_id: int, state: object) -> None:
    """An inspection outcome was recorded (accepted, rejected or held)."""
    with _never_fail("document_decided"):
        DOCUMENTS_DECIDED.labels(verdict=str(state)).inc()
    log.info("document %s inspected: %s", document_id, state)


@contextlib.contextmanager
def inspection_timer() -> Iterator[None]:
    """Time the block as one inspection."""
    started = time.monotonic()
    try:
        yield
    finally:
        with _never_fail("inspection_timer"):
            INSPECTION_SECONDS.observe(time.monotonic() - started)


def smtp_answered(status: object) -> None:
    """The gateway sent ``status`` (a reply line, str or bytes)."""
    with _never_fail("smtp_answered"):
        text = status.decode("ascii", "replace") if isinstance(status, bytes) else str(status)
        code = text[:3]
        SMTP_ANSWERS.labels(code=code if code.isdigit() else "other").inc()


def tus_bytes_received(count: int) -> None:
    """The cloud area's tus endpoint stored ``count`` more bytes of an upload."""
    with _never_fail("tus_bytes_received"):
        if count > 0:
            TUS_BYTES.inc(count)


__all__ = [
    "current_request_id",
    "document_decided",
    "inspection_timer",
    "item_received",
    "smtp_answered",
    "tus_bytes_received",
]
