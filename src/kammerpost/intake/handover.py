"""The plaintext hand-over: a worker on the receiving host inspects the bytes the receive saw.

Without it, every inspection reads the blob back from the vault, decrypts it
and checks its SHA-256 once more: as much work as storing it. With it, the
receive writes the plaintext it streams into the vault also into a private
file (one read of the source, the vault's own SHA-256 covers exactly these
bytes), and renames it to the blob's key once the blob is durable. A worker
on the same host takes that file instead of reading the blob back; a worker
elsewhere finds nothing and reads back as before.

The files are as private as the temp file of a read-back: a directory of
mode 0700 owned by us, files of mode 0600, never followed through links.
They live only until a worker took them or ``INTAKE_HANDOVER_MAX_AGE_SECONDS``
passed (each receiving process removes stale ones now and then), so plaintext
waits no longer than a queued inspection normally does.

What the worker may conclude from a handed-over file is decided in
``services._inspect_handed``: the verdict counts only if the blob is durable
with the same digest.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

from django.conf import settings

log = logging.getLogger(__name__)

_KEY = re.compile(r"[0-9a-f]{32}")
_PARTIAL = ".partial-"
_sweep_lock = threading.Lock()
_last_sweep = 0.0
# A receiving process looks for stale files at most this often.
_SWEEP_EVERY_SECONDS = 60.0


def handover_dir() -> Path | None:
    """The hand-over directory, created private; None when it is off or not private."""
    configured = settings.INTAKE_HANDOVER_DIR
    if not configured:
        return None
    path = Path(configured)
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
    except OSError as exc:
        log.warning("plaintext hand-over off: %s", exc)
        return None
    private = (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and stat.S_IMODE(info.st_mode) & 0o077 == 0
    )
    if not private:
        log.warning("plaintext hand-over off: %s is not a private directory of ours", path)
        return None
    return path


class _Tee:
    """A source that copies every byte the vault reads from it into the spool file.

    A failing spool (disk full) never fails the receive: the copy is dropped
    and the worker reads the blob back instead.
    """

    def __init__(self, source: BinaryIO, spool: BinaryIO) -> None:
        self._source = source
        self._spool: BinaryIO | None = spool
        self.copied = 0

    @property
    def intact(self) -> bool:
        return self._spool is not None

    def readinto(self, buffer: memoryview) -> int:
        readinto = getattr(self._source, "readinto", None)
        if callable(readinto):
            got = readinto(buffer) or 0
        else:
            chunk = self._source.read(len(buffer))
            got = len(chunk)
            buffer[:got] = chunk
        if got and self._spool is not None:
            try:
                self._spool.write(buffer[:got])
                self.copied += got
            except OSError as exc:
                log.warning("plaintext hand-over dropped: %s", exc)
                self._spool = None
        return got


class Spool:
    """One receive's copy: ``source`` feeds the vault, ``keep(key, size)`` publishes the copy."""

    def __init__(self, source: BinaryIO, directory: Path | None) -> None:
        self.source: BinaryIO = source
        self._directory = directory
        self._partial: Path | None = None
        self._tee: _Tee | None = None
        self._file: BinaryIO | None = None
        if directory is None:
            return
        try:
            fd, name = _mkstemp(directory)
        except OSError as exc:
            log.warning("plaintext hand-over off for this file: %s", exc)
            return
        self._partial = Path(name)
        self._file = os.fdopen(fd, "wb", buffering=0)
        self._tee = _Tee(source, self._file)
        # The vault reads a file source with readinto only (envelope.PlaintextSegments).
        self.source = cast("BinaryIO", self._tee)

    def keep(self, key: str, size: int) -> None:
        """The blob ``key`` is durable: publish the copy under its key (if complete)."""
        if self._partial is None or self._tee is None or self._directory is None:
            return
        self._close_file()
        if not self._tee.intact or self._tee.copied != size or not _KEY.fullmatch(key):
            self.discard()
            return
        self._partial.rename(self._directory / key)
        self._partial = None

    def discard(self) -> None:
        self._close_file()
        if self._partial is not None:
            self._partial.unlink(missing_ok=True)
            self._partial = None

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _mkstemp(directory: Path) -> tuple[int, str]:
    return tempfile.mkstemp(prefix=_PARTIAL, dir=directory)  # mode 0600, O_EXCL


@contextlib.contextmanager
def spooled(source: BinaryIO) -> Iterator[Spool]:
    """Copy what the vault reads from ``source``; a copy not kept is removed on exit."""
    directory = handover_dir()
    if directory is not None:
        _sweep_now_and_then(directory)
    spool = Spool(source, directory)
    try:
        yield spool
    finally:
        spool.discard()  # a no-op once kept


def take(key: str, *, size: int) -> Path | None:
    """The handed-over plaintext of blob ``key`` if this host has it, complete and fresh."""
    directory = handover_dir()
    if directory is None or not _KEY.fullmatch(key):
        return None
    path = directory / key
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("plaintext hand-over of %s unreadable: %s", key, exc)
        return None
    fresh = time.time() - info.st_mtime <= settings.INTAKE_HANDOVER_MAX_AGE_SECONDS
    ours = stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid()
    if not (fresh and ours and info.st_size == size):
        release(key)
        return None
    return path


def release(key: str) -> None:
    """Remove the handed-over plaintext of blob ``key`` (done with it, or the receive failed)."""
    directory = handover_dir()
    if directory is not None and _KEY.fullmatch(key):
        with contextlib.suppress(OSError):
            (directory / key).unlink(missing_ok=True)


def expired_remove() -> int:
    """Remove hand-over files older than the maximum age (nobody took them); how many."""
    directory = handover_dir()
    return 0 if directory is None else _remove_older(directory)


def _sweep_now_and_then(directory: Path) -> None:
    global _last_sweep  # noqa: PLW0603 - one timestamp per process
    now = time.monotonic()
    with _sweep_lock:
        if now - _last_sweep < _SWEEP_EVERY_SECONDS:
            return
        _last_sweep = now
    _remove_older(directory)


def _remove_older(directory: Path) -> int:
    cutoff = time.time() - settings.INTAKE_HANDOVER_MAX_AGE_SECONDS
    removed = 0
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for entry in entries:
        with contextlib.suppress(OSError):
            if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                Path(entry.path).unlink()
                removed += 1
    return removed
