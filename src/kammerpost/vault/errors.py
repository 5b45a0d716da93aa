"""The vault's exceptions: one base class, so callers can catch every vault failure at once."""

from __future__ import annotations


class VaultError(Exception):
    """A vault operation failed (also: the storage could not be reached or written)."""


class BlobNotFoundError(VaultError):
    """No blob (or no key record for it) is stored under this key."""


class BlobIntegrityError(VaultError):
    """The stored blob or its key record was altered, truncated, reordered or moved.

    Raised before any unverified byte is handed out; never retry it, report it.
    """


class KeyUnavailableError(VaultError):
    """The key-encryption key that wrapped this blob is not in the key ring."""
