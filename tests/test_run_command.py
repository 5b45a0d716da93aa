"""The run command as a newcomer uses it: scanner included, a PDF in, the clerk downloads it.

``scripts/run`` runs for real in a temporary var directory on free ports: its
own clamd on the demo database, SQLite, the worker, the web app. A PDF comes
in through ``kammerpost receive``, the worker accepts it, and the demo clerk
of the department signs in (password and TOTP from var/demo-logins.txt) and
downloads it through the back office. Production mode refuses the demo database.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kammerpost.inspection.antivirus import DEMO_DATABASE_TEXTS
from tests.accounts.conftest import totp_now
from tests.corpus import pdfs
from tests.support.clamd import Clamd, _free_port

REPO = Path(__file__).resolve().parents[1]
KAMMERPOST = str(Path(sys.executable).with_name("kammerpost"))
CLERK = "sachbearbeitung.handwerksrolle@hwk-musterstadt.example"


def _env(var: Path, **extra: str) -> dict[str, str]:
    # Only what a newcomer has: none of our KAMMERPOST_ settings (the tests' database either).
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMMERPOST_")}
    env.update(
        KAMMERPOST_VAR_DIR=str(var),
        KAMMERPOST_LISTEN=f"127.0.0.1:{_free_port()}",
        KAMMERPOST_MAILGATE_LISTEN=f"127.0.0.1:{_free_port()}",
        PYTHONPATH=str(REPO / "src"),
    )
    env.update(extra)
    return env


class RunCommand:
    def __init__(self, var: Path, env: dict[str, str]) -> None:
        self.var, self.env = var, env
        self.log = var / "run.out"
        var.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(REPO / "scripts" / "run")],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: Ctrl+C goes to all of it
            )
        self.base = f"http://{env['KAMMERPOST_LISTEN']}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_web(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"scripts/run ended early:\n{self.output()[-4000:]}")
            try:
                if requests.get(f"{self.base}/", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or still booting
                pass
            time.sleep(0.3)
        raise AssertionError(f"web app not up after {timeout} s:\n{self.output()[-4000:]}")

    def kammerpost(self, *args: str) -> str:
        done = subprocess.run(
            [KAMMERPOST, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def ctrl_c(self) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                return self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                return self.process.wait()
        return self.process.returncode


@pytest.fixture
def run_command(tmp_path: Path) -> Iterator[RunCommand]:
    var = tmp_path / "var"
    command = RunCommand(var, _env(var))
    yield command
    command.ctrl_c()


def _demo_login(var: Path, email: str) -> tuple[str, str]:
    text = (var / "demo-logins.txt").read_text()
    found = re.search(
        re.escape(email) + r" / (\S+)\n\s+TOTP-Schlüssel / secret \(Authenticator-App\): (\S+)",
        text,
    )
    assert found, text
    return found.group(1), found.group(2)


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:2000]
    return token.group(1)


def _sign_in_clerk(base: str, email: str, password: str, secret: str) -> requests.Session:
    session = requests.Session()
    login_url = f"{base}/konto/login/"
    token = _csrf(session, login_url)
    response = session.post(
        login_url,
        {"login": email, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": login_url},
        timeout=10,
    )
    assert response.url.endswith("/konto/2fa/authenticate/"), response.url
    token = _csrf(session, response.url)
    response = session.post(
        response.url,
        {"code": totp_now(secret), "csrfmiddlewaretoken": token},
        headers={"Referer": response.url},
        timeout=10,
    )
    assert response.status_code == 200 and "/konto/login" not in response.url, response.url
    return session


@pytest.mark.timeout(180)
def test_run_command_scans_on_the_demo_database_and_the_clerk_downloads_a_pdf(
    run_command: RunCommand, tmp_path: Path
) -> None:
    run_command.wait_for_web(timeout=120)
    banner = run_command.output()
    assert "Virenscanner / virus scanner: unix://" in banner
    assert "Demo-Signaturen, kein Virenschutz / demo signatures, no virus protection" in banner

    documents = [tmp_path / "Nachweis.pdf", tmp_path / "Zeugnis.pdf"]
    for i, document in enumerate(documents):
        document.write_bytes(pdfs.small_pdf(f"Meisterprüfung bestanden, Teil {i + 1}"))
    out = run_command.kammerpost(
        "receive",
        "--department",
        "handwerksrolle",
        "--from",
        "meister@example.org",
        *map(str, documents),
    )
    reference = re.search(r"E-\d{4}-\d{6}", out)
    assert reference, out
    ref = reference.group(0)

    deadline = time.monotonic() + 60
    while True:
        summary = json.loads(run_command.kammerpost("items", "show", ref, "--json"))
        states = [d["state"] for d in summary["documents"]]
        if not {"received", "inspecting"} & set(states) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert states == ["accepted", "accepted"], summary

    password, secret = _demo_login(run_command.var, CLERK)
    clerk = _sign_in_clerk(run_command.base, CLERK, password, secret)
    detail = clerk.get(f"{run_command.base}/intern/eingang/{ref}/", timeout=10)
    assert detail.status_code == 200
    assert f"keine Schadsoftware gefunden ({DEMO_DATABASE_TEXTS[0]})" in detail.text
    for position, document in enumerate(documents, start=1):
        url = f"{run_command.base}/intern/eingang/{ref}/dokument/{position}/"
        download = clerk.get(url, timeout=10)
        assert download.status_code == 200
        assert download.content == document.read_bytes()

    receipt = tmp_path / "receipt.html"
    run_command.kammerpost(
        "items", "receipt", ref, "--pdf", str(tmp_path / "r.pdf"), "--html", str(receipt)
    )
    assert f"Virenprüfung: {DEMO_DATABASE_TEXTS[0]}" in receipt.read_text()

    # Ctrl+C stops everything, the private clamd too.
    pid_file = run_command.var / "clamav" / "clamd.pid"
    clamd_pid = int(pid_file.read_text().strip())
    run_command.ctrl_c()
    for _ in range(100):
        if not Path(f"/proc/{clamd_pid}").exists():
            break
        time.sleep(0.1)
    assert not Path(f"/proc/{clamd_pid}").exists(), "clamd still runs after Ctrl+C"


@pytest.mark.timeout(120)
def test_run_command_in_production_mode_refuses_the_demo_database(tmp_path: Path) -> None:
    var = tmp_path / "var"
    command = RunCommand(
        var,
        _env(
            var,
            KAMMERPOST_PRODUCTION="true",
            KAMMERPOST_SECRET_KEY=secrets.token_urlsafe(50),
            KAMMERPOST_VAULT_KEYS=str(var / "vault-keys"),
        ),
    )
    try:
        code = command.process.wait(timeout=90)
    finally:
        command.ctrl_c()
    assert code != 0
    output = command.output()
    assert "kammerpost.E001" in output
    assert "Demo-Signaturen, kein Virenschutz" in output
    assert "Applying" not in output  # refused before the first migration


def test_production_check_refuses_a_scanner_on_the_demo_database(clamd: Clamd) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMMERPOST_")}
    env.update(
        KAMMERPOST_PRODUCTION="true",
        KAMMERPOST_SECRET_KEY=secrets.token_urlsafe(50),
        KAMMERPOST_CLAMD=clamd.unix_url,
        PYTHONPATH=str(REPO / "src"),
    )
    done = subprocess.run(
        [KAMMERPOST, "check"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode != 0
    assert "kammerpost.E001" in done.stderr
    assert "demo signatures, no virus protection" in done.stderr
    # The embedded setup (no production) runs on it, with the same scanner.
    env.pop("KAMMERPOST_PRODUCTION")
    done = subprocess.run(
        [KAMMERPOST, "check"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_badge_names_the_demo_database_in_both_languages() -> None:
    from django.utils import translation

    from kammerpost.backoffice.selectors import _virus_scan_text

    demo = {"av": {"scanned": True, "status": "clean", "engine": "clamd", "database": "demo"}}
    real = {"av": {"scanned": True, "status": "clean", "engine": "clamd", "database": "official"}}
    with translation.override("de"):
        assert _virus_scan_text(demo) == (
            "keine Schadsoftware gefunden (Demo-Signaturen, kein Virenschutz)",
            False,
        )
        assert _virus_scan_text(real) == ("keine Schadsoftware gefunden", False)
    with translation.override("en"):
        assert _virus_scan_text(demo) == (
            "no malware found (demo signatures, no virus protection)",
            False,
        )
