"""The tus 1.0 answers of ``tus_dispatch``, request by request, on the real engine and database."""

from __future__ import annotations

import base64
import hashlib
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kammerpost.exchange.models import Upload
from kammerpost.exchange.tus import default_uploads, uploads_expired_remove
from kammerpost.intake.services import intake_vault

from .conftest import completions

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.exchange.tus_app")]

TUS = {"Tus-Resumable": "1.0.0"}
MIB = 1024 * 1024


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def checksum(data: bytes, algorithm: str = "sha256") -> str:
    return f"{algorithm} {base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


def create(client: Client, length: int, target: str = "alpha", **headers: str) -> str:
    metadata = f"filename {b64('Bauplan Müller.pdf')},filetype {b64('application/pdf')}"
    answer = client.post(
        f"/test-tus/{target}/files/",
        headers={**TUS, "Upload-Length": str(length), "Upload-Metadata": metadata, **headers},
    )
    assert answer.status_code == 201, answer.content
    location = answer["Location"]
    assert location.startswith(f"http://testserver/test-tus/{target}/files/")
    return location.removeprefix("http://testserver")


def patch(client: Client, url: str, offset: int, data: bytes, **headers: str) -> object:
    return client.generic(
        "PATCH",
        url,
        data,
        content_type="application/offset+octet-stream",
        headers={**TUS, "Upload-Offset": str(offset), **headers},
    )


def head_offset(client: Client, url: str) -> int:
    answer = client.head(url, headers=TUS)
    assert answer.status_code == 200
    return int(answer["Upload-Offset"])


def upload_id_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def test_options_names_version_extensions_size_and_checksum(tus_env: dict[str, str]) -> None:
    answer = Client().options("/test-tus/small/files/")
    assert answer.status_code == 204
    assert answer["Tus-Version"] == "1.0.0"
    assert set(answer["Tus-Extension"].split(",")) == {
        "creation",
        "termination",
        "expiration",
        "checksum",
    }
    assert answer["Tus-Max-Size"] == str(MIB)
    assert answer["Tus-Checksum-Algorithm"] == "sha256"


def test_creation_records_length_metadata_and_expiry(tus_env: dict[str, str]) -> None:
    client = Client()
    url = create(client, 1000)
    row = Upload.objects.get(upload_id=upload_id_of(url))
    assert (row.target, row.length) == ("test:alpha", 1000)
    assert row.metadata == {"filename": "Bauplan Müller.pdf", "filetype": "application/pdf"}
    assert row.expires > timezone.now() + timedelta(hours=23)
    answer = client.head(url, headers=TUS)
    assert answer["Upload-Offset"] == "0"
    assert answer["Upload-Length"] == "1000"
    assert answer["Cache-Control"] == "no-store"
    assert answer["Tus-Resumable"] == "1.0.0"
    assert "Upload-Expires" in answer


def test_a_request_without_tus_resumable_is_refused(tus_env: dict[str, str]) -> None:
    answer = Client().post("/test-tus/alpha/files/", headers={"Upload-Length": "10"})
    assert answer.status_code == 412
    assert answer["Tus-Version"] == "1.0.0"
    assert not Upload.objects.exists()


@pytest.mark.parametrize(
    "metadata",
    ["filename", "file name", f"filename {b64('a')},filename {b64('b')}", "filename !!!"],
)
def test_malformed_metadata_is_refused(tus_env: dict[str, str], metadata: str) -> None:
    if metadata == "filename":
        metadata = f"filename {b64('line\r\nbreak')}"
    answer = Client().post(
        "/test-tus/alpha/files/",
        headers={**TUS, "Upload-Length": "10", "Upload-Metadata": metadata},
    )
    assert answer.status_code == 400
    assert not Upload.objects.exists()


def test_an_upload_larger_than_the_target_allows_is_413(tus_env: dict[str, str]) -> None:
    answer = Client().post("/test-tus/small/files/", headers={**TUS, "Upload-Length": str(MIB + 1)})
    assert answer.status_code == 413
    assert "Platz" in answer.content.decode()
    assert not Upload.objects.exists()
    assert list(default_uploads().uploads()) == []


def test_chunks_complete_into_a_vault_blob_handed_to_the_target(
    tus_env: dict[str, str],
) -> None:
    client = Client()
    data = b"Kammerpost " * 30_000
    url = create(client, len(data))
    offset = 0
    for size in (1, 99_999, 150_000, len(data)):
        piece = data[offset : offset + size]
        answer = patch(client, url, offset, piece, Upload_Checksum=checksum(piece))
        assert answer.status_code == 204, answer.content
        offset = int(answer["Upload-Offset"])
        if offset == len(data):
            break
        assert head_offset(client, url) == offset
    assert offset == len(data)
    [done] = completions(tus_env)
    assert done["sha256"] == hashlib.sha256(data).hexdigest()
    assert done["metadata"] == {"filename": "Bauplan Müller.pdf", "filetype": "application/pdf"}
    assert b"".join(intake_vault().read(str(done["blob"]), sha256=str(done["sha256"]))) == data
    row = Upload.objects.get(upload_id=upload_id_of(url))
    assert row.completed is not None
    # Afterwards: the offset stays visible, the engine's state is gone, nothing can be cut off.
    assert head_offset(client, url) == len(data)
    assert list(default_uploads().uploads()) == []
    assert client.delete(url, headers=TUS).status_code == 409


def test_offset_conflict_is_409_and_names_the_current_offset(tus_env: dict[str, str]) -> None:
    client = Client()
    url = create(client, 100)
    assert patch(client, url, 0, b"a" * 40).status_code == 204
    answer = patch(client, url, 10, b"b" * 10)
    assert answer.status_code == 409
    assert answer["Upload-Offset"] == "40"
    assert head_offset(client, url) == 40


def test_checksum_mismatch_is_460_and_the_chunk_is_discarded(tus_env: dict[str, str]) -> None:
    client = Client()
    url = create(client, 100)
    answer = patch(client, url, 0, b"a" * 50, Upload_Checksum=checksum(b"b" * 50))
    assert answer.status_code == 460
    assert head_offset(client, url) == 0
    answer = patch(client, url, 0, b"a" * 50, Upload_Checksum=checksum(b"a" * 50))
    assert (answer.status_code, answer["Upload-Offset"]) == (204, "50")


def test_a_checksum_algorithm_other_than_sha256_is_400(tus_env: dict[str, str]) -> None:
    client = Client()
    url = create(client, 10)
    answer = patch(client, url, 0, b"x" * 10, Upload_Checksum=checksum(b"x" * 10, "sha1"))
    assert answer.status_code == 400
    assert head_offset(client, url) == 0


def test_a_chunk_beyond_the_declared_length_is_413(tus_env: dict[str, str]) -> None:
    client = Client()
    url = create(client, 10)
    assert patch(client, url, 0, b"x" * 11).status_code == 413
    assert head_offset(client, url) == 0


def test_a_patch_with_another_content_type_is_415(tus_env: dict[str, str]) -> None:
    client = Client()
    url = create(client, 10)
    answer = client.generic(
        "PATCH",
        url,
        b"x" * 10,
        content_type="application/octet-stream",
        headers={**TUS, "Upload-Offset": "0"},
    )
    assert answer.status_code == 415
    assert head_offset(client, url) == 0


def test_another_targets_upload_is_404_for_every_method(tus_env: dict[str, str]) -> None:
    client = Client()
    url = create(client, 10, target="alpha")
    foreign = url.replace("/alpha/", "/beta/")
    assert client.head(foreign, headers=TUS).status_code == 404
    assert patch(client, foreign, 0, b"x" * 10).status_code == 404
    assert client.delete(foreign, headers=TUS).status_code == 404
    assert head_offset(client, url) == 0
    assert client.head(url.replace("/alpha/", "/closed/"), headers=TUS).status_code == 404
    assert client.head("/test-tus/alpha/files/not-an-id/", headers=TUS).status_code == 404
    assert client.head(f"/test-tus/alpha/files/{'0' * 32}/", headers=TUS).status_code == 404


def test_an_expired_upload_is_410_and_the_sweep_removes_it_with_its_segments(
    tus_env: dict[str, str],
) -> None:
    client = Client()
    url = create(client, 10 * MIB)
    assert patch(client, url, 0, b"x" * MIB).status_code == 204
    upload_id = upload_id_of(url)
    fresh = create(client, 10)
    Upload.objects.filter(upload_id=upload_id).update(expires=timezone.now() - timedelta(1))
    assert client.head(url, headers=TUS).status_code == 410
    assert patch(client, url, MIB, b"x").status_code == 410
    directory = Path(tus_env["KAMMERPOST_VAR_DIR"]) / "vault" / "uploads" / upload_id
    assert directory.is_dir()
    assert uploads_expired_remove(uploads=default_uploads()) == 1
    assert not directory.exists()
    assert not Upload.objects.filter(upload_id=upload_id).exists()
    assert client.head(url, headers=TUS).status_code == 404
    assert head_offset(client, fresh) == 0


def test_termination_removes_an_unfinished_upload(tus_env: dict[str, str]) -> None:
    client = Client()
    url = create(client, 100)
    assert patch(client, url, 0, b"x" * 30).status_code == 204
    assert client.delete(url, headers=TUS).status_code == 204
    assert client.head(url, headers=TUS).status_code == 404
    assert list(default_uploads().uploads()) == []
    assert completions(tus_env) == []


def test_an_empty_upload_completes_at_creation(tus_env: dict[str, str]) -> None:
    client = Client()
    url = create(client, 0)
    assert head_offset(client, url) == 0
    [done] = completions(tus_env)
    assert (done["size"], done["sha256"]) == (0, hashlib.sha256(b"").hexdigest())


def test_state_changing_requests_need_the_csrf_token(tus_env: dict[str, str]) -> None:
    client = Client(enforce_csrf_checks=True)
    refused = client.post("/test-tus/alpha/files/", headers={**TUS, "Upload-Length": "10"})
    assert refused.status_code == 403
    token = client.get("/test-tus/csrf/").content.decode()
    url = create(client, 10, X_CSRFToken=token)
    assert patch(client, url, 0, b"x" * 10).status_code == 403
    assert client.delete(url, headers=TUS).status_code == 403
    assert head_offset(client, url) == 0
    assert patch(client, url, 0, b"x" * 10, X_CSRFToken=token).status_code == 204


def test_refusals_speak_the_requested_language_with_a_hint(tus_env: dict[str, str]) -> None:
    client = Client()
    url = create(client, 10)
    german = patch(client, url, 5, b"x")
    assert "passt nicht" in german.content.decode()
    assert "setzen Sie dort fort" in german.content.decode()
    english = patch(client, url, 5, b"x", Accept_Language="en")
    assert english.status_code == 409
    assert "does not fit the position received so far (0)" in english.content.decode()
    assert "continue from there" in english.content.decode()


def test_the_sweep_command_removes_expired_uploads(tus_env: dict[str, str]) -> None:
    client = Client()
    url = create(client, 100)
    assert patch(client, url, 0, b"x" * 30).status_code == 204
    Upload.objects.update(expires=timezone.now() - timedelta(seconds=1))
    out = io.StringIO()
    call_command("tus_sweep", stdout=out)
    assert "removed 1 expired uploads" in out.getvalue()
    assert list(default_uploads().uploads()) == []
    assert not Upload.objects.exists()


def test_a_process_killed_after_the_last_commit_completes_on_the_next_head(
    tus_env: dict[str, str],
) -> None:
    client = Client()
    data = b"last chunk committed, answer lost" * 1000
    url = create(client, len(data))
    # What the killed request left: every byte committed, no finish, no hand-over.
    default_uploads().append(upload_id_of(url), offset=0, source=io.BytesIO(data), length=len(data))
    assert completions(tus_env) == []
    assert head_offset(client, url) == len(data)
    assert head_offset(client, url) == len(data)
    [done] = completions(tus_env)  # handed over exactly once
    assert done["sha256"] == hashlib.sha256(data).hexdigest()


def test_other_methods_are_405_with_a_hint(tus_env: dict[str, str]) -> None:
    client = Client()
    answer = client.get("/test-tus/alpha/files/", headers=TUS)
    assert answer.status_code == 405
    assert answer["Allow"] == "POST, OPTIONS"
    assert answer["Content-Type"] == "text/plain; charset=utf-8"
    assert "tus-1.0-Programm" in answer.content.decode()
    url = create(client, 10)
    assert client.get(url, headers=TUS).status_code == 405
