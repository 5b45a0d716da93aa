"""ClamAV through clamd's INSTREAM protocol, over a unix or TCP socket.

Fail closed: any error, timeout, size-limit answer or unreachable daemon
means "not scanned", which the engine turns into *held*, never *accepted*.
The scan is a session fed chunk by chunk, so the engine reads each file only
once for hashing and scanning.

Every scan also asks clamd which signature database it runs on (VERSION):
ClamAV's official databases carry a version, the demo database of the
embedded setup (:mod:`.localclamd`) none. A scan with demo signatures finds
the EICAR test file and nothing else, so the result says so wherever it is
shown, and production refuses to run on it.
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
# Shown next to every result of a scan with the demo database (German, English).
DEMO_DATABASE_TEXTS: Final = (
    "Demo-Signaturen, kein Virenschutz",
    "demo signatures, no virus protection",
)


def demo_database_text(av: object, lang: str) -> str | None:
    """The demo note for the ``av`` facts of an inspection, or None for a real scan."""
    if isinstance(av, dict) and av.get("database") == "demo":
        return DEMO_DATABASE_TEXTS[1] if lang.startswith("en") else DEMO_DATABASE_TEXTS[0]
    return None


class ScanStatus(StrEnum):
    CLEAN = "clean"
    INFECTED = "infected"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class ClamdVersion:
    """clamd's VERSION answer: ``ClamAV 1.4.6/27500/Thu Dec  3 09:21:00 2026``.

    Without an official (versioned) database the answer is just ``ClamAV 1.4.6``:
    then clamd scans only with home-made signatures such as the demo database's.
    """

    engine: str
    database_version: int | None = None
    database_time: str = ""

    @property
    def demo(self) -> bool:
        return self.database_version is None

    @property
    def database(self) -> str:
        """The marker recorded with every scan: ``demo`` or ``official``."""
        return "demo" if self.demo else "official"

    @classmethod
    def parse(cls, text: str) -> ClamdVersion | None:
        parts = text.strip().split("/", 2)
        if not parts[0].startswith("ClamAV "):
            return None
        if len(parts) < 2:
            return cls(parts[0])
        try:
            number = int(parts[1])
        except ValueError:
            return None
        return cls(parts[0], number, parts[2] if len(parts) > 2 else "")


@dataclass(frozen=True, slots=True)
class ScanResult:
    status: ScanStatus
    signature: str = ""
    detail: str = ""
    # Which database the daemon scanned with; None when the scan did not happen.
    version: ClamdVersion | None = None


class ScanSession:
    """One INSTREAM scan in progress. Errors are remembered, never raised."""

    def __init__(
        self,
        address: tuple[int, str | tuple[str, int]],
        timeout: float,
        version: ClamdVersion | None,
    ) -> None:
        self._error = ""
        self._sock: socket.socket | None = None
        self._version = version
        if version is None:
            # Not knowing the database is not knowing what the scan is worth.
            self._error = "no VERSION answer"
            return
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
        return _parse_reply(reply.rstrip(b"\0").decode("utf-8", "replace"), self._version)


def _parse_reply(text: str, version: ClamdVersion | None = None) -> ScanResult:
    # "stream: OK", "stream: Eicar-Test FOUND", "INSTREAM size limit exceeded. ERROR"
    if not text.startswith("stream: "):
        return ScanResult(ScanStatus.UNAVAILABLE, detail=text or "empty reply")
    body = text.removeprefix("stream: ")
    if body == "OK":
        return ScanResult(ScanStatus.CLEAN, version=version)
    if body.endswith(" FOUND"):
        signature = body.removesuffix(" FOUND")
        return ScanResult(ScanStatus.INFECTED, signature=signature, version=version)
    return ScanResult(ScanStatus.UNAVAILABLE, detail=text or "empty reply")


class ClamdScanner:
    """A clamd daemon at ``unix:///path/clamd.ctl`` or ``tcp://host:port``."""

    def __init__(self, url: str, timeout: float = 120.0, max_stream: int | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme == "unix" and parts.path:
            self.address: tuple[int, str | tuple[str, int]] = (socket.AF_UNIX, parts.path)
        elif parts.scheme == "tcp" and parts.hostname and parts.port:
            self.address = (socket.AF_INET, (parts.hostname, parts.port))
        else:
            raise ValueError(f"KAMMERPOST_CLAMD must be unix:///path or tcp://host:port: {url!r}")
        self.url = url
        self.timeout = timeout
        # clamd's StreamMaxLength: a longer stream is cut off (broken pipe), so such
        # files are not sent at all but held with their own reason (av.too_large).
        self.max_stream = max_stream

    def session(self) -> ScanSession:
        return ScanSession(self.address, self.timeout, self.version())

    def scan_bytes(self, data: bytes) -> ScanResult:
        session = self.session()
        session.send(data)
        return session.finish()

    def ping(self) -> bool:
        return self._command(b"zPING\0").startswith("PONG")

    def version(self) -> ClamdVersion | None:
        """The engine and database clamd runs on; None when it does not answer sensibly."""
        return ClamdVersion.parse(self._command(b"zVERSION\0"))

    def _command(self, command: bytes) -> str:
        """A one-line command's answer ("" on any error)."""
        family, target = self.address
        reply = b""
        try:
            with socket.socket(family, socket.SOCK_STREAM) as sock:
                sock.settimeout(min(self.timeout, 5.0))
                sock.connect(target)
                sock.sendall(command)
                while not reply.endswith(b"\0") and len(reply) < 4096:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    reply += chunk
        except OSError:
            return ""
        return reply.rstrip(b"\0").decode("utf-8", "replace")
