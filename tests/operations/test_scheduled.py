"""Scheduled jobs record their last success; a job that fails or never ran is stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.inspection.antivirus import ClamdVersion
from kammerpost.operations.jobs import JOBS, JobFailedError, job_run, signatures_date
from kammerpost.operations.models import JobRun
from tests.support.clamd import Clamd

from .conftest import samples

pytestmark = pytest.mark.django_db

TOKEN = "scheduled-metrics-token-0123456789"  # noqa: S105 - a test value


def _stale(settings: SettingsWrapper) -> dict[str, float]:
    settings.OPERATIONS_METRICS_TOKEN = TOKEN
    response = Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    found = samples(response.content.decode())
    return {job: found[("kammerpost_job_stale", (("job", job),))] for job in JOBS}


def test_a_sweep_that_succeeds_records_it_and_is_no_longer_stale(
    intake_env: dict[str, str], settings: SettingsWrapper
) -> None:
    assert _stale(settings)["intake_sweep"] == 1  # never ran
    call_command("scheduled", "run", "intake_sweep")
    run = JobRun.objects.get(name="intake_sweep")
    assert run.last_success_at is not None
    assert timezone.now() - run.last_success_at < timedelta(minutes=1)
    assert _stale(settings)["intake_sweep"] == 0
    # Past its max age without another success it is stale again: the alert condition.
    with freeze_time(timezone.now() + JOBS["intake_sweep"].max_age + timedelta(seconds=1)):
        assert _stale(settings)["intake_sweep"] == 1
        with pytest.raises(CommandError, match=r"stale: .*intake_sweep"):
            call_command("scheduled", "status")


def test_a_failing_job_records_the_failure_and_keeps_its_last_success(
    intake_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, settings: SettingsWrapper
) -> None:
    earlier = timezone.now() - timedelta(days=5)
    JobRun.objects.create(name="trust_refresh", last_success_at=earlier)
    # Nothing listens there: the refresh cannot fetch the EU list of the lists.
    monkeypatch.setenv("KAMMERPOST_TRUST_LOTL_URL", "http://127.0.0.1:9/eu-lotl.xml")
    with pytest.raises(CommandError, match="trust_refresh"):
        call_command("scheduled", "run", "trust_refresh")
    run = JobRun.objects.get(name="trust_refresh")
    assert run.last_success_at == earlier
    assert run.last_failure_at is not None
    assert _stale(settings)["trust_refresh"] == 1


def test_the_signature_check_fails_on_a_clamd_without_official_signatures(
    clamd: Clamd, settings: SettingsWrapper
) -> None:
    # The tests' clamd runs on one private signature file: VERSION names no database date.
    settings.CLAMD_URL = clamd.unix_url
    with pytest.raises(JobFailedError, match="no signature database date"):
        job_run("signatures")
    assert JobRun.objects.get(name="signatures").last_success_at is None
    settings.CLAMD_URL = ""
    with pytest.raises(JobFailedError, match="KAMMERPOST_CLAMD is not set"):
        job_run("signatures")


def test_clamd_version_answers_give_the_signature_date() -> None:
    # What clamd 1.4 answers with freshclam's daily.cvd loaded (two spaces before a 1-digit day).
    official = ClamdVersion.parse("ClamAV 1.4.3/27480/Tue Dec  2 09:25:32 2025")
    assert signatures_date(official) == datetime(2025, 12, 2, 9, 25, 32, tzinfo=UTC)
    assert signatures_date(ClamdVersion.parse("ClamAV 1.4.6")) is None
    assert signatures_date(ClamdVersion.parse("garbage")) is None
