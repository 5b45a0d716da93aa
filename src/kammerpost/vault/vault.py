"""``Vault``: streaming envelope encryption over a storage backend.

Write order: ciphertext first (durable), then the key record (durable), then
return. A crash in between leaves a ciphertext without a key record - its
data key died with the process, so it is unreadable garbage that ``keys()``
lists and ``cleanup()`` removes. Delete order is the reverse: key record
first (crypto-shredding), then the ciphertext.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import BinaryIO

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import envelope, records
from .backends import Backend, BlobHandle, CleanupResult, StoredEntry, check_blob_key
from .backends import merge_listings as _merge_listings
from .errors import BlobIntegrityError, BlobNotFoundError
from .keys import KeyRing

STALE_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class BlobInfo:
    """What ``Vault.write`` stored: the server-generated key and the plaintext's size and hash."""

    key: str
    size: int
    sha256: str


class BlobReader(Iterator[bytes]):
    """Verified plaintext of one blob, segment by segment.

    Iterating raises BlobIntegrityError instead of yielding a segment that
    fails authentication, and at the end if the whole does not match the
    recorded SHA-256. The storage handle is released when iteration ends or
    fails, on ``close()`` (which ``StreamingHttpResponse`` calls), or on exit
    of a ``with`` block.
    """

    def __init__(self, segments: Iterator[bytes], handle: BlobHandle) -> None:
        self._segments: Iterator[bytes] | None = segments
        self._handle: BlobHandle | None = handle

    def __iter__(self) -> BlobReader:
        return self

    def __next__(self) -> bytes:
        if self._segments is None:
            raise StopIteration
        try:
            return next(self._segments)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Release the storage handle (safe to call more than once)."""
        segments, self._segments = getattr(self, "_segments", None), None
        if isinstance(segments, Generator):
            segments.close()
        handle, self._handle = getattr(self, "_handle", None), None
        if handle is not None:
            handle.close()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()


class Vault:
    """Encrypted blob storage: one fresh data key per blob, wrapped with the ring's newest KEK.

    Create it once per process (``vault_from_environment()``) and share it: it
    holds no per-call state, and boto3 clients are thread-safe.
    """

    def __init__(
        self,
        backend: Backend,
        keyring: KeyRing,
        *,
        segment_size: int = envelope.DEFAULT_SEGMENT_SIZE,
    ) -> None:
        self.backend = backend
        self.keyring = keyring
        self.segment_size = envelope.check_segment_size(segment_size)

    def __repr__(self) -> str:
        return f"Vault({self.backend.describe()!r}, {self.keyring!r})"

    def write(self, source: BinaryIO | Iterable[bytes] | bytes) -> BlobInfo:
        """Encrypt and store ``source`` (a binary file or chunks); durable when it returns.

        Streams segment by segment; memory does not depend on the size. If the
        source raises, nothing is stored and the error propagates.
        """
        key = secrets.token_hex(16)
        data_key = AESGCM.generate_key(bit_length=256)
        if isinstance(source, bytes | bytearray | memoryview):
            source = [bytes(source)]
        segments = envelope.PlaintextSegments(source, self.segment_size)
        self.backend.put_blob(key, envelope.encrypt(data_key, key, segments, self.segment_size))
        contents = records.Secrets(data_key, segments.size, segments.sha256)
        try:
            record = records.seal(key, self.keyring.writer, self.segment_size, contents)
            self.backend.put_record(key, record)
        except BaseException:
            with contextlib.suppress(Exception):
                self.backend.delete_blob(key)
            raise
        return BlobInfo(key=key, size=contents.size, sha256=contents.sha256)

    def read(self, key: str, *, sha256: str | None = None) -> BlobReader:
        """Stream the verified plaintext of blob ``key``.

        Raises at once: BlobNotFoundError, KeyUnavailableError, or
        BlobIntegrityError for a damaged key record, a ciphertext of the wrong
        length or a recorded SHA-256 other than ``sha256`` (if given). While
        iterating: BlobIntegrityError before any segment that fails
        authentication, and at the end if the plaintext's SHA-256 differs.
        """
        return self._open(key, sha256=sha256, rehash=True)

    def verify(self, key: str, *, sha256: str) -> int:
        """Check that blob ``key`` is stored whole under ``sha256``; returns its size.

        For a caller that already holds the plaintext the writer stored (the
        intake's hand-over): the key record must name ``sha256`` and every
        segment of the ciphertext must authenticate, which leaves no other
        plaintext possible. The plaintext is not hashed again and not kept.
        Raises like :meth:`read`.
        """
        size = 0
        with self._open(key, sha256=sha256, rehash=False) as reader:
            for segment in reader:
                size += len(segment)
        return size

    def _open(self, key: str, *, sha256: str | None, rehash: bool) -> BlobReader:
        check_blob_key(key)
        record = records.parse(self.backend.get_record(key), key)
        contents = records.open_record(record, self.keyring)
        if sha256 is not None and sha256.lower() != contents.sha256:
            raise BlobIntegrityError(
                f"blob {key} has SHA-256 {contents.sha256}, the caller expected {sha256}"
            )
        handle, length = self.backend.open_blob(key)
        try:
            expected = envelope.ciphertext_size(contents.size, record.segment_size)
            if length != expected:
                raise BlobIntegrityError(
                    f"the ciphertext of blob {key} is {length} bytes, not {expected}"
                    " (truncated or extended)"
                )
            head = envelope.read_header(handle, record.segment_size)
        except BaseException:
            handle.close()
            raise
        segments = envelope.decrypt(
            contents.data_key,
            key,
            handle,
            head,
            plaintext_size=contents.size,
            expected_sha256=contents.sha256 if rehash else None,
        )
        return BlobReader(segments, handle)

    def copy_to(self, key: str, target: BinaryIO, *, sha256: str | None = None) -> int:
        """Write the verified plaintext of ``key`` into ``target``; returns the byte count.

        On BlobIntegrityError, ``target`` may hold a verified prefix: discard it.
        """
        written = 0
        with self.read(key, sha256=sha256) as reader:
            for segment in reader:
                target.write(segment)
                written += len(segment)
        return written

    def exists(self, key: str) -> bool:
        """Whether blob ``key`` is stored completely (key record and ciphertext)."""
        check_blob_key(key)
        return self.backend.record_exists(key) and self.backend.blob_exists(key)

    def delete(self, key: str) -> None:
        """Crypto-shred blob ``key``: destroy its key record, then remove the ciphertext.

        Idempotent: deleting an absent or half-deleted blob finishes the job.
        """
        check_blob_key(key)
        self.backend.delete_record(key)
        self.backend.delete_blob(key)

    def entries(self) -> Iterator[StoredEntry]:
        """Every key in storage with which of its two objects exist, sorted by key."""
        return _merge_listings(self.backend.list_blobs(), self.backend.list_records())

    def keys(self) -> Iterator[tuple[str, datetime]]:
        """Every stored blob key with its modification time (UTC), incomplete ones included.

        For orphan clean-up: a key that no document references can be deleted.
        Temp files and unfinished uploads are never listed.
        """
        for entry in self.entries():
            yield entry.key, entry.modified

    def rewrap(self, key: str) -> bool:
        """Re-wrap the data key of ``key`` with the ring's writer KEK; True if it changed.

        Only the small key record is rewritten; the ciphertext stays untouched.
        """
        check_blob_key(key)
        record = records.parse(self.backend.get_record(key), key)
        writer = self.keyring.writer
        if record.kek_id == writer.id and record.kek_check == writer.check:
            return False
        contents = records.open_record(record, self.keyring)
        self.backend.put_record(key, records.seal(key, writer, record.segment_size, contents))
        if not self.backend.blob_exists(key):
            # A delete ran between our read and write and we just brought its key
            # record back: destroy it again so the shredding holds.
            self.backend.delete_record(key)
            raise BlobNotFoundError(f"blob {key} was deleted during re-wrapping")
        return True

    def rotate(self) -> int:
        """Re-wrap every complete blob with the writer KEK; returns how many changed.

        Stops at the first blob it cannot re-wrap (e.g. KeyUnavailableError);
        ``kammerpost vault rotate`` continues past such blobs and lists them.
        """
        changed = 0
        for entry in self.entries():
            if not entry.complete:
                continue
            try:
                if self.rewrap(entry.key):
                    changed += 1
            except BlobNotFoundError:
                continue  # deleted while we were rotating
        return changed

    def cleanup(self, older_than: timedelta = STALE_AFTER) -> CleanupResult:
        """Remove leftovers of crashed writers and half-deleted blobs older than ``older_than``.

        Temp files / unfinished multipart uploads, and keys that have only a
        ciphertext (writer died before the key record: unreadable) or only a
        key record (ciphertext gone: nothing to read).
        """
        temporary = self.backend.remove_temporary(older_than)
        cutoff = datetime.now(UTC) - older_than
        incomplete = 0
        for entry in self.entries():
            if not entry.complete and entry.modified < cutoff:
                self.delete(entry.key)
                incomplete += 1
        return CleanupResult(temporary=temporary, incomplete=incomplete)
