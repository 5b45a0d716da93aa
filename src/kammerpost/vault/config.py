"""The vault from configuration: URLs and environment variables with embedded defaults.

``KAMMERPOST_VAULT_URL``   where blobs live; default ``file://<var>/vault``
``KAMMERPOST_VAULT_KEYS``  comma-separated key files (or directories of ``*.key``
                           files); the last one writes. Default: every ``*.key``
                           in ``<var>/vault-keys`` sorted by name, the first one
                           created on first use - but only for the embedded setup
                           (file backend, not production), because instances
                           that each invent their own key could not read each
                           other's blobs.
``<var>``                  ``KAMMERPOST_VAR_DIR`` or the repository's ``var/``,
                           as in ``kammerpost.settings`` (computed here without
                           importing Django).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

from .backends import Backend
from .envelope import DEFAULT_SEGMENT_SIZE
from .filesystem import FileBackend
from .keys import KeyRing
from .s3 import S3Backend
from .vault import Vault

URL_VARIABLE = "KAMMERPOST_VAULT_URL"
KEYS_VARIABLE = "KAMMERPOST_VAULT_KEYS"
# Bucket names as S3 allows them for new buckets (3-63 of a-z 0-9 . -).
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_S3_PARAMETERS = frozenset({"endpoint", "region"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def var_dir() -> Path:
    """``KAMMERPOST_VAR_DIR`` or ``<repository>/var`` (src layout: three levels above here)."""
    default = Path(__file__).resolve().parents[3] / "var"
    return Path(os.environ.get("KAMMERPOST_VAR_DIR", default)).resolve()


def default_url() -> str:
    """The embedded default vault URL: ``file://<var>/vault``."""
    return f"file://{var_dir() / 'vault'}"


def default_key_directory() -> Path:
    """Where the embedded default key ring lives: ``<var>/vault-keys``."""
    return var_dir() / "vault-keys"


def _production() -> bool:
    # Same reading as kammerpost.settings, without importing Django.
    value = os.environ.get("KAMMERPOST_PRODUCTION", "")
    return value.strip().lower() in {"1", "true", "yes", "on"}


def keyring_from_environment(*, create: bool = True) -> KeyRing:
    """The key ring from ``KAMMERPOST_VAULT_KEYS``, or the default key directory.

    With ``create``, an empty default directory gets its first key.
    """
    spec = os.environ.get(KEYS_VARIABLE, "").strip()
    try:
        if spec:
            return KeyRing.from_spec(spec)
        return KeyRing.from_directory(default_key_directory(), create=create)
    except ValueError as exc:
        hint = "" if spec else f" (set {KEYS_VARIABLE} to the key files every instance shares)"
        raise ValueError(f"{KEYS_VARIABLE}: {exc}{hint}") from None


def vault_from_url(
    url: str, keyring: KeyRing, *, segment_size: int = DEFAULT_SEGMENT_SIZE
) -> Vault:
    """A vault on the storage ``url`` names; ValueError with the reason for a bad URL.

    ``file:///absolute/path`` or ``s3://bucket[/prefix][?endpoint=URL][&region=NAME]``.
    """
    return Vault(backend_from_url(url), keyring, segment_size=segment_size)


def backend_from_url(url: str) -> Backend:
    """The storage backend ``url`` names (see ``vault_from_url``)."""
    if not isinstance(url, str) or not url.strip():
        raise ValueError("the vault URL is empty (file:///path or s3://bucket/prefix)")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "file":
        return FileBackend(_file_path(parts))
    if scheme == "s3":
        return _s3_backend(parts)
    shown = f"{scheme!r}" if scheme else "none"
    raise ValueError(
        f"unsupported vault URL scheme {shown}: use file:///absolute/path or s3://bucket/prefix"
    )


def _file_path(parts: SplitResult) -> Path:
    netloc, path, query, fragment = parts.netloc, parts.path, parts.query, parts.fragment
    if netloc not in {"", "localhost"}:
        raise ValueError(
            f"a file vault URL needs an absolute path, e.g. file:///var/lib/kammerpost/vault"
            f" (three slashes); {netloc!r} was read as a host name"
        )
    if query or fragment:
        raise ValueError("a file vault URL takes no ?query or #fragment")
    directory = unquote(path)
    if not directory.startswith("/") or directory.strip("/") == "":
        raise ValueError("a file vault URL needs an absolute directory other than /")
    if _CONTROL.search(directory):
        raise ValueError("the vault directory contains control characters")
    return Path(directory)


def _s3_backend(parts: SplitResult) -> S3Backend:
    netloc, path, query, fragment = parts.netloc, parts.path, parts.query, parts.fragment
    if "@" in netloc:
        # Do not echo the URL: it holds a secret.
        raise ValueError(
            "credentials do not belong in the vault URL; use AWS_ACCESS_KEY_ID and"
            " AWS_SECRET_ACCESS_KEY (or a profile / instance role)"
        )
    if not _BUCKET.fullmatch(netloc):
        raise ValueError(
            f"{netloc!r} is not an S3 bucket name (3-63 characters of a-z 0-9 . -):"
            " s3://bucket/prefix"
        )
    if fragment:
        raise ValueError("an s3 vault URL takes no #fragment")
    prefix = unquote(path).strip("/")
    if _CONTROL.search(prefix) or "//" in prefix:
        raise ValueError(f"the S3 prefix {prefix!r} contains control characters or //")
    options: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name not in _S3_PARAMETERS:
            raise ValueError(f"unknown s3 vault URL parameter {name!r} (known: endpoint, region)")
        if name in options:
            raise ValueError(f"the s3 vault URL parameter {name!r} appears twice")
        if not value:
            raise ValueError(f"the s3 vault URL parameter {name!r} is empty")
        options[name] = value
    endpoint = options.get("endpoint")
    if endpoint is not None:
        target = urlsplit(endpoint)
        if target.scheme not in {"http", "https"} or not target.hostname:
            raise ValueError(
                f"the S3 endpoint {endpoint!r} must be an http:// or https:// URL with a host"
            )
        if target.username or target.password:
            raise ValueError("credentials do not belong in the S3 endpoint URL")
    return S3Backend(netloc, prefix, endpoint=endpoint, region=options.get("region"))


def vault_from_environment() -> Vault:
    """The vault ``KAMMERPOST_VAULT_URL`` and ``KAMMERPOST_VAULT_KEYS`` describe (or the defaults).

    The default key directory is only created automatically for a file vault
    outside production mode; otherwise the keys must be configured.
    """
    url = os.environ.get(URL_VARIABLE, "").strip() or default_url()
    # The URL first: a typo there must not leave a freshly created key behind.
    try:
        backend = backend_from_url(url)
    except ValueError as exc:
        raise ValueError(f"{URL_VARIABLE}: {exc}") from None
    embedded = isinstance(backend, FileBackend) and not _production()
    return Vault(backend, keyring_from_environment(create=embedded))
