"""A real tus client (tuspy) against a real server (gunicorn), killed mid-upload and restarted.

64 MB in the normal suite; ``KAMMERPOST_TUS_BIG=1`` makes it the 1 GB of the issue.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

import pytest
import requests
from django.utils import timezone
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError, TusUploadFailed
from tusclient.uploader import Uploader

from kammerpost.exchange.models import Upload
from kammerpost.vault import Uploads, vault_from_environment

from .conftest import TusServer, completions

# Committed data: the server is another process.
pytestmark = pytest.mark.django_db(transaction=True)

MIB = 1024 * 1024
BIG = os.environ.get("KAMMERPOST_TUS_BIG") == "1"
SIZE = 1024 * MIB if BIG else 64 * MIB
CHUNK = 16 * MIB if BIG else 4 * MIB
MARKER = b"KAMMERPOST-PLAINTEXT-MARKER-3c9e"


Opener = Callable[[Path], BinaryIO]


@pytest.fixture
def opened() -> Iterator[Opener]:
    """Open files for tuspy and close them after the test (tuspy's own opens leak)."""
    with contextlib.ExitStack() as stack:
        yield lambda path: stack.enter_context(path.open("rb"))


class Sha256Uploader(Uploader):
    """tuspy as shipped, told to use the checksum algorithm the server offers (sha256)."""

    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


def make_file(path: Path, size: int) -> str:
    """Random bytes with the marker every MiB; returns the SHA-256."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        written = 0
        while written < size:
            block = MARKER + os.urandom(MIB - len(MARKER))
            block = block[: size - written]
            out.write(block)
            digest.update(block)
            written += len(block)
    return digest.hexdigest()


def files_with_marker(*directories: Path) -> list[Path]:
    found = []
    for directory in directories:
        for path in directory.rglob("*"):
            if path.is_file():
                with path.open("rb") as handle:
                    while block := handle.read(8 * MIB):
                        if MARKER[:16] in block:
                            found.append(path)
                            break
    return found


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmHWM for process {pid}")


def blob_sha256(key: str) -> str:
    digest = hashlib.sha256()
    for segment in vault_from_environment().read(key):
        digest.update(segment)
    return digest.hexdigest()


def test_a_killed_server_resumes_the_upload_and_the_file_is_byte_identical(
    tus_server: TusServer, tus_env: dict[str, str], tmp_path: Path, opened: Opener
) -> None:
    source = tmp_path / "upload.bin"
    expected = make_file(source, SIZE)
    stream = opened(source)
    headers, _session = tus_server.session()
    endpoint = f"{tus_server.url}/test-tus/alpha/files/"
    uploader = Sha256Uploader(
        file_stream=stream,
        client=tus_client.TusClient(endpoint, headers=headers),
        chunk_size=CHUNK,
        metadata={"filename": "grosse Datei.bin"},
        upload_checksum=True,
    )
    uploader.set_url(uploader.create_url())
    upload_id = uploader.url.rstrip("/").rsplit("/", 1)[1]
    engine = Uploads(vault_from_environment())

    failure: list[BaseException] = []

    def upload() -> None:
        try:
            uploader.upload()
        except (TusCommunicationError, TusUploadFailed, requests.RequestException) as exc:
            failure.append(exc)

    sender = threading.Thread(target=upload)
    sender.start()
    deadline = time.monotonic() + 300
    while engine.offset(upload_id) < SIZE // 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    # Memory does not grow with the file: each web worker's peak so far.
    peaks_mb = [peak_rss_kib(pid) / 1024 for pid in tus_server.worker_pids()]
    tus_server.kill()  # SIGKILL, most likely in the middle of a chunk
    assert peaks_mb, "no gunicorn worker found"
    assert max(peaks_mb) < 150, peaks_mb
    sender.join(60)
    assert not sender.is_alive()
    assert failure, "the upload finished before the server was killed"
    acknowledged = uploader.offset
    durable = engine.offset(upload_id)
    assert SIZE // 3 <= durable < SIZE
    # Chunks are checksummed, so the server keeps whole chunks only: what the client
    # heard acknowledged, or the one chunk whose answer the kill swallowed.
    assert durable in {acknowledged, acknowledged + CHUNK}
    assert files_with_marker(tmp_path / "var", tmp_path / "tmp") == []

    tus_server.start()
    headers, _session = tus_server.session()
    resumed = Sha256Uploader(
        file_stream=stream,
        url=uploader.url,
        client=tus_client.TusClient(endpoint, headers=headers),
        chunk_size=CHUNK,
        upload_checksum=True,
    )
    assert resumed.offset == durable  # tuspy asked the restarted server (HEAD)
    resumed.upload()

    [done] = completions(tus_env)
    assert done["upload"] == upload_id
    assert (done["size"], done["sha256"]) == (SIZE, expected)
    assert done["metadata"] == {"filename": "grosse Datei.bin"}
    assert blob_sha256(str(done["blob"])) == expected
    assert files_with_marker(tmp_path / "var", tmp_path / "tmp") == []
    assert list(engine.uploads()) == []


def test_chunked_transfer_is_read_as_a_stream_with_a_byte_limit(
    tus_server: TusServer, tus_env: dict[str, str]
) -> None:
    headers, session = tus_server.session()
    tus = {**headers, "Tus-Resumable": "1.0.0"}
    data = os.urandom(3 * MIB + 5)
    created = session.post(
        f"{tus_server.url}/test-tus/alpha/files/",
        headers={**tus, "Upload-Length": str(len(data))},
        timeout=30,
    )
    assert created.status_code == 201
    url = created.headers["Location"]

    def pieces(payload: bytes) -> object:
        for start in range(0, len(payload), 100_000):
            yield payload[start : start + 100_000]

    patch = {**tus, "Content-Type": "application/offset+octet-stream"}
    too_much = session.patch(
        url, data=pieces(data + b"!"), headers={**patch, "Upload-Offset": "0"}, timeout=60
    )
    assert too_much.status_code == 413
    assert session.head(url, headers=tus, timeout=10).headers["Upload-Offset"] == "0"
    answer = session.patch(
        url, data=pieces(data), headers={**patch, "Upload-Offset": "0"}, timeout=60
    )
    assert answer.status_code == 204, answer.text
    assert answer.headers["Upload-Offset"] == str(len(data))
    [done] = completions(tus_env)
    assert done["sha256"] == hashlib.sha256(data).hexdigest()


class CorruptingUploader(Uploader):
    """tuspy whose chunks arrive damaged: the checksum it sends is not the chunk's."""

    CHECKSUM_ALGORITHM_PAIR = ("sha256", lambda data: hashlib.sha256(b"damaged" + data))


def test_the_refusals_reach_a_real_client_over_http(
    tus_server: TusServer, tus_env: dict[str, str], tmp_path: Path, opened: Opener
) -> None:
    source = tmp_path / "small.bin"
    make_file(source, 2 * MIB)
    stream = opened(source)
    headers, _session = tus_server.session()

    def client(target: str) -> tus_client.TusClient:
        return tus_client.TusClient(f"{tus_server.url}/test-tus/{target}/files/", headers=headers)

    # 413: more than the target has room for, refused at creation.
    with pytest.raises(TusCommunicationError) as refused:
        Sha256Uploader(file_stream=stream, client=client("small")).create_url()
    assert refused.value.status_code == 413

    # 460: a damaged chunk is refused and the server's offset stays.
    damaged = CorruptingUploader(
        file_stream=stream, client=client("alpha"), chunk_size=MIB, upload_checksum=True
    )
    damaged.set_url(damaged.create_url())
    with pytest.raises(TusUploadFailed) as failed:
        damaged.upload_chunk()
    assert failed.value.status_code == 460
    assert damaged.get_offset() == 0

    # 409: the client claims an offset the server never acknowledged.
    uploader = Sha256Uploader(file_stream=stream, client=client("alpha"), chunk_size=MIB)
    uploader.set_url(uploader.create_url())
    uploader.upload_chunk()
    uploader.offset = 0
    with pytest.raises(TusUploadFailed) as failed:
        uploader.upload_chunk()
    assert failed.value.status_code == 409
    assert uploader.get_offset() == MIB

    # 404: the same upload through another target's address.
    with pytest.raises(TusCommunicationError) as missing:
        Sha256Uploader(
            file_stream=stream,
            client=client("beta"),
            url=uploader.url.replace("/alpha/", "/beta/"),
        )
    assert missing.value.status_code == 404

    # 410: the upload's expiry passed (the sweep has not removed it yet).
    Upload.objects.filter(upload_id=uploader.url.rstrip("/").rsplit("/", 1)[1]).update(
        expires=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(TusCommunicationError) as expired:
        Sha256Uploader(file_stream=stream, client=client("alpha"), url=uploader.url)
    assert expired.value.status_code == 410
    assert completions(tus_env) == []
