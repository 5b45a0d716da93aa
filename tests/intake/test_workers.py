"""Real worker processes: the database and Redis backends, crashes at the worst moments."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.utils import timezone

from kammerpost.chamber.models import Department
from kammerpost.intake import services
from kammerpost.intake.models import Channel, Document, DocumentState, InboundItem
from kammerpost.privacy.models import AuditEvent
from tests.corpus import misc
from tests.support import processes
from tests.support.hung_server import hung_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clamd, pytest.mark.timeout(300)]

REDIS_URL = os.environ.get("KAMMERPOST_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _receive(department: Department, name: str = "brief.png") -> InboundItem:
    return services.inbound_item_receive(
        channel=Channel.PORTAL,
        department=department,
        sender=services.sender_for_address(email="meister@example.org"),
        files=[services.IncomingFile(name, io.BytesIO(misc.png()))],
    )


def _state(document: Document) -> str:
    document.refresh_from_db()
    return document.state


@pytest.fixture
def db_worker(intake_env: dict[str, str]) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        processes.stop(process)


def _start_db_worker(started: list[subprocess.Popen[bytes]], **env: str) -> subprocess.Popen[bytes]:
    process = processes.start(
        "db_worker",
        "--no-startup-delay",
        "--interval",
        "0.2",
        env=processes.command_env(**env),
    )
    started.append(process)
    return process


def test_database_worker_decides_what_the_intake_queued(
    intake_env: dict[str, str],
    departments: dict[str, Department],
    db_worker: list[subprocess.Popen[bytes]],
) -> None:
    item = _receive(departments["verwaltung"])
    document = item.documents.get()
    _start_db_worker(db_worker, **intake_env)
    processes.wait_until(lambda: _state(document) == DocumentState.ACCEPTED, what="decision")
    item.refresh_from_db()
    assert item.completed_at is not None


def test_worker_killed_mid_inspection_leaves_the_document_decided_exactly_once(
    intake_env: dict[str, str],
    departments: dict[str, Department],
    db_worker: list[subprocess.Popen[bytes]],
) -> None:
    item = _receive(departments["verwaltung"])
    document = item.documents.get()
    with hung_server() as hung:
        # This worker's scan hangs; its short lease lets another take over after the crash.
        first = _start_db_worker(
            db_worker,
            **{**intake_env, "KAMMERPOST_CLAMD": hung, "KAMMERPOST_INTAKE_LEASE_SECONDS": "2"},
        )
        processes.wait_until(
            lambda: _state(document) == DocumentState.INSPECTING, what="inspection to start"
        )
        first.send_signal(signal.SIGKILL)
        first.wait()
    _start_db_worker(db_worker, **intake_env)
    processes.wait_until(
        lambda: (
            services.documents_due_enqueue() > 0 or _state(document) != DocumentState.INSPECTING
        ),
        timeout=30,
        what="the lease to run out",
    )
    processes.wait_until(lambda: _state(document) == DocumentState.ACCEPTED, what="decision")
    assert document.attempts == 2
    assert AuditEvent.objects.filter(document=document, action="document.decided").count() == 1


def test_receive_killed_before_its_commit_leaves_no_item_and_only_an_orphan_that_is_removed(
    intake_env: dict[str, str],
    departments: dict[str, Department],
    tmp_path: Path,
) -> None:
    upload = tmp_path / "antrag.png"
    upload.write_bytes(misc.png())
    env = processes.command_env(**intake_env, KAMMERPOST_CRASHPOINT="intake.before_commit")
    done = processes.run(
        "receive", "--department", "verwaltung", "--from", "a@example.org", str(upload), env=env
    )
    assert done.returncode == -signal.SIGKILL
    assert not InboundItem.objects.exists()
    vault = services.intake_vault()
    assert len(list(vault.keys())) == 1
    kept = _receive(departments["verwaltung"])
    assert services.vault_orphans_remove(older_than=timedelta(0)) == 1
    (remaining,) = [key for key, _ in vault.keys()]  # noqa: SIM118
    assert remaining == kept.documents.get().vault_key
    # No document ever points to a missing blob.
    assert all(vault.exists(d.vault_key) for d in Document.objects.all())


def test_orphan_clean_up_spares_blobs_of_a_receive_still_in_progress(
    intake_env: dict[str, str], departments: dict[str, Department]
) -> None:
    services.intake_vault().write(io.BytesIO(b"still being received"))
    assert services.vault_orphans_remove() == 0  # younger than the grace period


def test_receive_command_prints_the_reference_and_items_show_gives_the_verdicts(
    intake_env: dict[str, str],
    departments: dict[str, Department],
    tmp_path: Path,
    db_worker: list[subprocess.Popen[bytes]],
) -> None:
    good, bad = tmp_path / "foto.jpg", tmp_path / "rechnung.pdf"
    good.write_bytes(misc.jpeg())
    bad.write_bytes(misc.pe_executable())
    env = processes.command_env(**intake_env)
    done = processes.run(
        "receive",
        "--department",
        "handwerksrolle",
        "--from",
        "a@example.org",
        "--subject",
        "Nachweise",
        str(good),
        str(bad),
        env=env,
    )
    assert done.returncode == 0, done.stderr
    reference = done.stdout.strip()
    item = InboundItem.objects.get(reference=reference)
    _start_db_worker(db_worker, **intake_env)
    processes.wait_until(
        lambda: item.documents.filter(decided_at__isnull=False).count() == 2, what="both decisions"
    )
    shown = processes.run("items", "show", reference, "--json", env=env)
    summary = json.loads(shown.stdout)
    assert [d["state"] for d in summary["documents"]] == ["accepted", "rejected"]
    assert summary["documents"][1]["reasons"][0]["code"] == "exe.pe"
    listed = processes.run("items", "list", "--department", "handwerksrolle", "--json", env=env)
    assert reference in listed.stdout
    other = processes.run("items", "list", "--department", "verwaltung", "--json", env=env)
    assert reference not in other.stdout
    missing = processes.run(
        "receive", "--department", "nope", "--from", "a@example.org", str(good), env=env
    )
    assert missing.returncode != 0
    assert "unknown department" in missing.stderr


@pytest.fixture
def redis_queue() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def test_redis_backend_runs_the_same_tasks_and_two_workers_decide_once(
    intake_env: dict[str, str],
    departments: dict[str, Department],
    tmp_path: Path,
    redis_queue: str,
) -> None:
    upload = tmp_path / "foto.png"
    upload.write_bytes(misc.png())
    env = processes.command_env(
        **intake_env, KAMMERPOST_TASKS_BACKEND="rq", KAMMERPOST_REDIS_URL=redis_queue
    )
    done = processes.run(
        "receive", "--department", "verwaltung", "--from", "a@example.org", str(upload), env=env
    )
    assert done.returncode == 0, done.stderr
    document = Document.objects.get(item__reference=done.stdout.strip())
    # A duplicate queue entry, as a sweep would add: two workers race for it.
    duplicate = processes.run(
        "shell",
        "-c",
        "from kammerpost.intake.services import _enqueue_inspections; "
        f"_enqueue_inspections([{document.pk}])",
        env=env,
    )
    assert duplicate.returncode == 0, duplicate.stderr
    workers = [
        subprocess.Popen(
            [
                processes.KAMMERPOST,
                "rqworker",
                "--burst",
                "--job-class",
                "django_tasks_rq.Job",
                "default",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err.decode(errors="replace")[-2000:]
    assert _state(document) == DocumentState.ACCEPTED
    assert AuditEvent.objects.filter(document=document, action="document.decided").count() == 1
    assert timezone.now() - document.decided_at < timedelta(minutes=5)  # type: ignore[operator]
