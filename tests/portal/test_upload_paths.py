"""Security 11-13: every upload entry point, size limits before the body, server-made keys."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kammerpost.chamber.models import Department
from kammerpost.intake.models import Channel, DocumentState, InboundItem
from kammerpost.intake.services import (
    IncomingFile,
    document_inspect,
    inbound_item_receive,
    intake_vault,
    sender_for_account,
)
from kammerpost.mailgate import services as mail_services
from kammerpost.portal.middleware import UPLOAD_MARGIN
from kammerpost.portal.models import Submission
from tests.corpus import mails, misc, pdfs
from tests.mailgate.conftest import mail_env, outbox

from .conftest import new_user, signed_in

__all__ = ["mail_env", "outbox"]

pytestmark = [pytest.mark.django_db, pytest.mark.clamd]
MB = 1024 * 1024
# The URL names of every view that accepts files; a new one must be added here (and tested).
UPLOAD_VIEWS = {"portal:draft-files", "portal:item-detail"}


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            found += _patterns(entry, namespace)
        else:
            found.append((f"{prefix}{entry.name}", entry))
    return found


def _start_general(client: Client) -> str:
    response = client.post(
        "/portal/verfahren/allgemein/",
        {"department": "pruefungswesen", "file_reference": "", "message": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(r"/portal/entwurf/([0-9a-f]{32})/dateien/", response["Location"])
    assert match
    return match.group(1)


def _item_of(user: object) -> InboundItem:
    item = inbound_item_receive(
        channel=Channel.PORTAL,
        department=Department.objects.get(slug="verwaltung"),
        sender=sender_for_account(user=user),  # type: ignore[arg-type]
        files=[IncomingFile("a.pdf", io.BytesIO(pdfs.clean()))],
        subject="Test",
    )
    Submission.objects.create(item=item, user=user)
    return item


def test_the_upload_views_are_exactly_the_size_limited_ones() -> None:
    limited = {
        name
        for name, pattern in _patterns(get_resolver())
        if getattr(pattern.callback, "upload_policies", None) is not None
    }
    assert limited == UPLOAD_VIEWS


def test_a_zip_renamed_pdf_is_refused_on_every_upload_path(
    portal_env: Path, mail_env: dict[str, str]
) -> None:
    disguised = misc.zip_bytes()
    user = new_user()
    client = signed_in(user)
    # 1. the procedures' upload (portal:draft-files): inspected at once, refused
    draft = _start_general(client)
    client.post(
        f"/portal/entwurf/{draft}/dateien/",
        {"slot": "dokumente", "file": SimpleUploadedFile("nachweis.pdf", disguised)},
    )
    (entry,) = client.session["portal.drafts"][draft]["files"]
    assert entry["verdict"] == "rejected"
    assert "archive.zip" in [r["code"] for r in entry["reasons"]]
    # 2. a message attachment (portal:item-detail): the intake pipeline decides
    item = _item_of(user)
    response = client.post(
        f"/portal/vorgaenge/{item.reference}/",
        {"text": "Anbei", "file": SimpleUploadedFile("nachtrag.pdf", disguised)},
    )
    assert response.status_code == 302
    attachment = item.documents.get(original_name="nachtrag.pdf")
    assert document_inspect(document_id=attachment.pk) == DocumentState.REJECTED
    attachment.refresh_from_db()
    assert "archive.zip" in [r["code"] for r in attachment.reasons]
    # 3. the mail gateway's service: the content is detected as ZIP at DATA already
    raw = mails.message(attachments=[("antrag.pdf", disguised, "application/pdf")])
    answer = mail_services.mail_receive(raw=raw, envelope_from=mails.FROM, recipients=[mails.TO])
    assert answer.code == 550
    assert "ZIP" in " ".join(answer.lines)
    assert not InboundItem.objects.filter(channel=Channel.EMAIL).exists()


def test_an_oversized_upload_is_refused_from_its_header_before_the_body_is_read(
    portal_env: Path,
) -> None:
    user = new_user()
    client = signed_in(user)
    draft = _start_general(client)
    # CSRF checks on: the limit comes first, since CSRF would read the body for its token.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    session = client.session
    strict_session = strict.session
    strict_session["portal.drafts"] = session["portal.drafts"]
    strict_session.save()
    # The body is a few bytes; reading the declared 500 MB from it would fail loudly.
    response = strict.generic(
        "POST",
        f"/portal/entwurf/{draft}/dateien/",
        b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(500 * MB),
    )
    assert response.status_code == 413
    body = response.content.decode()
    assert "Die Datei ist zu groß" in body and "100 MB" in body
    assert "<h1>" in body
    assert client.session["portal.drafts"][draft]["files"] == []
    # just below the limit (plus margin) is let through to the usual handling (CSRF here)
    response = strict.generic(
        "POST",
        f"/portal/entwurf/{draft}/dateien/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(100 * MB + UPLOAD_MARGIN),
    )
    assert response.status_code == 403
    # message attachments: the item's policy limit
    item = _item_of(user)
    response = client.generic(
        "POST",
        f"/portal/vorgaenge/{item.reference}/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(101 * MB + UPLOAD_MARGIN),
    )
    assert response.status_code == 413
    assert item.documents.count() == 1


def test_the_size_page_is_english_when_english_is_chosen(portal_env: Path) -> None:
    client = signed_in(new_user())
    draft = _start_general(client)
    response = client.generic(
        "POST",
        f"/portal/entwurf/{draft}/dateien/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * MB),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 413
    body = response.content.decode()
    assert "The file is too large" in body and "at most 100 MB" in body


def test_empty_files_are_refused_on_both_portal_paths(portal_env: Path) -> None:
    user = new_user()
    client = signed_in(user)
    draft = _start_general(client)
    client.post(
        f"/portal/entwurf/{draft}/dateien/",
        {"slot": "dokumente", "file": SimpleUploadedFile("leer.pdf", b"")},
    )
    (entry,) = client.session["portal.drafts"][draft]["files"]
    assert [r["code"] for r in entry["reasons"]] == ["file.empty"]
    item = _item_of(user)
    client.post(
        f"/portal/vorgaenge/{item.reference}/",
        {"text": "leer", "file": SimpleUploadedFile("leer.pdf", b"")},
    )
    for document in item.documents.filter(original_name="leer.pdf"):
        assert document_inspect(document_id=document.pk) == DocumentState.REJECTED


def test_storage_keys_are_made_by_the_server_never_from_the_senders_name(
    portal_env: Path,
) -> None:
    user = new_user()
    client = signed_in(user)
    draft = _start_general(client)
    hostile = "../../etc/passwd.pdf"
    client.post(
        f"/portal/entwurf/{draft}/dateien/",
        {"slot": "dokumente", "file": SimpleUploadedFile(hostile, pdfs.clean())},
    )
    (entry,) = client.session["portal.drafts"][draft]["files"]
    # the draft's file lies in the vault under a key the server made
    stored = [key for key, _ in intake_vault().keys()]  # noqa: SIM118
    assert stored == [entry["blob"]["key"]]
    assert "passwd" not in stored[0] and ".." not in stored[0] and "/" not in stored[0]
    assert "/" not in entry["name"] and ".." not in entry["name"].split("/")
    # a draft id that is not the server's own is no draft
    assert client.get("/portal/entwurf/..%2F..%2Fetc/dateien/").status_code == 404
    # after sending: the vault key is the server's, the name only metadata
    item = _item_of(user)
    client.post(
        f"/portal/vorgaenge/{item.reference}/",
        {"text": "x", "file": SimpleUploadedFile(hostile, pdfs.clean())},
    )
    keys = [d.vault_key for d in item.documents.all()]
    assert len(keys) == 2
    for key in keys:
        assert "passwd" not in key and ".." not in key and "/" not in key, key


LONG_NAME = "Nachweis über die Meisterprüfung " + "x" * 1000 + ".pdf"


def _post_as_a_browser(
    client: Client, path: str, fields: dict[str, str], *, file_name: str, language: str = "de"
) -> HttpResponse:
    """A multipart POST with the file name as a browser sends it, however long.

    (The test client's files cut their names to 255 characters before sending.)
    """
    boundary = "----KammerpostBoundary7MA4YWxkTrZu0gW"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    )
    disposition = f'form-data; name="file"; filename="{file_name}"'
    body += (
        f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    body += pdfs.clean() + f"\r\n--{boundary}--\r\n".encode()
    return client.generic(
        "POST",
        path,
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
        HTTP_ACCEPT_LANGUAGE=language,
    )


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "de",
            (
                "<title>Fehler: Dateiname zu lang",
                "Der Name der Datei ist zu lang",
                "Geben Sie der Datei einen kürzeren Namen",
            ),
        ),
        (
            "en",
            (
                "<title>Error: file name too long",
                "The name of the file is too long",
                "Give the file a shorter name",
            ),
        ),
    ],
)
def test_a_file_name_of_1000_characters_gets_the_portals_page_with_reason_and_hint(
    portal_env: Path, language: str, texts: tuple[str, ...]
) -> None:
    user = new_user()
    client = signed_in(user)
    draft = _start_general(client)
    item = _item_of(user)
    for path, data in (
        (f"/portal/entwurf/{draft}/dateien/", {"slot": "dokumente"}),
        (f"/portal/vorgaenge/{item.reference}/", {"text": "Nachtrag"}),
    ):
        response = _post_as_a_browser(client, path, data, file_name=LONG_NAME, language=language)
        assert response.status_code == 400, path
        body = response.content.decode()
        assert f'<html lang="{language}">' in body, path
        for text in texts:
            assert text in body, (path, text)
        assert f'href="{path}"' in body  # the way back
    assert client.session["portal.drafts"][draft]["files"] == []
    assert item.documents.count() == 1


def test_a_file_name_of_300_characters_is_shortened_and_kept(portal_env: Path) -> None:
    client = signed_in(new_user())
    draft = _start_general(client)
    name = "y" * 296 + ".pdf"
    path = f"/portal/entwurf/{draft}/dateien/"
    response = _post_as_a_browser(client, path, {"slot": "dokumente"}, file_name=name)
    assert response.status_code == 302
    (entry,) = client.session["portal.drafts"][draft]["files"]
    assert entry["verdict"] == "accepted"
    assert entry["name"].endswith(".pdf") and len(entry["name"]) <= 255
