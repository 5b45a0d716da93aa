"""A whole run's logs: JSON lines, request ids into the worker, and no personal data.

Items come in through the portal (HTTP, in this process), the operator CLI
and the mail gateway (separate processes, real SMTP); a real database worker
decides them. Every name, address, subject and file name used is distinctive,
and none of them may appear anywhere in the log output of any process.
"""

from __future__ import annotations

import smtplib
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.intake.models import DECIDED_STATES, Channel, Document, InboundItem
from tests.accounts.conftest import make_user
from tests.corpus import mails, misc, pdfs
from tests.portal.test_flow import _send, _start_general, _upload
from tests.support import processes

from .conftest import CapturedLogs, json_lines

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clamd, pytest.mark.timeout(600)]

PORTAL_ADDRESS = "quirinius.zwetschge@example.org"
PORTAL_FILE = "Zwetschgenmus-Zeugnis.pdf"
PORTAL_TEXT = "Xaverius Pfefferminz bittet um Eintragung"
PORTAL_REFERENCE = "AZ-Quittenbrot-4711"
CLI_ADDRESS = "hieronymus.wackelpudding@example.net"
CLI_SUBJECT = "Antrag Hieronymus Wackelpudding"
CLI_FILE = "Wackelpudding-Rechnung.png"
MAIL_ADDRESS = "kunigunde.zimtstern@example.com"
MAIL_NAME = "Kunigunde Zimtstern"
MAIL_SUBJECT = "Anfrage von Frau Zimtstern"
MAIL_FILE = "Zimtstern-Meisterbrief.pdf"
PERSONAL = (
    PORTAL_ADDRESS,
    PORTAL_FILE,
    PORTAL_TEXT,
    PORTAL_REFERENCE,
    CLI_ADDRESS,
    CLI_SUBJECT,
    CLI_FILE,
    MAIL_ADDRESS,
    MAIL_NAME,
    MAIL_SUBJECT,
    MAIL_FILE,
)
# Also any distinctive part of them on its own (a logged local part or file stem).
FRAGMENTS = ("zwetschge", "pfefferminz", "quittenbrot", "wackelpudding", "zimtstern", "kunigunde")
PORTAL_REQUEST_ID = "portal-send-0123456789"
REPOSITORY = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def logged_processes(tmp_path: Path) -> Iterator[list[tuple[subprocess.Popen[bytes], Path]]]:
    started: list[tuple[subprocess.Popen[bytes], Path]] = []
    yield started
    for process, _ in started:
        processes.stop(process)


def _start(
    started: list[tuple[subprocess.Popen[bytes], Path]], log: Path, *args: str, env: dict[str, str]
) -> None:
    # Logs go to stderr; stdout is the command's own output for people.
    with log.open("wb") as output:
        process = subprocess.Popen(
            [processes.KAMMERPOST, *args], env=env, stdout=subprocess.DEVNULL, stderr=output
        )
    started.append((process, log))


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _wait_for_port(port: int) -> None:
    processes.wait_until(lambda: _listening(port), what=f"port {port}")


def _portal_send(settings: SettingsWrapper, tmp_path: Path) -> InboundItem:
    settings.VAR_DIR = tmp_path / "var"
    client = Client(headers={"X-Request-ID": PORTAL_REQUEST_ID})
    client.force_login(make_user(PORTAL_ADDRESS))
    draft = _start_general(client, message=PORTAL_TEXT, file_reference=PORTAL_REFERENCE)
    assert "geprüft, in Ordnung" in _upload(client, draft, "dokumente", PORTAL_FILE, pdfs.clean())
    return _send(client, draft)


def _mail(port: int) -> None:
    message = mails.message(
        sender=f"{MAIL_NAME} <{MAIL_ADDRESS}>",
        subject=MAIL_SUBJECT,
        text=f"Mit freundlichen Grüßen\n{MAIL_NAME}",
        attachments=[(MAIL_FILE, pdfs.clean(), "application/pdf")],
    )
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        client.ehlo("client.example.org")
        client.sendmail(MAIL_ADDRESS, [mails.TO], message)


def _first(entries: list[dict[str, Any]], text: str) -> dict[str, Any]:
    found = [e for e in entries if text in e["message"]]
    assert found, f"no log line with {text!r}"
    return found[0]


@pytest.mark.usefixtures("departments")
def test_a_whole_runs_logs_are_json_follow_each_item_and_name_no_person(
    intake_env: dict[str, str],
    settings: SettingsWrapper,
    tmp_path: Path,
    captured_logs: CapturedLogs,
    logged_processes: list[tuple[subprocess.Popen[bytes], Path]],
) -> None:
    env = processes.command_env(**intake_env, KAMMERPOST_LOG_FORMAT="json")
    mail_port = _free_port()
    _start(
        logged_processes,
        tmp_path / "mailgate.log",
        "mailgate",
        env={**env, "KAMMERPOST_MAILGATE_LISTEN": f"127.0.0.1:{mail_port}"},
    )
    portal_item = _portal_send(settings, tmp_path)
    scan = tmp_path / CLI_FILE
    scan.write_bytes(misc.png())
    cli = processes.run(
        "receive",
        "--department",
        "verwaltung",
        "--from",
        CLI_ADDRESS,
        "--subject",
        CLI_SUBJECT,
        str(scan),
        env=env,
    )
    assert cli.returncode == 0, cli.stderr
    _wait_for_port(mail_port)
    _mail(mail_port)
    _start(
        logged_processes,
        tmp_path / "worker.log",
        "db_worker",
        "--no-startup-delay",
        "--interval",
        "0.2",
        env=env,
    )
    processes.wait_until(
        lambda: (
            Document.objects.count() == 3
            and not Document.objects.exclude(state__in=DECIDED_STATES).exists()
        ),
        what="every document decided by the worker",
    )
    time.sleep(0.5)  # the worker's last log lines
    for process, _ in logged_processes:
        processes.stop(process)

    outputs = {
        "web (this process)": captured_logs.text,
        "receive command": cli.stderr,
        **{log.name: log.read_text() for _, log in logged_processes},
    }
    # One JSON object per line, in every process.
    parsed = {}
    for name, text in outputs.items():
        try:
            parsed[name] = json_lines(text)
        except ValueError:
            pytest.fail(f"{name} wrote a line that is not JSON:\n{text[:3000]}")
    everything = "\n".join(outputs.values()).lower()
    for value in (*PERSONAL, *FRAGMENTS):
        assert value.lower() not in everything, f"{value!r} appears in the logs"

    # The run was logged at all: each channel's receive and each verdict.
    web, gateway, worker = (
        parsed["web (this process)"],
        parsed["mailgate.log"],
        parsed["worker.log"],
    )
    _first(web, f"item {portal_item.reference} received via portal")
    _first(parsed["receive command"], "received via operator")
    mail_item = InboundItem.objects.get(channel=Channel.EMAIL)
    mail_received = _first(gateway, f"item {mail_item.reference} received via email")
    # The request id of the web request and of the SMTP session reach the worker's lines.
    for item, request_id in (
        (portal_item, PORTAL_REQUEST_ID),
        (mail_item, mail_received["request_id"]),
    ):
        assert request_id
        document = item.documents.get()
        decided = _first(worker, f"document {document.pk} inspected: accepted")
        assert decided["request_id"] == request_id, (item.channel, decided)
    # The web request itself was logged under that id, by URL pattern, not by path.
    sent = [
        e
        for e in web
        if e["request_id"] == PORTAL_REQUEST_ID and e["logger"] == "kammerpost.request"
    ]
    assert sent and all("/portal/" in e["message"] for e in sent)


RQ_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def rq_queue() -> Iterator[str]:
    client = redis.Redis.from_url(RQ_URL)
    client.flushdb()
    yield RQ_URL
    client.flushdb()
    client.close()


def _worker_command() -> list[str]:
    """The task worker exactly as deploy/systemd/kammerpost-worker@.service starts it."""
    unit = (REPOSITORY / "deploy" / "systemd" / "kammerpost-worker@.service").read_text()
    line = next(x for x in unit.splitlines() if x.startswith("ExecStart="))
    arguments = line.removeprefix("ExecStart=").split()
    assert arguments[0].endswith("/kammerpost") and arguments[1] == "rqworker", line
    return [processes.KAMMERPOST, "rqworker", "--burst", *arguments[2:]]


@pytest.mark.usefixtures("departments")
def test_the_smtp_sessions_request_id_reaches_the_rq_worker_of_the_systemd_unit(
    intake_env: dict[str, str],
    tmp_path: Path,
    rq_queue: str,
    logged_processes: list[tuple[subprocess.Popen[bytes], Path]],
) -> None:
    env = processes.command_env(
        **intake_env, KAMMERPOST_TASKS_BACKEND="rq", KAMMERPOST_REDIS_URL=rq_queue
    )
    mail_port = _free_port()
    gateway_log = tmp_path / "mailgate.log"
    _start(
        logged_processes,
        gateway_log,
        "mailgate",
        env={**env, "KAMMERPOST_MAILGATE_LISTEN": f"127.0.0.1:{mail_port}"},
    )
    _wait_for_port(mail_port)
    _mail(mail_port)
    worker = subprocess.run(
        _worker_command(), env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert worker.returncode == 0, worker.stderr[-3000:]
    for process, _ in logged_processes:
        processes.stop(process)
    item = InboundItem.objects.get(channel=Channel.EMAIL)
    received = _first(json_lines(gateway_log.read_text()), f"item {item.reference} received")
    decided = _first(json_lines(worker.stderr), f"document {item.documents.get().pk} inspected")
    assert decided["message"].endswith("accepted")
    assert decided["request_id"] == received["request_id"]
    everything = (gateway_log.read_text() + worker.stderr).lower()
    for value in (MAIL_ADDRESS, MAIL_NAME, MAIL_SUBJECT, MAIL_FILE, "zimtstern", "kunigunde"):
        assert value.lower() not in everything, f"{value!r} appears in the logs"
