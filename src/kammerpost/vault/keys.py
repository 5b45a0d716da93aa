"""Key-encryption keys (KEKs): key files and the ordered key ring built from them.

A key file holds one base64-encoded 32-byte key (surrounding whitespace is
ignored). Its id is the file name without ``.key`` (the stem), so operators
can see in ``kammerpost vault status`` and in every key record which file is
meant; the id is limited to ``[A-Za-z0-9._-]``. Because a file can be
replaced by another with the same name, every key record also carries a
check value of the key (an HMAC of a constant), so a different key under the
same id is reported as such instead of as damage.

Order matters: the LAST key of the ring writes (wraps new data keys); every
key in the ring can read. Rotation = append a new key, run
``kammerpost vault rotate``, then drop the old key from the list.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .errors import KeyUnavailableError
from .filesystem import fsync_directory

KEY_SIZE = 32
KEY_SUFFIX = ".key"
_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")
_CHECK_LABEL = b"kammerpost vault key check v1"


@dataclass(frozen=True)
class KeyEncryptionKey:
    """One KEK: its id, the 32 secret bytes (never shown in repr) and its check value."""

    id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not _ID_PATTERN.fullmatch(self.id):
            raise ValueError(f"key id {self.id!r} must be 1-64 characters of A-Z a-z 0-9 . _ -")
        if len(self.secret) != KEY_SIZE:
            raise ValueError(f"key {self.id!r} must be {KEY_SIZE} bytes, not {len(self.secret)}")

    @property
    def check(self) -> str:
        """A public check value (HMAC-SHA-256 of a constant, 8 bytes hex): same id, same key?"""
        return hmac.new(self.secret, _CHECK_LABEL, hashlib.sha256).hexdigest()[:16]


class KeyRing:
    """An ordered set of KEKs: the last one writes, all of them read."""

    def __init__(self, keys: Iterable[KeyEncryptionKey | tuple[str, bytes]]) -> None:
        ring: dict[str, KeyEncryptionKey] = {}
        for item in keys:
            kek = item if isinstance(item, KeyEncryptionKey) else KeyEncryptionKey(*item)
            if kek.id in ring:
                raise ValueError(f"key id {kek.id!r} appears twice in the key ring")
            ring[kek.id] = kek
        if not ring:
            raise ValueError("the key ring is empty: at least one key-encryption key is needed")
        self._keys = ring
        self._writer = list(ring.values())[-1]

    @classmethod
    def from_files(cls, paths: Iterable[str | Path]) -> KeyRing:
        """Load key files in the given order (the last one writes)."""
        return cls(read_key_file(Path(path)) for path in paths)

    @classmethod
    def from_spec(cls, spec: str) -> KeyRing:
        """Load a comma-separated list of key files or directories (``KAMMERPOST_VAULT_KEYS``).

        A directory stands for its ``*.key`` files sorted by name.
        """
        paths: list[Path] = []
        for entry in (part.strip() for part in spec.split(",")):
            if not entry:
                continue
            path = Path(entry).expanduser()
            paths.extend(key_files(path) if path.is_dir() else [path])
        if not paths:
            raise ValueError(f"no key files found in {spec!r}")
        return cls.from_files(paths)

    @classmethod
    def from_directory(cls, directory: Path, *, create: bool = True) -> KeyRing:
        """All ``*.key`` files of ``directory`` sorted by name; creates the first key if none."""
        if create:
            ensure_key(directory)
        files = key_files(directory)
        if not files:
            raise ValueError(f"no *.key files in {directory}")
        return cls.from_files(files)

    @property
    def ids(self) -> tuple[str, ...]:
        """Key ids in ring order (the last one writes)."""
        return tuple(self._keys)

    @property
    def writer(self) -> KeyEncryptionKey:
        """The key that wraps new data keys and that rotation moves blobs to."""
        return self._writer

    def get(self, key_id: str) -> KeyEncryptionKey:
        """The KEK with this id; KeyUnavailableError if the ring does not hold it."""
        try:
            return self._keys[key_id]
        except KeyError:
            raise KeyUnavailableError(
                f"key-encryption key {key_id!r} is not in the key ring ({', '.join(self.ids)})"
            ) from None

    def __iter__(self) -> Iterator[KeyEncryptionKey]:
        return iter(self._keys.values())

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"KeyRing(ids={self.ids!r}, writer={self._writer.id!r})"


def read_key_file(path: Path) -> KeyEncryptionKey:
    """Read one key file; its id is the file name without ``.key``."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read key file {path}: {exc}") from None
    try:
        secret = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"key file {path} does not hold base64 text") from None
    if len(secret) != KEY_SIZE:
        raise ValueError(f"key file {path} holds {len(secret)} bytes, not {KEY_SIZE}")
    stem = path.name.removesuffix(KEY_SUFFIX)
    return KeyEncryptionKey(stem, secret)


def key_files(directory: Path) -> list[Path]:
    """The ``*.key`` files of ``directory`` sorted by name (the ring order)."""
    return sorted(p for p in directory.glob(f"*{KEY_SUFFIX}") if p.is_file())


def create_key_file(directory: Path, *, now: datetime | None = None) -> Path:
    """Write a new random key file (mode 0600) named to sort after today's existing ones.

    Name: ``kek-<yyyymmdd>-<hhmmss>-<8 hex>.key`` (UTC) - the time of day keeps
    keys created on the same day in creation order, and with it the writer.
    """
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    path = directory / f"kek-{stamp}-{secrets.token_hex(4)}{KEY_SUFFIX}"
    text = base64.b64encode(secrets.token_bytes(KEY_SIZE)) + b"\n"
    # O_EXCL: never overwrite a key; 0600 from the start (no window with wider rights).
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, text)
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_directory(directory)
    return path


def ensure_key(directory: Path) -> None:
    """Create the first key in ``directory`` if it has none.

    A lock file serialises processes that start at the same time, so they do
    not each create a key and then write with different ones.
    """
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if key_files(directory):
        return
    lock_path = directory / ".lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if not key_files(directory):
            create_key_file(directory)
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
