"""The local file system backend (``file:///abs/path``), the embedded default under ``var/``.

Layout below the root (directories 0700, files 0600)::

    blobs/<k0k1>/<key>      ciphertext
    keys/<k0k1>/<key>       key record
    uploads/<id>/           a resumable upload in progress (``uploads.py``)
    blobs/<k0k1>/.<key>.<random>.tmp   a write in progress (or of a crashed writer)

The two-hex-digit fan-out keeps directories small (256 per kind). Every write
goes to a temp file in the target directory, is fsynced, renamed into place
and the directory fsynced, so a blob either exists completely and durably or
not at all. Names that are not 32 hex digits are never taken for blobs.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .backends import BLOB_KEY_PATTERN, BlobHandle
from .errors import BlobNotFoundError, VaultError

_BLOBS = "blobs"
_RECORDS = "keys"
_TEMP_SUFFIX = ".tmp"
_HEX = frozenset("0123456789abcdef")


@contextlib.contextmanager
def _storage_errors(action: str) -> Iterator[None]:
    # Storage failures (disk full, permissions, I/O errors) reach callers as
    # VaultError, so the intake can treat "vault unavailable" as one case.
    try:
        yield
    except OSError as exc:
        raise VaultError(f"{action}: {exc}") from exc


def fsync_directory(directory: Path) -> None:
    """Make the entries of ``directory`` durable (after a create, rename or unlink in it)."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_directory(directory: Path) -> None:
    """Create ``directory`` (0700) and make its entry durable in the parent."""
    if directory.is_dir():
        return
    _make_directory(directory.parent)
    with contextlib.suppress(FileExistsError):
        directory.mkdir(mode=0o700)
        fsync_directory(directory.parent)


class _FileHandle:
    """A ciphertext file opened for reading; read errors become VaultError."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._file = path.open("rb", buffering=0)
        try:
            self.length = os.fstat(self._file.fileno()).st_size
        except BaseException:
            self._file.close()
            raise

    def readinto(self, buffer: memoryview, /) -> int:
        with _storage_errors(f"cannot read {self._path}"):
            return self._file.readinto(buffer) or 0

    def close(self) -> None:
        self._file.close()


class FileBackend:
    """Blobs and key records as files below one root directory."""

    def __init__(self, root: Path) -> None:
        if not root.is_absolute():
            raise ValueError(f"the vault directory must be an absolute path, not {root}")
        self.root = root
        with _storage_errors(f"cannot create the vault directory {root}"):
            _make_directory(root)

    def describe(self) -> str:
        """The root as a ``file://`` URL."""
        return f"file://{self.root}"

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / key

    def _write_atomic(self, path: Path, chunks: Iterable[bytes]) -> None:
        with _storage_errors(f"cannot write {path}"):
            _make_directory(path.parent)
            fd, temp_name = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=_TEMP_SUFFIX
            )
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                # Errors of the source propagate unchanged; only storage errors are wrapped.
                for chunk in chunks:
                    with _storage_errors(f"cannot write {path}"):
                        out.write(chunk)
                with _storage_errors(f"cannot write {path}"):
                    out.flush()
                    os.fsync(out.fileno())
            with _storage_errors(f"cannot write {path}"):
                temp.replace(path)
                fsync_directory(path.parent)
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise

    def put_blob(self, key: str, chunks: Iterable[bytes]) -> None:
        """Write the ciphertext atomically and durably."""
        self._write_atomic(self._path(_BLOBS, key), chunks)

    def adopt_blob(self, key: str, path: Path) -> None:
        """Move a finished, fsynced ciphertext file (below ``root``) into place as blob ``key``.

        For resumable uploads (``uploads.py``), which build the ciphertext across
        many requests: a rename instead of copying gigabytes once more.
        """
        target = self._path(_BLOBS, key)
        with _storage_errors(f"cannot write {target}"):
            _make_directory(target.parent)
            path.replace(target)
            fsync_directory(target.parent)
            fsync_directory(path.parent)

    def open_blob(self, key: str) -> tuple[BlobHandle, int]:
        """Open the ciphertext file; BlobNotFoundError if it is absent."""
        path = self._path(_BLOBS, key)
        try:
            handle = _FileHandle(path)
        except FileNotFoundError:
            raise BlobNotFoundError(f"no ciphertext for blob {key}") from None
        except OSError as exc:
            raise VaultError(f"cannot open {path}: {exc}") from exc
        return handle, handle.length

    def blob_exists(self, key: str) -> bool:
        """Whether the ciphertext file exists."""
        return self._path(_BLOBS, key).is_file()

    def delete_blob(self, key: str) -> None:
        """Remove the ciphertext file and make the removal durable."""
        self._remove(self._path(_BLOBS, key), overwrite=False)

    def put_record(self, key: str, data: bytes) -> None:
        """Write or replace the key record atomically and durably."""
        self._write_atomic(self._path(_RECORDS, key), [data])

    def get_record(self, key: str) -> bytes:
        """The key record's bytes; BlobNotFoundError if absent."""
        path = self._path(_RECORDS, key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise BlobNotFoundError(f"no blob {key} in {self.describe()}") from None
        except OSError as exc:
            raise VaultError(f"cannot read {path}: {exc}") from exc

    def record_exists(self, key: str) -> bool:
        """Whether the key record file exists."""
        return self._path(_RECORDS, key).is_file()

    def delete_record(self, key: str) -> None:
        """Overwrite the key record with zeros, then remove it (both made durable)."""
        self._remove(self._path(_RECORDS, key), overwrite=True)

    def _remove(self, path: Path, *, overwrite: bool) -> None:
        with _storage_errors(f"cannot delete {path}"):
            try:
                if overwrite:
                    # Best effort against undelete tools on simple file systems; it
                    # means nothing on copy-on-write or flash storage, where the KEK
                    # wrapping is what protects a lingering copy.
                    with path.open("r+b", buffering=0) as fh:
                        fh.write(b"\0" * os.fstat(fh.fileno()).st_size)
                        os.fsync(fh.fileno())
                path.unlink()
            except FileNotFoundError:
                return
            fsync_directory(path.parent)

    def _fan_out_directories(self, kind: str) -> Iterator[os.DirEntry[str]]:
        base = self.root / kind
        try:
            entries = sorted(os.scandir(base), key=lambda e: e.name)
        except FileNotFoundError:
            return
        for entry in entries:
            if len(entry.name) == 2 and set(entry.name) <= _HEX and entry.is_dir():
                yield entry

    def _list(self, kind: str) -> Iterator[tuple[str, datetime]]:
        with _storage_errors(f"cannot list {self.root / kind}"):
            for directory in self._fan_out_directories(kind):
                found = []
                for entry in os.scandir(directory.path):
                    # Temp files start with "." and never match; foreign files are ignored.
                    if (
                        BLOB_KEY_PATTERN.fullmatch(entry.name)
                        and entry.name.startswith(directory.name)
                        and entry.is_file(follow_symlinks=False)
                    ):
                        modified = datetime.fromtimestamp(entry.stat().st_mtime, UTC)
                        found.append((entry.name, modified))
                yield from sorted(found)

    def list_blobs(self) -> Iterator[tuple[str, datetime]]:
        """Ciphertext files, sorted by key."""
        return self._list(_BLOBS)

    def list_records(self) -> Iterator[tuple[str, datetime]]:
        """Key record files, sorted by key."""
        return self._list(_RECORDS)

    def remove_temporary(self, older_than: timedelta) -> int:
        """Remove temp files of crashed writers not modified for ``older_than``."""
        cutoff = (datetime.now(UTC) - older_than).timestamp()
        removed = 0
        with _storage_errors(f"cannot clean up {self.root}"):
            for kind in (_BLOBS, _RECORDS):
                for directory in self._fan_out_directories(kind):
                    for entry in os.scandir(directory.path):
                        if not (entry.name.startswith(".") and entry.name.endswith(_TEMP_SUFFIX)):
                            continue
                        with contextlib.suppress(FileNotFoundError):
                            if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                                Path(entry.path).unlink()
                                removed += 1
        return removed
