"""Fixtures for the tus tests: a private vault, the test targets, and a real gunicorn server."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kammerpost.providers import ServiceRegistry
from tests.support.processes import test_database_url

REPOSITORY = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


@pytest.fixture
def tus_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, services: ServiceRegistry
) -> dict[str, str]:
    """A private vault, key ring, temp directory and completion log; the same for the server.

    The provider (reset for every test) builds the vault and the upload engine from it.
    """
    (tmp_path / "tmp").mkdir()
    env = {
        "KAMMERPOST_VAR_DIR": str(tmp_path / "var"),
        "KAMMERPOST_VAULT_URL": f"file://{tmp_path / 'var' / 'vault'}",
        "KAMMERPOST_TEST_TUS_LOG": str(tmp_path / "completed.jsonl"),
        "TMPDIR": str(tmp_path / "tmp"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("KAMMERPOST_VAULT_KEYS", raising=False)
    return env


def completions(env: dict[str, str]) -> list[dict[str, object]]:
    """What the test target recorded as completed uploads."""
    path = Path(env["KAMMERPOST_TEST_TUS_LOG"])
    if not path.exists():
        return []
    entries = [json.loads(line) for line in path.read_text().splitlines()]
    return [entry for entry in entries if entry["event"] == "completed"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TusServer:
    """gunicorn serving the real application plus the test targets, on loopback."""

    def __init__(self, env: dict[str, str], *, workers: int = 2) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = {
            **os.environ,
            **env,
            "KAMMERPOST_DATABASE_URL": test_database_url(),
            "DJANGO_SETTINGS_MODULE": "tests.exchange.tus_settings",
            "PYTHONPATH": os.pathsep.join([str(REPOSITORY / "src"), str(REPOSITORY)]),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "kammerpost.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "300",
            ],
            env=self.env,
            cwd=REPOSITORY,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Its own process group: kill() takes the master and its workers at once.
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.process.returncode}")
            try:
                if requests.get(f"{self.url}/test-tus/csrf/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise AssertionError("gunicorn did not answer within 60 s")

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def kill(self) -> None:
        """SIGKILL the master and its workers: no clean-up code of ours runs."""
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.process = None

    def session(self) -> tuple[dict[str, str], requests.Session]:
        """Headers a session-bound client sends (CSRF token and cookie), and that session."""
        client = requests.Session()
        token = client.get(f"{self.url}/test-tus/csrf/", timeout=10).text
        cookie = client.cookies["csrftoken"]
        return {"X-CSRFToken": token, "Cookie": f"csrftoken={cookie}"}, client


@pytest.fixture
def tus_server(tus_env: dict[str, str], transactional_db: None) -> Iterator[TusServer]:
    """gunicorn on the committed test database (tests mark ``django_db(transaction=True)``)."""
    server = TusServer(tus_env)
    server.start()
    try:
        yield server
    finally:
        server.kill()
