"""Scheduled jobs: what runs on a timer, how often it must succeed, and its last success.

systemd timers (deploy/systemd/) start ``kammerpost scheduled run NAME``; a
run that succeeds records the time in :class:`JobRun`, one that fails records
only the failure and exits non-zero. ``kammerpost_job_stale`` (metrics) and
``kammerpost scheduled status`` turn a job whose last success is older than
its ``max_age`` - or that never succeeded - into an alert: a timer that
stopped, a sweep that keeps failing, clamd signatures that stopped updating.
The jobs are run by name (management commands, the engines' CLIs), so this
module imports no adapter.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from kammerpost.inspection import ClamdScanner
from kammerpost.inspection.antivirus import ClamdVersion

from .logs import request_context
from .models import JobRun

log = logging.getLogger("kammerpost.operations.jobs")


class JobFailedError(Exception):
    """The job ran but did not do its work; the message says why (no personal data)."""


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    # The timer's interval (deploy/systemd/kammerpost-<name>.timer) ...
    interval: timedelta
    # ... and when the lack of a success becomes an alert: a few missed runs.
    max_age: timedelta
    run: Callable[[], dict[str, Any]]


def _management_command(name: str) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        out = io.StringIO()
        call_command(name, stdout=out, stderr=out)
        return {}

    return run


def _trust_refresh() -> dict[str, Any]:
    from kammerpost.inspection import trust_cli  # noqa: PLC0415 - loads pyHanko's trust code

    status = trust_cli.main(["refresh"])
    if status != 0:
        raise JobFailedError(f"kammerpost trust refresh exited with status {status}")
    return {}


def signatures_date(version: ClamdVersion | None) -> datetime | None:
    """The signature database's date from clamd's VERSION answer (None if it names none)."""
    if version is None or version.demo or not version.database_time:
        return None
    try:
        # clamd writes the build time of daily.cvd in UTC, asctime style.
        text = " ".join(version.database_time.split())
        return datetime.strptime(text, "%a %b %d %H:%M:%S %Y").replace(tzinfo=UTC)
    except ValueError:
        return None


def _signatures() -> dict[str, Any]:
    if not settings.CLAMD_URL:
        raise JobFailedError("KAMMERPOST_CLAMD is not set: there is no scanner to ask")
    version = ClamdScanner(settings.CLAMD_URL, timeout=5).version()
    if version is None:
        raise JobFailedError("clamd did not answer VERSION")
    date = signatures_date(version)
    if date is None:
        raise JobFailedError(
            f"clamd names no signature database date ({version.engine}): no official"
            " signatures loaded (freshclam)"
        )
    age = timezone.now() - date
    detail = {"signatures_date": date.isoformat(), "signatures_age_seconds": age.total_seconds()}
    if age > timedelta(seconds=settings.OPERATIONS_SIGNATURES_MAX_AGE_SECONDS):
        raise JobFailedError(f"clamd's signatures are from {date:%Y-%m-%d %H:%M} UTC: too old")
    return detail


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "intake_sweep",
            "queue due documents again, remove orphaned blobs",
            interval=timedelta(minutes=1),
            max_age=timedelta(minutes=15),
            run=_management_command("intake_sweep"),
        ),
        Job(
            "portal_sweep",
            "delete abandoned portal drafts",
            interval=timedelta(hours=1),
            max_age=timedelta(hours=4),
            run=_management_command("portal_sweep"),
        ),
        Job(
            "trust_refresh",
            "fetch and verify the EU trusted lists for qualified signatures",
            interval=timedelta(days=1),
            # The lists change rarely, but a qualified-signature verdict rests on them.
            max_age=timedelta(days=3),
            run=_trust_refresh,
        ),
        Job(
            "signatures",
            "check that clamd's signature database is current (freshclam updates it)",
            interval=timedelta(hours=1),
            max_age=timedelta(hours=4),
            run=_signatures,
        ),
    )
}


def job_run(name: str) -> dict[str, Any]:
    """Run job ``name`` and record its success (or failure); JobFailedError if it failed."""
    job = JOBS[name]
    with request_context() as request_id:
        log.info("job %s started", name)
        try:
            detail = job.run()
        except Exception as exc:
            JobRun.objects.update_or_create(name=name, defaults={"last_failure_at": timezone.now()})
            log.error("job %s failed: %s", name, exc)
            if isinstance(exc, JobFailedError):
                raise
            raise JobFailedError(f"{type(exc).__name__}: {exc}") from exc
        JobRun.objects.update_or_create(
            name=name, defaults={"last_success_at": timezone.now(), "detail": detail}
        )
        log.info("job %s succeeded (request %s)", name, request_id)
        return detail


@dataclass(frozen=True)
class JobStatus:
    job: Job
    last_success_at: datetime | None
    last_failure_at: datetime | None
    detail: dict[str, Any]

    def age(self, now: datetime) -> timedelta | None:
        return None if self.last_success_at is None else now - self.last_success_at

    def stale(self, now: datetime) -> bool:
        age = self.age(now)
        return age is None or age > self.job.max_age


def jobs_status() -> list[JobStatus]:
    """Every known job with its last success and failure."""
    runs = {run.name: run for run in JobRun.objects.filter(name__in=list(JOBS))}
    return [
        JobStatus(
            job=job,
            last_success_at=runs[name].last_success_at if name in runs else None,
            last_failure_at=runs[name].last_failure_at if name in runs else None,
            detail=runs[name].detail if name in runs else {},
        )
        for name, job in JOBS.items()
    ]
