"""A private ClamAV daemon for tests and benchmarks, on the demo database.

ClamAV has no built-in EICAR detection and freshclam cannot reach its mirrors
here, so the daemon runs on the demo database ``make run`` also writes
(:mod:`kammerpost.inspection.localclamd`): one body signature that matches
EICAR anywhere (bare, inside ZIP/DOCX parts, inside PDF streams).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from pathlib import Path

from kammerpost.inspection import ClamdScanner
from kammerpost.inspection.localclamd import (
    DEMO_SIGNATURE,
    clamd_binary,
    eicar,
    write_config,
    write_demo_database,
)

EICAR = eicar()
SIGNATURE_NAME = DEMO_SIGNATURE


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Clamd:
    """One clamd process in ``workdir``; reachable by unix socket and TCP on loopback."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.socket_path = workdir / "clamd.sock"
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        workdir.mkdir(parents=True, exist_ok=True)
        database = workdir / "db"
        write_demo_database(database)
        self.config = write_config(workdir, database, self.socket_path, tcp_port=self.port)

    @property
    def unix_url(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def tcp_url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def scanner(self, timeout: float = 30.0) -> ClamdScanner:
        return ClamdScanner(self.unix_url, timeout=timeout)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [clamd_binary(), "--config-file", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.workdir / "clamd.log").read_text(errors="replace")
                raise RuntimeError(f"clamd exited at start:\n{log[-2000:]}")
            if self.scanner(timeout=2).ping():
                return
            time.sleep(0.05)
        raise RuntimeError("clamd did not answer within 60 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
