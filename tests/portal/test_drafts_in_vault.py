"""A draft's files are encrypted at rest from the upload on (security.md 16).

They go into the intake vault as staged blobs, the session keeps only the
blob's key, sending hands that very blob to the intake, and the sweep shreds
abandoned drafts' blobs; the intake's orphan sweep leaves a live draft alone.
"""

from __future__ import annotations

import struct
import tempfile
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from kammerpost.intake.models import Document, InboundItem, StagedBlob
from kammerpost.intake.services import intake_vault, vault_orphans_remove
from tests.corpus import misc, pdfs

from .conftest import new_user, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.clamd]

MARKER = b"KAMMERPOST-DRAFT-PLAINTEXT-0815"


def _png_with_marker() -> bytes:
    """An accepted PNG whose text chunk carries the marker in plain bytes."""
    png = misc.png()
    end = png.rindex(b"IEND") - 4
    data = b"tEXt" + b"Comment\x00" + MARKER
    chunk = struct.pack(">I", len(data) - 4) + data + struct.pack(">I", zlib.crc32(data))
    return png[:end] + chunk + png[end:]


def _start(client: Client) -> str:
    response = client.post(
        "/portal/verfahren/allgemein/", {"department": "verwaltung", "message": "Hallo"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"].split("/")[3])


def _upload(client: Client, draft: str, name: str, data: bytes, slot: str = "dokumente") -> None:
    response = client.post(
        f"/portal/entwurf/{draft}/dateien/", {"slot": slot, "file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 302


def _files(client: Client, draft: str) -> list[dict[str, object]]:
    files: list[dict[str, object]] = client.session["portal.drafts"][draft]["files"]
    return files


def _send(client: Client, draft: str) -> Client:
    assert client.get(f"/portal/entwurf/{draft}/pruefen/").status_code == 200
    return client


def _keys() -> set[str]:
    return {key for key, _ in intake_vault().keys()}  # noqa: SIM118


def test_an_uploaded_file_lies_only_encrypted_in_the_vault_and_the_session_names_its_blob(
    portal_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A temp directory of this test's own: other processes' uploads do not count.
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    client = signed_in(new_user())
    draft = _start(client)
    _upload(client, draft, "foto.png", _png_with_marker())
    (entry,) = _files(client, draft)
    assert entry["verdict"] == "accepted"
    blob = entry["blob"]
    assert isinstance(blob, dict) and set(blob) == {"key", "size", "sha256"}
    assert _keys() == {blob["key"]}
    assert StagedBlob.objects.filter(vault_key=blob["key"], kind="portal.draft").exists()
    # No plaintext anywhere: not under var (vault, former draft directory), not in a temp file.
    stored = [p for p in portal_env.rglob("*") if p.is_file()]
    assert stored, "the vault wrote nothing"
    for path in stored:
        assert MARKER not in path.read_bytes(), path
    assert not (portal_env / "drafts").exists()
    assert not list(private_tmp.iterdir()), "a temporary copy of the upload stayed behind"
    # The blob reads back as the upload.
    assert MARKER in b"".join(intake_vault().read(str(blob["key"]), sha256=str(blob["sha256"])))


def test_sending_hands_the_drafts_blob_to_the_intake_without_a_second_copy(
    portal_env: Path,
) -> None:
    client = signed_in(new_user())
    draft = _start(client)
    _upload(client, draft, "brief.pdf", pdfs.clean())
    (entry,) = _files(client, draft)
    _send(client, draft)
    response = client.post(f"/portal/entwurf/{draft}/senden/")
    assert response.status_code == 302
    item = InboundItem.objects.get(reference=response["Location"].split("/")[3])
    document = item.documents.get()
    assert document.vault_key == entry["blob"]["key"]  # type: ignore[index]
    assert document.policy_name == "default"
    assert _keys() == {document.vault_key}
    assert not StagedBlob.objects.exists()  # a document now, no longer the draft's


def test_the_orphan_sweep_spares_a_live_drafts_blob_and_removes_a_real_orphan(
    portal_env: Path,
) -> None:
    client = signed_in(new_user())
    draft = _start(client)
    _upload(client, draft, "brief.pdf", pdfs.clean())
    (entry,) = _files(client, draft)
    orphan = intake_vault().write(b"a receive that died before its commit")
    assert vault_orphans_remove(older_than=timedelta(0)) == 1
    assert _keys() == {entry["blob"]["key"]}  # type: ignore[index]
    assert not intake_vault().exists(orphan.key)
    # The draft can still be sent, and its document's blob is there.
    _send(client, draft)
    client.post(f"/portal/entwurf/{draft}/senden/")
    document = Document.objects.get()
    assert intake_vault().exists(document.vault_key)
    assert vault_orphans_remove(older_than=timedelta(0)) == 0


def test_the_sweep_shreds_abandoned_drafts_blobs_and_such_a_draft_asks_for_new_files(
    portal_env: Path,
) -> None:
    old_client, fresh_client = signed_in(new_user()), signed_in(new_user())
    old_draft, fresh_draft = _start(old_client), _start(fresh_client)
    _upload(old_client, old_draft, "alt.pdf", pdfs.clean())
    _upload(fresh_client, fresh_draft, "neu.pdf", pdfs.clean())
    (old,), (fresh,) = _files(old_client, old_draft), _files(fresh_client, fresh_draft)
    old_key, fresh_key = old["blob"]["key"], fresh["blob"]["key"]  # type: ignore[index]
    _send(old_client, old_draft)  # checked, ready to send - then left for too long
    past = timezone.now() - timedelta(days=2)
    StagedBlob.objects.filter(vault_key=old_key).update(created_at=past)
    call_command("portal_sweep")
    assert _keys() == {fresh_key}
    assert list(StagedBlob.objects.values_list("vault_key", flat=True)) == [fresh_key]
    # Sending the abandoned draft creates nothing and says what to do.
    response = old_client.post(f"/portal/entwurf/{old_draft}/senden/", follow=True)
    body = response.content.decode()
    assert "Ihre Dateien lagen zu lange im Entwurf und wurden gelöscht." in body
    assert "Bitte laden Sie sie erneut hoch" in body
    assert not InboundItem.objects.exists()
    assert _files(old_client, old_draft) == []
    with translation.override("en"):
        assert "upload them again" in translation.gettext(
            "Ihre Dateien lagen zu lange im Entwurf und wurden gelöscht. "
            "Bitte laden Sie sie erneut hoch und senden Sie dann."
        )
    # Uploaded again, it goes through.
    _upload(old_client, old_draft, "alt.pdf", pdfs.clean())
    _send(old_client, old_draft)
    assert old_client.post(f"/portal/entwurf/{old_draft}/senden/").status_code == 302
    assert InboundItem.objects.count() == 1


def test_removing_or_replacing_a_draft_file_shreds_its_blob(portal_env: Path) -> None:
    client = signed_in(new_user())
    draft = _start(client)
    _upload(client, draft, "eins.pdf", pdfs.clean())
    (entry,) = _files(client, draft)
    client.post(f"/portal/entwurf/{draft}/dateien/", {"action": "remove", "file": entry["id"]})
    assert _keys() == set() and not StagedBlob.objects.exists()
    # A single-file slot: the new file replaces the old one, and the old blob goes.
    response = client.post(
        "/portal/verfahren/lehrlingsrolle-vertrag/",
        {
            "vorname": "Lea",
            "nachname": "Lehrling",
            "geburtsdatum": "01.02.2008",
            "ausbildungsberuf": "Tischlerin",
            "beginn": "01.08.2026",
        },
    )
    contract = response["Location"].split("/")[3]
    _upload(client, contract, "vertrag.pdf", pdfs.clean(), slot="vertrag")
    _upload(client, contract, "vertrag-neu.pdf", pdfs.clean(), slot="vertrag")
    (kept,) = _files(client, contract)
    assert kept["name"] == "vertrag-neu.pdf"
    assert _keys() == {kept["blob"]["key"]}  # type: ignore[index]


def test_a_rejected_upload_is_never_stored(portal_env: Path) -> None:
    client = signed_in(new_user())
    draft = _start(client)
    _upload(client, draft, "beweis.pdf", misc.zip_bytes())
    (entry,) = _files(client, draft)
    assert entry["verdict"] == "rejected" and entry["blob"] is None
    assert _keys() == set() and not StagedBlob.objects.exists()
