"""Recovery with real parts: an RQ worker dies mid-inspection (SIGKILL); another decides once."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.db import connection

from kammerpost.chamber.models import Department
from kammerpost.intake.models import Document, DocumentState
from kammerpost.privacy.models import AuditEvent
from tests.corpus import misc
from tests.support import processes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clamd, pytest.mark.timeout(120)]

# Its own Redis database: test_workers.py flushes 15.
REDIS_URL = os.environ.get("KAMMERPOST_TEST_RECOVERY_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def queue() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for worker in started:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def _rqworker(
    started: list[subprocess.Popen[bytes]], env: dict[str, str], log: Path, *options: str
) -> None:
    # A session of its own: SIGKILL to the group takes the worker with whatever it started.
    with log.open("wb") as stderr:
        started.append(
            subprocess.Popen(
                [
                    processes.KAMMERPOST,
                    "rqworker",
                    "--job-class",
                    "django_tasks_rq.Job",
                    *options,
                    "default",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
        )


def _receive_queued(env: dict[str, str]) -> Document:
    """Receive one image in a process of its own, whose settings queue on RQ."""
    done = processes.run(
        "shell",
        "-c",
        "import io; from kammerpost.intake import services; "
        "from kammerpost.intake.models import Channel; "
        "from kammerpost.chamber.models import Department; "
        "item = services.inbound_item_receive(channel=Channel.PORTAL, "
        "department=Department.objects.get(slug='verwaltung'), "
        "sender=services.sender_for_address(email='meister@example.org'), "
        f"files=[services.IncomingFile('foto.png', io.BytesIO({misc.png()!r}))]); "
        "print(item.documents.get().pk)",
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return Document.objects.get(pk=int(done.stdout.split()[-1]))


def _state(document: Document) -> str:
    document.refresh_from_db()
    return document.state


def test_rq_worker_killed_mid_inspection_another_decides_exactly_once(
    intake_env: dict[str, str],
    departments: dict[str, Department],
    queue: str,
    workers: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    rq = {"KAMMERPOST_TASKS_BACKEND": "rq", "KAMMERPOST_REDIS_URL": queue}
    env = processes.command_env(**intake_env, **rq)
    # The work horse dies by SIGKILL between inspecting and recording the verdict;
    # then the whole worker goes the same way. The short lease lets another take over.
    _rqworker(
        workers,
        {
            **env,
            "KAMMERPOST_CRASHPOINT": "intake.before_decision",
            "KAMMERPOST_INTAKE_LEASE_SECONDS": "2",
        },
        tmp_path / "first.log",
    )
    document = _receive_queued(env)
    processes.wait_until(
        lambda: "terminated unexpectedly" in (tmp_path / "first.log").read_text(), what="the crash"
    )
    assert _state(document) == DocumentState.INSPECTING
    os.killpg(workers[0].pid, signal.SIGKILL)
    workers[0].wait()
    _rqworker(workers, env, tmp_path / "second.log")
    # The sweep finds the document whose lease ran out and queues it again.
    processes.wait_until(
        lambda: (
            processes.run("intake_sweep", env=env).returncode == 0
            and _state(document) == DocumentState.ACCEPTED
        ),
        timeout=60,
        what="the other worker's decision",
    )
    assert document.attempts == 2
    assert AuditEvent.objects.filter(document=document, action="document.decided").count() == 1
    item_events = AuditEvent.objects.filter(item=document.item, action="item.completed")
    assert item_events.count() == 1


def test_a_worker_whose_database_connection_died_decides_the_next_task_at_once(
    intake_env: dict[str, str],
    departments: dict[str, Department],
    queue: str,
    workers: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    """A PostgreSQL restart cuts every connection; a worker must not keep its dead one."""
    env = processes.command_env(
        **intake_env, KAMMERPOST_TASKS_BACKEND="rq", KAMMERPOST_REDIS_URL=queue
    )
    # SimpleWorker runs every task in the one worker process, as the shipped unit does.
    _rqworker(workers, env, tmp_path / "worker.log", "--worker-class", "rq.worker.SimpleWorker")
    first = _receive_queued(env)
    processes.wait_until(lambda: _state(first) == DocumentState.ACCEPTED, what="first decision")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what a restart does to the worker's connection
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchone()[0] >= 1
    second = _receive_queued(env)
    # No sweep runs: the queued task itself must succeed, at its first attempt.
    processes.wait_until(
        lambda: _state(second) == DocumentState.ACCEPTED, timeout=30, what="second decision"
    )
    assert second.attempts == 1
