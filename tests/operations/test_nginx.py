"""The documented nginx in front of the app's gunicorn, scanned with testssl (BSI TR-02102-2).

nginx from Debian runs deploy/nginx/kammerpost.conf with only its paths and
ports replaced, on loopback, with a self-signed certificate made here; the app
runs under deploy/gunicorn.conf.py in production mode. testssl (Debian's
testssl.sh) lists every protocol, cipher suite and group the server accepts:
none may lie outside the TR's list of forward-secret AEAD suites.
"""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kammerpost.inspection import policy_named
from kammerpost.portal.middleware import UPLOAD_MARGIN
from tests.support import processes
from tests.support.clamd import Clamd

from .conftest import samples

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clamd, pytest.mark.timeout(900)]

REPOSITORY = Path(__file__).resolve().parents[2]
CONFIG = REPOSITORY / "deploy" / "nginx" / "kammerpost.conf"
GUNICORN_CONFIG = REPOSITORY / "deploy" / "gunicorn.conf.py"
HOST = "portal.hwk-musterstadt.example"
TOKEN = secrets.token_urlsafe(32)

# BSI TR-02102-2 (2024): TLS 1.2 suites with forward secrecy (ECDHE/DHE) and an AEAD mode ...
BSI_TLS12 = {
    f"TLS_{kx}_WITH_AES_{bits}_{mode}"
    for kx in ("ECDHE_ECDSA", "ECDHE_RSA", "DHE_RSA")
    for bits in ("128", "256")
    for mode in ({"128": "GCM_SHA256", "256": "GCM_SHA384"}[bits], "CCM")
}
# ... and the TLS 1.3 suites it names (no ChaCha20-Poly1305).
BSI_TLS13 = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_AES_128_CCM_SHA256"}
BSI_GROUPS = {
    "prime256v1",
    "secp256r1",
    "secp384r1",
    "secp521r1",
    "brainpoolP256r1",
    "brainpoolP384r1",
    "brainpoolP512r1",
    "ffdhe3072",
    "ffdhe4096",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}: {log.read_text()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not listen on {port}")


def _certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _replace_once(text: str, old: str, new: str) -> str:
    # Each replacement must hit exactly once: a changed config fails here, not silently.
    assert text.count(old) == 1, f"{old!r} appears {text.count(old)} times in {CONFIG}"
    return text.replace(old, new)


@dataclass
class Stack:
    tls_port: int
    http_port: int
    web_port: int
    cert: Path
    env: dict[str, str]
    workdir: Path

    def https(self) -> http.client.HTTPSConnection:
        context = ssl.create_default_context(cafile=str(self.cert))
        context.check_hostname = False  # we connect to 127.0.0.1; the name is in the Host header
        return http.client.HTTPSConnection("127.0.0.1", self.tls_port, context=context, timeout=60)

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        connection = self.https()
        try:
            connection.request("GET", path, headers={"Host": HOST})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()


@pytest.fixture
def stack(tmp_path: Path, clamd: Clamd) -> Iterator[Stack]:
    for tool in ("nginx", "testssl"):
        assert shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists(), (
            f"{tool} is missing: run `make system-packages`"
        )
    var = tmp_path / "var"
    keys = tmp_path / "keys"
    keys.mkdir()
    made = processes.run("vault", "new-key", "--directory", str(keys), env=os.environ.copy())
    assert made.returncode == 0, made.stderr
    web_port, tls_port, http_port = _free_port(), _free_port(), _free_port()
    (tmp_path / "metrics").mkdir()
    env = processes.command_env(
        KAMMERPOST_PRODUCTION="true",
        KAMMERPOST_SECRET_KEY=secrets.token_urlsafe(50),
        KAMMERPOST_ALLOWED_HOSTS=f"{HOST},127.0.0.1",
        KAMMERPOST_VAR_DIR=str(var),
        KAMMERPOST_VAULT_URL=f"file://{var / 'vault'}",
        KAMMERPOST_VAULT_KEYS=str(keys),
        KAMMERPOST_CLAMD=clamd.unix_url,
        KAMMERPOST_LISTEN=f"127.0.0.1:{web_port}",
        KAMMERPOST_WEB_WORKERS="2",
        KAMMERPOST_METRICS_TOKEN=TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
    )
    with (tmp_path / "gunicorn.log").open("wb") as log:
        gunicorn = subprocess.Popen(
            [str(Path(processes.KAMMERPOST).with_name("gunicorn")), "-c", str(GUNICORN_CONFIG)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    cert, key = _certificate(tmp_path)
    site = CONFIG.read_text()
    for old, new in (
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{tls_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("/etc/kammerpost/tls/fullchain.pem", str(cert)),
        ("/etc/kammerpost/tls/privkey.pem", str(key)),
        ("server 127.0.0.1:8000 ", f"server 127.0.0.1:{web_port} "),
    ):
        site = _replace_once(site, old, new)
    (tmp_path / "kammerpost.conf").write_text(site)
    temp = {kind: tmp_path / f"nginx-{kind}" for kind in ("body", "proxy", "fcgi", "uwsgi", "scgi")}
    (tmp_path / "nginx.conf").write_text(
        "\n".join(
            [
                # Only the process frame: everything about TLS and proxying is the shipped file.
                "user root;" if os.geteuid() == 0 else "",
                "daemon off;",
                "worker_processes 1;",
                f"pid {tmp_path / 'nginx.pid'};",
                f"error_log {tmp_path / 'nginx-error.log'} warn;",
                "events { worker_connections 256; }",
                "http {",
                "  access_log off;",
                f"  client_body_temp_path {temp['body']};",
                f"  proxy_temp_path {temp['proxy']};",
                f"  fastcgi_temp_path {temp['fcgi']};",
                f"  uwsgi_temp_path {temp['uwsgi']};",
                f"  scgi_temp_path {temp['scgi']};",
                f"  include {tmp_path / 'kammerpost.conf'};",
                "}",
                "",
            ]
        )
    )
    nginx_binary = shutil.which("nginx") or "/usr/sbin/nginx"
    with (tmp_path / "nginx-stderr.log").open("wb") as log:
        nginx = subprocess.Popen(
            [
                nginx_binary,
                "-c",
                str(tmp_path / "nginx.conf"),
                "-e",
                str(tmp_path / "nginx-error.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        _wait_for_port(web_port, gunicorn, "gunicorn", tmp_path / "gunicorn.log")
        _wait_for_port(tls_port, nginx, "nginx", tmp_path / "nginx-stderr.log")
        yield Stack(tls_port, http_port, web_port, cert, env, tmp_path)
    finally:
        for process in (nginx, gunicorn):
            processes.stop(process)  # type: ignore[arg-type]


def _testssl(stack: Stack) -> list[dict[str, str]]:
    report = stack.workdir / "testssl.json"
    result = subprocess.run(
        [
            shutil.which("testssl") or "/usr/bin/testssl",
            "--quiet",
            "--warnings=off",
            "--color=0",
            "--protocols",
            "--cipher-per-proto",
            "--fs",
            f"--jsonfile={report}",
            f"127.0.0.1:{stack.tls_port}",
        ],
        capture_output=True,
        text=True,
        timeout=800,
        check=False,
    )
    assert report.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    findings: list[dict[str, str]] = json.loads(report.read_text())
    return findings


def test_tls_offers_only_what_bsi_tr_02102_2_allows(stack: Stack) -> None:
    findings = _testssl(stack)
    by_id = {f["id"]: f["finding"] for f in findings}
    for protocol in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
        assert by_id.get(protocol, "").startswith("not offered"), (protocol, by_id.get(protocol))
    for protocol in ("TLS1_2", "TLS1_3"):
        assert by_id.get(protocol, "").startswith("offered"), (protocol, by_id.get(protocol))
    suites: dict[str, set[str]] = {"tls1_2": set(), "tls1_3": set()}
    for finding in findings:
        match = re.fullmatch(r"cipher-(tls1(?:_\d)?|ssl\d)_x[0-9a-f]+", finding["id"])
        if match:
            assert match.group(1) in suites, f"suite offered on {match.group(1)}: {finding}"
            suites[match.group(1)].add(finding["finding"].split()[-1])
    assert suites["tls1_2"], f"testssl found no TLS 1.2 suite: the scan did not work: {by_id}"
    assert suites["tls1_3"], "testssl found no TLS 1.3 suite: the scan did not work"
    assert suites["tls1_2"] <= BSI_TLS12, suites["tls1_2"] - BSI_TLS12
    assert suites["tls1_3"] <= BSI_TLS13, suites["tls1_3"] - BSI_TLS13
    # testssl 3.0 calls it PFS_ECDHE_curves, 3.2 FS_ECDHE_curves.
    curves = by_id.get("FS_ECDHE_curves") or by_id.get("PFS_ECDHE_curves", "")
    groups = set(curves.split())
    assert groups, f"testssl named no key exchange groups: {by_id}"
    assert groups <= BSI_GROUPS, groups - BSI_GROUPS


def test_the_app_answers_through_the_proxy_with_its_production_headers(stack: Stack) -> None:
    status, headers, body = stack.get("/health")
    assert (status, body) == (200, b"ok")
    # nginx's $request_id reached the app, which logs it and sends it back.
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
    # Production mode behind the proxy: X-Forwarded-Proto says https, so HSTS and no redirect.
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    status, _, body = stack.get("/ready")
    assert status == 200, body
    assert json.loads(body)["ready"] is True
    status, headers, _ = stack.get("/konto/login/")
    assert status == 200
    assert "nginx/" not in headers.get("Server", "")  # no version disclosed
    # /metrics is not served to the public through the proxy ...
    assert stack.get("/metrics")[0] == 404
    # ... but Prometheus gets it from the instance itself, summed over every process of the
    # host: another process's counter shows up in the gunicorn workers' answer.
    added = processes.run(
        "shell",
        "-c",
        "from kammerpost.operations import metrics; metrics.tus_bytes_received(12345)",
        env=stack.env,
    )
    assert added.returncode == 0, added.stderr
    direct = http.client.HTTPConnection("127.0.0.1", stack.web_port, timeout=30)
    direct.request(
        "GET", "/metrics", headers={"Host": "127.0.0.1", "Authorization": f"Bearer {TOKEN}"}
    )
    response = direct.getresponse()
    assert response.status == 200
    figures = samples(response.read().decode())
    direct.close()
    assert figures[("kammerpost_tus_bytes_received_total", ())] == 12345
    # Plain HTTP on the proxy only redirects to HTTPS.
    plain = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=30)
    plain.request("GET", "/portal/", headers={"Host": HOST})
    redirect = plain.getresponse()
    location = redirect.getheader("Location")
    plain.close()
    assert redirect.status == 301
    assert location == f"https://{HOST}/portal/"


def _post_chunked(stack: Stack, path: str, total: int) -> int:
    """POST ``total`` bytes with Transfer-Encoding: chunked (no Content-Length to check)."""
    context = ssl.create_default_context(cafile=str(stack.cert))
    context.check_hostname = False
    chunk = b"x" * (1 << 20)
    with (
        socket.create_connection(("127.0.0.1", stack.tls_port), timeout=60) as raw,
        context.wrap_socket(raw) as tls,
    ):
        tls.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nTransfer-Encoding: chunked\r\n"
            "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n".encode()
        )
        sent = 0
        try:
            while sent < total:
                part = chunk[: min(len(chunk), total - sent)]
                tls.sendall(b"%x\r\n%s\r\n" % (len(part), part))
                sent += len(part)
            tls.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and stopped reading; its answer is below
        reply = b""
        while b"\r\n" not in reply:
            data = tls.recv(4096)
            if not data:
                break
            reply += data
    status_line = reply.split(b"\r\n", 1)[0].decode()
    assert status_line.startswith("HTTP/1.1 "), repr(reply[:200])
    return int(status_line.split()[1])


def test_nginx_refuses_a_body_over_the_limit_before_the_app_sees_it(stack: Stack) -> None:
    site = CONFIG.read_text()
    limit_mb = int(re.search(r"^\s*client_max_body_size (\d+)m;", site, re.M).group(1))  # type: ignore[union-attr]
    # One number in three places: the policy, the app's margin and the proxy agree.
    assert limit_mb * (1 << 20) == policy_named("default").limits.max_file_size + UPLOAD_MARGIN
    # Declared too large: refused from the header alone.
    connection = stack.https()
    connection.putrequest("POST", "/portal/", skip_host=True)
    connection.putheader("Host", HOST)
    connection.putheader("Content-Length", str((limit_mb + 50) << 20))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    assert b"nginx" in response.read()  # nginx's own page: the app never saw it
    connection.close()
    # Chunked (no length to check up front): nginx counts and stops it at the limit.
    assert _post_chunked(stack, "/portal/", (limit_mb + 1) << 20) == 413
    # Below the limit the request reaches the app, which answers (here: CSRF refusal).
    assert _post_chunked(stack, "/portal/", 1 << 20) == 403
