"""The vault's promises, each checked on the file backend and on S3 (see conftest)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kammerpost.vault import (
    BlobIntegrityError,
    BlobNotFoundError,
    KeyRing,
    KeyUnavailableError,
    S3Backend,
    Vault,
    VaultError,
    vault_from_url,
)
from kammerpost.vault.envelope import HEADER_SIZE, TAG_SIZE

from .conftest import SEGMENT, Storage, write_key_file

SEALED = SEGMENT + TAG_SIZE


def document(size: int, seed: int = 0) -> bytes:
    """Deterministic bytes that differ per segment (so swapped segments differ)."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def read_all(vault: Vault, key: str, **kwargs: str) -> bytes:
    return b"".join(vault.read(key, **kwargs))


def read_until_refused(vault: Vault, key: str) -> bytes:
    """The bytes the reader yielded before it raised BlobIntegrityError (it must raise)."""
    yielded = bytearray()
    with pytest.raises(BlobIntegrityError):  # noqa: PT012 - the raise happens mid-iteration
        for segment in vault.read(key):
            yielded += segment
    return bytes(yielded)


def segment_offset(index: int) -> int:
    return HEADER_SIZE + index * SEALED


@pytest.mark.parametrize(
    "size", [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 2 * SEGMENT, 7 * SEGMENT + 13]
)
def test_every_size_round_trips_with_its_size_and_sha256(vault: Vault, size: int) -> None:
    data = document(size)
    info = vault.write(io.BytesIO(data))
    assert info.size == size
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{32}", info.key)
    assert read_all(vault, info.key) == data
    assert read_all(vault, info.key, sha256=info.sha256) == data


def test_ciphertext_has_the_documented_length(vault: Vault, storage: Storage) -> None:
    for size in (0, SEGMENT, 3 * SEGMENT + 5):
        info = vault.write([document(size)])
        segments = max(1, -(-size // SEGMENT))
        assert len(storage.read(storage.blob_name(info.key))) == (
            HEADER_SIZE + size + TAG_SIZE * segments
        )


def test_write_takes_a_file_chunks_of_any_size_or_bytes(vault: Vault) -> None:
    data = document(5 * SEGMENT + 7)
    uneven = [data[:3], data[3:200], b"", data[200:201], data[201:]]
    for source in (io.BytesIO(data), uneven, iter(uneven), data):
        info = vault.write(source)
        assert read_all(vault, info.key) == data


class Trickle(io.RawIOBase):
    """A socket-like file: readinto hands out at most 7 bytes at a time."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        return self._data.readinto(memoryview(buffer)[:7])


class ReadOnly:
    """A file-like object with read() only (no readinto, not iterable)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


@pytest.mark.parametrize("size", [0, SEGMENT, 3 * SEGMENT + 1])
def test_write_takes_files_with_short_reads_or_without_readinto(vault: Vault, size: int) -> None:
    data = document(size)
    for source in (Trickle(data), ReadOnly(data)):
        info = vault.write(source)  # type: ignore[arg-type]
        assert (info.size, info.sha256) == (size, hashlib.sha256(data).hexdigest())
        assert read_all(vault, info.key) == data


def test_every_write_gets_a_new_key_even_for_the_same_content(vault: Vault) -> None:
    first, second = vault.write([b"same"]), vault.write([b"same"])
    assert first.key != second.key
    assert first.sha256 == second.sha256


def test_a_large_blob_round_trips_with_default_segments(storage: Storage, keyring: KeyRing) -> None:
    # 12 MiB: several 1 MiB segments, and on S3 a multipart upload of two 8 MiB parts.
    vault = vault_from_url(storage.url, keyring)
    data = os.urandom(12 * 1024 * 1024 + 5)
    info = vault.write(io.BytesIO(data))
    assert read_all(vault, info.key) == data
    if storage.kind == "s3":
        etag = storage.version(storage.blob_name(info.key))[0]
        assert etag.strip('"').endswith("-2")


@pytest.mark.parametrize(
    ("position", "damaged_segment"),
    [
        (segment_offset(0) + 5, 0),  # inside the first segment's ciphertext
        (segment_offset(2) + SEGMENT + 3, 2),  # inside the third segment's tag
        (segment_offset(4) + 1, 4),  # inside the short last segment
    ],
)
def test_a_flipped_byte_is_refused_before_its_segment_is_yielded(
    vault: Vault, storage: Storage, position: int, damaged_segment: int
) -> None:
    data = document(4 * SEGMENT + 10)
    info = vault.write([data])
    name = storage.blob_name(info.key)
    ciphertext = bytearray(storage.read(name))
    ciphertext[position] ^= 0x01
    storage.write(name, bytes(ciphertext))
    assert read_until_refused(vault, info.key) == data[: damaged_segment * SEGMENT]


def test_a_flipped_header_byte_is_refused_before_anything_is_yielded(
    vault: Vault, storage: Storage
) -> None:
    info = vault.write([document(3 * SEGMENT)])
    name = storage.blob_name(info.key)
    for position in range(HEADER_SIZE):
        ciphertext = bytearray(storage.read(name))
        ciphertext[position] ^= 0x80
        storage.write(name, bytes(ciphertext))
        with pytest.raises(BlobIntegrityError):
            vault.read(info.key)
        ciphertext[position] ^= 0x80
        storage.write(name, bytes(ciphertext))
    assert read_all(vault, info.key) == document(3 * SEGMENT)


@pytest.mark.parametrize("size", [3 * SEGMENT, 3 * SEGMENT + 9])
def test_a_dropped_last_segment_is_refused(vault: Vault, storage: Storage, size: int) -> None:
    info = vault.write([document(size)])
    name = storage.blob_name(info.key)
    ciphertext = storage.read(name)
    last = TAG_SIZE + (size % SEGMENT or SEGMENT)
    storage.write(name, ciphertext[:-last])
    with pytest.raises(BlobIntegrityError, match="truncated"):
        vault.read(info.key)


def test_appended_bytes_are_refused(vault: Vault, storage: Storage) -> None:
    info = vault.write([document(2 * SEGMENT)])
    name = storage.blob_name(info.key)
    storage.write(name, storage.read(name) + b"\0" * SEALED)
    with pytest.raises(BlobIntegrityError):
        vault.read(info.key)


def test_swapped_segments_are_refused_at_the_first_swapped_one(
    vault: Vault, storage: Storage
) -> None:
    data = document(4 * SEGMENT)
    info = vault.write([data])
    name = storage.blob_name(info.key)
    c = storage.read(name)
    one, two = c[segment_offset(1) : segment_offset(2)], c[segment_offset(2) : segment_offset(3)]
    swapped = c[: segment_offset(1)] + two + one + c[segment_offset(3) :]
    storage.write(name, swapped)
    assert read_until_refused(vault, info.key) == data[:SEGMENT]


def test_a_blob_copied_to_another_key_is_refused(vault: Vault, storage: Storage) -> None:
    original = vault.write([document(2 * SEGMENT, seed=1)])
    target = vault.write([document(2 * SEGMENT, seed=2)])
    # Ciphertext and key record both copied under the other key.
    for name in (storage.blob_name, storage.record_name):
        storage.write(name(target.key), storage.read(name(original.key)))
    with pytest.raises(BlobIntegrityError):
        vault.read(target.key)


def test_a_ciphertext_moved_under_another_blobs_key_record_is_refused(
    vault: Vault, storage: Storage
) -> None:
    original = vault.write([document(2 * SEGMENT, seed=1)])
    target = vault.write([document(2 * SEGMENT, seed=2)])
    storage.write(storage.blob_name(target.key), storage.read(storage.blob_name(original.key)))
    assert read_until_refused(vault, target.key) == b""


def test_a_ring_without_the_writing_key_cannot_read(
    vault: Vault, storage: Storage, tmp_path: Path
) -> None:
    info = vault.write([b"for kek-a only"])
    other = KeyRing.from_files([write_key_file(tmp_path / "other", "kek-b")])
    with pytest.raises(KeyUnavailableError, match="kek-a"):
        vault_from_url(storage.url, other).read(info.key)


def test_a_different_key_under_the_same_id_is_refused(
    vault: Vault, storage: Storage, tmp_path: Path
) -> None:
    info = vault.write([b"wrapped with the real kek-a"])
    impostor = KeyRing.from_files([write_key_file(tmp_path / "impostor", "kek-a")])
    with pytest.raises(KeyUnavailableError, match="not the key that wrapped"):
        vault_from_url(storage.url, impostor).read(info.key)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: r | {"sealed": base64.b64encode(b"\0" * 88).decode()},
        lambda r: r | {"segment_size": SEGMENT * 2},
        lambda r: r | {"nonce": base64.b64encode(b"\1" * 12).decode()},
        lambda r: r | {"format": 2},
        lambda r: {k: v for k, v in r.items() if k != "kek_check"},
    ],
    ids=["sealed", "segment-size", "nonce", "format", "missing-field"],
)
def test_a_tampered_key_record_is_refused(vault: Vault, storage: Storage, tamper: object) -> None:
    info = vault.write([document(SEGMENT)])
    name = storage.record_name(info.key)
    record = json.loads(storage.read(name))
    storage.write(name, json.dumps(tamper(record)).encode())  # type: ignore[operator]
    with pytest.raises(BlobIntegrityError):
        vault.read(info.key)


def test_a_wrong_expected_sha256_is_refused_before_any_byte(vault: Vault) -> None:
    info = vault.write([b"the real content"])
    with pytest.raises(BlobIntegrityError, match="expected"):
        vault.read(info.key, sha256=hashlib.sha256(b"something else").hexdigest())
    assert read_all(vault, info.key, sha256=info.sha256.upper()) == b"the real content"


def test_copy_to_writes_the_plaintext_into_a_file(vault: Vault, tmp_path: Path) -> None:
    data = document(3 * SEGMENT + 1)
    info = vault.write([data])
    target = tmp_path / "copy"
    with target.open("wb") as fh:
        assert vault.copy_to(info.key, fh, sha256=info.sha256) == len(data)
    assert target.read_bytes() == data


def test_a_reader_closed_early_releases_its_handle(vault: Vault) -> None:
    info = vault.write([document(5 * SEGMENT)])
    reader = vault.read(info.key)
    assert next(reader) == document(5 * SEGMENT)[:SEGMENT]
    reader.close()
    assert list(reader) == []
    # Dropping an unstarted reader must not leak (warnings are errors here).
    vault.read(info.key)


def test_reading_an_unknown_key_raises_not_found(vault: Vault) -> None:
    with pytest.raises(BlobNotFoundError):
        vault.read("0" * 32)
    assert not vault.exists("0" * 32)


@pytest.mark.parametrize("bad", ["", "../../etc/passwd", "A" * 32, "0" * 31, "0" * 33])
def test_malformed_keys_are_refused_as_programming_errors(vault: Vault, bad: str) -> None:
    for call in (vault.read, vault.exists, vault.delete, vault.rewrap):
        with pytest.raises(ValueError, match="not a vault blob key"):
            call(bad)


def test_delete_destroys_key_record_and_ciphertext(vault: Vault, storage: Storage) -> None:
    info = vault.write([document(3 * SEGMENT)])
    keep = vault.write([b"unrelated"])
    assert vault.exists(info.key)
    vault.delete(info.key)
    assert not vault.exists(info.key)
    assert storage.names() == sorted([storage.blob_name(keep.key), storage.record_name(keep.key)])
    with pytest.raises(BlobNotFoundError):
        vault.read(info.key)
    vault.delete(info.key)  # idempotent
    assert read_all(vault, keep.key) == b"unrelated"


def test_delete_destroys_the_key_record_before_the_ciphertext(vault: Vault) -> None:
    info = vault.write([b"shred me"])
    calls: list[str] = []
    backend = vault.backend
    original_record, original_blob = backend.delete_record, backend.delete_blob

    def delete_record(key: str) -> None:
        calls.append("record")
        original_record(key)

    def delete_blob(key: str) -> None:
        calls.append("blob")
        original_blob(key)

    backend.delete_record = delete_record  # type: ignore[method-assign]
    backend.delete_blob = delete_blob  # type: ignore[method-assign]
    vault.delete(info.key)
    assert calls == ["record", "blob"]


def test_a_half_deleted_blob_is_finished_by_deleting_again(vault: Vault, storage: Storage) -> None:
    info = vault.write([b"half gone"])
    storage.remove(storage.record_name(info.key))  # as if delete crashed after shredding
    assert not vault.exists(info.key)
    with pytest.raises(BlobNotFoundError):
        vault.read(info.key)
    vault.delete(info.key)
    assert storage.names() == []


def test_rotation_moves_every_blob_to_the_new_key(
    storage: Storage, key_directory: Path, tmp_path: Path
) -> None:
    old = write_key_file(key_directory, "kek-old")
    before = vault_from_url(storage.url, KeyRing.from_files([old]), segment_size=SEGMENT)
    blobs = {before.write([document(n, seed=n)]).key: document(n, seed=n) for n in (0, 5, 200)}
    new = write_key_file(tmp_path / "new-keys", "kek-new")
    rotating = vault_from_url(storage.url, KeyRing.from_files([old, new]), segment_size=SEGMENT)
    assert rotating.rotate() == 3
    assert rotating.rotate() == 0
    after = vault_from_url(storage.url, KeyRing.from_files([new]), segment_size=SEGMENT)
    for key, data in blobs.items():
        assert read_all(after, key) == data
        assert json.loads(storage.read(storage.record_name(key)))["kek"] == "kek-new"
    with pytest.raises(KeyUnavailableError):
        before.read(next(iter(blobs)))


def test_rotation_rewrites_only_key_records_never_ciphertext(
    storage: Storage, key_directory: Path, tmp_path: Path
) -> None:
    old = write_key_file(key_directory, "kek-old")
    vault = vault_from_url(storage.url, KeyRing.from_files([old]), segment_size=SEGMENT)
    keys = [vault.write([document(n)]).key for n in (1, 3 * SEGMENT)]
    ciphertext = {k: storage.read(storage.blob_name(k)) for k in keys}
    versions = {k: storage.version(storage.blob_name(k)) for k in keys}
    records = {k: storage.read(storage.record_name(k)) for k in keys}
    new = write_key_file(tmp_path / "new-keys", "kek-new")
    rotating = vault_from_url(storage.url, KeyRing.from_files([old, new]))
    assert rotating.rewrap(keys[0]) is True
    assert rotating.rewrap(keys[0]) is False
    assert rotating.rotate() == 1
    for key in keys:
        assert storage.read(storage.blob_name(key)) == ciphertext[key]
        assert storage.version(storage.blob_name(key)) == versions[key]
        assert storage.read(storage.record_name(key)) != records[key]


def test_rotation_skips_blobs_missing_a_half(
    vault: Vault, storage: Storage, tmp_path: Path
) -> None:
    info = vault.write([b"orphaned ciphertext"])
    storage.remove(storage.record_name(info.key))
    ring = KeyRing.from_files(
        [write_key_file(tmp_path / "k", "kek-b"), write_key_file(tmp_path / "k", "kek-c")]
    )
    assert vault_from_url(storage.url, ring).rotate() == 0


def test_storage_never_contains_the_plaintext(vault: Vault, storage: Storage) -> None:
    marker = b"KAMMERPOST-MARKER-" + os.urandom(8).hex().encode()
    data = b"Antrag auf Eintragung in die Handwerksrolle\n" * 20 + marker + b"\nEnde\n"
    info = vault.write([data])
    vault.write(io.BytesIO(marker * 50))
    forbidden = [marker, marker.hex().encode(), marker.hex().upper().encode()]
    # base64 of the marker at each of the three alignments it can have inside a document
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + marker)[4:-4]
        forbidden += [encoded, base64.urlsafe_b64encode(b"\0" * shift + marker)[4:-4]]
    # The plaintext's hash would confirm a guessed document: it is sealed, too.
    forbidden += [info.sha256.encode(), bytes.fromhex(info.sha256)]
    everything = storage.everything()
    assert everything, "nothing was stored?"
    for name, content in everything.items():
        for needle in forbidden:
            assert needle not in content, f"{name} contains {needle!r}"


def test_keys_lists_written_blobs_and_skips_unfinished_writes(
    vault: Vault, storage: Storage
) -> None:
    started = datetime.now(UTC) - timedelta(seconds=5)
    written = sorted(vault.write([document(n)]).key for n in (0, 1, 100))
    storage.add_unfinished_write("f" * 32)
    storage.write("blobs/not-a-blob-key", b"foreign")
    assert storage.unfinished_writes()
    listed = list(vault.keys())
    assert [key for key, _ in listed] == written
    for _, when in listed:
        assert when.tzinfo is not None
        assert started <= when <= datetime.now(UTC) + timedelta(seconds=5)


def test_keys_includes_blobs_missing_their_key_record(vault: Vault, storage: Storage) -> None:
    # A writer killed between ciphertext and key record leaves this; orphan clean-up needs it.
    info = vault.write([b"no record"])
    storage.remove(storage.record_name(info.key))
    listed = list(vault.keys())
    assert [key for key, _ in listed] == [info.key]


def test_cleanup_removes_stale_leftovers_and_keeps_fresh_ones(
    vault: Vault, storage: Storage
) -> None:
    kept = vault.write([b"complete"])
    orphan = vault.write([b"ciphertext without key record"])
    storage.remove(storage.record_name(orphan.key))
    storage.add_unfinished_write("e" * 32)
    fresh = vault.cleanup()
    assert (fresh.temporary, fresh.incomplete) == (0, 0)
    assert storage.unfinished_writes()
    stale = vault.cleanup(older_than=timedelta(0))
    assert (stale.temporary, stale.incomplete) == (1, 1)
    assert storage.unfinished_writes() == []
    listed = list(vault.keys())
    assert [key for key, _ in listed] == [kept.key]
    assert read_all(vault, kept.key) == b"complete"


def test_a_failing_source_leaves_nothing_behind(vault: Vault, storage: Storage) -> None:
    def source() -> Iterator[bytes]:
        yield document(10 * SEGMENT)
        raise ConnectionResetError("the sender went away")

    with pytest.raises(ConnectionResetError):
        vault.write(source())
    assert storage.names() == []
    assert storage.unfinished_writes() == []


def test_a_source_of_text_is_refused(vault: Vault, storage: Storage) -> None:
    with pytest.raises(TypeError, match="bytes"):
        vault.write(["not bytes"])  # type: ignore[list-item]
    assert storage.names() == []


def test_an_unreachable_s3_endpoint_raises_vault_error(
    keyring: KeyRing, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Port 9 (discard) is closed on loopback: storage down must surface as VaultError.
    import boto3
    from botocore.config import Config

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    client = boto3.session.Session().client(
        "s3",
        endpoint_url="http://127.0.0.1:9",
        region_name="eu-central-1",
        config=Config(retries={"max_attempts": 1}, connect_timeout=2),
    )
    vault = Vault(S3Backend("kammerpost-vault-test", "x", client=client), keyring)
    with pytest.raises(VaultError, match="cannot write"):
        vault.write([b"x"])
    with pytest.raises(VaultError, match="cannot"):
        vault.read("0" * 32)


def test_an_unusable_vault_directory_raises_vault_error(tmp_path: Path, keyring: KeyRing) -> None:
    (tmp_path / "occupied").write_text("a file where the vault directory should be")
    with pytest.raises(VaultError, match="cannot create the vault directory"):
        vault_from_url(f"file://{tmp_path / 'occupied' / 'vault'}", keyring)
