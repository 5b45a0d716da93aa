"""The key record of a blob: its data key wrapped with a KEK, stored apart from the ciphertext.

A small JSON object (``keys/<blob key>`` next to ``blobs/<blob key>``)::

    {"format": 1, "blob": "<blob key>", "kek": "<KEK id>", "kek_check": "<16 hex>",
     "segment_size": 1048576, "nonce": "<base64, 12 bytes>", "sealed": "<base64>"}

``sealed`` is AES-256-GCM under the KEK over ``data key (32) | plaintext size
(8, big-endian) | plaintext SHA-256 (32)``, with every clear field as
associated data. So the record cannot be moved to another blob, pointed at
another KEK or given another segment size without detection, and the
plaintext hash - a fingerprint of the document that would let anyone with
read access to the bucket confirm a guessed file - is not readable without the
KEK. Keeping the record apart lets delete destroy the key before the data
(crypto-shredding) and lets rotation rewrite ~300 bytes instead of the blob.

GCM with random 96-bit nonces is fine for one KEK up to ~2^32 wraps (NIST SP
800-38D, 8.3); a chamber writes orders of magnitude fewer blobs per key.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .envelope import check_segment_size
from .errors import BlobIntegrityError, KeyUnavailableError
from .keys import KEY_SIZE, KeyEncryptionKey, KeyRing

FORMAT = 1
_NONCE_SIZE = 12
_SEALED = struct.Struct(f">{KEY_SIZE}sQ32s")
_AAD_LABEL = b"kammerpost vault key record\x00"
_FIELDS = {"format", "blob", "kek", "kek_check", "segment_size", "nonce", "sealed"}


@dataclass(frozen=True)
class KeyRecord:
    """A parsed (not yet opened) key record."""

    blob_key: str
    kek_id: str
    kek_check: str
    segment_size: int
    nonce: bytes
    sealed: bytes


@dataclass(frozen=True)
class Secrets:
    """What a key record protects: the data key and the plaintext's size and SHA-256."""

    data_key: bytes = field(repr=False)
    size: int
    sha256: str


def _aad(blob_key: str, kek_id: str, kek_check: str, segment_size: int) -> bytes:
    clear = {
        "format": FORMAT,
        "blob": blob_key,
        "kek": kek_id,
        "kek_check": kek_check,
        "segment_size": segment_size,
    }
    return _AAD_LABEL + json.dumps(clear, sort_keys=True, separators=(",", ":")).encode()


def seal(blob_key: str, kek: KeyEncryptionKey, segment_size: int, contents: Secrets) -> bytes:
    """Serialise a new key record wrapping ``contents`` with ``kek``."""
    nonce = secrets.token_bytes(_NONCE_SIZE)
    payload = _SEALED.pack(contents.data_key, contents.size, bytes.fromhex(contents.sha256))
    aad = _aad(blob_key, kek.id, kek.check, segment_size)
    record = {
        "format": FORMAT,
        "blob": blob_key,
        "kek": kek.id,
        "kek_check": kek.check,
        "segment_size": segment_size,
        "nonce": base64.b64encode(nonce).decode(),
        "sealed": base64.b64encode(AESGCM(kek.secret).encrypt(nonce, payload, aad)).decode(),
    }
    return json.dumps(record, sort_keys=True).encode() + b"\n"


def parse(raw: bytes, blob_key: str) -> KeyRecord:
    """Parse a stored key record for ``blob_key``; BlobIntegrityError if it is malformed."""
    try:
        data: Any = json.loads(raw)
        if not isinstance(data, dict) or set(data) != _FIELDS:
            raise ValueError("unexpected fields")
        if data["format"] != FORMAT:
            raise ValueError(f"unknown format {data['format']!r}")
        if data["blob"] != blob_key:
            raise BlobIntegrityError(f"the key record names blob {data['blob']!r}, not {blob_key}")
        segment_size = data["segment_size"]
        if type(segment_size) is not int:
            raise ValueError("segment size is not an integer")
        check_segment_size(segment_size)
        nonce = base64.b64decode(data["nonce"], validate=True)
        sealed = base64.b64decode(data["sealed"], validate=True)
        if len(nonce) != _NONCE_SIZE or len(sealed) != _SEALED.size + 16:
            raise ValueError("wrong nonce or sealed length")
        if not isinstance(data["kek"], str) or not isinstance(data["kek_check"], str):
            raise ValueError("key id or check is not a string")
        return KeyRecord(blob_key, data["kek"], data["kek_check"], segment_size, nonce, sealed)
    except (ValueError, TypeError, KeyError, binascii.Error) as exc:
        # json.JSONDecodeError and UnicodeDecodeError are ValueErrors too.
        raise BlobIntegrityError(f"the key record of {blob_key} is damaged: {exc}") from None


def kek_for(record: KeyRecord, keyring: KeyRing) -> KeyEncryptionKey:
    """The ring's KEK for ``record``; KeyUnavailableError if absent or a different key."""
    kek = keyring.get(record.kek_id)
    if kek.check != record.kek_check:
        raise KeyUnavailableError(
            f"key-encryption key {record.kek_id!r} in the key ring is not the key that wrapped"
            f" blob {record.blob_key} (check value {kek.check}, record says {record.kek_check})"
        )
    return kek


def open_record(record: KeyRecord, keyring: KeyRing) -> Secrets:
    """Unwrap a key record with the ring; raises KeyUnavailableError or BlobIntegrityError."""
    kek = kek_for(record, keyring)
    aad = _aad(record.blob_key, record.kek_id, record.kek_check, record.segment_size)
    try:
        payload = AESGCM(kek.secret).decrypt(record.nonce, record.sealed, aad)
    except InvalidTag:
        raise BlobIntegrityError(
            f"the key record of {record.blob_key} failed authentication (altered or moved)"
        ) from None
    data_key, size, digest = _SEALED.unpack(payload)
    return Secrets(data_key, size, digest.hex())
