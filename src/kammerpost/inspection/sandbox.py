"""Runs the format rules in separate worker processes with resource limits.

One hostile file must not take the caller down or stall it: each worker has
an address-space limit and a CPU budget per job, and the caller waits at most
``parse_timeout_s`` for an answer. A worker that runs over, crashes or answers
nonsense is killed and replaced; the file is then refused as too complex.

We keep our own small pool instead of ``concurrent.futures``: a process pool
there cannot kill one hung task without breaking the whole pool.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import json
import os
import queue
import selectors
import subprocess
import sys
import threading
import time
from typing import Any, Final

from .policy import Limits
from .report import Findings

_DAMAGED: Final = {
    "pdf": "pdf.damaged",
    "jpeg": "image.damaged",
    "png": "image.damaged",
    "zip": "ooxml.damaged",
    "ole": "format.unknown",
}
_MAX_REPLY: Final = 4 * 1024 * 1024


class WorkerFailedError(Exception):
    """A worker timed out, died or answered something that is not a JSON object."""


class WorkerProcess:
    """One long-lived ``python -m MODULE ARGS...`` that answers one JSON line per request."""

    def __init__(self, command: tuple[str, ...], max_reply: int = _MAX_REPLY) -> None:
        self.command = command
        self.max_reply = max_reply
        self.process = subprocess.Popen(
            [sys.executable, "-m", *command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
        )
        self._buffer = b""

    def ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        if self.process.stdin is None or self.process.stdout is None:
            raise WorkerFailedError("no pipes")
        try:
            self.process.stdin.write(json.dumps(request).encode() + b"\n")
            self.process.stdin.flush()
        except OSError as exc:
            raise WorkerFailedError("worker gone") from exc
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not sel.select(remaining):
                    raise WorkerFailedError("timeout")
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise WorkerFailedError("worker died")
                self._buffer += chunk
                if len(self._buffer) > self.max_reply:
                    raise WorkerFailedError("reply too large")
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            reply = json.loads(line)
        except ValueError as exc:
            raise WorkerFailedError("garbled reply") from exc
        if not isinstance(reply, dict):
            raise WorkerFailedError("garbled reply")
        return reply

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


class WorkerPool:
    """A fixed number of worker processes, started on first use; thread-safe.

    A worker that fails is killed and its slot starts a fresh one next time,
    so one hostile input costs one process, never the caller.
    """

    def __init__(self, size: int = 1, max_reply: int = _MAX_REPLY) -> None:
        self._idle: queue.Queue[WorkerProcess | None] = queue.Queue()
        for _ in range(size):
            self._idle.put(None)  # a free slot; the process starts when needed
        self._size = size
        self._max_reply = max_reply

    def ask(
        self, command: tuple[str, ...], request: dict[str, Any], timeout: float
    ) -> dict[str, Any] | None:
        """The reply of a worker running ``command``; None if it failed (it was replaced)."""
        worker = self._idle.get()
        try:
            if worker is None or worker.command != command:
                if worker is not None:
                    worker.kill()
                worker = WorkerProcess(command, self._max_reply)
            try:
                return worker.ask(request, timeout)
            except WorkerFailedError:
                worker.kill()
                worker = None
                return None
        finally:
            self._idle.put(worker)

    def close(self) -> None:
        for _ in range(self._size):
            worker = self._idle.get()
            if worker is not None:
                worker.kill()


class ParserPool(WorkerPool):
    """Parser processes for the format rules (``kammerpost.inspection.worker``)."""

    def check(self, kind: str, path: str, limits: Limits) -> Findings:
        """Run the format rules for ``kind`` on ``path``; never raises for bad input."""
        command = ("kammerpost.inspection.worker", str(limits.parse_memory_bytes))
        request = {"kind": kind, "path": path, "limits": dataclasses.asdict(limits)}
        reply = self.ask(command, request, limits.parse_timeout_s)
        if reply is None:
            return _single("file.too_complex")
        return _findings_from(reply, kind)


def _single(code: str) -> Findings:
    findings = Findings()
    findings.add(code)
    return findings


def _findings_from(reply: dict[str, Any], kind: str) -> Findings:
    error = reply.get("error")
    if error in ("memory", "recursion"):
        return _single("file.too_complex")
    if error is not None:
        return _single(_DAMAGED[kind])
    findings = Findings()
    findings.facts.update(reply.get("facts", {}))
    for code, params in reply.get("findings", []):
        findings.add(str(code), **params)
    return findings


_shared: ParserPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> ParserPool:
    """The process-wide pool, sized to the machine's cores."""
    global _shared  # noqa: PLW0603 - one pool per process is the point
    with _shared_lock:
        if _shared is None:
            _shared = ParserPool(size=max(1, min(4, os.cpu_count() or 1)))
            atexit.register(_shared.close)
        return _shared
