"""``kammerpost mailgate`` as its own process, driven by swaks (Debian's SMTP test client)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kammerpost.chamber.models import Department
from kammerpost.intake.models import Channel, InboundItem
from tests.corpus import mails
from tests.mailgate.conftest import loopback_dns
from tests.support import processes
from tests.support.clamd import _free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clamd, pytest.mark.timeout(300)]
SWAKS = shutil.which("swaks") or "/usr/bin/swaks"


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the gateway exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the gateway did not listen")


@pytest.fixture
def start_gateway(
    intake_env: dict[str, str],
) -> Iterator[Callable[..., int]]:
    started: list[subprocess.Popen[bytes]] = []
    pids: list[int] = []

    def start(*args: str, **env: str) -> int:
        port = _free_port()
        process = processes.start(
            "mailgate",
            "--listen",
            f"127.0.0.1:{port}",
            *args,
            env=processes.command_env(
                **{
                    **intake_env,
                    "KAMMERPOST_PORTAL_URL": "https://portal.example/",
                    "KAMMERPOST_MAIL_DNS_RESOLVER": loopback_dns(),
                    **env,
                }
            ),
        )
        started.append(process)
        _wait_for_port(port, process)
        pids.append(process.pid)
        return port

    start.pids = pids  # type: ignore[attr-defined]
    yield start
    for process in started:
        processes.stop(process)


def _swaks(port: int, data: Path, to: str = mails.TO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            SWAKS,
            "--server",
            f"127.0.0.1:{port}",
            "--from",
            mails.FROM,
            "--to",
            to,
            "--helo",
            "client.example.org",
            "--data",
            str(data),
            "--timeout",
            "60",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_swaks_gets_each_rule_answered_by_the_gateway_process(
    start_gateway: Callable[..., int],
    departments: dict[str, Department],
    intake_env: dict[str, str],
    tmp_path: Path,
) -> None:
    port = start_gateway()
    cases = [
        ("letter", mails.letter_with_pdf(), "250 2.0.0 angenommen", ()),
        ("zip", mails.zip_attachment(), "550 5.7.1", ("archive",)),
        ("onload", mails.html_onload(), "550 5.7.1", ("active content",)),
        ("koi8", mails.charset("koi8-r")(), "550 5.6.0", ("character set",)),
        ("dropbox", mails.CASES[-3][1](), "550 5.7.1", ("links are not fetched",)),
    ]
    for name, raw, status, words in cases:
        data = tmp_path / f"{name}.eml"
        data.write_bytes(raw)
        done = _swaks(port, data)
        # swaks marks what the server said with "<-" (and failures with "<**").
        answers = "\n".join(
            line for line in done.stdout.splitlines() if line.startswith("<")
        ).lower()
        assert status in answers, (name, done.stdout)
        for word in words:
            assert word in answers, (name, done.stdout)
    item = InboundItem.objects.get()
    assert item.channel == Channel.EMAIL
    outbox = Path(intake_env["KAMMERPOST_VAR_DIR"]) / "outbox"
    assert len(list(outbox.glob("*.eml"))) == 1


def test_swaks_to_an_unknown_address_is_refused_at_rcpt(
    start_gateway: Callable[..., int], departments: dict[str, Department], tmp_path: Path
) -> None:
    port = start_gateway()
    data = tmp_path / "m.eml"
    data.write_bytes(mails.plain_letter())
    done = _swaks(port, data, to="relay-me@example.net")
    assert "<** 550-5.1.1" in done.stdout or "<** 550 5.1.1" in done.stdout, done.stdout
    assert not InboundItem.objects.exists()


def test_a_dead_database_answers_451_and_never_accepts(
    start_gateway: Callable[..., int], departments: dict[str, Department]
) -> None:
    port = start_gateway(KAMMERPOST_DATABASE_URL=f"postgres://nobody@127.0.0.1:{_free_port()}/x")
    from tests.mailgate.conftest import send

    reply = send(port, mails.plain_letter())
    assert (reply.code, reply.enhanced) == (451, "4.3.0"), reply
    assert not InboundItem.objects.exists()


def _gateway_children(pid: int) -> list[int]:
    """Forked gateway processes of ``pid`` (its parser workers run another command)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    found = []
    for child in children:
        with contextlib.suppress(OSError):
            if b"mailgate" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(int(child))
    return found


def test_several_gateway_processes_share_one_address(
    start_gateway: Callable[..., int], departments: dict[str, Department]
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from tests.mailgate.conftest import send

    port = start_gateway("--processes", "2")
    [parent] = start_gateway.pids  # type: ignore[attr-defined]
    assert len(_gateway_children(parent)) == 1  # the second process, on the same port
    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda _: send(port, mails.letter_with_pdf()), range(12)))
    assert [r.code for r in replies] == [250] * 12, replies
    assert InboundItem.objects.count() == 12
