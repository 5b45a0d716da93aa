"""Staff back office: access matrix, inbox filters, assign/status, reply, downloads.

security.md 8-9 (guarded, foreign objects are 404), 14 (download headers),
19 (no-store), 25 (every status change and download audited).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department
from kammerpost.correspondence.models import Message
from kammerpost.intake.models import Channel, DocumentState, InboundItem, ItemStatus
from kammerpost.privacy.models import AuditEvent
from kammerpost.privacy.services import communication_preference_opt_out
from tests.accounts.conftest import make_user
from tests.corpus import misc
from tests.correspondence.conftest import outbox_files
from tests.support.clamd import EICAR

from .conftest import inspect_all, make_clerk, receive, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.clamd]


def _item_url(item: InboundItem, suffix: str = "") -> str:
    return f"/intern/eingang/{item.reference}/{suffix}"


def _download_url(item: InboundItem, position: int = 1) -> str:
    return _item_url(item, f"dokument/{position}/")


@pytest.fixture
def item_x(intake_env: dict[str, str], departments: dict[str, Department]) -> InboundItem:
    """An e-mail item of the Handwerksrolle: one accepted PNG, one rejected (virus) PDF."""
    item = receive(
        departments["handwerksrolle"],
        ("Meisterbrief Müller.png", misc.png()),
        ("rechnung.pdf", EICAR),
        sender="meister@example.org",
        subject="Meisterbrief",
    )
    inspect_all(item)
    return item


@pytest.fixture
def item_y(intake_env: dict[str, str], departments: dict[str, Department]) -> InboundItem:
    item = receive(
        departments["pruefungswesen"], ("zeugnis.png", misc.png()), sender="y@example.org"
    )
    inspect_all(item)
    return item


def _back_office_urls(item: InboundItem) -> list[str]:
    return ["/intern/", "/intern/bereich/handwerksrolle/", _item_url(item), _download_url(item)]


# --- who gets in ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(item_x: InboundItem) -> None:
    for url in (
        "/intern/",
        "/intern/bereich/handwerksrolle/",
        _item_url(item_x),
        _download_url(item_x),
    ):
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/konto/login/"), url


def test_a_customer_gets_404_everywhere_in_the_back_office(item_x: InboundItem) -> None:
    customer = signed_in(make_user("kunde@example.org"))
    for url in (
        "/intern/",
        "/intern/bereich/handwerksrolle/",
        _item_url(item_x),
        _download_url(item_x),
    ):
        assert customer.get(url).status_code == 404, url
    assert customer.post(_item_url(item_x, "status/"), {"status": "done"}).status_code == 404
    item_x.refresh_from_db()
    assert item_x.status == ItemStatus.NEW


def test_staff_without_a_department_gets_404(item_x: InboundItem, departments: dict) -> None:
    staff = signed_in(make_clerk("ohne-bereich@hwk.example"))
    assert staff.get("/intern/").status_code == 404
    assert staff.get("/intern/bereich/handwerksrolle/").status_code == 404
    assert staff.get(_item_url(item_x)).status_code == 404


def test_staff_without_totp_is_sent_to_the_second_factor_setup(
    departments: dict[str, Department],
) -> None:
    clerk = make_clerk("neu@hwk.example", departments["handwerksrolle"], totp=False)
    response = signed_in(clerk).get("/intern/bereich/handwerksrolle/")
    assert response.status_code == 302
    assert response["Location"] == "/konto/2fa/totp/activate/"


def test_clerk_of_x_sees_x_but_gets_404_for_y_inbox_items_and_downloads(
    clerk_x: User, item_x: InboundItem, item_y: InboundItem
) -> None:
    client = signed_in(clerk_x)
    inbox = client.get("/intern/bereich/handwerksrolle/")
    assert inbox.status_code == 200
    html = inbox.content.decode()
    assert item_x.reference in html
    assert item_y.reference not in html
    assert client.get(_item_url(item_x)).status_code == 200
    assert client.get("/intern/bereich/pruefungswesen/").status_code == 404
    assert client.get(_item_url(item_y)).status_code == 404
    assert client.get(_download_url(item_y)).status_code == 404
    assert client.post(_item_url(item_y, "status/"), {"status": "done"}).status_code == 404
    assert client.post(_item_url(item_y, "zuweisen/"), {"clerk": clerk_x.pk}).status_code == 404
    item_y.refresh_from_db()
    assert (item_y.status, item_y.assigned_to) == (ItemStatus.NEW, None)
    assert not AuditEvent.objects.filter(action="document.downloaded").exists()


def test_a_clerk_with_one_department_goes_straight_to_its_inbox(clerk_x: User) -> None:
    response = signed_in(clerk_x).get("/intern/")
    assert response["Location"] == "/intern/bereich/handwerksrolle/"


def test_a_clerk_with_several_departments_chooses_one(departments: dict[str, Department]) -> None:
    clerk = make_clerk(
        "zwei@hwk.example", departments["handwerksrolle"], departments["lehrlingsrolle"]
    )
    client = signed_in(clerk)
    html = client.get("/intern/").content.decode()
    assert "/intern/bereich/handwerksrolle/" in html
    assert "/intern/bereich/lehrlingsrolle/" in html
    assert "/intern/bereich/pruefungswesen/" not in html
    inbox = client.get("/intern/bereich/lehrlingsrolle/").content.decode()
    assert 'aria-current="page"' in inbox


def test_back_office_pages_are_never_cached(clerk_x: User, item_x: InboundItem) -> None:
    client = signed_in(clerk_x)
    for url in ("/intern/bereich/handwerksrolle/", _item_url(item_x), _download_url(item_x)):
        response = client.get(url)
        if response.streaming:  # read to the end: releases the vault's handle
            b"".join(response.streaming_content)
        assert "no-store" in response["Cache-Control"], url


# --- inbox -------------------------------------------------------------------------------


def test_inbox_shows_badges_preference_and_the_blocked_count(
    clerk_x: User, item_x: InboundItem
) -> None:
    communication_preference_opt_out(sender=item_x.sender)
    html = signed_in(clerk_x).get("/intern/bereich/handwerksrolle/").content.decode()
    assert "Meisterbrief Müller.png" in html
    assert "Format: PNG" in html
    assert "keine Schadsoftware gefunden" in html
    assert "Schadsoftware gefunden" in html
    assert "1 Dokument zurückgehalten oder abgelehnt" in html
    assert "keine elektronische Kommunikation" in html
    assert "<caption>" in html and 'scope="col"' in html


def test_inbox_shows_the_signature_verdict_in_german(
    clerk_x: User, intake_env: dict[str, str], departments: dict[str, Department]
) -> None:
    item = receive(departments["handwerksrolle"], ("antrag.pdf", b"%PDF-1.4\n"))
    document = item.documents.get()
    document.facts = {"signature_summary": "none"}
    document.save()
    from kammerpost.intake.selectors import signature_text

    expected = signature_text(document)
    assert expected
    html = signed_in(clerk_x).get("/intern/bereich/handwerksrolle/").content.decode()
    assert f"Signatur: {expected}" in html


def test_inbox_filters_by_status_channel_procedure_and_searches(
    clerk_x: User, intake_env: dict[str, str], departments: dict[str, Department]
) -> None:
    handwerksrolle = departments["handwerksrolle"]
    mail = receive(handwerksrolle, ("a.png", misc.png()), sender="anna@example.org")
    portal = receive(
        handwerksrolle,
        ("b.png", misc.png()),
        channel=Channel.PORTAL,
        sender="bernd@example.org",
        procedure="handwerksrolle-nachweise",
    )
    portal.status = ItemStatus.DONE
    portal.save()
    client = signed_in(clerk_x)

    def shown(**query: str) -> set[str]:
        html = client.get("/intern/bereich/handwerksrolle/", query).content.decode()
        return {ref for ref in (mail.reference, portal.reference) if ref in html}

    assert shown() == {mail.reference, portal.reference}
    assert shown(status="done") == {portal.reference}
    assert shown(status="new") == {mail.reference}
    assert shown(channel="email") == {mail.reference}
    assert shown(procedure="handwerksrolle-nachweise") == {portal.reference}
    assert shown(q="ANNA@example") == {mail.reference}
    assert shown(q=portal.reference.lower()) == {portal.reference}
    assert shown(q="niemand@example.org") == set()
    assert shown(status="bogus") == {mail.reference, portal.reference}  # invalid: no filter


def test_inbox_is_paginated(
    clerk_x: User, intake_env: dict[str, str], departments: dict[str, Department]
) -> None:
    items = [receive(departments["handwerksrolle"]) for _ in range(26)]
    client = signed_in(clerk_x)
    first = client.get("/intern/bereich/handwerksrolle/").content.decode()
    second = client.get("/intern/bereich/handwerksrolle/", {"seite": "2"}).content.decode()
    assert items[-1].reference in first and items[0].reference not in first
    assert items[0].reference in second and items[-1].reference not in second
    assert "Seite 1 von 2" in first


# --- assign and status -------------------------------------------------------------------


def test_assign_and_status_change_are_posts_and_audited(
    clerk_x: User, item_x: InboundItem, departments: dict[str, Department]
) -> None:
    colleague = make_clerk("kollegin@hwk.example", departments["handwerksrolle"])
    client = signed_in(clerk_x)
    assert client.get(_item_url(item_x, "zuweisen/")).status_code == 405
    assert client.get(_item_url(item_x, "status/")).status_code == 405

    response = client.post(_item_url(item_x, "zuweisen/"), {"clerk": colleague.pk})
    assert response["Location"] == _item_url(item_x)
    response = client.post(
        _item_url(item_x, "status/"), {"status": "waiting", "assigned_to": clerk_x.pk}
    )
    assert response["Location"] == _item_url(item_x)
    item_x.refresh_from_db()
    assert item_x.assigned_to == colleague  # the undeclared field changed nothing
    assert item_x.status == ItemStatus.WAITING

    assigned = AuditEvent.objects.get(action="item.assigned", item=item_x)
    assert assigned.actor == clerk_x
    assert assigned.detail == {"from": None, "to": colleague.pk}
    changed = AuditEvent.objects.get(action="item.status_changed", item=item_x)
    assert changed.actor == clerk_x
    assert changed.detail == {"from": "new", "to": "waiting"}
    html = client.get(_item_url(item_x)).content.decode()
    assert "wartet auf Absender" in html and colleague.email in html


def test_an_item_cannot_be_assigned_to_a_clerk_of_another_department(
    clerk_x: User, clerk_y: User, item_x: InboundItem
) -> None:
    response = signed_in(clerk_x).post(_item_url(item_x, "zuweisen/"), {"clerk": clerk_y.pk})
    assert response.status_code == 400
    assert "<title>Fehler: " in response.content.decode()
    item_x.refresh_from_db()
    assert item_x.assigned_to is None
    assert not AuditEvent.objects.filter(action="item.assigned").exists()


def test_posts_need_the_csrf_token(clerk_x: User, item_x: InboundItem) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk_x)
    assert client.post(_item_url(item_x, "status/"), {"status": "done"}).status_code == 403
    item_x.refresh_from_db()
    assert item_x.status == ItemStatus.NEW


# --- documents ----------------------------------------------------------------------------


def test_download_of_an_accepted_document_returns_the_original_bytes_and_is_audited(
    clerk_x: User, item_x: InboundItem
) -> None:
    accepted = item_x.documents.get(position=1)
    assert accepted.state == DocumentState.ACCEPTED
    response = signed_in(clerk_x).get(_download_url(item_x), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == misc.png()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(misc.png()))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="Meisterbrief Muller.png"' in disposition
    assert "filename*=UTF-8''" + quote("Meisterbrief Müller.png", safe="") in disposition
    event = AuditEvent.objects.get(action="document.downloaded")
    assert (event.actor, event.document, event.item) == (clerk_x, accepted, item_x)
    assert event.ip_address == "192.0.2.7"


def test_rejected_and_held_documents_show_reasons_but_never_open(  # noqa: PLR0917 - fixtures
    clerk_x: User,
    item_x: InboundItem,
    intake_env: dict[str, str],
    departments: dict[str, Department],
    settings: SettingsWrapper,
    tmp_path: Path,
) -> None:
    settings.CLAMD_URL = f"unix://{tmp_path / 'no-clamd.sock'}"  # the scanner is down: held
    held_item = receive(departments["handwerksrolle"], ("nachweis.png", misc.png()))
    inspect_all(held_item)
    assert held_item.documents.get().state == DocumentState.HELD
    assert item_x.documents.get(position=2).state == DocumentState.REJECTED

    client = signed_in(clerk_x)
    assert client.get(_download_url(item_x, 2)).status_code == 404
    assert client.get(_download_url(held_item, 1)).status_code == 404
    assert client.get(_download_url(item_x, 9)).status_code == 404
    html = client.get(_item_url(item_x)).content.decode()
    assert item_x.documents.get(position=2).reasons[0]["message_de"] in html
    assert _download_url(item_x, 1) in html
    assert _download_url(item_x, 2) not in html
    held_html = client.get(_item_url(held_item)).content.decode()
    assert "zurückgehalten" in held_html
    assert _download_url(held_item, 1) not in held_html
    assert not AuditEvent.objects.filter(action="document.downloaded").exists()


def test_an_html_file_never_downloads_as_html(
    clerk_x: User, intake_env: dict[str, str], departments: dict[str, Department]
) -> None:
    item = receive(departments["handwerksrolle"], ("seite.html", misc.png()))
    inspect_all(item)
    document = item.documents.get()
    # A name that does not match the content is a note, not a refusal; anything but
    # ACCEPTED (clamd not answering: held) means this check did not run: a failure.
    assert document.state == DocumentState.ACCEPTED, (document.state, document.reasons)
    response = signed_in(clerk_x).get(_download_url(item))
    assert b"".join(response.streaming_content) == misc.png()
    assert response["Content-Type"] == "image/png"
    assert 'filename="seite.html.png"' in response["Content-Disposition"]


# --- replies -------------------------------------------------------------------------------


def test_reply_by_email_to_an_email_item_lands_in_the_outbox(
    clerk_x: User, item_x: InboundItem, outbox: Path
) -> None:
    response = signed_in(clerk_x).post(
        _item_url(item_x, "antwort/"), {"way": "email", "text": "Ihr Meisterbrief liegt vor."}
    )
    assert response["Location"] == _item_url(item_x)
    (raw,) = outbox_files(outbox)
    text = raw.decode("utf-8", "replace")
    assert "meister@example.org" in text
    assert item_x.reference in text
    assert AuditEvent.objects.filter(action="item.replied_by_email", actor=clerk_x).exists()


def test_invitation_to_the_portal_and_an_empty_email_reply(
    clerk_x: User, item_x: InboundItem, outbox: Path
) -> None:
    client = signed_in(clerk_x)
    empty = client.post(_item_url(item_x, "antwort/"), {"way": "email", "text": "  "})
    assert empty.status_code == 400
    assert "Geben Sie den Text der Antwort ein." in empty.content.decode()
    assert outbox_files(outbox) == []
    client.post(_item_url(item_x, "antwort/"), {"way": "invite"})
    assert len(outbox_files(outbox)) == 1
    assert AuditEvent.objects.filter(action="item.invited_to_portal", actor=clerk_x).exists()


def test_no_email_reply_to_a_sender_who_opted_out(
    clerk_x: User, item_x: InboundItem, outbox: Path
) -> None:
    communication_preference_opt_out(sender=item_x.sender)
    response = signed_in(clerk_x).post(
        _item_url(item_x, "antwort/"), {"way": "email", "text": "Hallo"}
    )
    assert response.status_code == 400
    assert (
        "Der Absender wünscht keine elektronische Kommunikation. Antworten Sie per Post."
        in response.content.decode()
    )
    english = signed_in(clerk_x).post(
        _item_url(item_x, "antwort/"),
        {"way": "invite"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.status_code == 400
    assert (
        "The sender asked for no electronic communication. Reply by post."
        in english.content.decode()
    )
    assert outbox_files(outbox) == []


def test_the_reply_form_offers_the_ways_correspondence_has_for_the_item(
    clerk_x: User, item_x: InboundItem
) -> None:
    client = signed_in(clerk_x)
    german = client.get(_item_url(item_x)).content.decode()
    assert 'name="way" value="invite"' in german and 'name="way" value="email"' in german
    assert "Antwort als E-Mail (unverschlüsselt)" in german
    english = client.get(_item_url(item_x), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Answer by email (unencrypted)" in english
    assert "Email notice that the answer is waiting in the customer portal" in english


def test_reply_to_a_portal_item_goes_into_its_message_thread(
    clerk_x: User, intake_env: dict[str, str], departments: dict[str, Department], outbox: Path
) -> None:
    item = receive(departments["handwerksrolle"], channel=Channel.PORTAL, sender="p@example.org")
    client = signed_in(clerk_x)
    assert 'name="way" value="email"' not in client.get(_item_url(item)).content.decode()
    response = client.post(
        _item_url(item, "antwort/"), {"way": "thread", "text": "Bitte senden Sie die Seite 2."}
    )
    assert response["Location"] == _item_url(item)
    message = Message.objects.get(item=item)
    assert (message.author, message.from_staff) == (clerk_x, True)
    assert "Bitte senden Sie die Seite 2." in client.get(_item_url(item)).content.decode()
    for raw in outbox_files(outbox):  # the notice says only that something is waiting
        assert b"Seite 2" not in raw
    # A portal item is not answered by plain e-mail from here.
    refused = client.post(_item_url(item, "antwort/"), {"way": "email", "text": "Hallo"})
    assert refused.status_code == 400
    assert Message.objects.filter(item=item).count() == 1


def test_the_back_office_speaks_english_when_asked(clerk_x: User, item_x: InboundItem) -> None:
    client = signed_in(clerk_x)
    html = client.get("/intern/bereich/handwerksrolle/", HTTP_ACCEPT_LANGUAGE="en").content
    assert b"Inbox Handwerksrolle" in html
    assert b"Virus scan: no malware found" in html
    detail = client.get(_item_url(item_x), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reply to the sender" in detail
    assert item_x.documents.get(position=2).reasons[0]["message_en"] in detail
