"""ClamAV through clamd's INSTREAM protocol, over a unix or TCP socket.

Fail closed: any error, timeout, size-limit answer or unreachable daemon
means "not scanned", which the engine turns into *held*, never *accepted*.
The scan is a session fed chunk by chunk, so the engine reads each file only
once for hashing and scanning.
"""

from __future__ import annotations

import contextlib
import socket
import struct
from dataclasses import dataclass
from enum import StrEnum
from typing import Final
from urllib.parse import urlsplit

_CHUNK_LIMIT: Final = 1024 * 1024


class ScanStatus(StrEnum):
    CLEAN = "clean"
    INFECTED = "infected"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class ScanResult:
    status: ScanStatus
    signature: str = ""
    detail: str = ""


class ScanSession:
    """One INSTREAM scan in progress. Errors are remembered, never raised."""

    def __init__(self, address: tuple[int, str | tuple[str, int]], timeout: float) -> None:
        self._error = ""
        self._sock: socket.socket | None = None
        family, target = address
        try:
            self._sock = socket.socket(family, socket.SOCK_STREAM)
            self._sock.settimeout(timeout)
            self._sock.connect(target)
            self._sock.sendall(b"zINSTREAM\0")
        except OSError as exc:
            self._fail(f"connect: {exc}")

    def _fail(self, detail: str) -> None:
        if not self._error:
            self._error = detail
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None

    def send(self, chunk: bytes) -> None:
        if self._sock is None:
            return
        try:
            view = memoryview(chunk)
            for start in range(0, len(view), _CHUNK_LIMIT):
                part = view[start : start + _CHUNK_LIMIT]
                self._sock.sendall(struct.pack(">I", len(part)))
                self._sock.sendall(part)
        except OSError as exc:  # clamd closes the socket when StreamMaxLength is exceeded
            self._fail(f"send: {exc}")

    def finish(self) -> ScanResult:
        if self._sock is None:
            return ScanResult(ScanStatus.UNAVAILABLE, detail=self._error)
        try:
            self._sock.sendall(b"\0\0\0\0")
            reply = b""
            while not reply.endswith(b"\0"):
                chunk = self._sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except OSError as exc:
            self._fail(f"reply: {exc}")
            return ScanResult(ScanStatus.UNAVAILABLE, detail=self._error)
        finally:
            self._fail("closed")
        return _parse_reply(reply.rstrip(b"\0").decode("utf-8", "replace"))


def _parse_reply(text: str) -> ScanResult:
    # "stream: OK", "stream: Eicar-Test FOUND", "INSTREAM size limit exceeded. ERROR"
    if not text.startswith("stream: "):
        return ScanResult(ScanStatus.UNAVAILABLE, detail=text or "empty reply")
    body = text.removeprefix("stream: ")
    if body == "OK":
        return ScanResult(ScanStatus.CLEAN)
    if body.endswith(" FOUND"):
        return ScanResult(ScanStatus.INFECTED, signature=body.removesuffix(" FOUND"))
    return ScanResult(ScanStatus.UNAVAILABLE, detail=text or "empty reply")


class ClamdScanner:
    """A clamd daemon at ``unix:///path/clamd.ctl`` or ``tcp://host:port``."""

    def __init__(self, url: str, timeout: float = 120.0) -> None:
        parts = urlsplit(url)
        if parts.scheme == "unix" and parts.path:
            self.address: tuple[int, str | tuple[str, int]] = (socket.AF_UNIX, parts.path)
        elif parts.scheme == "tcp" and parts.hostname and parts.port:
            self.address = (socket.AF_INET, (parts.hostname, parts.port))
        else:
            raise ValueError(f"KAMMERPOST_CLAMD must be unix:///path or tcp://host:port: {url!r}")
        self.url = url
        self.timeout = timeout

    def session(self) -> ScanSession:
        return ScanSession(self.address, self.timeout)

    def scan_bytes(self, data: bytes) -> ScanResult:
        session = self.session()
        session.send(data)
        return session.finish()

    def ping(self) -> bool:
        family, target = self.address
        try:
            with socket.socket(family, socket.SOCK_STREAM) as sock:
                sock.settimeout(min(self.timeout, 5.0))
                sock.connect(target)
                sock.sendall(b"zPING\0")
                return sock.recv(16).startswith(b"PONG")
        except OSError:
            return False
