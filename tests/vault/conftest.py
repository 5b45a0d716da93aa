"""Fixtures: the same vault tests run on the file backend and on S3 (moto_server on loopback).

``storage`` is a raw view of where the vault writes, independent of the
vault's own backend code, so tests can tamper with objects and look at every
byte that was stored.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kammerpost.vault import KeyRing, Vault, vault_from_url
from tests.support.s3 import S3Server

# Small segments keep tests fast while every blob above a few bytes has several.
SEGMENT = 64
BUCKET = "kammerpost-vault-test"


def write_key_file(directory: Path, name: str, secret: bytes | None = None) -> Path:
    """A key file ``<name>.key`` holding ``secret`` (random if not given)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.key"
    path.write_text(base64.b64encode(secret or os.urandom(32)).decode() + "\n")
    return path


class FileStorage:
    """The file backend's root, seen as plain files."""

    kind = "file"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = f"file://{root}"

    def blob_name(self, key: str) -> str:
        return f"blobs/{key[:2]}/{key}"

    def record_name(self, key: str) -> str:
        return f"keys/{key[:2]}/{key}"

    def names(self) -> list[str]:
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file())

    def everything(self) -> dict[str, bytes]:
        return {name: (self.root / name).read_bytes() for name in self.names()}

    def read(self, name: str) -> bytes:
        return (self.root / name).read_bytes()

    def write(self, name: str, data: bytes) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def remove(self, name: str) -> None:
        (self.root / name).unlink()

    def version(self, name: str) -> tuple[Any, ...]:
        """Identity of the stored object: a rewrite (temp file + rename) changes it."""
        stat = (self.root / name).stat()
        return stat.st_ino, stat.st_mtime_ns

    def add_unfinished_write(self, key: str) -> None:
        """What a writer killed mid-write leaves behind: a temp file next to the blobs."""
        self.write(f"blobs/{key[:2]}/.{key}.x1y2z3.tmp", b"partial ciphertext")

    def unfinished_writes(self) -> list[str]:
        return [name for name in self.names() if name.endswith(".tmp")]


class S3Storage:
    """One prefix of the test bucket, seen through a plain boto3 client."""

    kind = "s3"

    def __init__(self, server: S3Server, prefix: str) -> None:
        self.server = server
        self.client = server.client()
        self.prefix = prefix
        self.url = server.url(BUCKET, prefix)

    def blob_name(self, key: str) -> str:
        return f"blobs/{key}"

    def record_name(self, key: str) -> str:
        return f"keys/{key}"

    def _all(self, prefix: str) -> list[str]:
        names: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=BUCKET, Prefix=prefix
        ):
            names += [item["Key"] for item in page.get("Contents", [])]
        return names

    def names(self) -> list[str]:
        return sorted(name.removeprefix(f"{self.prefix}/") for name in self._all(f"{self.prefix}/"))

    def everything(self) -> dict[str, bytes]:
        """Every object in the whole bucket (all tests' prefixes)."""
        return {name: self._get(name) for name in self._all("")}

    def _get(self, full_name: str) -> bytes:
        return bytes(self.client.get_object(Bucket=BUCKET, Key=full_name)["Body"].read())

    def read(self, name: str) -> bytes:
        return self._get(f"{self.prefix}/{name}")

    def write(self, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=BUCKET, Key=f"{self.prefix}/{name}", Body=data)

    def remove(self, name: str) -> None:
        self.client.delete_object(Bucket=BUCKET, Key=f"{self.prefix}/{name}")

    def version(self, name: str) -> tuple[Any, ...]:
        head = self.client.head_object(Bucket=BUCKET, Key=f"{self.prefix}/{name}")
        return head["ETag"], head["LastModified"]

    def add_unfinished_write(self, key: str) -> None:
        """What a writer killed mid-upload leaves behind: an unfinished multipart upload."""
        name = f"{self.prefix}/blobs/{key}"
        upload = self.client.create_multipart_upload(Bucket=BUCKET, Key=name)
        self.client.upload_part(
            Bucket=BUCKET, Key=name, UploadId=upload["UploadId"], PartNumber=1, Body=b"partial"
        )

    def unfinished_writes(self) -> list[str]:
        answer = self.client.list_multipart_uploads(Bucket=BUCKET, Prefix=f"{self.prefix}/")
        return [upload["Key"] for upload in answer.get("Uploads", [])]


Storage = FileStorage | S3Storage


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto_server on a free loopback port with the test bucket, started once per session."""
    server = S3Server(tmp_path_factory.mktemp("moto"))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in server.environment.items():
            patch.setenv(name, value)
        server.start()
        try:
            server.create_bucket(BUCKET)
            yield server
        finally:
            server.stop()


@pytest.fixture(params=["file", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    """Where the vault under test writes: a temp directory, or a fresh prefix in the bucket."""
    if request.param == "file":
        return FileStorage(tmp_path / "vault")
    server: S3Server = request.getfixturevalue("s3_server")
    return S3Storage(server, f"test-{uuid.uuid4().hex[:12]}")


@pytest.fixture
def key_directory(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def keyring(key_directory: Path) -> KeyRing:
    """A ring with one key, ``kek-a``."""
    return KeyRing.from_files([write_key_file(key_directory, "kek-a")])


@pytest.fixture
def vault(storage: Storage, keyring: KeyRing) -> Vault:
    """The vault under test, with small segments."""
    return vault_from_url(storage.url, keyring, segment_size=SEGMENT)
