"""``kammerpost vault status|rotate|cleanup|new-key`` against both backends."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kammerpost.vault import KeyRing, vault_from_url
from kammerpost.vault.cli import main

from .conftest import Storage, write_key_file


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(list(argv), out=out)
    return status, out.getvalue()


@pytest.fixture
def configured(
    storage: Storage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Storage, Path]:
    """The environment points at ``storage`` with one key file, ``kek-1``."""
    first = write_key_file(tmp_path / "keys", "kek-1")
    monkeypatch.setenv("KAMMERPOST_VAULT_URL", storage.url)
    monkeypatch.setenv("KAMMERPOST_VAULT_KEYS", str(first))
    monkeypatch.setenv("KAMMERPOST_VAR_DIR", str(tmp_path / "var"))
    return storage, first


def test_status_names_backend_keys_writer_and_blob_count(
    configured: tuple[Storage, Path],
) -> None:
    storage, first = configured
    vault = vault_from_url(storage.url, KeyRing.from_files([first]))
    for _ in range(3):
        vault.write([b"x"])
    status, out = run("status")
    assert status == 0
    assert vault.backend.describe() in out
    assert "keys: kek-1 (writes: kek-1)" in out
    assert "blobs: 3" in out


def test_rotate_reports_counts_and_moves_blobs_to_the_new_key(
    configured: tuple[Storage, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    storage, first = configured
    vault = vault_from_url(storage.url, KeyRing.from_files([first]))
    keys = [vault.write([f"blob {n}".encode()]).key for n in range(2)]
    second = write_key_file(tmp_path / "keys", "kek-2")
    monkeypatch.setenv("KAMMERPOST_VAULT_KEYS", f"{first},{second}")
    assert run("rotate") == (0, "re-wrapped: 2, already with kek-2: 0, failed: 0\n")
    assert run("rotate") == (0, "re-wrapped: 0, already with kek-2: 2, failed: 0\n")
    only_new = vault_from_url(storage.url, KeyRing.from_files([second]))
    assert [b"".join(only_new.read(k)) for k in keys] == [b"blob 0", b"blob 1"]


def test_rotate_lists_blobs_it_cannot_unwrap_and_fails(
    configured: tuple[Storage, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    storage, first = configured
    lost = vault_from_url(storage.url, KeyRing.from_files([first])).write([b"x"])
    monkeypatch.setenv("KAMMERPOST_VAULT_KEYS", str(write_key_file(tmp_path / "k", "kek-9")))
    status, out = run("rotate")
    assert status == 1
    assert "failed: 1" in out
    assert (
        f"{lost.key}: key-encryption key 'kek-1' is not in the key ring" in capsys.readouterr().err
    )


def test_cleanup_reports_what_it_removed(configured: tuple[Storage, Path]) -> None:
    storage, _ = configured
    storage.add_unfinished_write("a" * 32)
    assert run("cleanup") == (
        0,
        "removed temp files / unfinished uploads: 0, incomplete blobs: 0\n",
    )
    assert run("cleanup", "--older-than", "0") == (
        0,
        "removed temp files / unfinished uploads: 1, incomplete blobs: 0\n",
    )


def test_new_key_creates_a_private_key_file_that_writes_next(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("KAMMERPOST_VAULT_KEYS", raising=False)
    monkeypatch.setenv("KAMMERPOST_VAR_DIR", str(tmp_path / "var"))
    status, out = run("new-key")
    assert status == 0
    path = Path(out.splitlines()[0])
    assert path.parent == (tmp_path / "var" / "vault-keys").resolve()
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_configuration_error_exits_with_status_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KAMMERPOST_VAULT_URL", "ftp://nowhere")
    assert main(["status"]) == 2
    assert "KAMMERPOST_VAULT_URL: unsupported vault URL scheme 'ftp'" in capsys.readouterr().err
    assert main(["no-such-command"]) == 2


def test_the_module_runs_as_a_command(tmp_path: Path) -> None:
    env = dict(os.environ, KAMMERPOST_VAR_DIR=str(tmp_path / "var"))
    env.pop("KAMMERPOST_VAULT_URL", None)
    env.pop("KAMMERPOST_VAULT_KEYS", None)
    done = subprocess.run(
        [sys.executable, "-m", "kammerpost.vault.cli", "status"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"backend: file://{(tmp_path / 'var' / 'vault').resolve()}" in done.stdout
    assert "blobs: 0" in done.stdout
