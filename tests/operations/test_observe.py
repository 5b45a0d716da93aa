"""/health, /ready, /metrics and the JSON log lines, in the web process."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.chamber.models import Department
from kammerpost.intake import services
from kammerpost.intake.models import Channel, Document, DocumentState
from kammerpost.operations import metrics
from kammerpost.providers import registry
from tests.corpus import misc

from .conftest import CapturedLogs, samples

pytestmark = [pytest.mark.django_db, pytest.mark.clamd]

TOKEN = "metrics-token-for-tests-0123456789abcdef"  # noqa: S105 - a test value


def _scrape(client: Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    return samples(response.content.decode())


def test_health_says_alive() -> None:
    response = Client().get("/health")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_ready_names_each_dependency_and_is_200_when_all_are_up(
    intake_env: dict[str, str],
) -> None:
    response = Client().get("/ready")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ready"] is True
    assert body["checks"] == {
        name: {"state": "ok", "required": True}
        for name in ("database", "vault", "queue", "scanner")
    }
    assert "no-store" in response["Cache-Control"]


def test_ready_is_503_when_the_scanner_is_down_unless_it_is_optional(
    intake_env: dict[str, str], settings: SettingsWrapper, tmp_path: object
) -> None:
    settings.CLAMD_URL = "unix:///nonexistent/clamd.ctl"
    response = Client().get("/ready")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["scanner"] == {"state": "down", "required": True}
    assert {checks[n]["state"] for n in ("database", "vault", "queue")} == {"ok"}
    # The answer is public: it names states, never hosts, paths or errors.
    assert "nonexistent" not in response.content.decode()

    settings.OPERATIONS_READY_OPTIONAL = ["scanner"]
    response = Client().get("/ready")
    assert response.status_code == 200
    assert response.json()["checks"]["scanner"] == {"state": "down", "required": False}


def test_ready_is_503_when_the_vault_storage_does_not_answer(
    intake_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = _key_file(intake_env)
    # An S3 endpoint where nothing listens (port 9 on loopback: discard, closed here).
    monkeypatch.setenv("KAMMERPOST_VAULT_URL", "s3://kammerpost-test?endpoint=http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("KAMMERPOST_VAULT_KEYS", str(key_file))
    registry.reset()
    response = Client().get("/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["vault"] == {"state": "down", "required": True}


def _key_file(env: dict[str, str]) -> Path:
    # The embedded key ring of the private var dir, created by the first vault use.
    services.intake_vault()
    keys = sorted((Path(env["KAMMERPOST_VAR_DIR"]) / "vault-keys").glob("*.key"))
    assert keys
    registry.reset()
    return keys[0]


def test_ready_is_503_when_the_redis_queue_is_down(
    intake_env: dict[str, str], settings: SettingsWrapper
) -> None:
    settings.TASKS_BACKEND = "rq"
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:9/0", "DEFAULT_TIMEOUT": 60}}
    response = Client().get("/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"] == {"state": "down", "required": True}


def test_metrics_is_not_there_without_the_bearer_token(settings: SettingsWrapper) -> None:
    client = Client()
    # No token configured: nobody gets in, whatever they send.
    settings.OPERATIONS_METRICS_TOKEN = ""
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404
    settings.OPERATIONS_METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 404
    assert client.post("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code in {
        403,
        405,
    }
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    # With an address list, the token alone is not enough.
    settings.OPERATIONS_METRICS_ALLOW = ["192.0.2.0/24"]
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404
    settings.OPERATIONS_METRICS_ALLOW = ["127.0.0.1"]
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_metrics_count_receives_verdicts_and_show_backlog_queue_and_jobs(
    intake_env: dict[str, str],
    departments: dict[str, Department],
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.OPERATIONS_METRICS_TOKEN = TOKEN
    client = Client()
    before = _scrape(client)
    with django_capture_on_commit_callbacks(execute=True):  # the receives queue their tasks
        item = services.inbound_item_receive(
            channel=Channel.PORTAL,
            department=departments["verwaltung"],
            sender=services.sender_for_address(email="metrik@example.org"),
            files=[services.IncomingFile("bild.png", io.BytesIO(misc.png()))],
        )
        held = services.inbound_item_receive(
            channel=Channel.EMAIL,
            department=departments["verwaltung"],
            sender=services.sender_for_address(email="metrik@example.org"),
            files=[services.IncomingFile("alt.png", io.BytesIO(misc.png(32, 32)))],
        ).documents.get()
    document = item.documents.get()
    with django_capture_on_commit_callbacks(execute=True):  # the verdict is counted on commit
        assert services.document_inspect(document_id=document.pk) == DocumentState.ACCEPTED
    Document.objects.filter(pk=held.pk).update(
        state=DocumentState.HELD, received_at=timezone.now() - timedelta(hours=2)
    )
    metrics.tus_bytes_received(4096)
    metrics.smtp_answered("554 5.7.1 refused")
    after = _scrape(client)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert grew("kammerpost_items_received_total", channel="portal") == 1
    assert grew("kammerpost_items_received_total", channel="email") == 1
    assert grew("kammerpost_documents_decided_total", verdict="accepted") == 1
    assert grew("kammerpost_inspection_duration_seconds_count") == 1
    assert grew("kammerpost_tus_bytes_received_total") == 4096
    assert grew("kammerpost_smtp_answers_total", code="554") == 1
    assert after[("kammerpost_documents_undecided", (("state", "held"),))] == 1
    assert after[("kammerpost_held_oldest_age_seconds", ())] >= 7200
    # The receive queued two inspections in django-tasks-db's table; none ran (no worker).
    assert after[("kammerpost_queue_depth", ())] >= 2
    # No scheduled job ran in this fresh database: every one is stale.
    for job in ("intake_sweep", "portal_sweep", "trust_refresh", "signatures"):
        assert after[("kammerpost_job_stale", (("job", job),))] == 1
        assert after[("kammerpost_job_last_success_timestamp_seconds", (("job", job),))] == 0


def test_every_log_line_is_one_json_object_with_the_request_id(
    captured_logs: CapturedLogs,
) -> None:
    client = Client()
    response = client.get("/health", headers={"X-Request-ID": "lb-probe-0123456789"})
    assert response["X-Request-ID"] == "lb-probe-0123456789"
    # A forged id (spaces, CR/LF) is replaced, never written into a log line.
    forged = client.get("/health", headers={"X-Request-ID": "x\r\nlevel: CRITICAL fake"})
    assert forged["X-Request-ID"] != "x\r\nlevel: CRITICAL fake"
    assert len(forged["X-Request-ID"]) == 16
    lines = captured_logs.text.splitlines()
    entries = [json.loads(line) for line in lines]
    requests = [e for e in entries if e["logger"] == "kammerpost.request"]
    assert [e["request_id"] for e in requests] == ["lb-probe-0123456789", forged["X-Request-ID"]]
    assert requests[0]["message"].startswith("GET /health 200 ")
    assert {"time", "level", "logger", "message", "request_id", "process"} <= set(requests[0])
    assert "fake" not in captured_logs.text
