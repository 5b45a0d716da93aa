"""Figures read at scrape time: the backlog, the task queue, the scheduled jobs.

They describe state, not events, so they come from the database and the
queue when Prometheus asks - the same answer from every web instance, with
no per-process bookkeeping that a restart would lose.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from kammerpost.intake.models import DECIDED_STATES, Document, DocumentState

from .jobs import jobs_status

log = logging.getLogger("kammerpost.operations")


def queue_depth() -> int:
    """Tasks waiting in the task queue (RQ on Redis, or django-tasks-db's table)."""
    if settings.TASKS_BACKEND == "rq":
        import django_rq  # noqa: PLC0415 - installed only with the rq backend

        return int(django_rq.get_queue("default").count)
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415 - an app of the backend

    return int(DBTaskResult.objects.ready().count())


def _age(now: datetime, then: datetime | None) -> float:
    return 0.0 if then is None else max(0.0, (now - then).total_seconds())


class StateCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        undecided = GaugeMetricFamily(
            "kammerpost_documents_undecided",
            "Documents without a final verdict, by state (held: waiting for a retry).",
            labels=["state"],
        )
        counts = dict(
            Document.objects.exclude(state__in=DECIDED_STATES)
            .values_list("state")
            .annotate(n=Count("id"))
            .values_list("state", "n")
        )
        for state in (DocumentState.RECEIVED, DocumentState.INSPECTING, DocumentState.HELD):
            undecided.add_metric([str(state)], counts.get(state, 0))
        yield undecided
        oldest = Document.objects.filter(state=DocumentState.HELD).aggregate(Min("received_at"))
        yield GaugeMetricFamily(
            "kammerpost_held_oldest_age_seconds",
            "Age of the oldest held document (0 when none is held).",
            value=_age(now, oldest["received_at__min"]),
        )
        try:
            depth = queue_depth()
        except Exception:  # the queue being down is /ready's business; still report the rest
            log.exception("queue depth unavailable")
        else:
            yield GaugeMetricFamily(
                "kammerpost_queue_depth", "Tasks waiting in the task queue.", value=depth
            )
        yield from self._jobs(now)

    def _jobs(self, now: datetime) -> Iterator[Metric]:
        last = GaugeMetricFamily(
            "kammerpost_job_last_success_timestamp_seconds",
            "When each scheduled job last succeeded (Unix time; 0: never).",
            labels=["job"],
        )
        max_age = GaugeMetricFamily(
            "kammerpost_job_max_age_seconds",
            "How old a scheduled job's last success may get before it is stale.",
            labels=["job"],
        )
        stale = GaugeMetricFamily(
            "kammerpost_job_stale",
            "1 when a scheduled job has not succeeded within its max age (or never).",
            labels=["job"],
        )
        signatures_age: float | None = None
        for status in jobs_status():
            name = status.job.name
            success = status.last_success_at
            last.add_metric([name], success.timestamp() if success else 0.0)
            max_age.add_metric([name], status.job.max_age.total_seconds())
            stale.add_metric([name], 1.0 if status.stale(now) else 0.0)
            if name == "signatures" and "signatures_date" in status.detail:
                signatures_age = _age(now, datetime.fromisoformat(status.detail["signatures_date"]))
        yield from (last, max_age, stale)
        if signatures_age is not None:
            yield GaugeMetricFamily(
                "kammerpost_clamd_signatures_age_seconds",
                "Age of clamd's signature database at its last check.",
                value=signatures_age,
            )
