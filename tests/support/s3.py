"""A real S3-compatible server on loopback for tests and benchmarks: moto's standalone server.

    server = S3Server(workdir)
    server.start()                      # waits until it answers
    os.environ.update(server.environment)   # dummy credentials for boto3
    server.create_bucket("kammerpost-test")
    url = server.url("kammerpost-test", "some/prefix")   # for vault_from_url
    ...
    server.stop()

moto keeps every object in its own process's memory: fine for tests, and the
client's memory stays measurable on its own.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

REGION = "eu-central-1"
# boto3 needs credentials to sign requests; moto accepts any.
ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "kammerpost-test",
    "AWS_SECRET_ACCESS_KEY": "kammerpost-test-secret",
    "AWS_DEFAULT_REGION": REGION,
    # Tests never reach beyond loopback: no instance metadata lookups, no user config.
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
}


def moto_server_binary() -> str:
    beside = Path(sys.executable).with_name("moto_server")
    found = str(beside) if beside.exists() else shutil.which("moto_server")
    if found is None:
        raise RuntimeError("moto_server is missing: install the dev dependencies (moto[server])")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class S3Server:
    """One ``moto_server`` process on 127.0.0.1 and a free port."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "moto_server.log"
        self.environment = dict(ENVIRONMENT)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, bucket: str, prefix: str = "") -> str:
        """The vault URL for ``bucket`` and ``prefix`` on this server."""
        path = quote(prefix.strip("/"))
        return f"s3://{bucket}/{path}?endpoint={self.endpoint}&region={REGION}"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [moto_server_binary(), "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log_text = self.log_path.read_text(errors="replace")
                raise RuntimeError(f"moto_server exited at start:\n{log_text[-2000:]}")
            if self._answers():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("moto_server did not answer within 30 s")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.endpoint}/", timeout=1) as answer:  # noqa: S310 - our loopback server
                return bool(answer.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def client(self) -> Any:
        """A boto3 S3 client for this server (for setting up and inspecting buckets)."""
        import boto3  # type: ignore[import-untyped]

        return boto3.session.Session(
            aws_access_key_id=self.environment["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.environment["AWS_SECRET_ACCESS_KEY"],
        ).client("s3", endpoint_url=self.endpoint, region_name=REGION)

    def create_bucket(self, bucket: str) -> None:
        self.client().create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
