"""The S3-compatible object storage backend (``s3://bucket/prefix?endpoint=...&region=...``).

Object names below the prefix::

    <prefix>blobs/<key>     ciphertext
    <prefix>keys/<key>      key record

Credentials come from boto3's usual chain (``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, config files, instance roles),
never from the URL. Ciphertext is streamed: small blobs with one PUT, larger
ones as a multipart upload holding one part in memory; the object appears
only when the upload completes, so a crashed writer leaves at most an
unfinished multipart upload, which ``remove_temporary`` aborts.

Crypto-shredding on S3 needs a bucket without versioning (or a lifecycle rule
expiring noncurrent versions of ``keys/``): with versioning, a deleted key
record survives as an old version. ``versioning_enabled`` lets status warn.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from .backends import BLOB_KEY_PATTERN, BlobHandle
from .errors import BlobNotFoundError, VaultError

_BLOBS = "blobs/"
_RECORDS = "keys/"
# 8 MiB parts: S3's minimum is 5 MiB; 10,000 parts then allow blobs up to ~78 GiB,
# far above any upload limit of the intake, while one part in memory stays small.
DEFAULT_PART_SIZE = 8 * 1024 * 1024
_MIN_PART_SIZE = 5 * 1024 * 1024
_MAX_PARTS = 10_000
_NOT_FOUND = frozenset({"NoSuchKey", "404", "NotFound"})


@contextlib.contextmanager
def _storage_errors(action: str) -> Iterator[None]:
    # Network and service failures reach callers as VaultError ("vault unavailable").
    try:
        yield
    except (BotoCoreError, ClientError, OSError) as exc:
        raise VaultError(f"{action}: {exc}") from exc


def _is_not_found(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in _NOT_FOUND


class _S3Body:
    """The streaming body of ``get_object``; read errors become VaultError."""

    def __init__(self, body: Any, name: str) -> None:
        self._body = body
        self._name = name

    def readinto(self, buffer: memoryview, /) -> int:
        with _storage_errors(f"cannot read {self._name}"):
            data = cast(bytes, self._body.read(len(buffer)))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._body.close()


class S3Backend:
    """Blobs and key records as objects in one bucket below one prefix."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint: str | None = None,
        region: str | None = None,
        part_size: int = DEFAULT_PART_SIZE,
        client: Any = None,
    ) -> None:
        if part_size < _MIN_PART_SIZE:
            raise ValueError(f"S3 part size must be at least {_MIN_PART_SIZE} bytes")
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self.endpoint = endpoint
        self.part_size = part_size
        if client is None:
            config = Config(
                retries={"max_attempts": 5, "mode": "standard"},
                connect_timeout=10,
                read_timeout=60,
                # S3-compatible servers (MinIO, Ceph, moto) rarely do virtual-host buckets.
                s3={"addressing_style": "path"} if endpoint else None,
            )
            client = boto3.session.Session().client(
                "s3", endpoint_url=endpoint, region_name=region, config=config
            )
        self.client = client

    def describe(self) -> str:
        """Bucket and prefix as an ``s3://`` URL, plus the endpoint if one is set."""
        where = f"s3://{self.bucket}/{self.prefix}"
        return f"{where} at {self.endpoint}" if self.endpoint else where

    def _name(self, kind: str, key: str) -> str:
        return f"{self.prefix}{kind}{key}"

    def put_blob(self, key: str, chunks: Iterable[bytes]) -> None:
        """Upload the ciphertext: one PUT if it fits in a part, else a multipart upload."""
        name = self._name(_BLOBS, key)
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        try:
            # Errors of the source propagate unchanged; only storage errors are wrapped.
            for chunk in chunks:
                buffer += chunk
                if len(buffer) >= self.part_size:
                    if upload_id is None:
                        upload_id = self._start_upload(name)
                    parts.append(self._upload_part(name, upload_id, len(parts) + 1, buffer))
                    buffer = bytearray()
            with _storage_errors(f"cannot write {name}"):
                if upload_id is None:
                    self.client.put_object(Bucket=self.bucket, Key=name, Body=bytes(buffer))
                    return
                if buffer or not parts:
                    parts.append(self._upload_part(name, upload_id, len(parts) + 1, buffer))
                self.client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=name,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                )
        except BaseException:
            if upload_id is not None:
                with contextlib.suppress(Exception):
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=name, UploadId=upload_id
                    )
            raise

    def _start_upload(self, name: str) -> str:
        with _storage_errors(f"cannot write {name}"):
            answer = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=name, ChecksumAlgorithm="CRC32"
            )
        return str(answer["UploadId"])

    def _upload_part(
        self, name: str, upload_id: str, number: int, body: bytearray
    ) -> dict[str, Any]:
        if number > _MAX_PARTS:
            raise VaultError(f"cannot write {name}: more than {_MAX_PARTS} parts")
        with _storage_errors(f"cannot write {name}"):
            answer = self.client.upload_part(
                Bucket=self.bucket,
                Key=name,
                UploadId=upload_id,
                PartNumber=number,
                Body=bytes(body),
                ChecksumAlgorithm="CRC32",
            )
        part = {"PartNumber": number, "ETag": answer["ETag"]}
        if "ChecksumCRC32" in answer:
            part["ChecksumCRC32"] = answer["ChecksumCRC32"]
        return part

    def open_blob(self, key: str) -> tuple[BlobHandle, int]:
        """Start streaming the ciphertext; BlobNotFoundError if it is absent."""
        name = self._name(_BLOBS, key)
        with _storage_errors(f"cannot read {name}"):
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=name)
            except ClientError as exc:
                if _is_not_found(exc):
                    raise BlobNotFoundError(f"no ciphertext for blob {key}") from None
                raise
        return _S3Body(answer["Body"], name), int(answer["ContentLength"])

    def _exists(self, name: str) -> bool:
        with _storage_errors(f"cannot look up {name}"):
            try:
                self.client.head_object(Bucket=self.bucket, Key=name)
            except ClientError as exc:
                if _is_not_found(exc):
                    return False
                raise
        return True

    def blob_exists(self, key: str) -> bool:
        """Whether the ciphertext object exists."""
        return self._exists(self._name(_BLOBS, key))

    def delete_blob(self, key: str) -> None:
        """Delete the ciphertext object (S3 answers success for an absent one)."""
        self._delete(self._name(_BLOBS, key))

    def _delete(self, name: str) -> None:
        with _storage_errors(f"cannot delete {name}"):
            self.client.delete_object(Bucket=self.bucket, Key=name)

    def put_record(self, key: str, data: bytes) -> None:
        """Write or replace the key record (a PUT replaces atomically)."""
        name = self._name(_RECORDS, key)
        with _storage_errors(f"cannot write {name}"):
            self.client.put_object(Bucket=self.bucket, Key=name, Body=data)

    def get_record(self, key: str) -> bytes:
        """The key record's bytes; BlobNotFoundError if absent."""
        name = self._name(_RECORDS, key)
        with _storage_errors(f"cannot read {name}"):
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=name)
            except ClientError as exc:
                if _is_not_found(exc):
                    raise BlobNotFoundError(f"no blob {key} in {self.describe()}") from None
                raise
            with contextlib.closing(answer["Body"]) as body:
                return cast(bytes, body.read())

    def record_exists(self, key: str) -> bool:
        """Whether the key record object exists."""
        return self._exists(self._name(_RECORDS, key))

    def delete_record(self, key: str) -> None:
        """Delete the key record object."""
        self._delete(self._name(_RECORDS, key))

    def _list(self, kind: str) -> Iterator[tuple[str, datetime]]:
        start = f"{self.prefix}{kind}"
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=start
        )
        with _storage_errors(f"cannot list s3://{self.bucket}/{start}"):
            # S3 lists in key order, which the streaming merge in Vault.keys() relies on.
            for page in pages:
                for item in page.get("Contents", []):
                    key = item["Key"][len(start) :]
                    if BLOB_KEY_PATTERN.fullmatch(key):
                        yield key, item["LastModified"].astimezone(UTC)

    def list_blobs(self) -> Iterator[tuple[str, datetime]]:
        """Ciphertext objects, sorted by key."""
        return self._list(_BLOBS)

    def list_records(self) -> Iterator[tuple[str, datetime]]:
        """Key record objects, sorted by key."""
        return self._list(_RECORDS)

    def remove_temporary(self, older_than: timedelta) -> int:
        """Abort multipart uploads below the prefix with no activity for ``older_than``."""
        cutoff = datetime.now(UTC) - older_than
        aborted = 0
        with _storage_errors(f"cannot clean up {self.describe()}"):
            pages = self.client.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            )
            for page in pages:
                for upload in page.get("Uploads", []):
                    name, upload_id = upload["Key"], upload["UploadId"]
                    if self._last_activity(name, upload_id, upload["Initiated"]) < cutoff:
                        self.client.abort_multipart_upload(
                            Bucket=self.bucket, Key=name, UploadId=upload_id
                        )
                        aborted += 1
        return aborted

    def _last_activity(self, name: str, upload_id: str, initiated: datetime) -> datetime:
        # A long upload that is still sending parts is not stale, however old it is.
        latest = initiated.astimezone(UTC)
        pages = self.client.get_paginator("list_parts").paginate(
            Bucket=self.bucket, Key=name, UploadId=upload_id
        )
        for page in pages:
            for part in page.get("Parts", []):
                latest = max(latest, part["LastModified"].astimezone(UTC))
        return latest

    def versioning_enabled(self) -> bool:
        """Whether the bucket keeps old versions (which defeats crypto-shredding)."""
        with _storage_errors(f"cannot read the versioning state of {self.bucket}"):
            answer = self.client.get_bucket_versioning(Bucket=self.bucket)
        return answer.get("Status") in {"Enabled", "Suspended"}
