"""Mail gateway throughput against a bare aiosmtpd server, measured in the same run.

The floor is an aiosmtpd server that stores every message (written and
fsynced, one file each) and answers 250: what any SMTP receiver must do at
least. Ours also pre-scans, parses in a worker process, inspects the
attachments (without AV here: the scanner's speed is measured in
inspection_throughput.py), encrypts the raw message and the attachments
into the vault, commits the items and writes the acknowledgement.

8 parallel senders (separate processes, one SMTP connection each).
Target: >= 0.5x the floor for 10 kB text mails. Also prints the memory per
connection and how a 1,000-level MIME bomb affects other senders.
Medians of repeated rounds.

Run: .venv/bin/python benchmarks/mail_throughput.py [--repeats N] [--small N] [--large N]
     [--database-url postgres://...]   (default: SQLite in a temporary directory)
     [--processes N]   (N > 1: ``kammerpost mailgate --processes N`` as its own process,
                        SO_REUSEPORT; needs PostgreSQL)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import random
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
MB = 1024 * 1024
SENDERS = 8
TO = "verwaltung@hwk-musterstadt.example"
FROM = "bench@example.org"


def _setup(workdir: Path, database_url: str | None) -> None:
    os.environ["KAMMERPOST_VAR_DIR"] = str(workdir / "var")
    os.environ["KAMMERPOST_DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["KAMMERPOST_CLAMD"] = ""
    os.environ["KAMMERPOST_MAILGATE_MAX_CONNECTIONS"] = "1000"
    os.environ.pop("KAMMERPOST_VAULT_URL", None)
    os.environ.pop("KAMMERPOST_VAULT_KEYS", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kammerpost.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from kammerpost.chamber.services import departments_ensure_demo

    departments_ensure_demo()


class _Floor:
    """aiosmtpd that stores every message durably and accepts it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        with self._lock:
            self.count += 1
            number = self.count
        data = envelope.original_content  # type: ignore[attr-defined]
        await asyncio.get_running_loop().run_in_executor(None, self._store, number, data)
        return "250 OK"

    def _store(self, number: int, data: bytes) -> None:
        with (self.directory / f"{number}.eml").open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())


def _send_share(port: int, paths: list[str]) -> tuple[int, list[float]]:
    """One sender: one connection, its share of the messages; (accepted, latencies)."""
    accepted, latencies = 0, []
    with smtplib.SMTP("127.0.0.1", port, timeout=300) as client:
        client.ehlo("bench.example.org")
        for path in paths:
            data = Path(path).read_bytes()
            started = time.perf_counter()
            try:
                client.sendmail(FROM, [TO], data)
                accepted += 1
            except smtplib.SMTPException:
                client.rset()
            latencies.append(time.perf_counter() - started)
    return accepted, latencies


def _run_load(port: int, paths: list[Path]) -> tuple[float, int]:
    """Seconds for SENDERS processes to send all ``paths``; and how many were accepted."""
    shares = [[str(p) for p in paths[i::SENDERS]] for i in range(SENDERS)]
    with multiprocessing.get_context("fork").Pool(SENDERS) as pool:
        started = time.perf_counter()
        results = pool.starmap(_send_share, [(port, share) for share in shares])
        elapsed = time.perf_counter() - started
    return elapsed, sum(r[0] for r in results)


def _messages(directory: Path, small: int, large: int) -> tuple[list[Path], list[Path]]:
    from tests.corpus import mails, pdfs

    directory.mkdir(parents=True, exist_ok=True)
    small_paths, large_paths = [], []
    line = "Sehr geehrte Damen und Herren, anbei die Angaben zu meinem Antrag. " * 1
    for i in range(small):
        text = "".join(f"{line}{random.random()}\n" for _ in range(10_000 // 90))
        path = directory / f"small-{i}.eml"
        path.write_bytes(mails.message(text=text, subject=f"Antrag {i}"))
        small_paths.append(path)
    for i in range(large):
        random.seed(i)
        pdf = pdfs.large_pdf(int(1.4 * MB))
        path = directory / f"large-{i}.eml"
        path.write_bytes(
            mails.message(subject=f"Scan {i}", attachments=[("scan.pdf", pdf, "application/pdf")])
        )
        large_paths.append(path)
    return small_paths, large_paths


def _rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _memory_per_connection(port: int, count: int = 200) -> float:
    before = _rss()
    clients = []
    for _ in range(count):
        client = smtplib.SMTP("127.0.0.1", port, timeout=60)
        client.ehlo("bench.example.org")
        clients.append(client)
    time.sleep(0.5)
    grown = _rss() - before
    for client in clients:
        client.quit()
    return grown / count


def _bomber(port: int, bomb: bytes, stop: Any, times: Any) -> None:
    """One sender in its own process that sends the bomb again and again."""
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        client.ehlo("bomb.example.org")
        while not stop.is_set():
            started = time.perf_counter()
            with contextlib.suppress(smtplib.SMTPDataError):
                client.sendmail(FROM, [TO], bomb)
            times.append(time.perf_counter() - started)


def _bomb_effect(port: int, good: Path, rounds: int) -> tuple[float, float, float]:
    """(median latency of a good mail alone, while bombs fly, median bomb answer time)."""
    from tests.corpus import mails

    alone = [_send_share(port, [str(good)])[1][0] for _ in range(rounds)]
    context = multiprocessing.get_context("fork")
    with context.Manager() as manager:
        stop, times = manager.Event(), manager.list()
        bombers = [
            context.Process(target=_bomber, args=(port, mails.nested(1000), stop, times))
            for _ in range(3)
        ]
        for process in bombers:
            process.start()
        time.sleep(0.5)
        under_fire = [_send_share(port, [str(good)])[1][0] for _ in range(rounds)]
        stop.set()
        for process in bombers:
            process.join()
        bomb_times = list(times)
    return statistics.median(alone), statistics.median(under_fire), statistics.median(bomb_times)


class _GatewayProcesses:
    """``kammerpost mailgate --processes N`` on a fixed port, in the benchmark's environment."""

    def __init__(self, port: int, processes: int) -> None:
        self.port = port
        self.processes = processes
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "kammerpost.cli", "mailgate", "--listen"]
        command += [f"127.0.0.1:{self.port}", "--processes", str(self.processes)]
        self.process = subprocess.Popen([*command, "--sweep-every", "0"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.1)
        raise RuntimeError("the gateway processes did not listen")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--small", type=int, default=400, help="10 kB mails per round")
    parser.add_argument("--large", type=int, default=24, help="2 MB mails per round")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--processes", type=int, default=1, help="gateway processes")
    args = parser.parse_args()

    from tests.corpus.mails_auth import dns_server

    # Sender authentication asks a loopback DNS server (SPF of the senders' domain), as
    # the gateway would ask the chamber's resolver: its cost is part of the figure.
    with (
        dns_server() as (resolver, _),
        tempfile.TemporaryDirectory(prefix="kammerpost-mailbench-") as temp,
    ):
        os.environ["KAMMERPOST_MAIL_DNS_RESOLVER"] = resolver
        workdir = Path(temp)
        _setup(workdir, args.database_url)
        from aiosmtpd.controller import Controller
        from tests.support.clamd import _free_port

        from kammerpost.mailgate.server import MailGateway

        small, large = _messages(workdir / "messages", args.small, args.large)
        floor_port = _free_port()
        floor = Controller(
            _Floor(workdir / "floor"),
            hostname="127.0.0.1",
            port=floor_port,
            server_hostname="floor.test",
            data_size_limit=20 * MB,
        )
        floor.start()
        gateway: Any
        if args.processes > 1:
            gateway = _GatewayProcesses(_free_port(), args.processes)
        else:
            gateway = MailGateway("127.0.0.1", 0)
        gateway.start()
        try:
            _run_load(gateway.port, small[:SENDERS])  # warm up: parser workers, connections
            for label, paths in (("10 kB text mails", small), ("2 MB mails with a PDF", large)):
                size = sum(p.stat().st_size for p in paths) / MB
                results: dict[str, list[float]] = {"floor": [], "gateway": []}
                for _ in range(args.repeats):
                    for name, port in (("floor", floor_port), ("gateway", gateway.port)):
                        os.sync()
                        elapsed, accepted = _run_load(port, paths)
                        assert accepted == len(paths), (name, accepted, len(paths))
                        results[name].append(elapsed)
                floor_s = statistics.median(results["floor"])
                ours_s = statistics.median(results["gateway"])
                print(f"{label} ({len(paths)} per round, {size:.1f} MB, {SENDERS} senders)")
                print(
                    f"  floor (aiosmtpd, store+fsync): {len(paths) / floor_s:8.1f} msg/s "
                    f"{size / floor_s:7.1f} MB/s"
                )
                print(
                    f"  kammerpost mailgate:           {len(paths) / ours_s:8.1f} msg/s "
                    f"{size / ours_s:7.1f} MB/s   ratio {floor_s / ours_s:.2f}x of the floor"
                )
            per_connection = _memory_per_connection(gateway.port)
            print(f"memory per idle connection: {per_connection / 1024:.1f} KiB (200 connections)")
            alone, fired, bomb = _bomb_effect(gateway.port, small[0], rounds=15)
            print(
                "1,000-level MIME bomb: refused after "
                f"{bomb * 1000:.1f} ms (median, 3 senders in a loop); another sender's "
                f"good mail took {alone * 1000:.1f} ms alone, {fired * 1000:.1f} ms meanwhile"
            )
        finally:
            gateway.stop()
            floor.stop()
            from kammerpost.mailgate.services import parser_pool_close

            parser_pool_close()


if __name__ == "__main__":
    main()
