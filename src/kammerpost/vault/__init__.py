"""The vault: encrypted, streaming blob storage for documents (no Django).

``vault_from_environment().write(file)`` stores a document encrypted under a
fresh data key and returns a ``BlobInfo`` (server-generated key, size,
SHA-256); ``read(key)`` streams the verified plaintext back; ``Uploads(vault)`` builds
a blob from resumable chunks (``uploads.py``). Backends: the
local file system and S3-compatible object storage. Format and reasons:
``envelope.py``, ``records.py`` and docs/decisions/0003-vault-envelope-format.md.
"""

from .backends import CleanupResult, StoredEntry
from .config import (
    backend_from_url,
    default_key_directory,
    default_url,
    keyring_from_environment,
    var_dir,
    vault_from_environment,
    vault_from_url,
)
from .envelope import DEFAULT_SEGMENT_SIZE
from .errors import BlobIntegrityError, BlobNotFoundError, KeyUnavailableError, VaultError
from .filesystem import FileBackend
from .keys import KeyEncryptionKey, KeyRing, create_key_file
from .s3 import S3Backend
from .uploads import (
    UploadBusyError,
    UploadChecksumError,
    UploadError,
    UploadIncompleteError,
    UploadNotFoundError,
    UploadOffsetError,
    Uploads,
    UploadStatus,
    UploadTooLargeError,
)
from .vault import BlobInfo, BlobReader, Vault

__all__ = [
    "DEFAULT_SEGMENT_SIZE",
    "BlobInfo",
    "BlobIntegrityError",
    "BlobNotFoundError",
    "BlobReader",
    "CleanupResult",
    "FileBackend",
    "KeyEncryptionKey",
    "KeyRing",
    "KeyUnavailableError",
    "S3Backend",
    "StoredEntry",
    "UploadBusyError",
    "UploadChecksumError",
    "UploadError",
    "UploadIncompleteError",
    "UploadNotFoundError",
    "UploadOffsetError",
    "UploadStatus",
    "UploadTooLargeError",
    "Uploads",
    "Vault",
    "VaultError",
    "backend_from_url",
    "create_key_file",
    "default_key_directory",
    "default_url",
    "keyring_from_environment",
    "var_dir",
    "vault_from_environment",
    "vault_from_url",
]
