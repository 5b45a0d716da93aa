"""Resumable uploads: chunks of any size become one normal vault blob, across restarts and kills."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kammerpost.vault import (
    BlobIntegrityError,
    KeyRing,
    S3Backend,
    UploadBusyError,
    UploadChecksumError,
    UploadIncompleteError,
    UploadNotFoundError,
    UploadOffsetError,
    Uploads,
    UploadTooLargeError,
    Vault,
    vault_from_url,
)
from kammerpost.vault.envelope import ciphertext_size

from .conftest import SEGMENT, write_key_file

MARKER = b"PLAINTEXT-MARKER-7f3a"


def document(size: int) -> bytes:
    """Bytes full of the marker, so any plaintext that reaches the disk is found."""
    unit = MARKER + b"|"
    return (unit * (size // len(unit) + 1))[:size]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def keyring(tmp_path: Path) -> KeyRing:
    return KeyRing.from_files([write_key_file(tmp_path / "keys", "kek-a")])


@pytest.fixture
def vault(root: Path, keyring: KeyRing) -> Vault:
    return vault_from_url(f"file://{root}", keyring, segment_size=SEGMENT)


@pytest.fixture
def uploads(vault: Vault) -> Uploads:
    return Uploads(vault, commit_every=SEGMENT)


def upload_in_chunks(uploads: Uploads, data: bytes, chunk: int) -> str:
    upload_id = uploads.begin(length=len(data))
    offset = 0
    while offset < len(data):
        piece = data[offset : offset + chunk]
        offset = uploads.append(
            upload_id, offset=offset, source=io.BytesIO(piece), length=len(piece), sha256=sha(piece)
        )
    return upload_id


def read_back(vault: Vault, key: str) -> bytes:
    return b"".join(vault.read(key))


def files_containing(directory: Path, needle: bytes) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file() and needle in p.read_bytes()]


@pytest.mark.parametrize(
    ("size", "chunk"),
    [(0, 1), (1, 1), (SEGMENT, SEGMENT), (SEGMENT * 5, 7), (SEGMENT * 5 + 3, SEGMENT * 2 + 1)],
)
def test_chunks_of_any_size_become_a_normal_blob(
    uploads: Uploads, vault: Vault, size: int, chunk: int
) -> None:
    data = document(size)
    upload_id = upload_in_chunks(uploads, data, chunk)
    assert uploads.offset(upload_id) == size
    info = uploads.finish(upload_id)
    assert (info.size, info.sha256) == (size, sha(data))
    assert read_back(vault, info.key) == data
    # The same bytes as Vault.write would store: exactly one ciphertext of the usual size.
    handle, length = vault.backend.open_blob(info.key)
    handle.close()
    assert length == ciphertext_size(size, SEGMENT)
    assert vault.read(info.key, sha256=sha(data)).close() is None


def test_a_new_process_continues_and_the_hash_is_recomputed(
    vault: Vault, keyring: KeyRing, root: Path
) -> None:
    data = document(SEGMENT * 7 + 11)
    first = Uploads(vault)
    upload_id = first.begin(length=len(data))
    first.append(upload_id, offset=0, source=io.BytesIO(data[:100]), length=100)
    # A fresh engine over the same storage is what a restarted web process has.
    second = Uploads(vault_from_url(f"file://{root}", keyring, segment_size=SEGMENT))
    assert second.offset(upload_id) == 100
    second.append(upload_id, offset=100, source=io.BytesIO(data[100:]), length=len(data) - 100)
    info = second.finish(upload_id)
    assert info.sha256 == sha(data)
    assert read_back(vault, info.key) == data


def test_the_first_process_does_not_trust_its_hash_after_another_took_chunks(
    vault: Vault, keyring: KeyRing, root: Path
) -> None:
    data = document(SEGMENT * 4)
    first = Uploads(vault)
    other = Uploads(vault_from_url(f"file://{root}", keyring, segment_size=SEGMENT))
    upload_id = first.begin(length=len(data))
    first.append(upload_id, offset=0, source=io.BytesIO(data[:10]), length=10)
    other.append(upload_id, offset=10, source=io.BytesIO(data[10:50]), length=40)
    first.append(upload_id, offset=50, source=io.BytesIO(data[50:]), length=len(data) - 50)
    assert first.finish(upload_id).sha256 == sha(data)


def test_a_checksum_mismatch_discards_exactly_that_chunk(uploads: Uploads, vault: Vault) -> None:
    data = document(SEGMENT * 3)
    upload_id = uploads.begin(length=len(data))
    uploads.append(upload_id, offset=0, source=io.BytesIO(data[:70]), length=70)
    damaged = b"X" + data[71:150]
    with pytest.raises(UploadChecksumError):
        uploads.append(
            upload_id, offset=70, source=io.BytesIO(damaged), length=80, sha256=sha(data[70:150])
        )
    assert uploads.offset(upload_id) == 70
    rest = data[70:]
    uploads.append(
        upload_id, offset=70, source=io.BytesIO(rest), length=len(rest), sha256=sha(rest)
    )
    info = uploads.finish(upload_id)
    assert (read_back(vault, info.key), info.sha256) == (data, sha(data))


def test_an_offset_other_than_the_current_one_is_a_conflict(uploads: Uploads) -> None:
    upload_id = uploads.begin(length=100)
    uploads.append(upload_id, offset=0, source=io.BytesIO(b"a" * 30), length=30)
    for wrong in (0, 29, 31, 100):
        with pytest.raises(UploadOffsetError) as caught:
            uploads.append(upload_id, offset=wrong, source=io.BytesIO(b"b"), length=1)
        assert caught.value.current == 30
    assert uploads.offset(upload_id) == 30


def test_more_bytes_than_the_upload_has_left_keep_nothing(uploads: Uploads) -> None:
    upload_id = uploads.begin(length=100)
    uploads.append(upload_id, offset=0, source=io.BytesIO(b"a" * 60), length=60)
    with pytest.raises(UploadTooLargeError):
        uploads.append(upload_id, offset=60, source=io.BytesIO(b"b" * 41), length=41)
    # Chunked transfer (no length): the surplus is only seen at the end, still nothing is kept.
    with pytest.raises(UploadTooLargeError):
        uploads.append(upload_id, offset=60, source=io.BytesIO(b"b" * 41))
    assert uploads.offset(upload_id) == 60
    uploads.append(upload_id, offset=60, source=io.BytesIO(b"b" * 40))
    assert uploads.offset(upload_id) == 100


class BrokenConnection(io.RawIOBase):
    """A request body whose client goes away after ``after`` bytes."""

    def __init__(self, data: bytes, after: int) -> None:
        self._data = io.BytesIO(data[:after])

    def read(self, size: int = -1, /) -> bytes:
        piece = self._data.read(size)
        if not piece:
            raise ConnectionResetError("client went away")
        return piece


def test_a_broken_connection_keeps_what_arrived_unless_a_checksum_was_sent(
    uploads: Uploads, vault: Vault
) -> None:
    data = document(SEGMENT * 6)
    upload_id = uploads.begin(length=len(data))
    with pytest.raises(ConnectionResetError):
        uploads.append(upload_id, offset=0, source=BrokenConnection(data, 150), length=len(data))
    assert uploads.offset(upload_id) == 150
    with pytest.raises(ConnectionResetError):
        uploads.append(
            upload_id,
            offset=150,
            source=BrokenConnection(data[150:], 100),
            length=len(data) - 150,
            sha256=sha(data[150:]),
        )
    assert uploads.offset(upload_id) == 150
    rest = data[150:]
    uploads.append(upload_id, offset=150, source=io.BytesIO(rest), length=len(rest))
    assert read_back(vault, uploads.finish(upload_id).key) == data


def test_no_plaintext_ever_lies_on_disk(uploads: Uploads, root: Path, tmp_path: Path) -> None:
    data = document(SEGMENT * 4 + 30)
    upload_id = uploads.begin(length=len(data))
    for start, end in ((0, 10), (10, 200), (200, len(data) - 1)):
        uploads.append(
            upload_id, offset=start, source=io.BytesIO(data[start:end]), length=end - start
        )
        # The tail (bytes after the last full segment) is on disk too: encrypted.
        assert uploads.status(upload_id).offset % SEGMENT != 0
        assert files_containing(tmp_path, MARKER[:8]) == []
    uploads.append(upload_id, offset=len(data) - 1, source=io.BytesIO(data[-1:]), length=1)
    uploads.finish(upload_id)
    assert files_containing(tmp_path, MARKER[:8]) == []
    assert list(root.rglob("*")), "the vault directory is empty: the scan looked at nothing"


def test_finish_is_idempotent_and_abort_afterwards_keeps_the_blob(
    uploads: Uploads, vault: Vault
) -> None:
    data = document(SEGMENT + 5)
    upload_id = upload_in_chunks(uploads, data, 40)
    first = uploads.finish(upload_id)
    assert uploads.finish(upload_id) == first
    assert uploads.status(upload_id).finished
    uploads.abort(upload_id)
    with pytest.raises(UploadNotFoundError):
        uploads.offset(upload_id)
    assert read_back(vault, first.key) == data


def test_finish_before_the_last_byte_is_refused(uploads: Uploads) -> None:
    upload_id = uploads.begin(length=10)
    uploads.append(upload_id, offset=0, source=io.BytesIO(b"123456789"), length=9)
    with pytest.raises(UploadIncompleteError):
        uploads.finish(upload_id)


def test_abort_removes_the_segments(uploads: Uploads, root: Path) -> None:
    upload_id = uploads.begin(length=SEGMENT * 10)
    uploads.append(
        upload_id, offset=0, source=io.BytesIO(document(SEGMENT * 3)), length=SEGMENT * 3
    )
    assert (root / "uploads" / upload_id / "data").stat().st_size > SEGMENT * 3
    uploads.abort(upload_id)
    assert not (root / "uploads" / upload_id).exists()
    with pytest.raises(UploadNotFoundError):
        uploads.append(upload_id, offset=SEGMENT * 3, source=io.BytesIO(b"x"), length=1)


def test_stale_uploads_are_listed_and_removed_with_their_segments(
    uploads: Uploads, root: Path
) -> None:
    stale = uploads.begin(length=1000)
    uploads.append(stale, offset=0, source=io.BytesIO(document(300)), length=300)
    old = time.time() - 3 * 86400
    for path in (root / "uploads" / stale).iterdir():
        os.utime(path, (old, old))
    fresh = uploads.begin(length=1000)
    half_begun = root / "uploads" / ("ab" * 16)  # a begin that died before its state
    half_begun.mkdir()
    (half_begun / "data").write_bytes(b"sealed segments")
    for path in (half_begun / "data", half_begun):
        os.utime(path, (old, old))
    cutoff = datetime.now(UTC) - timedelta(days=1)
    assert [s.upload_id for s in uploads.older_than(cutoff)] == [stale]
    assert uploads.remove_older_than(cutoff) == 2
    assert not (root / "uploads" / stale).exists()
    assert not half_begun.exists()
    assert uploads.offset(fresh) == 0


def test_a_second_writer_on_the_same_upload_is_told_to_retry(uploads: Uploads) -> None:
    upload_id = uploads.begin(length=100)
    started, release = threading.Event(), threading.Event()

    class SlowBody(io.RawIOBase):
        def read(self, size: int = -1, /) -> bytes:
            started.set()
            release.wait(10)
            return b""

    worker = threading.Thread(
        target=uploads.append, kwargs={"upload_id": upload_id, "offset": 0, "source": SlowBody()}
    )
    worker.start()
    try:
        assert started.wait(10)
        with pytest.raises(UploadBusyError):
            uploads.append(upload_id, offset=0, source=io.BytesIO(b"x"), length=1)
        with pytest.raises(UploadBusyError):
            uploads.abort(upload_id)
    finally:
        release.set()
        worker.join(10)


def test_a_tampered_tail_is_refused(uploads: Uploads, root: Path) -> None:
    upload_id = uploads.begin(length=100)
    uploads.append(upload_id, offset=0, source=io.BytesIO(b"a" * 10), length=10)
    state = root / "uploads" / upload_id / "state"
    raw = bytearray(state.read_bytes())
    raw[-1] ^= 1
    state.write_bytes(bytes(raw))
    with pytest.raises(BlobIntegrityError):
        uploads.append(upload_id, offset=10, source=io.BytesIO(b"b"), length=1)


def test_only_the_file_backend_takes_resumable_uploads(keyring: KeyRing) -> None:
    backend = S3Backend("kammerpost-test", endpoint="http://127.0.0.1:9", region="eu-central-1")
    with pytest.raises(ValueError, match="file vault backend"):
        Uploads(Vault(backend, keyring))


KILLED_WRITER = r"""
import os, sys
from kammerpost.vault import KeyRing, Uploads, vault_from_url
from kammerpost.vault.keys import read_key_file
from pathlib import Path
root, key_file, upload_id, offset, length = sys.argv[1:6]
vault = vault_from_url(f"file://{root}", KeyRing([read_key_file(Path(key_file))]), segment_size=64)
Uploads(vault, commit_every=64).append(
    upload_id, offset=int(offset), source=sys.stdin.buffer, length=int(length)
)
"""


def test_a_writer_killed_mid_chunk_loses_nothing_committed(
    uploads: Uploads, vault: Vault, root: Path, tmp_path: Path
) -> None:
    data = document(SEGMENT * 40 + 17)
    upload_id = uploads.begin(length=len(data))
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILLED_WRITER,
            str(root),
            str(tmp_path / "keys" / "kek-a.key"),
            upload_id,
            "0",
            str(len(data)),
        ],
        stdin=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert writer.stdin is not None
    writer.stdin.write(data[: SEGMENT * 25 + 9])
    writer.stdin.flush()
    deadline = time.monotonic() + 30
    while uploads.offset(upload_id) < SEGMENT * 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    writer.send_signal(signal.SIGKILL)
    writer.wait(10)
    with contextlib.suppress(BrokenPipeError):
        writer.stdin.close()
    offset = uploads.offset(upload_id)
    assert SEGMENT * 20 <= offset <= SEGMENT * 25 + 9
    rest = data[offset:]
    uploads.append(upload_id, offset=offset, source=io.BytesIO(rest), length=len(rest))
    info = uploads.finish(upload_id)
    assert info.sha256 == sha(data)
    assert read_back(vault, info.key) == data
