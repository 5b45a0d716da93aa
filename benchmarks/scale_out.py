"""Scale out on one machine: two web instances, two RQ workers, one of each shared part; chaos.

Starts, each as its own process under a temporary directory: a private
PostgreSQL cluster (initdb/pg_ctl on a free port, so the machine's server is
never disturbed), a private redis-server (append-only file, fsync always), an
S3-compatible server over HTTP (moto_server), one clamd, two gunicorn web
instances and two RQ workers as two "hosts" (each host has its own plaintext
hand-over directory, so a worker also decides documents the other host took
in), the mail gateway, the intake sweep, and nginx from Debian in front of the
web instances (round robin, not sticky).

Load for ``--seconds`` (default 300): portal customers send the general
procedure with a small file (the real forms: start, upload, check, send), a
probe posts a 20 MB PDF into its item's thread and waits until the page shows
the verdict, and a mail sender sends mails with a PDF through the gateway
(smtplib). During the run it SIGKILLs one web instance and one worker (both
come back, as systemd would restart them), restarts Redis and restarts
PostgreSQL. At the end every acknowledged item must be there exactly once,
nothing twice, and every document decided.

Run (opt-in, not part of the tests; needs nginx, redis-server, PostgreSQL's
server binaries, clamd, moto_server):

    PYTHONPATH=src .venv/bin/python benchmarks/scale_out.py --seconds 180
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import random
import re
import secrets
import shutil
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
KAMMERPOST = str(BIN / "kammerpost")
PASSWORD = "Scale-Passwort-2026-lang"  # noqa: S105 - a throwaway private cluster
MB = 1024 * 1024
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), Path("/usr/bin"))
# Failures a client meets while a part is down: it tries the step again, as a browser user would.
RETRY_STATUS = {500, 502, 503, 504}
# RQ's default worker forks a work horse per job, which builds the vault client, the
# scanner and the parser processes anew each time (about 1.4 s a job here); SimpleWorker
# runs the jobs in the worker process, built once (0.12 s a job). --forking-workers compares.
SIMPLE_WORKER = ["--worker-class", "rq.worker.SimpleWorker"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not come up within {timeout:.0f} s")


def port_open(port: int, address: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        return s.connect_ex((address, port)) == 0


# --- the shared parts ------------------------------------------------------------


class Postgres:
    """A private cluster; initdb refuses root, so as root it runs as the postgres user."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "pg"
        self.port = free_port()
        self.user = "postgres" if os.getuid() == 0 else None

    def _run(self, *args: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *args], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        self.dir.mkdir(parents=True)
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres"
        )
        self._ctl("start")
        subprocess.run(
            [
                str(PG_BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "kammerpost",
            ],
            check=True,
        )

    def _ctl(self, action: str) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c max_connections=200"
        )
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.dir / "data"),
            "-l",
            str(self.dir / "log"),
            "-o",
            options,
            "-w",
            "-m",
            "fast",
            action,
        )

    def restart(self) -> None:
        self._ctl("restart")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("stop")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/kammerpost"


class Redis:
    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "redis"
        self.dir.mkdir()
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(lambda: port_open(self.port), "redis")

    def restart(self) -> None:
        self.stop()
        self.start()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


@dataclass
class Service:
    """One of our processes; ``kill`` is a crash (SIGKILL), ``start`` what systemd does then."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv, env=self.env, stdout=log, stderr=log, cwd=ROOT, start_new_session=True
            )
        if self.port is not None:
            port = self.port
            wait_for(lambda: port_open(port), self.name)

    def kill(self) -> None:
        if self.process is not None:
            # The whole group: gunicorn's and RQ's children die with it, as with the host.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


# nginx runs the shipped site file (deploy/nginx/kammerpost.conf: TLS per BSI TR-02102-2, body
# limits, headers); only addresses, certificate and upstream lines are replaced, as in
# tests/operations/test_nginx.py. Its own loopback address keeps the standard ports free of
# clashes, and URLs (Host, Referer, CSRF) look as in production.
NGINX_ADDRESS = "127.0.0.2"
SITE = ROOT / "deploy" / "nginx" / "kammerpost.conf"
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


def replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise SystemExit(f"{old!r} appears {text.count(old)} times in {SITE}")
    return text.replace(old, new)


def nginx_config(directory: Path, web_ports: list[int]) -> Path:
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={NGINX_ADDRESS}",
            "-addext",
            f"subjectAltName=IP:{NGINX_ADDRESS}",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    # Round robin over both instances, not sticky: sessions live in the database.
    upstreams = " ".join(
        f"server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" for port in web_ports
    )
    site = SITE.read_text()
    for old, new in (
        ("listen 443 ssl http2;", f"listen {NGINX_ADDRESS}:443 ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen {NGINX_ADDRESS}:80;"),
        ("listen [::]:80;", ""),
        ("/etc/kammerpost/tls/fullchain.pem", str(cert)),
        ("/etc/kammerpost/tls/privkey.pem", str(key)),
        ("server 127.0.0.1:8000 max_fails=3 fail_timeout=10s;", upstreams),
        (
            "server_name portal.hwk-musterstadt.example;\n    return",
            f"server_name {NGINX_ADDRESS};\n    return",
        ),
    ):
        site = replace_once(site, old, new)
    (directory / "kammerpost.conf").write_text(site)
    temp = "\n".join(
        f"  {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    frame = directory / "nginx.conf"
    frame.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\npid {directory / 'nginx.pid'};\n"
        + f"error_log {directory / 'error.log'} warn;\nevents {{ worker_connections 512; }}\n"
        + f"http {{\n  access_log off;\n{temp}\n  include {directory / 'kammerpost.conf'};\n}}\n"
    )
    return cert


# --- the load --------------------------------------------------------------------


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    retried: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    acked_portal: list[str] = field(default_factory=list)  # markers
    acked_mail: list[str] = field(default_factory=list)
    # (started at, monotonic; upload s; verdict s)
    probes: list[tuple[float, float, float]] = field(default_factory=list)
    crashes: list[float] = field(default_factory=list)  # when chaos struck, monotonic
    probe_names: list[str] = field(default_factory=list)
    send_times: list[float] = field(default_factory=list)

    def count(self, table: dict[str, int], kind: str) -> None:
        with self.lock:
            table[kind] = table.get(kind, 0) + 1


class Customer:
    def __init__(self, base: str, number: int, tally: Tally, cert: Path) -> None:
        self.base, self.number, self.tally = base, number, tally
        self.s = requests.Session()
        self.s.verify = str(cert)
        self.s.trust_env = False  # REQUESTS_CA_BUNDLE and proxies from the environment would win

    def _call(
        self, kind: str, method: str, path: str, retry: bool = True, **kwargs: object
    ) -> requests.Response:
        deadline = time.monotonic() + 90
        last: object = None
        while True:
            try:
                r = self.s.request(
                    method, self.base + path, timeout=120, allow_redirects=False, **kwargs
                )  # type: ignore[arg-type]
                if r.status_code not in RETRY_STATUS:
                    return r
                last = r.status_code
            except requests.RequestException as exc:
                last = exc
            if not retry or time.monotonic() > deadline:
                self.tally.count(self.tally.failed, kind)
                raise RuntimeError(f"{kind} failed: {last}")
            self.tally.count(self.tally.retried, kind)
            time.sleep(0.5)

    def _csrf(self) -> dict[str, str]:
        return {"csrfmiddlewaretoken": self.s.cookies.get("csrftoken", "")}

    def login(self) -> None:
        self._call("login", "GET", "/konto/login/")
        r = self._call(
            "login",
            "POST",
            "/konto/login/",
            data={"login": f"scale{self.number}@example.org", "password": PASSWORD, **self._csrf()},
            headers={"Referer": self.base + "/konto/login/"},
        )
        if r.status_code != 302 or "sessionid" not in self.s.cookies:
            raise RuntimeError(f"login failed: {r.status_code}")

    def submit(self, files: list[tuple[str, bytes, str]], marker: str) -> str:
        """The general procedure through the real forms; the reference of the item."""
        ref = {"Referer": self.base + "/"}
        self._call("page", "GET", "/portal/verfahren/allgemein/")
        r = self._call(
            "start",
            "POST",
            "/portal/verfahren/allgemein/",
            data={
                "department": "pruefungswesen",
                "file_reference": "",
                "message": marker,
                **self._csrf(),
            },
            headers=ref,
        )
        draft = re.search(r"/entwurf/([0-9a-f]{32})/", r.headers.get("Location", ""))
        if draft is None:
            raise RuntimeError(f"no draft: {r.status_code}")
        base = f"/portal/entwurf/{draft.group(1)}"
        for name, data, kind in files:
            r = self._call(
                "upload",
                "POST",
                f"{base}/dateien/",
                data={"slot": "dokumente", **self._csrf()},
                files={"file": (name, data, kind)},
                headers=ref,
            )
        self._call("check", "GET", f"{base}/pruefen/")
        # Sending is idempotent per draft (a replayed send redirects to the same receipt).
        r = self._call("send", "POST", f"{base}/senden/", data=self._csrf(), headers=ref)
        receipt = re.search(r"/vorgaenge/([^/]+)/bestaetigung/", r.headers.get("Location", ""))
        if receipt is None:
            raise RuntimeError(
                f"send not acknowledged: {r.status_code} {r.headers.get('Location')}"
            )
        return receipt.group(1)

    def post_file(self, reference: str, name: str, data: bytes) -> None:
        """A message with a file in the item's thread (one request; never repeated)."""
        r = self._call(
            "message",
            "POST",
            f"/portal/vorgaenge/{reference}/",
            retry=False,
            data={"text": "Nachweis", **self._csrf()},
            files={"file": (name, data, "application/pdf")},
            headers={"Referer": self.base + "/"},
        )
        if r.status_code != 302:
            self.tally.count(self.tally.failed, "message")
            raise RuntimeError(f"message refused: {r.status_code}")

    def verdict_shown(self, reference: str, name: str) -> bool:
        r = self._call("poll", "GET", f"/portal/vorgaenge/{reference}/")
        return f"{name}: angenommen" in r.text or f"{name}: abgelehnt" in r.text


def small_png(seed: int) -> bytes:
    from tests.corpus import misc

    return misc.png(40 + seed % 200, 30 + seed % 97)


def pdf_of(size: int, seed: int) -> bytes:
    from tests.corpus import pdfs

    random.seed(seed)  # fresh bytes each time: clamd caches by content
    return pdfs.large_pdf(size)


def customer_loop(c: Customer, until: float, tally: Tally, seed: int, pause: float) -> None:
    n = 0
    while time.monotonic() < until:
        time.sleep(pause)
        marker = f"scale-{uuid.uuid4().hex}"
        n += 1
        start = time.monotonic()
        try:
            c.submit([(f"beleg-{seed}-{n}.png", small_png(seed * 1000 + n), "image/png")], marker)
        except RuntimeError:
            continue
        with tally.lock:
            tally.acked_portal.append(marker)
            tally.send_times.append(time.monotonic() - start)


def probe_loop(c: Customer, reference: str, until: float, tally: Tally, size: int) -> None:
    n = 0
    while time.monotonic() < until:
        n += 1
        name = f"scan-{n:04d}.pdf"
        data = pdf_of(size, 7000 + n)
        start = time.monotonic()
        try:
            c.post_file(reference, name, data)
        except RuntimeError:
            continue
        uploaded = time.monotonic() - start
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not c.verdict_shown(reference, name):
            time.sleep(0.05)
        with tally.lock:
            tally.probes.append((start, uploaded, time.monotonic() - start))
            tally.probe_names.append(name)


def mail_loop(port: int, until: float, tally: Tally, pdf: bytes, pause: float) -> None:
    n = 0
    while time.monotonic() < until:
        n += 1
        marker = f"scale-mail-{uuid.uuid4().hex}"
        message = EmailMessage()
        message["From"] = f"absender{n % 7}@example.org"
        message["To"] = "pruefungswesen@hwk-musterstadt.example"
        message["Subject"] = marker
        message.set_content("Anbei der Nachweis.")
        message.add_attachment(
            pdf, maintype="application", subtype="pdf", filename=f"nachweis-{n}.pdf"
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
                    smtp.send_message(message)
                with tally.lock:
                    tally.acked_mail.append(marker)
                break
            except (smtplib.SMTPException, OSError):
                tally.count(tally.retried, "mail")  # 4xx or down: the MTA tries again
                time.sleep(0.5)
        else:
            tally.count(tally.failed, "mail")
        time.sleep(pause)


# --- orchestration ---------------------------------------------------------------


@contextlib.contextmanager
def system(workdir: Path, worker_args: list[str]) -> Iterator[dict[str, object]]:
    from tests.support.clamd import Clamd
    from tests.support.s3 import S3Server

    from kammerpost.vault import create_key_file

    pg, redis, s3, clamd = (
        Postgres(workdir),
        Redis(workdir),
        S3Server(workdir / "s3"),
        Clamd(workdir / "clamd"),
    )
    services: list[Service] = []
    nginx_dir = workdir / "nginx"
    try:
        pg.start()
        redis.start()
        s3.start()
        s3.create_bucket("kammerpost")
        clamd.start()
        keys = workdir / "keys"
        keys.mkdir(mode=0o700)
        create_key_file(keys / "2026.key")
        mail_port = free_port()
        env = {
            **os.environ,
            **s3.environment,
            "PYTHONPATH": os.environ.get("PYTHONPATH", str(ROOT / "src")),
            "KAMMERPOST_DATABASE_URL": pg.url,
            "KAMMERPOST_VAR_DIR": str(workdir / "var"),
            "KAMMERPOST_VAULT_URL": s3.url("kammerpost", "intake"),
            "KAMMERPOST_VAULT_KEYS": str(keys / "2026.key"),
            "KAMMERPOST_CLAMD": clamd.unix_url,
            "KAMMERPOST_TASKS_BACKEND": "rq",
            "KAMMERPOST_REDIS_URL": f"redis://127.0.0.1:{redis.port}/0",
            "KAMMERPOST_SECRET_KEY": secrets.token_urlsafe(50),
            "KAMMERPOST_ALLOWED_HOSTS": f"{NGINX_ADDRESS},127.0.0.1",
            "KAMMERPOST_LOG_LEVEL": "WARNING",
            "KAMMERPOST_LOG_FORMAT": "plain",
            "KAMMERPOST_MAILGATE_LISTEN": f"127.0.0.1:{mail_port}",
            # Short enough that a crash recovers within the run.
            "KAMMERPOST_INTAKE_LEASE_SECONDS": "30",
            "KAMMERPOST_INTAKE_REQUEUE_SECONDS": "20",
            "KAMMERPOST_INTAKE_RETRY_BASE_SECONDS": "5",
            "KAMMERPOST_INTAKE_RETRY_MAX_SECONDS": "20",
        }
        env.pop("KAMMERPOST_CRASHPOINT", None)
        subprocess.run([KAMMERPOST, "migrate", "-v0"], env=env, check=True)
        subprocess.run([KAMMERPOST, "demo_setup"], env=env, check=True, capture_output=True)
        subprocess.run([KAMMERPOST, "collectstatic", "--noinput", "-v0"], env=env, check=True)
        code = (
            "from kammerpost.accounts.models import User\n"
            "from allauth.account.models import EmailAddress\n"
            "for i in range(8):\n"
            "    e = f'scale{i}@example.org'\n"
            "    u = User.objects.create_user(\n"
            f"        username=f'scale-{{i}}', email=e, password={PASSWORD!r})\n"
            "    EmailAddress.objects.create(user=u, email=e, verified=True, primary=True)\n"
        )
        subprocess.run([KAMMERPOST, "shell", "-c", code], env=env, check=True)
        logs = workdir / "logs"
        logs.mkdir()

        def host(name: str) -> dict[str, str]:
            return {
                **env,
                "KAMMERPOST_INTAKE_HANDOVER_DIR": str(workdir / f"host-{name}" / "handover"),
            }

        for number, name in ((1, "a"), (2, "b")):
            port = free_port()
            metrics = workdir / f"host-{name}" / "metrics"
            metrics.mkdir(parents=True)
            web_env = {
                **host(name),
                "KAMMERPOST_LISTEN": f"127.0.0.1:{port}",
                "KAMMERPOST_WEB_WORKERS": "2",
                # The web in production mode (HTTPS only, secure cookies behind the proxy).
                # The rest not: production refuses clamd's demo signatures, the only ones here.
                "KAMMERPOST_PRODUCTION": "true",
                "PROMETHEUS_MULTIPROC_DIR": str(metrics),
            }
            services.append(
                Service(
                    f"web{number}",
                    [str(BIN / "gunicorn"), "-c", str(GUNICORN_CONFIG)],
                    web_env,
                    logs / f"web{number}.log",
                    port=port,
                )
            )
            services.append(
                Service(
                    f"worker{number}",
                    [
                        KAMMERPOST,
                        "rqworker",
                        "--job-class",
                        "django_tasks_rq.Job",
                        *worker_args,
                        "default",
                    ],
                    {**host(name), "KAMMERPOST_LOG_LEVEL": "INFO"},
                    logs / f"worker{number}.log",
                )
            )
        services.append(
            Service(
                "mailgate",
                [KAMMERPOST, "mailgate"],
                host("a"),
                logs / "mailgate.log",
                port=mail_port,
            )
        )
        services.append(
            Service(
                "sweep", [KAMMERPOST, "intake_sweep", "--loop", "5"], host("b"), logs / "sweep.log"
            )
        )
        for service in services:
            service.start()
        nginx_dir.mkdir()
        web_ports = [s.port for s in services if s.port and s.name.startswith("web")]
        cert = nginx_config(nginx_dir, web_ports)  # type: ignore[arg-type]
        subprocess.run(
            ["nginx", "-c", str(nginx_dir / "nginx.conf"), "-p", str(nginx_dir)], check=True
        )
        wait_for(lambda: port_open(443, NGINX_ADDRESS), "nginx")
        yield {
            "env": env,
            "pg": pg,
            "redis": redis,
            "services": {s.name: s for s in services},
            "base": f"https://{NGINX_ADDRESS}",
            "mail_port": mail_port,
            "logs": logs,
            "cert": cert,
        }
    finally:
        pid = nginx_dir / "nginx.pid"
        if pid.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid.read_text().strip()), signal.SIGQUIT)
        for service in reversed(services):
            service.stop()
        clamd.stop()
        s3.stop()
        redis.stop()
        pg.stop()


def chaos(
    sys_: dict[str, object], seconds: float, events: list[str], start: float, tally: Tally
) -> None:
    services: dict[str, Service] = sys_["services"]  # type: ignore[assignment]
    pg: Postgres = sys_["pg"]  # type: ignore[assignment]
    redis: Redis = sys_["redis"]  # type: ignore[assignment]

    def at(fraction: float) -> None:
        time.sleep(max(0.0, start + seconds * fraction - time.monotonic()))

    def note(text: str) -> None:
        tally.crashes.append(time.monotonic())
        events.append(f"{time.monotonic() - start:6.1f} s  {text}")

    at(0.2)
    services["web1"].kill()
    note("web1 SIGKILL")
    time.sleep(5)
    services["web1"].start()
    note("web1 back")
    at(0.35)
    services["worker1"].kill()
    note("worker1 SIGKILL (with its work horse)")
    time.sleep(5)
    services["worker1"].start()
    note("worker1 back")
    at(0.5)
    redis.restart()
    note("Redis restarted")
    at(0.65)
    pg.restart()
    note("PostgreSQL restarted")


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def verify(sys_: dict[str, object], tally: Tally, settle: float) -> list[str]:
    """Every acknowledged item exactly once, nothing twice, every document decided."""
    env: dict[str, str] = sys_["env"]  # type: ignore[assignment]
    for key in (
        "KAMMERPOST_DATABASE_URL",
        "KAMMERPOST_VAULT_URL",
        "KAMMERPOST_VAULT_KEYS",
        "KAMMERPOST_VAR_DIR",
    ):
        os.environ[key] = env[key]
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        os.environ[key] = env[key]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kammerpost.settings")
    import django

    django.setup()
    from django.db.models import Count

    from kammerpost.intake.models import DECIDED_STATES, Document, InboundItem

    deadline = time.monotonic() + settle
    undecided = -1
    while time.monotonic() < deadline:
        undecided = Document.objects.exclude(state__in=DECIDED_STATES).count()
        if undecided == 0:
            break
        time.sleep(1)
    problems = []
    if undecided:
        states = list(
            Document.objects.exclude(state__in=DECIDED_STATES).values_list("state", flat=True)
        )
        problems.append(
            f"{undecided} documents undecided after {settle:.0f} s: {sorted(set(states))}"
        )
    portal = dict(
        InboundItem.objects.filter(text__startswith="scale-")
        .values_list("text")
        .annotate(n=Count("id"))
    )
    mail = dict(
        InboundItem.objects.filter(subject__startswith="scale-mail-")
        .values_list("subject")
        .annotate(n=Count("id"))
    )
    for name, acked, stored in (
        ("portal", tally.acked_portal, portal),
        ("mail", tally.acked_mail, mail),
    ):
        lost = [m for m in acked if m not in stored]
        twice = {m: n for m, n in stored.items() if n > 1}
        if lost:
            problems.append(f"{name}: {len(lost)} acknowledged items lost")
        if twice:
            problems.append(f"{name}: {len(twice)} items stored more than once")
        print(
            f"  {name}: {len(acked)} acknowledged, {len(stored)} stored,"
            f" {len(lost)} lost, {len(twice)} twice"
        )
    documents = Document.objects.count()
    by_state = dict(Document.objects.values_list("state").annotate(n=Count("id")))
    print(f"  documents: {documents} {by_state}")
    probes = Document.objects.filter(original_name__in=tally.probe_names)
    if probes.exclude(state="accepted").exists():
        problems.append("a probe PDF was not accepted")
    spans = [
        (decided - received).total_seconds()
        for received, decided in probes.values_list("received_at", "decided_at")
        if decided is not None
    ]
    if spans:
        print(
            f"  probe PDFs, stored -> decided (server side): p50 {pct(spans, 50):.2f} s"
            f"  p95 {pct(spans, 95):.2f} s"
        )
    return problems


def print_probes(tally: Tally, pdf_mb: int) -> None:
    # A probe whose time span saw a crash or restart waits for the recovery (lease, sweep).
    calm = [p for p in tally.probes if not any(p[0] - 1 <= t <= p[0] + p[2] for t in tally.crashes)]
    for label, probes in (("all", tally.probes), ("no crash meanwhile", calm)):
        if not probes:
            continue
        verdicts = [v for _, _, v in probes]
        uploads = [u for _, u, _ in probes]
        print(
            f"  {pdf_mb} MB PDF upload -> verdict on screen, {label} ({len(probes)}):"
            f" p50 {pct(verdicts, 50):.2f} s  p95 {pct(verdicts, 95):.2f} s"
            f"  max {max(verdicts):.2f} s  (upload alone p95 {pct(uploads, 95):.2f} s)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--customers", type=int, default=3)
    parser.add_argument("--pdf-mb", type=int, default=20)
    parser.add_argument("--pause", type=float, default=1.0, help="each customer, between sends")
    parser.add_argument("--no-chaos", action="store_true")
    parser.add_argument("--forking-workers", action="store_true", help="RQ's default Worker")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    args = parser.parse_args()
    for binary in ("nginx", "redis-server", "clamd", "runuser"):
        if shutil.which(binary) is None and not Path("/usr/sbin", binary).exists():
            raise SystemExit(f"{binary} is missing (scripts/install-system-packages)")
    workdir = Path(tempfile.mkdtemp(prefix="kp-scale-"))
    workdir.chmod(0o755)  # the postgres user must reach its directory below
    tally, events = Tally(), []
    try:
        with system(workdir, [] if args.forking_workers else SIMPLE_WORKER) as sys_:
            base, mail_port = str(sys_["base"]), int(sys_["mail_port"])  # type: ignore[call-overload]
            print(f"system up in {workdir} (nginx {base})", flush=True)
            cert = Path(str(sys_["cert"]))
            customers = [Customer(base, i, tally, cert) for i in range(args.customers + 1)]
            for c in customers:
                c.login()
            probe = customers.pop()
            probe_item = probe.submit(
                [("start.png", small_png(1), "image/png")], "scale-probe-start"
            )
            tally.acked_portal.append("scale-probe-start")
            mail_pdf = pdf_of(200 * 1024, 99)
            start = time.monotonic()
            until = start + args.seconds
            threads = [
                threading.Thread(target=customer_loop, args=(c, until, tally, i + 1, args.pause))
                for i, c in enumerate(customers)
            ]
            threads.append(
                threading.Thread(
                    target=probe_loop, args=(probe, probe_item, until, tally, args.pdf_mb * MB)
                )
            )
            threads.append(
                threading.Thread(
                    target=mail_loop, args=(mail_port, until, tally, mail_pdf, args.pause)
                )
            )
            if not args.no_chaos:
                threads.append(
                    threading.Thread(
                        target=chaos, args=(sys_, args.seconds, events, start, tally), daemon=True
                    )
                )
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=args.seconds + 300)
            elapsed = time.monotonic() - start
            print("\nevents:")
            for line in events:
                print("  " + line)
            print(f"\nload for {elapsed:.0f} s through nginx, 2 web, 2 RQ workers:")
            items = len(tally.acked_portal) + len(tally.acked_mail)
            print(
                f"  throughput: {items / elapsed:.2f} items/s acknowledged"
                f" (portal {len(tally.acked_portal)}, mail {len(tally.acked_mail)},"
                f" probe PDFs {len(tally.probes)})"
            )
            if tally.send_times:
                print(
                    f"  portal procedure (start..send) p50 {pct(tally.send_times, 50):.2f} s"
                    f"  p95 {pct(tally.send_times, 95):.2f} s"
                )
            if tally.probes:
                print_probes(tally, args.pdf_mb)
            print(f"  retried while a part was down: {tally.retried or 'none'}")
            print(f"  failed (gave up): {tally.failed or 'none'}")
            print("\nat the end:")
            problems = verify(sys_, tally, settle=180)
            if tally.failed:
                problems.append(f"failed requests: {tally.failed}")
            for problem in problems:
                print("  PROBLEM: " + problem)
            print("OK" if not problems else "NOT OK")
            return 1 if problems else 0
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(main())
