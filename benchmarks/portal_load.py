"""Portal load benchmark on PostgreSQL and gunicorn (issue 4).

Starts the system in subprocesses (migrate, demo_setup, gunicorn on a free loopback
port, no clamd so uploads are held), signs simulated users in and lets each one
browse (start page, Meine Vorgänge, a procedure form) and upload 1 MB files through
the general upload, at several concurrency levels; ``/health`` is the baseline.

    .venv/bin/python benchmarks/portal_load.py --seconds 60 --levels 1,5,10,20
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DATABASE_URL = "postgres://postgres:postgres@127.0.0.1:5432/kammerpost_bench"
PASSWORD = "Bench-Passwort-2026-lang"  # noqa: S105 - a throwaway benchmark database


def noisy_png(side: int = 592) -> bytes:
    """A valid PNG of random pixels, about 1 MB: passes the type checks, then held (no clamd)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\0" + os.urandom(side * 3) for _ in range(side))
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 1))
        + chunk(b"IEND", b"")
    )


ONE_MB = noisy_png()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env(var_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "KAMMERPOST_DATABASE_URL": DATABASE_URL,
        "KAMMERPOST_VAR_DIR": var_dir,
        "KAMMERPOST_SECRET_KEY": secrets.token_urlsafe(50),
        "KAMMERPOST_LOG_LEVEL": "WARNING",
    }


def prepare(environment: dict[str, str], users: int) -> None:
    subprocess.run(
        [
            "psql",
            "postgres://postgres:postgres@127.0.0.1:5432/postgres",
            "-qc",
            "DROP DATABASE IF EXISTS kammerpost_bench",
        ],
        check=True,
    )
    subprocess.run(
        [
            "psql",
            "postgres://postgres:postgres@127.0.0.1:5432/postgres",
            "-qc",
            "CREATE DATABASE kammerpost_bench",
        ],
        check=True,
    )
    kp = str(BIN / "kammerpost")
    subprocess.run([kp, "migrate", "-v0"], env=environment, check=True)
    subprocess.run([kp, "collectstatic", "--noinput", "-v0"], env=environment, check=True)
    subprocess.run([kp, "demo_setup"], env=environment, check=True, capture_output=True)
    code = (
        "from kammerpost.accounts.models import User\n"
        "from allauth.account.models import EmailAddress\n"
        f"for i in range({users}):\n"
        "    e = f'bench{i}@example.org'\n"
        "    u = User.objects.create_user(\n"
        f"        username=f'bench-{{i}}', email=e, password={PASSWORD!r})\n"
        "    EmailAddress.objects.create(user=u, email=e, verified=True, primary=True)\n"
    )
    subprocess.run([kp, "shell", "-c", code], env=environment, check=True)


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}

    def add(self, kind: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.times.setdefault(kind, []).append(seconds)
            if not ok:
                self.errors[kind] = self.errors.get(kind, 0) + 1


def login(base: str, number: int) -> requests.Session:
    s = requests.Session()
    s.get(base + "/konto/login/", timeout=30)
    r = s.post(
        base + "/konto/login/",
        data={
            "login": f"bench{number}@example.org",
            "password": PASSWORD,
            "csrfmiddlewaretoken": s.cookies["csrftoken"],
        },
        headers={"Referer": base + "/konto/login/"},
        timeout=30,
    )
    r.raise_for_status()
    if "sessionid" not in s.cookies:
        raise RuntimeError("login failed")
    return s


def timed(  # type: ignore[no-untyped-def]
    stats: Stats, kind: str, call, *args, **kwargs
) -> requests.Response | None:
    start = time.perf_counter()
    try:
        r = call(*args, **kwargs)
        ok = r.status_code < 400
    except requests.RequestException:
        r, ok = None, False
    stats.add(kind, time.perf_counter() - start, ok)
    return r


def user_loop(
    base: str, s: requests.Session, stats: Stats, until: float, baseline: bool
) -> str | None:
    """Browse and upload until ``until``; the last draft's id."""
    draft = None
    while time.monotonic() < until:
        if baseline:
            timed(stats, "health", lambda: s.get(base + "/health", timeout=30))
            continue
        timed(stats, "page", lambda: s.get(base + "/portal/", timeout=30))
        timed(stats, "page", lambda: s.get(base + "/portal/vorgaenge/", timeout=30))
        timed(stats, "page", lambda: s.get(base + "/portal/verfahren/allgemein/", timeout=30))
        token = s.cookies.get("csrftoken", "")
        r = timed(
            stats,
            "page",
            s.post,
            base + "/portal/verfahren/allgemein/",
            data={
                "department": "pruefungswesen",
                "file_reference": "",
                "message": "",
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": base + "/"},
            allow_redirects=False,
            timeout=30,
        )
        match = r is not None and re.search(
            r"/entwurf/([0-9a-f]{32})/", r.headers.get("Location", "")
        )
        if not match:
            continue
        draft = match.group(1)
        timed(
            stats,
            "upload",
            s.post,
            f"{base}/portal/entwurf/{draft}/dateien/",
            data={"slot": "dokumente", "csrfmiddlewaretoken": token},
            files={"file": ("bench.png", ONE_MB, "image/png")},
            headers={"Referer": base + "/"},
            allow_redirects=False,
            timeout=60,
        )
    return draft


def sanity_check(base: str, s: requests.Session) -> None:
    """One upload before measuring: the file must be held for the scanner, not rejected."""
    stats = Stats()
    draft = user_loop(base, s, stats, time.monotonic() + 0.001, baseline=False)
    page = s.get(f"{base}/portal/entwurf/{draft}/dateien/").text if draft else ""
    if stats.errors or not draft or "abgelehnt" in page or "bench.png" not in page:
        raise SystemExit(f"sanity check failed: errors {stats.errors}")


def run_level(
    base: str, sessions: list[requests.Session], seconds: float, baseline: bool
) -> tuple[Stats, float]:
    stats = Stats()
    until = time.monotonic() + seconds
    # The baseline's users carry no session cookie: /health alone, no session write.
    users = [requests.Session() for _ in sessions] if baseline else sessions
    threads = [
        threading.Thread(target=user_loop, args=(base, s, stats, until, baseline)) for s in users
    ]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    return stats, time.monotonic() - start


ROW = "{:>5} {:>7} {:>8} {:>8} {:>8} {:>6} {:>6}"


def pct(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] * 1000 if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--levels", default="1,5,10,20")
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    with tempfile.TemporaryDirectory() as var_dir:
        environment = env(var_dir)
        prepare(environment, max(levels))
        port = free_port()
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "kammerpost.wsgi:application",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(args.workers),
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            env=environment,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    requests.get(base + "/health", timeout=2)
                    break
                except requests.RequestException:
                    time.sleep(0.2)
            sessions = [login(base, i) for i in range(max(levels))]
            sanity_check(base, sessions[0])
            print(ROW.format("level", "kind", "req/s", "p50 ms", "p95 ms", "errors", "n"))
            for level in levels:
                for baseline in (True, False):
                    stats, elapsed = run_level(base, sessions[:level], args.seconds, baseline)
                    for kind, values in sorted(stats.times.items()):
                        rate, p50, p95 = len(values) / elapsed, pct(values, 50), pct(values, 95)
                        errors = stats.errors.get(kind, 0)
                        print(
                            ROW.format(
                                level,
                                kind,
                                f"{rate:.1f}",
                                f"{p50:.1f}",
                                f"{p95:.1f}",
                                errors,
                                len(values),
                            ),
                            flush=True,
                        )
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
