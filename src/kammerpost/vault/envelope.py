"""The ciphertext format of one blob: a short header, then AES-256-GCM segments.

Layout of the ciphertext object (all integers big-endian)::

    header   b"KPVAULT" | version (1 byte, = 1) | segment size (4 bytes)
    segment  AES-256-GCM(data key, nonce_i, plaintext_i, aad) = ciphertext_i || tag (16 bytes)
    ...      every segment holds ``segment size`` plaintext bytes except the last,
             which holds 0..segment size bytes (an empty blob is one empty last segment)

    nonce_i  = i (11 bytes) | last flag (1 byte: 1 for the final segment, else 0)
    aad      = header | blob key (ASCII)

This is the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár: "Online
Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance", CRYPTO 2015;
the same shape as Tink's streaming AEAD and age): the segment number in the
nonce stops reordering and dropping, the last-segment flag stops truncation
at a segment boundary, and the blob key in the AAD stops a ciphertext from
being moved to another key. A counter nonce is safe because every blob has
its own fresh data key. The data key never appears here: it lives, wrapped,
in the blob's key record (``records.py``).
"""

from __future__ import annotations

import functools
import hashlib
import struct
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import BlobIntegrityError

MAGIC = b"KPVAULT"
VERSION = 1
HEADER = struct.Struct(">7sBI")
HEADER_SIZE = HEADER.size
TAG_SIZE = 16
DEFAULT_SEGMENT_SIZE = 1024 * 1024
# Bounds for the segment size: below 16 bytes the tag overhead is absurd; above
# 64 MiB one segment (held in memory twice while it is processed) breaks the
# flat-memory promise. A reader refuses headers outside these bounds as well.
MIN_SEGMENT_SIZE = 16
MAX_SEGMENT_SIZE = 64 * 1024 * 1024
_COUNTER_BYTES = 11


class Readable(Protocol):
    """What the decryptor needs from a storage handle."""

    def readinto(self, buffer: memoryview, /) -> int:
        """Read up to ``len(buffer)`` bytes into ``buffer``; 0 only at the end."""
        ...


def check_segment_size(segment_size: int) -> int:
    """Return ``segment_size`` if it is within the supported bounds, else raise ValueError."""
    if not MIN_SEGMENT_SIZE <= segment_size <= MAX_SEGMENT_SIZE:
        raise ValueError(
            f"segment size must be between {MIN_SEGMENT_SIZE} and {MAX_SEGMENT_SIZE} bytes,"
            f" not {segment_size}"
        )
    return segment_size


def header(segment_size: int) -> bytes:
    """The header that starts a ciphertext object written with ``segment_size``."""
    return HEADER.pack(MAGIC, VERSION, check_segment_size(segment_size))


def segment_count(plaintext_size: int, segment_size: int) -> int:
    """How many segments a blob of ``plaintext_size`` bytes has (an empty blob has one)."""
    return max(1, -(-plaintext_size // segment_size))


def ciphertext_size(plaintext_size: int, segment_size: int) -> int:
    """The exact length of the ciphertext object for a blob of ``plaintext_size`` bytes."""
    return HEADER_SIZE + plaintext_size + TAG_SIZE * segment_count(plaintext_size, segment_size)


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(_COUNTER_BYTES, "big") + (b"\x01" if last else b"\x00")


def _aad(head: bytes, blob_key: str) -> bytes:
    return head + blob_key.encode("ascii")


class PlaintextSegments:
    """Cuts the plaintext into segments and hashes and counts it on the way.

    ``source`` is a binary file (read with ``readinto`` where it has one) or an
    iterable of byte chunks of any size. Iterating yields ``(segment, is_last)``;
    a full segment is only released once at least one byte after it is known to
    exist, so the last segment is always marked as last, also when the size is
    an exact multiple of the segment size. A yielded segment may be a view into
    a reused buffer: it is valid until the next iteration step. Memory: two
    segments plus one incoming chunk.
    """

    def __init__(self, source: object, segment_size: int) -> None:
        self._source = source
        self._segment_size = check_segment_size(segment_size)
        self._digest = hashlib.sha256()
        self.size = 0

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the plaintext seen so far (complete once iteration ended)."""
        return self._digest.hexdigest()

    def __iter__(self) -> Iterator[tuple[bytes | memoryview, bool]]:
        readinto = getattr(self._source, "readinto", None)
        read = getattr(self._source, "read", None)
        pieces: Iterator[bytes | memoryview]
        if callable(readinto):
            pieces = _pieces_from_file(readinto, self._segment_size)
        elif callable(read):  # file-like without readinto: read() whole segments
            chunks = iter(functools.partial(read, self._segment_size), b"")
            pieces = _pieces_from_chunks(chunks, self._segment_size)
        else:
            pieces = _pieces_from_chunks(self._source, self._segment_size)  # type: ignore[arg-type]
        previous: bytes | memoryview | None = None
        for piece in pieces:
            if previous is not None:
                yield self._count(previous), False
            previous = piece
        yield self._count(previous if previous is not None else b""), True

    def _count(self, segment: bytes | memoryview) -> bytes | memoryview:
        self._digest.update(segment)
        self.size += len(segment)
        return segment


def _fill(readinto: Callable[[memoryview], int | None], buffer: bytearray | memoryview) -> int:
    """Fill ``buffer`` from a file (short reads retried); fewer bytes only at the end."""
    view = memoryview(buffer)
    filled = 0
    while filled < len(view):
        got = readinto(view[filled:])
        if got is None:
            # A non-blocking file with no data yet: treating it as the end would
            # store a silently truncated document.
            raise ValueError("the source is a non-blocking file; pass a blocking one")
        if not got:
            break
        filled += got
    return filled


def _pieces_from_file(
    readinto: Callable[[memoryview], int | None], size: int
) -> Iterator[memoryview]:
    # Two buffers used in turn: one segment held back for the look-ahead while the
    # next is read. Reusing them avoids a fresh 1 MiB allocation (and the page
    # faults that come with it) per segment.
    buffers = (bytearray(size), bytearray(size))
    turn = 0
    while True:
        buffer = buffers[turn]
        filled = _fill(readinto, buffer)
        if filled:
            yield memoryview(buffer)[:filled]
        if filled < size:
            return
        turn = 1 - turn


def _pieces_from_chunks(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    buffer = bytearray()
    for chunk in chunks:
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise TypeError(f"the source must yield bytes, not {type(chunk).__name__}")
        if not buffer and type(chunk) is bytes and len(chunk) == size:
            yield chunk  # the common case: whole segments from the caller, no copy
            continue
        buffer += chunk
        offset = 0
        while len(buffer) - offset >= size:
            yield bytes(memoryview(buffer)[offset : offset + size])
            offset += size
        del buffer[:offset]
    if buffer:
        yield bytes(buffer)


class SegmentCipher:
    """Seals and opens single segments of one blob (the STREAM step, by segment number).

    ``encrypt``/``decrypt`` walk a whole blob with it; resumable uploads
    (``uploads.py``) seal segment ``i`` whenever its bytes have arrived.
    """

    def __init__(self, data_key: bytes, blob_key: str, segment_size: int) -> None:
        self.head = header(segment_size)
        self._aad = _aad(self.head, blob_key)
        self._aead = AESGCM(data_key)

    def seal(self, index: int, plaintext: bytes | memoryview, *, last: bool) -> bytes:
        """Ciphertext and tag of segment ``index``."""
        return self._aead.encrypt(_nonce(index, last), plaintext, self._aad)

    def open(self, index: int, sealed: bytes | memoryview, *, last: bool) -> bytes:
        """The plaintext of segment ``index``; BlobIntegrityError if it fails authentication."""
        try:
            return self._aead.decrypt(_nonce(index, last), sealed, self._aad)
        except InvalidTag:
            raise BlobIntegrityError(
                f"segment {index} failed authentication (altered, reordered, truncated"
                " or moved ciphertext)"
            ) from None


def encrypt(
    data_key: bytes,
    blob_key: str,
    segments: Iterable[tuple[bytes | memoryview, bool]],
    segment_size: int,
) -> Iterator[bytes]:
    """Yield the ciphertext object piece by piece: the header, then each sealed segment."""
    cipher = SegmentCipher(data_key, blob_key, segment_size)
    yield cipher.head
    for index, (plaintext, last) in enumerate(segments):
        yield cipher.seal(index, plaintext, last=last)


def read_header(handle: Readable, segment_size: int) -> bytes:
    """Read and check the header; it must name the segment size the key record names."""
    buffer = bytearray(HEADER_SIZE)
    if _fill(handle.readinto, buffer) != HEADER_SIZE:
        raise BlobIntegrityError("the ciphertext is shorter than its header")
    head = bytes(buffer)
    magic, version, found_size = HEADER.unpack(head)
    if magic != MAGIC:
        raise BlobIntegrityError("the ciphertext does not start with the vault header")
    if version != VERSION:
        raise BlobIntegrityError(f"unknown ciphertext format version {version}")
    if found_size != segment_size:
        raise BlobIntegrityError(
            f"the header's segment size ({found_size}) differs from the key record's"
            f" ({segment_size})"
        )
    return head


def decrypt_segments(
    data_key: bytes, blob_key: str, handle: Readable, head: bytes, plaintext_size: int
) -> Iterator[bytes]:
    """Yield each segment's plaintext once it is authenticated (no whole-blob hash check).

    ``decrypt`` adds the end-of-stream and SHA-256 checks; resumable uploads use
    this alone to recompute the hash they could not keep across a restart.
    """
    segment_size = HEADER.unpack(head)[2]
    count = segment_count(plaintext_size, segment_size)
    cipher = SegmentCipher(data_key, blob_key, segment_size)
    # One reused input buffer; each yielded plaintext is a fresh bytes object,
    # because the caller may keep it.
    sealed = memoryview(bytearray(segment_size + TAG_SIZE))
    for index in range(count):
        last = index == count - 1
        expected = (plaintext_size - index * segment_size if last else segment_size) + TAG_SIZE
        if _fill(handle.readinto, sealed[:expected]) != expected:
            raise BlobIntegrityError(f"segment {index} is truncated")
        yield cipher.open(index, sealed[:expected], last=last)


def decrypt(
    data_key: bytes,
    blob_key: str,
    handle: Readable,
    head: bytes,
    *,
    plaintext_size: int,
    expected_sha256: str | None,
) -> Iterator[bytes]:
    """Yield verified plaintext segment by segment from ``handle`` (positioned after ``head``).

    The number of segments follows from the authenticated plaintext size in the
    key record; the last-segment flag in the nonce still guards against
    truncation on its own. Each segment is authenticated before it is yielded;
    after the last one the stream must end and the plaintext must hash to
    ``expected_sha256``. None skips only that last hash (``Vault.verify``): the
    authenticated segments under the blob's own data key can only be what its
    writer encrypted, and the writer recorded the digest of exactly that.
    """
    digest = hashlib.sha256()
    produced = 0
    for plaintext in decrypt_segments(data_key, blob_key, handle, head, plaintext_size):
        if expected_sha256 is not None:
            digest.update(plaintext)
        produced += len(plaintext)
        yield plaintext
    if _fill(handle.readinto, bytearray(1)):
        raise BlobIntegrityError("the ciphertext has bytes after its last segment")
    if produced != plaintext_size or (
        expected_sha256 is not None and digest.hexdigest() != expected_sha256
    ):
        raise BlobIntegrityError("the plaintext does not match the recorded SHA-256")
