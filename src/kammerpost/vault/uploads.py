"""Resumable uploads into the vault: a blob built chunk by chunk, across requests and restarts.

``Uploads(vault)`` serves the tus protocol (``kammerpost.exchange.tus``) but
knows nothing about HTTP::

    upload_id = uploads.begin(length=size)
    offset = uploads.append(upload_id, offset=0, source=stream, sha256=None)   # repeated
    info = uploads.finish(upload_id)     # a normal vault blob: Vault.read(info.key)
    uploads.abort(upload_id)             # removes what is left of the upload

Layout below the file backend's root (directories 0700, files 0600)::

    uploads/<id>/state   JSON line (data key and tail key wrapped with the KEK, the
                         committed segment count) + the encrypted tail; replaced
                         atomically (temp file, fsync, rename, fsync dir) = the commit
    uploads/<id>/data    the ciphertext being built: header + sealed segments, exactly
                         the later blob; bytes after the committed segments are cut off
    uploads/<id>/lock    flock: one writer per upload across processes

Why it is safe:

- **No plaintext on disk.** Every complete segment is sealed (the blob's own
  STREAM format, so ``finish`` only renames the file) before it is written.
  The bytes after the last complete segment - the *tail*, less than one
  segment - are sealed with a separate tail key and a fresh random nonce each
  time they are committed, inside the state file; the next append opens the
  tail, continues the segment, and the new state replaces the old one.
  Segment nonces are counters and need to know the last segment: the length is
  fixed at ``begin`` (tus creation with Upload-Length), so it is always known.
- **Durable offset.** The offset is what the last committed state names:
  ``min(segments * segment size, length) + tail size``. A process killed
  mid-append leaves the old state and possibly sealed segments after it in
  ``data``; the next append truncates ``data`` to the committed segments, so
  the blob is byte-identical to one written in a single pass. Without a chunk
  checksum a long append commits every ``commit_every`` bytes, so a killed
  request keeps most of what arrived; with one, nothing of the chunk is
  committed before it is verified (a mismatch discards exactly that chunk).
- **Flat memory.** One segment buffer plus one read; nothing grows with the file.
- **The whole-file SHA-256.** hashlib cannot save its state, so the running
  hash lives in this process only, together with the offset it covers. If
  ``finish`` runs in the process that saw every byte (the normal case), its
  hash is used; if the process changed (a restart, another web worker took a
  chunk), ``finish`` recomputes it by decrypting and authenticating the
  ciphertext once. Recomputing only then keeps the common case at one pass
  while a restart can never produce a wrong hash.

File backend only: ``S3Backend`` can neither append to an object nor
rename one cheaply, and a multipart upload's parts must be >= 5 MiB except
the last, so tus chunks of any size would need their own part bookkeeping;
``Uploads`` refuses a vault on another backend (see decision 0006).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import envelope, records
from .backends import check_blob_key
from .errors import BlobIntegrityError, KeyUnavailableError, VaultError
from .filesystem import FileBackend, fsync_directory
from .keys import KeyEncryptionKey, KeyRing
from .vault import BlobInfo, Vault

FORMAT = 1
_STATE = "state"
_DATA = "data"
_LOCK = "lock"
_UPLOADS = "uploads"
_NONCE_SIZE = 12
_KEYS_LABEL = b"kammerpost vault upload keys\x00"
_TAIL_LABEL = b"kammerpost vault upload tail\x00"
_DONE_LABEL = b"kammerpost vault upload done\x00"
# Without a chunk checksum a long request commits this often: a killed server
# then loses at most this much of what it had received but not acknowledged.
# Each commit costs three fsyncs (data, state, directory): at 64 MiB a 1 GB
# chunk pays 48 of them instead of dd's one, which the benchmark hardly sees.
DEFAULT_COMMIT_EVERY = 64 * 1024 * 1024
# Reads from the request stream: at most one segment, so memory stays flat.
_READ_SIZE = 1024 * 1024


class UploadError(VaultError):
    """A resumable upload operation was refused."""


class UploadNotFoundError(UploadError):
    """No upload with this id (never begun, finished and released, aborted or expired)."""


class UploadOffsetError(UploadError):
    """The chunk does not start at the upload's current offset (tus: 409)."""

    def __init__(self, message: str, *, current: int) -> None:
        super().__init__(message)
        self.current = current


class UploadChecksumError(UploadError):
    """The chunk's SHA-256 differs from the one the client sent; the chunk was discarded."""


class UploadTooLargeError(UploadError):
    """The chunk would take the upload beyond its declared length; nothing was kept."""


class UploadBusyError(UploadError):
    """Another request is appending to this upload right now (tus: 423, the client retries)."""


class UploadIncompleteError(UploadError):
    """``finish`` before every byte has arrived."""


class Source(Protocol):
    """A request body: ``read(n)`` returns at most ``n`` bytes, ``b""`` at the end."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes; empty at the end of the stream."""
        ...


@dataclass(frozen=True)
class UploadStatus:
    """What is durably known about one upload."""

    upload_id: str
    length: int
    offset: int
    created: datetime
    modified: datetime  # time of the last commit (UTC)
    finished: bool  # finish() completed: the blob exists, only the state is left

    @property
    def complete(self) -> bool:
        """Every byte has arrived (``finish`` may still be due)."""
        return self.offset == self.length


@dataclass
class _State:
    upload_id: str
    blob_key: str
    length: int
    segment_size: int
    created: str
    kek_id: str
    kek_check: str
    keys_nonce: bytes
    keys_sealed: bytes
    segments: int
    tail_size: int
    tail_nonce: bytes
    tail_sealed: bytes
    done: bytes  # sealed SHA-256 once finish() succeeded, else b""

    @property
    def offset(self) -> int:
        return min(self.segments * self.segment_size, self.length) + self.tail_size

    @property
    def count(self) -> int:
        return envelope.segment_count(self.length, self.segment_size)

    def data_length(self) -> int:
        """Bytes of ``data`` the committed segments fill."""
        full = min(self.segments * self.segment_size, self.length)
        return envelope.HEADER_SIZE + full + envelope.TAG_SIZE * self.segments

    def keys_aad(self) -> bytes:
        clear = {
            "format": FORMAT,
            "upload": self.upload_id,
            "blob": self.blob_key,
            "length": self.length,
            "segment_size": self.segment_size,
            "created": self.created,
            "kek": self.kek_id,
            "kek_check": self.kek_check,
        }
        return _KEYS_LABEL + json.dumps(clear, sort_keys=True, separators=(",", ":")).encode()

    def tail_aad(self) -> bytes:
        return _TAIL_LABEL + f"{self.upload_id}:{self.segments}:{self.tail_size}".encode()

    def done_aad(self) -> bytes:
        return _DONE_LABEL + self.upload_id.encode()

    def serialise(self) -> bytes:
        head = {
            "format": FORMAT,
            "upload": self.upload_id,
            "blob": self.blob_key,
            "length": self.length,
            "segment_size": self.segment_size,
            "created": self.created,
            "kek": self.kek_id,
            "kek_check": self.kek_check,
            "keys_nonce": _b64(self.keys_nonce),
            "keys": _b64(self.keys_sealed),
            "segments": self.segments,
            "tail_size": self.tail_size,
            "tail_nonce": _b64(self.tail_nonce),
            "done": _b64(self.done),
        }
        return json.dumps(head, sort_keys=True).encode() + b"\n" + self.tail_sealed

    @classmethod
    def parse(cls, raw: bytes, upload_id: str) -> _State:
        line, _, tail = raw.partition(b"\n")
        try:
            data: Any = json.loads(line)
            if data["format"] != FORMAT or data["upload"] != upload_id:
                raise ValueError("another format or upload")
            state = cls(
                upload_id=upload_id,
                blob_key=check_blob_key(data["blob"]),
                length=int(data["length"]),
                segment_size=envelope.check_segment_size(int(data["segment_size"])),
                created=str(data["created"]),
                kek_id=str(data["kek"]),
                kek_check=str(data["kek_check"]),
                keys_nonce=base64.b64decode(data["keys_nonce"], validate=True),
                keys_sealed=base64.b64decode(data["keys"], validate=True),
                segments=int(data["segments"]),
                tail_size=int(data["tail_size"]),
                tail_nonce=base64.b64decode(data["tail_nonce"], validate=True),
                tail_sealed=tail,
                done=base64.b64decode(data["done"], validate=True),
            )
        except (ValueError, TypeError, KeyError, binascii.Error) as exc:
            raise BlobIntegrityError(f"the state of upload {upload_id} is damaged: {exc}") from None
        if not 0 <= state.offset <= state.length or state.segments > state.count:
            raise BlobIntegrityError(f"the state of upload {upload_id} names impossible offsets")
        return state


@dataclass(frozen=True)
class _Keys:
    data: bytes
    tail: bytes


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@contextlib.contextmanager
def _storage_errors(action: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise VaultError(f"{action}: {exc}") from exc


class _Hash:
    """A running whole-file SHA-256, valid for the bytes ``0..offset`` of one upload."""

    def __init__(self, offset: int, digest: Any) -> None:
        self.offset = offset
        self.digest = digest


class Uploads:
    """Resumable, encrypted uploads into ``vault`` (file backend).

    Create one per process and share it; it is thread-safe, and a lock file
    per upload keeps two processes (web workers) from appending at once.
    """

    def __init__(self, vault: Vault, *, commit_every: int = DEFAULT_COMMIT_EVERY) -> None:
        if not isinstance(vault.backend, FileBackend):
            raise ValueError(
                "resumable uploads need the file vault backend (file:///...);"
                f" {vault.backend.describe()} cannot append to a stored object"
            )
        self.vault = vault
        self.backend: FileBackend = vault.backend
        self.root = vault.backend.root / _UPLOADS
        self.commit_every = max(commit_every, vault.segment_size)
        self._hashes: dict[str, _Hash] = {}
        self._hashes_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Uploads({self.backend.describe()!r})"

    # -- the operations -------------------------------------------------------------

    def begin(self, *, length: int) -> str:
        """Start an upload of exactly ``length`` bytes; returns its id (32 hex digits)."""
        if type(length) is not int or length < 0:
            raise ValueError(f"the upload length must be a non-negative integer, not {length!r}")
        upload_id = secrets.token_hex(16)
        blob_key = secrets.token_hex(16)
        keys = _Keys(AESGCM.generate_key(bit_length=256), AESGCM.generate_key(bit_length=256))
        writer = self.vault.keyring.writer
        state = _State(
            upload_id=upload_id,
            blob_key=blob_key,
            length=length,
            segment_size=self.vault.segment_size,
            created=datetime.now(UTC).isoformat(),
            kek_id=writer.id,
            kek_check=writer.check,
            keys_nonce=secrets.token_bytes(_NONCE_SIZE),
            keys_sealed=b"",
            segments=0,
            tail_size=0,
            tail_nonce=b"",
            tail_sealed=b"",
            done=b"",
        )
        state.keys_sealed = AESGCM(writer.secret).encrypt(
            state.keys_nonce, keys.data + keys.tail, state.keys_aad()
        )
        directory = self._directory(upload_id)
        cipher = envelope.SegmentCipher(keys.data, blob_key, state.segment_size)
        with _storage_errors(f"cannot create upload {upload_id}"):
            self.root.mkdir(mode=0o700, exist_ok=True)
            directory.mkdir(mode=0o700)
            fd = os.open(directory / _DATA, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as data:
                data.write(cipher.head)
                if length == 0:
                    # An empty blob is one empty last segment, and no append will come.
                    data.write(cipher.seal(0, b"", last=True))
                    state.segments = 1
                data.flush()
                os.fsync(data.fileno())
            os.close(os.open(directory / _LOCK, os.O_WRONLY | os.O_CREAT, 0o600))
            self._commit(directory, state)
            fsync_directory(self.root)
            fsync_directory(self.backend.root)
        self._remember(upload_id, _Hash(0, hashlib.sha256()))
        return upload_id

    def status(self, upload_id: str) -> UploadStatus:
        """The durable state of ``upload_id``; UploadNotFoundError if there is none."""
        state, modified = self._load(upload_id)
        return UploadStatus(
            upload_id=upload_id,
            length=state.length,
            offset=state.offset,
            created=datetime.fromisoformat(state.created),
            modified=modified,
            finished=bool(state.done),
        )

    def offset(self, upload_id: str) -> int:
        """The last committed (acknowledged) offset of ``upload_id``."""
        return self.status(upload_id).offset

    def append(
        self,
        upload_id: str,
        *,
        offset: int,
        source: Source,
        length: int | None = None,
        sha256: str | None = None,
    ) -> int:
        """Stream one chunk from ``source`` into the upload at ``offset``; returns the new offset.

        ``length`` is the chunk's declared size (Content-Length) if known; without
        it (chunked transfer) the source is read to its end. More bytes than the
        upload has left raise UploadTooLargeError and keep nothing of the chunk.
        With ``sha256`` (hex) the chunk is committed only if it matches, else
        UploadChecksumError and the offset stays. Without it, what arrived is
        committed even when the source fails or ends early (the client resumes
        from there), and the source's exception propagates after the commit.
        """
        with self._locked(upload_id):
            state, _ = self._load(upload_id)
            current = state.offset
            if offset != current or state.done:
                raise UploadOffsetError(
                    f"upload {upload_id} is at offset {current}, not {offset}", current=current
                )
            room = state.length - current
            if length is not None and (length < 0 or length > room):
                raise UploadTooLargeError(
                    f"upload {upload_id} has {room} bytes left, the chunk has {length}"
                )
            return self._append(state, source, length, sha256)

    def finish(self, upload_id: str) -> BlobInfo:
        """Turn the complete upload into a vault blob; idempotent. Returns its ``BlobInfo``.

        The state stays (marked finished) until ``abort`` releases it, so a
        caller killed after this returned can ask again and get the same answer.
        """
        with self._locked(upload_id):
            state, _ = self._load(upload_id)
            keys = self._keys(state)
            if state.done:
                sha256 = self._open_done(state, keys)
            else:
                if state.offset != state.length:
                    raise UploadIncompleteError(
                        f"upload {upload_id} has {state.offset} of {state.length} bytes"
                    )
                sha256 = self._whole_file_hash(state, keys)
                state.done = self._seal_done(state, keys, sha256)
                self._commit(self._directory(upload_id), state)
            data = self._directory(upload_id) / _DATA
            if data.exists():
                self.backend.adopt_blob(state.blob_key, data)
            elif not self.backend.blob_exists(state.blob_key):
                # Adopted by an earlier finish that died before the key record,
                # and removed since by the vault's clean-up of incomplete blobs.
                raise BlobIntegrityError(f"the ciphertext of upload {upload_id} is gone")
            if not self.backend.record_exists(state.blob_key):
                contents = records.Secrets(keys.data, state.length, sha256)
                sealed = records.seal(
                    state.blob_key, self.vault.keyring.writer, state.segment_size, contents
                )
                self.backend.put_record(state.blob_key, sealed)
            self._forget(upload_id)
            return BlobInfo(key=state.blob_key, size=state.length, sha256=sha256)

    def abort(self, upload_id: str) -> None:
        """Remove the upload's state and segments (a finished upload's blob stays). Idempotent."""
        check_blob_key(upload_id)
        directory = self._directory(upload_id)
        self._forget(upload_id)
        if not directory.exists():
            return
        with contextlib.ExitStack() as stack:
            # A writer still at work keeps its upload (UploadBusyError); no lock
            # file means a begin that died half-way: nothing to wait for.
            with contextlib.suppress(UploadNotFoundError):
                stack.enter_context(self._locked(upload_id))
            # Unlink state first: from then on the upload no longer exists, even if
            # the removal of the rest is interrupted (the sweep finishes the job).
            with _storage_errors(f"cannot remove upload {upload_id}"):
                with contextlib.suppress(FileNotFoundError):
                    (directory / _STATE).unlink()
                shutil.rmtree(directory, ignore_errors=True)
                fsync_directory(self.root)

    def uploads(self) -> Iterator[UploadStatus]:
        """Every upload in storage, in no particular order (damaged ones are skipped)."""
        try:
            names = sorted(entry.name for entry in self.root.iterdir())
        except FileNotFoundError:
            return
        for name in names:
            try:
                check_blob_key(name)
                yield self.status(name)
            except (ValueError, UploadNotFoundError, BlobIntegrityError):
                continue

    def older_than(self, cutoff: datetime) -> Iterator[UploadStatus]:
        """Uploads whose last commit lies before ``cutoff`` (candidates for expiry)."""
        for status in self.uploads():
            if status.modified < cutoff:
                yield status

    def remove_older_than(self, cutoff: datetime) -> int:
        """Abort every upload not committed to since ``cutoff``, leftovers included."""
        removed = 0
        for status in list(self.older_than(cutoff)):
            with contextlib.suppress(UploadBusyError):  # still being written: not stale
                self.abort(status.upload_id)
                removed += 1
        return removed + self.remove_leftovers(cutoff)

    def remove_leftovers(self, cutoff: datetime) -> int:
        """Remove directories without a state (a begin or abort that died half-way)."""
        removed = 0
        try:
            directories = list(self.root.iterdir())
        except FileNotFoundError:
            return removed
        for directory in directories:
            if directory.is_dir() and not (directory / _STATE).exists():
                with contextlib.suppress(OSError):
                    if directory.stat().st_mtime < cutoff.timestamp():
                        shutil.rmtree(directory)
                        removed += 1
        return removed

    # -- the append loop ------------------------------------------------------------

    def _append(self, state: _State, source: Source, length: int | None, sha256: str | None) -> int:
        directory = self._directory(state.upload_id)
        keys = self._keys(state)
        start = state.offset
        original_length = state.data_length()
        expected = sha256.lower() if sha256 is not None else None
        chunk_digest = hashlib.sha256() if expected is not None else None
        whole = self._running_hash(state.upload_id, start)
        # Commit on the way only when nothing about the chunk is still to be
        # checked: no checksum, and a declared length (an over-long chunked
        # body is refused as a whole).
        commit_on_the_way = chunk_digest is None and length is not None
        with _storage_errors(f"cannot write upload {state.upload_id}"):
            data = (directory / _DATA).open("r+b", buffering=0)
        try:
            with _storage_errors(f"cannot write upload {state.upload_id}"):
                data.truncate(original_length)
                data.seek(original_length)
            writer = _SegmentWriter(self, state, keys, data, whole)
            if state.tail_size:
                writer.load(self._open_tail(state, keys))
            limit = state.length - start if length is None else length
            received = 0
            try:
                while received < limit:
                    piece = source.read(min(_READ_SIZE, writer.room(), limit - received))
                    if not piece:
                        break
                    if len(piece) > limit - received:
                        raise UploadTooLargeError("the source returned more than was asked for")
                    received += len(piece)
                    if chunk_digest is not None:
                        chunk_digest.update(piece)
                    writer.add(piece)
                    if commit_on_the_way and writer.uncommitted() >= self.commit_every:
                        writer.commit()
                if length is None and received == limit and source.read(1):
                    raise UploadTooLargeError(
                        f"upload {state.upload_id} has {limit} bytes left; the chunk has more"
                    )
            except UploadTooLargeError:
                self._discard(state.upload_id, data, original_length)
                raise
            except BaseException:
                if chunk_digest is not None or length is None:
                    self._discard(state.upload_id, data, original_length)
                else:
                    writer.commit()  # keep what arrived; the client resumes from here
                raise
            if chunk_digest is not None and chunk_digest.hexdigest() != expected:
                self._discard(state.upload_id, data, original_length)
                raise UploadChecksumError(
                    f"the chunk at offset {start} of upload {state.upload_id} has SHA-256"
                    f" {chunk_digest.hexdigest()}, the client sent {expected}; discarded"
                )
            writer.commit()
            return state.offset
        finally:
            data.close()

    def _discard(self, upload_id: str, data: Any, original_length: int) -> None:
        """Forget a chunk that was not committed: cut its segments off ``data``."""
        with _storage_errors(f"cannot write upload {upload_id}"):
            data.truncate(original_length)

    # -- state, keys, locks -----------------------------------------------------------

    def _directory(self, upload_id: str) -> Path:
        try:
            check_blob_key(upload_id)
        except ValueError:
            raise UploadNotFoundError(f"{upload_id!r} is not an upload id") from None
        return self.root / upload_id

    @contextlib.contextmanager
    def _locked(self, upload_id: str) -> Iterator[None]:
        path = self._directory(upload_id) / _LOCK
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            raise UploadNotFoundError(f"no upload {upload_id}") from None
        except OSError as exc:
            raise VaultError(f"cannot open {path}: {exc}") from exc
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UploadBusyError(f"upload {upload_id} is being written to") from None
            yield
        finally:
            os.close(fd)  # also releases the lock

    def _load(self, upload_id: str) -> tuple[_State, datetime]:
        path = self._directory(upload_id) / _STATE
        try:
            with path.open("rb") as handle:
                raw = handle.read()
                modified = datetime.fromtimestamp(os.fstat(handle.fileno()).st_mtime, UTC)
        except FileNotFoundError:
            raise UploadNotFoundError(f"no upload {upload_id}") from None
        except OSError as exc:
            raise VaultError(f"cannot read {path}: {exc}") from exc
        return _State.parse(raw, upload_id), modified

    def _commit(self, directory: Path, state: _State) -> None:
        """Replace the state file atomically and durably: the commit point of every change."""
        temp = directory / f".{_STATE}.{secrets.token_hex(4)}.tmp"
        with _storage_errors(f"cannot write {directory / _STATE}"):
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(state.serialise())
                    out.flush()
                    os.fsync(out.fileno())
                temp.replace(directory / _STATE)
            except BaseException:
                with contextlib.suppress(OSError):
                    temp.unlink()
                raise
            fsync_directory(directory)

    def _keys(self, state: _State) -> _Keys:
        kek = _kek(self.vault.keyring, state.kek_id, state.kek_check)
        try:
            both = AESGCM(kek.secret).decrypt(state.keys_nonce, state.keys_sealed, state.keys_aad())
        except InvalidTag:
            raise BlobIntegrityError(
                f"the keys of upload {state.upload_id} failed authentication"
            ) from None
        return _Keys(both[:32], both[32:])

    def _set_tail(self, state: _State, keys: _Keys, plaintext: memoryview) -> None:
        state.tail_size = len(plaintext)
        if not plaintext:
            state.tail_nonce, state.tail_sealed = b"", b""
            return
        # A fresh nonce per commit: the tail key seals a different prefix every time.
        state.tail_nonce = secrets.token_bytes(_NONCE_SIZE)
        state.tail_sealed = AESGCM(keys.tail).encrypt(state.tail_nonce, plaintext, state.tail_aad())

    def _open_tail(self, state: _State, keys: _Keys) -> bytes:
        try:
            tail = AESGCM(keys.tail).decrypt(state.tail_nonce, state.tail_sealed, state.tail_aad())
        except InvalidTag:
            raise BlobIntegrityError(
                f"the tail of upload {state.upload_id} failed authentication"
            ) from None
        if len(tail) != state.tail_size:
            raise BlobIntegrityError(f"the tail of upload {state.upload_id} has the wrong size")
        return tail

    def _seal_done(self, state: _State, keys: _Keys, sha256: str) -> bytes:
        nonce = secrets.token_bytes(_NONCE_SIZE)
        return nonce + AESGCM(keys.tail).encrypt(nonce, bytes.fromhex(sha256), state.done_aad())

    def _open_done(self, state: _State, keys: _Keys) -> str:
        nonce, sealed = state.done[:_NONCE_SIZE], state.done[_NONCE_SIZE:]
        try:
            return AESGCM(keys.tail).decrypt(nonce, sealed, state.done_aad()).hex()
        except InvalidTag:
            raise BlobIntegrityError(
                f"the finish mark of upload {state.upload_id} failed authentication"
            ) from None

    def _whole_file_hash(self, state: _State, keys: _Keys) -> str:
        """The plaintext's SHA-256: the running hash if this process saw every byte, else anew."""
        with self._hashes_lock:
            running = self._hashes.get(state.upload_id)
        if running is not None and running.offset == state.length:
            return str(running.digest.hexdigest())
        # The process changed since the upload began (restart, other worker):
        # read the ciphertext once, authenticating every segment on the way.
        digest = hashlib.sha256()
        path = self._directory(state.upload_id) / _DATA
        with _storage_errors(f"cannot read {path}"), path.open("r+b", buffering=0) as data:
            data.truncate(state.data_length())
            head = envelope.read_header(data, state.segment_size)
            for segment in envelope.decrypt_segments(
                keys.data, state.blob_key, data, head, state.length
            ):
                digest.update(segment)
        return digest.hexdigest()

    # -- the in-process running hash ----------------------------------------------------

    def _remember(self, upload_id: str, running: _Hash) -> None:
        with self._hashes_lock:
            self._hashes[upload_id] = running

    def _forget(self, upload_id: str) -> None:
        with self._hashes_lock:
            self._hashes.pop(upload_id, None)

    def _running_hash(self, upload_id: str, offset: int) -> _Hash | None:
        """This process's hash of bytes ``0..offset``, or None (and forgotten) if it has none."""
        with self._hashes_lock:
            running = self._hashes.get(upload_id)
            if running is not None and running.offset != offset:
                del self._hashes[upload_id]  # another process took chunks in between
                running = None
            return running


class _SegmentWriter:
    """Fills segments from incoming pieces, seals full ones into ``data``, commits on request."""

    def __init__(
        self, uploads: Uploads, state: _State, keys: _Keys, data: Any, whole: _Hash | None
    ) -> None:
        self._uploads = uploads
        self._state = state
        self._keys = keys
        self._data = data
        self._whole = whole
        # The running hash advances on a copy and is handed back only at a commit,
        # so it never covers bytes that were discarded or failed to commit.
        self._digest = whole.digest.copy() if whole is not None else None
        self._cipher = envelope.SegmentCipher(keys.data, state.blob_key, state.segment_size)
        self._buffer = memoryview(bytearray(state.segment_size))
        self._fill = 0
        self._index = state.segments
        self._committed = state.offset

    def load(self, tail: bytes) -> None:
        self._buffer[: len(tail)] = tail
        self._fill = len(tail)

    def _capacity(self) -> int:
        size = self._state.segment_size
        return min(size, self._state.length - self._index * size)

    def room(self) -> int:
        """Bytes the current segment can still take (at least 1 while the upload has room)."""
        return max(1, self._capacity() - self._fill)

    def offset(self) -> int:
        size, length = self._state.segment_size, self._state.length
        return min(self._index * size, length) + self._fill

    def uncommitted(self) -> int:
        return self.offset() - self._committed

    def add(self, piece: bytes) -> None:
        if self._index >= self._state.count or len(piece) > self._capacity() - self._fill:
            raise UploadTooLargeError(f"upload {self._state.upload_id} is already complete")
        self._buffer[self._fill : self._fill + len(piece)] = piece
        self._fill += len(piece)
        if self._digest is not None:
            self._digest.update(piece)
        if self._fill == self._capacity():
            last = self._index == self._state.count - 1
            sealed = self._cipher.seal(self._index, self._buffer[: self._fill], last=last)
            with _storage_errors(f"cannot write upload {self._state.upload_id}"):
                self._data.write(sealed)
            self._index += 1
            self._fill = 0

    def commit(self) -> None:
        """Make everything added so far durable: segments fsynced, then the new state."""
        state = self._state
        with _storage_errors(f"cannot write upload {state.upload_id}"):
            os.fsync(self._data.fileno())
        state.segments = self._index
        self._uploads._set_tail(state, self._keys, self._buffer[: self._fill])
        self._uploads._commit(self._uploads._directory(state.upload_id), state)
        self._committed = state.offset
        if self._whole is not None and self._digest is not None:
            self._whole.digest, self._whole.offset = self._digest.copy(), state.offset


def _kek(keyring: KeyRing, kek_id: str, check: str) -> KeyEncryptionKey:
    kek = keyring.get(kek_id)
    if kek.check != check:
        raise KeyUnavailableError(
            f"key-encryption key {kek_id!r} in the key ring is not the key that wrapped this"
            f" upload (check value {kek.check}, the upload says {check})"
        )
    return kek
