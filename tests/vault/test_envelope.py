"""The segment format on its own, in memory: STREAM's guarantees without any backend."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kammerpost.vault import BlobIntegrityError
from kammerpost.vault.envelope import (
    HEADER_SIZE,
    TAG_SIZE,
    PlaintextSegments,
    ciphertext_size,
    decrypt,
    encrypt,
    read_header,
)

BLOB = "ab" * 16
OTHER_BLOB = "cd" * 16


def seal(data: bytes, segment_size: int, chunk: int = 7) -> tuple[bytes, bytes]:
    key = os.urandom(32)
    chunks = [data[i : i + chunk] for i in range(0, len(data), chunk)]
    segments = PlaintextSegments(chunks, segment_size)
    ciphertext = b"".join(encrypt(key, BLOB, segments, segment_size))
    assert segments.size == len(data)
    assert segments.sha256 == hashlib.sha256(data).hexdigest()
    return key, ciphertext


def open_sealed(
    key: bytes,
    ciphertext: bytes,
    segment_size: int,
    size: int,
    sha256: str,
    *,
    blob: str = BLOB,
) -> bytes:
    handle = io.BytesIO(ciphertext)
    head = read_header(handle, segment_size)
    return b"".join(decrypt(key, blob, handle, head, plaintext_size=size, expected_sha256=sha256))


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=700), segment_size=st.integers(16, 100), chunk=st.integers(1, 300))
def test_any_data_round_trips_with_any_segment_and_chunk_size(
    data: bytes, segment_size: int, chunk: int
) -> None:
    key, ciphertext = seal(data, segment_size, chunk)
    assert len(ciphertext) == ciphertext_size(len(data), segment_size)
    sha256 = hashlib.sha256(data).hexdigest()
    assert open_sealed(key, ciphertext, segment_size, len(data), sha256) == data


@settings(max_examples=150, deadline=None)
@given(data=st.binary(min_size=1, max_size=300), position=st.integers(0), bit=st.integers(0, 7))
def test_any_flipped_bit_is_detected(data: bytes, position: int, bit: int) -> None:
    key, ciphertext = seal(data, 32)
    damaged = bytearray(ciphertext)
    damaged[position % len(damaged)] ^= 1 << bit
    with pytest.raises(BlobIntegrityError):
        open_sealed(key, bytes(damaged), 32, len(data), hashlib.sha256(data).hexdigest())


def test_a_stream_cut_at_a_segment_boundary_fails_even_if_the_size_agrees() -> None:
    # Only the last-segment flag catches this: the claimed size matches what is left.
    data = os.urandom(3 * 32)
    key, ciphertext = seal(data, 32)
    cut = ciphertext[: HEADER_SIZE + 2 * (32 + TAG_SIZE)]
    with pytest.raises(BlobIntegrityError, match="segment 1"):
        open_sealed(key, cut, 32, 64, hashlib.sha256(data[:64]).hexdigest())


def test_a_stream_decrypted_under_another_blob_key_fails() -> None:
    data = b"moved"
    key, ciphertext = seal(data, 32)
    with pytest.raises(BlobIntegrityError, match="segment 0"):
        open_sealed(key, ciphertext, 32, 5, hashlib.sha256(data).hexdigest(), blob=OTHER_BLOB)


def test_an_empty_blob_is_one_empty_last_segment() -> None:
    key, ciphertext = seal(b"", 32)
    assert len(ciphertext) == HEADER_SIZE + TAG_SIZE
    assert open_sealed(key, ciphertext, 32, 0, hashlib.sha256(b"").hexdigest()) == b""


def test_an_exact_multiple_ends_with_a_full_last_segment() -> None:
    segments = list(PlaintextSegments([b"x" * 64], 32))
    assert [(len(s), last) for s, last in segments] == [(32, False), (32, True)]


def test_a_wrong_recorded_hash_is_reported_at_the_end() -> None:
    key, ciphertext = seal(b"abc", 32)
    with pytest.raises(BlobIntegrityError, match="SHA-256"):
        open_sealed(key, ciphertext, 32, 3, "0" * 64)
