"""Key files, key rings and the vault from URLs and environment variables."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kammerpost.vault import (
    FileBackend,
    KeyRing,
    S3Backend,
    create_key_file,
    keyring_from_environment,
    var_dir,
    vault_from_environment,
    vault_from_url,
)

from .conftest import write_key_file


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No vault variables set; var/ is a fresh temp directory."""
    for name in ("KAMMERPOST_VAULT_URL", "KAMMERPOST_VAULT_KEYS", "KAMMERPOST_PRODUCTION"):
        monkeypatch.delenv(name, raising=False)
    var = tmp_path / "var"
    monkeypatch.setenv("KAMMERPOST_VAR_DIR", str(var))
    return var


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_created_key_files_are_private_and_hold_32_random_bytes(tmp_path: Path) -> None:
    first = create_key_file(tmp_path / "keys")
    second = create_key_file(tmp_path / "keys")
    assert mode(first) == 0o600
    assert mode(second) == 0o600
    assert mode(tmp_path / "keys") == 0o700
    assert len(base64.b64decode(first.read_text())) == 32
    assert first.read_text() != second.read_text()
    assert first.name.startswith("kek-")
    assert first.name.endswith(".key")


def test_environment_defaults_create_one_key_in_the_var_directory(clean_environment: Path) -> None:
    vault = vault_from_environment()
    assert isinstance(vault.backend, FileBackend)
    assert vault.backend.root == clean_environment / "vault"
    keys = sorted((clean_environment / "vault-keys").glob("*.key"))
    assert len(keys) == 1
    assert mode(keys[0]) == 0o600
    assert mode(clean_environment / "vault-keys") == 0o700
    assert vault.keyring.ids == (keys[0].stem,)
    # The next process finds the same key rather than inventing another.
    info = vault.write([b"kept across restarts"])
    again = vault_from_environment()
    assert again.keyring.ids == vault.keyring.ids
    assert b"".join(again.read(info.key)) == b"kept across restarts"


def test_var_directory_is_the_one_django_settings_use(clean_environment: Path) -> None:
    assert var_dir() == clean_environment.resolve()
    env = {k: v for k, v in os.environ.items() if k != "KAMMERPOST_VAR_DIR"}
    script = (
        "import kammerpost.settings as s, kammerpost.vault as v;"
        "assert s.VAR_DIR == v.var_dir(), (s.VAR_DIR, v.var_dir())"
    )
    subprocess.run([sys.executable, "-c", script], check=True, env=env)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KAMMERPOST_VAULT_URL", "s3://kammerpost-docs/prod?region=eu-central-1"),
        ("KAMMERPOST_PRODUCTION", "true"),
    ],
)
def test_no_key_is_invented_for_shared_or_production_storage(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match="KAMMERPOST_VAULT_KEYS"):
        vault_from_environment()
    assert not list((clean_environment / "vault-keys").glob("*.key"))


def test_keys_variable_lists_files_and_directories_and_the_last_writes(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    old = write_key_file(tmp_path / "a", "kek-2025")
    write_key_file(tmp_path / "dir", "kek-2026-1")
    write_key_file(tmp_path / "dir", "kek-2026-2")
    monkeypatch.setenv("KAMMERPOST_VAULT_KEYS", f" {old} , {tmp_path / 'dir'} ")
    ring = keyring_from_environment()
    assert ring.ids == ("kek-2025", "kek-2026-1", "kek-2026-2")
    assert ring.writer.id == "kek-2026-2"
    assert "secret" not in repr(ring)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not base64!", "does not hold base64"),
        (base64.b64encode(b"short").decode(), "holds 5 bytes, not 32"),
        ("", "holds 0 bytes"),
    ],
)
def test_a_broken_key_file_is_refused_with_its_name(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "kek-broken.key"
    path.write_text(content)
    with pytest.raises(ValueError, match=message) as caught:
        KeyRing.from_files([path])
    assert "kek-broken.key" in str(caught.value)


def test_a_missing_key_file_names_the_variable(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KAMMERPOST_VAULT_KEYS", str(tmp_path / "absent.key"))
    with pytest.raises(ValueError, match=r"KAMMERPOST_VAULT_KEYS: cannot read key file"):
        vault_from_environment()


def test_duplicate_key_ids_are_refused(tmp_path: Path) -> None:
    one = write_key_file(tmp_path / "one", "kek-a")
    two = write_key_file(tmp_path / "two", "kek-a")
    with pytest.raises(ValueError, match="appears twice"):
        KeyRing.from_files([one, two])


def test_an_empty_ring_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        KeyRing([])


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "empty"),
        ("/var/lib/vault", "unsupported vault URL scheme none"),
        ("ftp://host/vault", "unsupported vault URL scheme 'ftp'"),
        ("file://relative/path", "needs an absolute path"),
        ("file:///", "absolute directory other than /"),
        ("file:///srv/vault?x=1", "no \\?query"),
        ("s3://", "is not an S3 bucket name"),
        ("s3://Bad_Bucket/x", "is not an S3 bucket name"),
        ("s3://AKIA:secret@bucket/x", "credentials do not belong"),
        ("s3://bucket/x?endpoint=ftp://h", "must be an http:// or https:// URL"),
        ("s3://bucket/x?endpoint=http://u:p@h", "credentials do not belong"),
        ("s3://bucket/x?color=blue", "unknown s3 vault URL parameter 'color'"),
        ("s3://bucket/x?region=a&region=b", "appears twice"),
        ("s3://bucket/x?region=", "is empty"),
        ("s3://bucket/a//b", "contains control characters or //"),
    ],
)
def test_bad_vault_urls_are_refused_with_a_clear_reason(
    url: str, message: str, tmp_path: Path
) -> None:
    ring = KeyRing([("k", os.urandom(32))])
    with pytest.raises(ValueError, match=message) as caught:
        vault_from_url(url, ring)
    assert "secret" not in str(caught.value)


def test_vault_urls_select_and_configure_the_backend(tmp_path: Path) -> None:
    ring = KeyRing([("k", os.urandom(32))])
    local = vault_from_url(f"file://{tmp_path}/v%20ault", ring)
    assert isinstance(local.backend, FileBackend)
    assert local.backend.root == tmp_path / "v ault"
    remote = vault_from_url(
        "s3://kammerpost-docs/intake/2026/?endpoint=https://s3.example:9000&region=eu-central-1",
        ring,
    )
    assert isinstance(remote.backend, S3Backend)
    assert (remote.backend.bucket, remote.backend.prefix) == ("kammerpost-docs", "intake/2026/")
    assert remote.backend.endpoint == "https://s3.example:9000"


def test_a_bad_url_in_the_environment_names_the_variable_and_creates_no_key(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAMMERPOST_VAULT_URL", "file://relative")
    with pytest.raises(ValueError, match="KAMMERPOST_VAULT_URL: a file vault URL"):
        vault_from_environment()
    assert not (clean_environment / "vault-keys").exists()


def test_the_vault_package_imports_no_django() -> None:
    script = (
        "import sys, kammerpost.vault, kammerpost.vault.cli;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'django'"
        " or (m.startswith('kammerpost.') and not m.startswith('kammerpost.vault')));"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
