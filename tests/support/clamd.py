"""A private ClamAV daemon for tests and benchmarks, with a signature database we write.

ClamAV has no built-in EICAR detection and freshclam cannot reach its mirrors
here, so we write one body signature (it matches EICAR anywhere: bare, inside
ZIP/DOCX parts, inside PDF streams). EICAR is assembled at run time so that
the repository never contains it literally.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from pathlib import Path

from kammerpost.inspection import ClamdScanner

EICAR = (
    "X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-" + "ANTIVIRUS-TEST-" + "FILE!$H+H*"
).encode()
SIGNATURE_NAME = "Kammerpost.Test.EICAR"


def clamd_binary() -> str:
    found = shutil.which("clamd") or (
        "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None
    )
    if found is None:
        raise RuntimeError("clamd is missing: run `make test`, which installs clamav-daemon")
    return found


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
        database = workdir / "db"
        database.mkdir(parents=True, exist_ok=True)
        (database / "kammerpost-test.ndb").write_text(f"{SIGNATURE_NAME}:0:*:{EICAR.hex()}\n")
        self.config = workdir / "clamd.conf"
        self.config.write_text(
            "\n".join(
                [
                    "Foreground yes",
                    f"DatabaseDirectory {database}",
                    f"LocalSocket {self.socket_path}",
                    f"TCPSocket {self.port}",
                    "TCPAddr 127.0.0.1",
                    "StreamMaxLength 300M",
                    "MaxFileSize 300M",
                    "MaxScanSize 300M",
                    f"PidFile {workdir / 'clamd.pid'}",
                    f"LogFile {workdir / 'clamd.log'}",
                    "",
                ]
            )
        )

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
