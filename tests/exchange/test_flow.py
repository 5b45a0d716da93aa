"""The exchange end to end over HTTP: uploads (tus and the plain form) into the intake with
their verdicts, the clerk's notices (contentless), files both ways, every download audited."""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path

import pytest
from django.test import Client

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department
from kammerpost.exchange import services
from kammerpost.exchange.models import Exchange
from kammerpost.intake.models import Channel, Document, DocumentState
from kammerpost.intake.services import document_inspect
from kammerpost.privacy.models import AuditEvent
from tests.exchange.support import (
    EXE,
    PDF,
    body,
    clerk,
    departments,
    deputy,
    download,
    enter,
    intake_env,
    mails_to,
    open_exchange,
    outbox,
    refreshed,
    signed_in,
)

__all__ = ["clerk", "departments", "deputy", "intake_env", "outbox"]

pytestmark = pytest.mark.django_db(transaction=True)
TUS = {"Tus-Resumable": "1.0.0"}


def _named(data: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = name
    return stream


def _metadata(name: str) -> str:
    return "filename " + base64.b64encode(name.encode()).decode()


def tus_upload(client: Client, data: bytes, name: str, chunk: int = 100) -> str:
    created = client.post(
        "/cloud/austausch/dateien/",
        headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": _metadata(name)},
    )
    assert created.status_code == 201, created.content
    location = created["Location"]
    for offset in range(0, len(data), chunk):
        piece = data[offset : offset + chunk]
        digest = base64.b64encode(hashlib.sha256(piece).digest()).decode()
        response = client.generic(
            "PATCH",
            location,
            piece,
            content_type="application/offset+octet-stream",
            headers={**TUS, "Upload-Offset": str(offset), "Upload-Checksum": f"sha256 {digest}"},
        )
        assert response.status_code == 204, response.content
    return location


def _inspect_everything() -> None:
    for document in Document.objects.exclude(
        state__in=[DocumentState.ACCEPTED, DocumentState.REJECTED]
    ):
        document_inspect(document_id=document.pk)


def test_uploads_enter_the_intake_and_the_person_sees_each_verdict(
    intake_env: dict[str, str],
    outbox: Path,
    clerk: User,
    deputy: User,
    departments: dict[str, Department],
) -> None:
    opened = open_exchange(
        clerk, departments["pruefungswesen"], deputies=(deputy,), file_reference="MP-2026-17"
    )
    exchange = opened.exchange
    # The invitation names the clerk and the way in, never the purpose the clerk wrote down.
    invitation = mails_to(outbox, "meisterin@example.org")[0]
    assert opened.invitation_url in body(invitation)
    assert "Bauzeichnungen" not in body(invitation) + str(invitation["Subject"])
    guest = enter(Client(), opened, outbox)
    # First open: the clerk and the deputy are told, without content.
    for person in (clerk, deputy):
        notices = mails_to(outbox, person.email)
        assert len(notices) == 1
        text = body(notices[0]) + str(notices[0]["Subject"])
        assert "zum ersten Mal geöffnet" in text
        assert f"/cloud/intern/{exchange.pk}/" in text
        for secret in ("Erika", "Muster", "meisterin@example.org", "Bauzeichnungen"):
            assert secret not in text
    tus_upload(guest, PDF, "Grundriss.pdf")
    response = guest.post("/cloud/austausch/hochladen/", {"file": _named(EXE, "tool.pdf")})
    assert response.status_code == 302
    exchange = refreshed(exchange)
    assert exchange.item is not None
    item = exchange.item
    assert item.channel == Channel.EXCHANGE
    assert item.file_reference == "MP-2026-17"
    assert set(item.readers.all()) == {clerk, deputy}
    documents = list(item.documents.order_by("position"))
    assert [d.original_name for d in documents] == ["Grundriss.pdf", "tool.pdf"]
    assert {d.policy_name for d in documents} == {"exchange"}
    assert documents[0].sha256 == hashlib.sha256(PDF).hexdigest()
    # Before the check the person sees "being checked", after it the verdicts.
    assert "wird geprüft" in guest.get("/cloud/austausch/").content.decode()
    _inspect_everything()
    page = guest.get("/cloud/austausch/").content.decode()
    assert 'data-upload-verdict="accepted"' in page
    assert 'data-upload-verdict="rejected"' in page
    rejected = Document.objects.get(item=item, original_name="tool.pdf")
    reason = rejected.reasons[0]
    assert reason["message_de"] in page and reason["hint_de"] in page
    # One notice for the batch of uploads (the interval setting), contentless.
    uploaded = [m for m in mails_to(outbox, clerk.email) if "neue Dateien" in str(m["Subject"])]
    assert len(uploaded) == 1
    assert "Grundriss" not in body(uploaded[0]) and "tool" not in body(uploaded[0])
    # The clerk downloads the accepted file through the back office (audited there).
    staff = signed_in(clerk)
    detail = staff.get(f"/cloud/intern/{exchange.pk}/").content.decode()
    link = f"/intern/eingang/{item.reference}/dokument/1/"
    assert link in detail
    assert download(staff, link) == PDF
    assert AuditEvent.objects.filter(action="document.downloaded", actor=clerk).count() == 1


def test_files_the_clerk_places_are_downloaded_audited_both_ways(
    intake_env: dict[str, str], outbox: Path, clerk: User, departments: dict[str, Department]
) -> None:
    opened = open_exchange(clerk, departments["pruefungswesen"])
    exchange = opened.exchange
    staff = signed_in(clerk)
    response = staff.post(
        f"/cloud/intern/{exchange.pk}/bereitstellen/", {"file": _named(PDF, "Bescheid.pdf")}
    )
    assert response.status_code == 302
    placed = exchange.placed_files.get()
    # The person is told with a fresh link, never the file.
    notice = mails_to(outbox, exchange.guest_email)[-1]
    assert "Dateien für Sie" in str(notice["Subject"])
    assert "Bescheid" not in body(notice)
    guest = enter(
        Client(), services.Opened(exchange, _last_link(outbox, exchange.guest_email)), outbox
    )
    page = guest.get("/cloud/austausch/").content.decode()
    assert f"/cloud/austausch/abholen/{placed.pk}/" in page
    response = guest.get(f"/cloud/austausch/abholen/{placed.pk}/")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    response.close()
    assert download(staff, f"/cloud/intern/{exchange.pk}/datei/{placed.pk}/") == PDF
    events = AuditEvent.objects.filter(action="exchange.file_downloaded").order_by("id")
    assert [e.detail["by"] for e in events] == ["guest", "staff"]
    assert events[1].actor == clerk
    assert all(e.ip_address for e in events)


def _last_link(outbox: Path, address: str) -> str:
    for message in reversed(mails_to(outbox, address)):
        for line in body(message).splitlines():
            if "/cloud/einladung/" in line:
                return line.strip()
    raise AssertionError("no link")


def test_uploads_beyond_the_quota_are_refused(
    intake_env: dict[str, str], outbox: Path, clerk: User, departments: dict[str, Department]
) -> None:
    opened = open_exchange(clerk, departments["pruefungswesen"], quota_bytes=len(PDF) + 50)
    guest = enter(Client(), opened, outbox)
    tus_upload(guest, PDF, "a.pdf")
    refused = guest.post("/cloud/austausch/dateien/", headers={**TUS, "Upload-Length": "51"})
    assert refused.status_code == 413
    # The plain form refuses before reading the body.
    response = guest.post("/cloud/austausch/hochladen/", {"file": _named(PDF, "b.pdf")})
    assert response.status_code == 302
    assert Document.objects.count() == 1


def test_the_portal_account_of_the_invited_address_opens_without_a_code(
    intake_env: dict[str, str], outbox: Path, clerk: User, departments: dict[str, Department]
) -> None:
    from tests.accounts.conftest import make_user

    person = make_user("meisterin@example.org")
    stranger = make_user("jemand@example.org")
    opened = open_exchange(clerk, departments["pruefungswesen"])
    path = "/" + opened.invitation_url.split("/", 3)[3]
    # Someone else's account does not open it.
    other = signed_in(stranger)
    other.get(path)
    assert other.post("/cloud/einladung/", {"action": "account"}).status_code == 404
    client = signed_in(person)
    client.get(path)
    page = client.get("/cloud/einladung/").content.decode()
    assert "Mit meinem Kundenkonto öffnen" in page
    response = client.post("/cloud/einladung/", {"action": "account"})
    assert response["Location"] == "/cloud/austausch/"
    assert client.get("/cloud/austausch/").status_code == 200
    assert not mails_to(outbox, "meisterin@example.org")[1:]  # no code was needed


def test_opening_from_an_item_and_the_back_office_links(
    intake_env: dict[str, str],
    outbox: Path,
    clerk: User,
    deputy: User,
    departments: dict[str, Department],
) -> None:
    from tests.backoffice.conftest import receive

    item = receive(departments["pruefungswesen"], ("a.pdf", PDF), sender="betrieb@example.org")
    staff = signed_in(clerk)
    detail = staff.get(f"/intern/eingang/{item.reference}/").content.decode()
    assert f"/cloud/intern/neu/?item={item.reference}" in detail
    form = staff.get(f"/cloud/intern/neu/?item={item.reference}")
    assert form.status_code == 200
    assert "betrieb@example.org" in form.content.decode()
    response = staff.post(
        "/cloud/intern/neu/",
        {
            "department": departments["pruefungswesen"].pk,
            "guest_name": "Betrieb Muster",
            "guest_email": "betrieb@example.org",
            "purpose": "Pläne",
            "item_reference": item.reference,
            "file_reference": "",
            "days": "14",
            "quota_gb": "10",
            "policy_name": "pdf-only",
            "deputies": [deputy.pk],
            # Undeclared fields change nothing (security.md 10).
            "clerk": deputy.pk,
            "quota_bytes": "999999999999999",
        },
    )
    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert exchange.clerk == clerk
    assert exchange.linked_item == item
    assert exchange.policy_name == "pdf-only"
    assert exchange.quota_bytes == 10 * 1000**3
    assert list(exchange.deputies.all()) == [deputy]
    assert mails_to(outbox, "betrieb@example.org")
    # Too long, or a deputy from elsewhere: refused with a reason.
    refused = staff.post(
        "/cloud/intern/neu/",
        {
            "department": departments["pruefungswesen"].pk,
            "guest_name": "X",
            "guest_email": "x@example.org",
            "days": "91",
            "quota_gb": "10",
            "policy_name": "exchange",
        },
    )
    assert refused.status_code == 400
    assert "Fehler" in refused.content.decode()
