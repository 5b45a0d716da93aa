"""The portal flow over HTTP: fields -> upload (inspected at once) -> check -> send -> receipt."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kammerpost.intake.models import Channel, InboundItem, StagedBlob
from kammerpost.intake.services import intake_vault
from kammerpost.portal.models import Submission
from tests.corpus import misc, pdfs

from .conftest import new_user, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.clamd]


def _start_general(client: Client, **values: str) -> str:
    data = {"department": "pruefungswesen", "file_reference": "AZ-4711", "message": "Hallo"}
    data.update(values)
    response = client.post("/portal/verfahren/allgemein/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(r"/portal/entwurf/([0-9a-f]{32})/dateien/", response["Location"])
    assert match
    return match.group(1)


def _upload(client: Client, draft: str, slot: str, name: str, data: bytes) -> str:
    response = client.post(
        f"/portal/entwurf/{draft}/dateien/",
        {"slot": slot, "file": SimpleUploadedFile(name, data)},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def _send(client: Client, draft: str) -> InboundItem:
    assert client.get(f"/portal/entwurf/{draft}/pruefen/").status_code == 200
    response = client.post(f"/portal/entwurf/{draft}/senden/")
    assert response.status_code == 302
    reference = response["Location"].split("/")[3]
    return InboundItem.objects.get(reference=reference)


def test_the_fields_form_keeps_values_and_summarises_errors(portal_env: Path) -> None:
    client = signed_in(new_user())
    response = client.post(
        "/portal/verfahren/allgemein/", {"file_reference": "AZ-1", "message": "Text bleibt"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Fehler: " in body
    assert 'class="error-summary"' in body and 'href="#id_department"' in body
    assert "Text bleibt" in body and 'value="AZ-1"' in body
    assert "novalidate" in body


def test_general_upload_creates_a_portal_item_in_the_chosen_department(
    portal_env: Path,
) -> None:
    user = new_user()
    client = signed_in(user)
    draft = _start_general(client)
    body = _upload(client, draft, "dokumente", "meisterbrief.pdf", pdfs.clean())
    assert "geprüft, in Ordnung" in body
    item = _send(client, draft)
    assert item.channel == Channel.PORTAL
    assert item.department.slug == "pruefungswesen"
    assert item.file_reference == "AZ-4711"
    assert item.text == "Hallo"
    assert [d.original_name for d in item.documents.all()] == ["meisterbrief.pdf"]
    assert Submission.objects.get(item=item).user == user
    assert item.sender.user == user
    # the draft's file became the document as it was stored: no second copy, no staging left
    (document,) = item.documents.all()
    assert not StagedBlob.objects.exists()
    assert [key for key, _ in intake_vault().keys()] == [document.vault_key]  # noqa: SIM118


def test_a_zip_renamed_pdf_shows_reason_and_hint_and_is_never_sent(portal_env: Path) -> None:
    client = signed_in(new_user())
    draft = _start_general(client)
    body = _upload(client, draft, "dokumente", "beweis.pdf", misc.zip_bytes())
    assert "abgelehnt" in body
    assert "ZIP" in body  # the engine's German message names the archive
    files = client.session["portal.drafts"][draft]["files"]
    assert files[0]["verdict"] == "rejected"
    assert files[0]["reasons"][0]["code"] == "archive.zip"
    assert files[0]["reasons"][0]["hint_de"] in body
    assert files[0]["blob"] is None  # never stored
    assert not StagedBlob.objects.exists() and not list(intake_vault().keys())
    # a rejected file blocks the way on: check redirects back, continue names the problem
    assert client.get(f"/portal/entwurf/{draft}/pruefen/")["Location"].endswith("/dateien/")
    response = client.post(f"/portal/entwurf/{draft}/dateien/", {"action": "continue"})
    assert "Entfernen oder ersetzen Sie die abgelehnte Datei" in response.content.decode()
    assert "<title>Fehler: " in response.content.decode()
    # replacing it: remove the rejected one, upload a good one
    client.post(f"/portal/entwurf/{draft}/dateien/", {"action": "remove", "file": files[0]["id"]})
    _upload(client, draft, "dokumente", "beweis.pdf", pdfs.clean())
    item = _send(client, draft)
    (document,) = item.documents.all()
    assert document.original_name == "beweis.pdf"


def test_pdf_only_procedure_refuses_a_jpeg_with_format_not_allowed(portal_env: Path) -> None:
    client = signed_in(new_user())
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
    draft = response["Location"].split("/")[3]
    body = _upload(client, draft, "vertrag", "vertrag.jpg", misc.jpeg())
    files = client.session["portal.drafts"][draft]["files"]
    assert [r["code"] for r in files[0]["reasons"]] == ["format.not_allowed"]
    assert "abgelehnt" in body
    # a single-file slot: the new file replaces the old one
    _upload(client, draft, "vertrag", "vertrag.pdf", pdfs.clean())
    assert [f["name"] for f in client.session["portal.drafts"][draft]["files"]] == ["vertrag.pdf"]
    item = _send(client, draft)
    assert item.department.slug == "lehrlingsrolle"
    assert item.form_data["vorname"] == "Lea" and item.form_data["geburtsdatum"] == "01.02.2008"
    assert item.documents.get().policy_name == "pdf-only"


def test_an_empty_file_is_refused_with_the_engines_reason(portal_env: Path) -> None:
    client = signed_in(new_user())
    draft = _start_general(client)
    body = _upload(client, draft, "dokumente", "leer.pdf", b"")
    assert "Die Datei ist leer (0 Byte)." in body
    assert client.session["portal.drafts"][draft]["files"][0]["reasons"][0]["code"] == "file.empty"


def test_undeclared_fields_are_not_accepted(portal_env: Path) -> None:
    client = signed_in(new_user())
    draft = _start_general(client, status="done", procedure="x")
    assert set(client.session["portal.drafts"][draft]["values"]) == {
        "department",
        "file_reference",
        "message",
    }


def test_steps_cannot_be_skipped(portal_env: Path) -> None:
    client = signed_in(new_user())
    draft = _start_general(client)
    _upload(client, draft, "dokumente", "a.pdf", pdfs.clean())
    response = client.post(f"/portal/entwurf/{draft}/senden/")
    assert response["Location"] == f"/portal/entwurf/{draft}/pruefen/"
    assert not InboundItem.objects.exists()
    # a change after the check page needs the check page again
    client.get(f"/portal/entwurf/{draft}/pruefen/")
    _upload(client, draft, "dokumente", "b.pdf", pdfs.clean())
    assert client.post(f"/portal/entwurf/{draft}/senden/")["Location"].endswith("/pruefen/")
    # without files the check page itself sends back to the upload step
    other = _start_general(client)
    assert client.get(f"/portal/entwurf/{other}/pruefen/")["Location"].endswith("/dateien/")


def test_a_sent_draft_cannot_be_sent_again(portal_env: Path) -> None:
    client = signed_in(new_user())
    draft = _start_general(client)
    _upload(client, draft, "dokumente", "a.pdf", pdfs.clean())
    item = _send(client, draft)
    again = client.post(f"/portal/entwurf/{draft}/senden/")
    assert again["Location"] == f"/portal/vorgaenge/{item.reference}/bestaetigung/"
    assert InboundItem.objects.count() == 1


def test_a_foreign_draft_is_a_404(portal_env: Path) -> None:
    owner = signed_in(new_user())
    draft = _start_general(owner)
    stranger = signed_in(new_user())
    for step in ("angaben", "dateien", "pruefen"):
        assert stranger.get(f"/portal/entwurf/{draft}/{step}/").status_code == 404
    assert stranger.post(f"/portal/entwurf/{draft}/senden/").status_code == 404


def test_receipt_page_and_pdf(portal_env: Path) -> None:
    client = signed_in(new_user())
    draft = _start_general(client)
    _upload(client, draft, "dokumente", "a.pdf", pdfs.clean())
    item = _send(client, draft)
    page = client.get(f"/portal/vorgaenge/{item.reference}/bestaetigung/")
    body = page.content.decode()
    assert item.reference in body and "SHA-256" in body and "bestaetigung.pdf" in body
    pdf = client.get(f"/portal/vorgaenge/{item.reference}/bestaetigung.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert pdf["X-Content-Type-Options"] == "nosniff"
    assert pdf.content.startswith(b"%PDF")


def test_english_shows_the_engines_english_reason_and_hint(portal_env: Path) -> None:
    client = signed_in(new_user())
    client.post("/i18n/setlang/", {"language": "en", "next": "/portal/"})
    draft = _start_general(client)
    body = _upload(client, draft, "dokumente", "leer.pdf", b"")
    assert "The file is empty (0 bytes)." in body
    assert "Check that you picked the right file" in body
    assert "Upload and check" in body
