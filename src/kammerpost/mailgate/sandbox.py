"""Parser processes for whole messages: a hostile mail costs one worker, never the gateway.

Like the inspection engine's pool (``inspection/sandbox.py``): a fixed
number of long-lived processes with an address-space limit, a CPU budget
per message and a wall-clock timeout. A worker that runs over, dies or
answers nonsense is killed and replaced; the message is then refused as too
complex (550 5.6.0). An exception inside the policy code is not the
sender's fault: it comes back as ``MailParserError`` and the gateway
answers 451.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import queue
import re
import selectors
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Final

from .examine import Examination
from .rules import MailLimits, Refusal

_MAX_REPLY: Final = 16 * 1024 * 1024
_PART_NAME: Final = re.compile(r"part-\d{3}")


class MailParserError(Exception):
    """The policy code failed on a message (a bug, not a verdict)."""


class _WorkerFailedError(Exception):
    pass


class _Worker:
    def __init__(self, limits: MailLimits) -> None:
        self.limits = limits
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kammerpost.mailgate.worker",
                str(limits.parse_memory_bytes),
                str(limits.max_message_bytes),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
        )
        self._buffer = b""

    def ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        if self.process.stdin is None or self.process.stdout is None:
            raise _WorkerFailedError("no pipes")
        try:
            self.process.stdin.write(json.dumps(request).encode() + b"\n")
            self.process.stdin.flush()
        except OSError as exc:
            raise _WorkerFailedError("worker gone") from exc
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not sel.select(remaining):
                    raise _WorkerFailedError("timeout")
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise _WorkerFailedError("worker died")
                self._buffer += chunk
                if len(self._buffer) > _MAX_REPLY:
                    raise _WorkerFailedError("reply too large")
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            reply = json.loads(line)
        except ValueError as exc:
            raise _WorkerFailedError("garbled reply") from exc
        if not isinstance(reply, dict):
            raise _WorkerFailedError("garbled reply")
        return reply

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


class MailParserPool:
    """``size`` parser processes, started on first use; thread-safe."""

    def __init__(self, size: int = 2) -> None:
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        self._size = size
        for _ in range(size):
            self._idle.put(None)

    def examine(self, raw_path: Path, workdir: Path, limits: MailLimits) -> Examination:
        """The examination of the message stored at ``raw_path``; attachments land in workdir."""
        worker = self._idle.get()
        try:
            if worker is None or worker.limits != limits:
                if worker is not None:
                    worker.kill()
                worker = _Worker(limits)
            request = {
                "path": str(raw_path),
                "workdir": str(workdir),
                "limits": dataclasses.asdict(limits),
            }
            try:
                reply = worker.ask(request, limits.parse_timeout_s)
            except _WorkerFailedError:
                worker.kill()
                worker = None
                return Examination(refusal=Refusal("mime.too_complex"))
        finally:
            self._idle.put(worker)
        return _examination_from(reply, limits, workdir)

    def close(self) -> None:
        for _ in range(self._size):
            worker = self._idle.get()
            if worker is not None:
                worker.kill()


def _examination_from(reply: dict[str, Any], limits: MailLimits, workdir: Path) -> Examination:
    error = reply.get("error")
    if error == "memory":
        return Examination(refusal=Refusal("mime.too_complex"))
    if error == "recursion":
        return Examination(refusal=Refusal("mime.too_deep", {"limit": limits.max_depth}))
    if error is not None:
        raise MailParserError(str(reply.get("type", error)))
    try:
        examination = Examination.from_dict(reply)
    except (TypeError, ValueError, KeyError) as exc:
        raise MailParserError("garbled examination") from exc
    # The worker only names files it wrote into our directory; anything else is a lie.
    for attachment in examination.attachments:
        path = Path(attachment.path)
        if path.parent != workdir or not _PART_NAME.fullmatch(path.name) or path.is_symlink():
            raise MailParserError("attachment outside the work directory")
    return examination
