"""Meine Vorgänge, the access matrix (security 9) and the message thread both ways."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from kammerpost.accounts.models import Business, User
from kammerpost.chamber.models import Department
from kammerpost.correspondence import services as correspondence
from kammerpost.correspondence.exceptions import MessageEmptyError
from kammerpost.correspondence.models import Message
from kammerpost.intake.models import Channel, Document, DocumentState, InboundItem
from kammerpost.intake.services import (
    IncomingFile,
    document_inspect,
    inbound_item_receive,
    sender_for_account,
)
from kammerpost.portal.models import Submission
from tests.corpus import pdfs

from .conftest import business_with, new_user, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.clamd]


def _item(user: User, business: Business | None = None, subject: str = "Test") -> InboundItem:
    def attach(item: InboundItem, documents: list[Document]) -> None:
        Submission.objects.create(item=item, user=user)

    return inbound_item_receive(
        channel=Channel.PORTAL,
        department=Department.objects.get(slug="verwaltung"),
        sender=sender_for_account(user=user),
        files=[IncomingFile("a.pdf", io.BytesIO(pdfs.clean()))],
        subject=subject,
        business=business,
        attach=attach,
    )


def _pages(reference: str) -> list[str]:
    base = f"/portal/vorgaenge/{reference}/"
    return [base, base + "bestaetigung/", base[:-1] + "/bestaetigung.pdf"]


def test_customer_a_never_sees_customer_bs_items(portal_env: Path) -> None:
    a, b = new_user("a"), new_user("b")
    item_a, item_b = _item(a, subject="Sache A"), _item(b, subject="Sache B")
    client_a = signed_in(a)
    listing = client_a.get("/portal/vorgaenge/").content.decode()
    assert item_a.reference in listing and item_b.reference not in listing
    for path in _pages(item_a.reference):
        assert client_a.get(path).status_code == 200, path
    for path in _pages(item_b.reference):
        assert client_a.get(path).status_code == 404, path
    assert client_a.post(f"/portal/vorgaenge/{item_b.reference}/", {"text": "x"}).status_code == 404
    assert not Message.objects.exists()


def test_members_of_business_x_see_its_items_but_not_business_ys(portal_env: Path) -> None:
    x1, x2, y1 = new_user("x1"), new_user("x2"), new_user("y1")
    x, y = business_with(x1, x2, name="X"), business_with(y1, name="Y")
    item_x, item_y = _item(x1, x, "für X"), _item(y1, y, "für Y")
    private_x1 = _item(x1, None, "privat")
    client_x2 = signed_in(x2)
    listing = client_x2.get("/portal/vorgaenge/").content.decode()
    assert item_x.reference in listing
    assert item_y.reference not in listing and private_x1.reference not in listing
    for path in _pages(item_x.reference):
        assert client_x2.get(path).status_code == 200, path
    for reference in (item_y.reference, private_x1.reference):
        for path in _pages(reference):
            assert client_x2.get(path).status_code == 404, path
    for path in _pages(item_x.reference):
        assert signed_in(y1).get(path).status_code == 404, path


def test_sending_for_a_foreign_business_is_refused(portal_env: Path) -> None:
    x1, y1 = new_user("x1"), new_user("y1")
    business_with(x1, name="X")
    y = business_with(y1, name="Y")
    client = signed_in(x1)
    response = client.post(
        "/portal/verfahren/allgemein/",
        {"department": "verwaltung", "on_behalf": str(y.pk)},
    )
    assert response.status_code == 200  # not a choice of this person: a form error
    assert "Fehler" in response.content.decode()


def test_meine_vorgaenge_shows_status_and_document_states(portal_env: Path) -> None:
    user = new_user()
    item = _item(user)
    document_inspect(document_id=item.documents.get().pk)
    body = signed_in(user).get("/portal/vorgaenge/").content.decode()
    assert "neu" in body and "a.pdf: angenommen" in body


def test_the_thread_runs_both_ways_and_staff_replies_notify_without_content(
    portal_env: Path, django_capture_on_commit_callbacks: Any
) -> None:
    customer, clerk = new_user("kunde"), new_user("sachbearbeitung")
    item = _item(customer)
    client = signed_in(customer)
    response = client.post(
        f"/portal/vorgaenge/{item.reference}/",
        {"text": "Hier der Nachtrag", "file": SimpleUploadedFile("nachtrag.pdf", pdfs.clean())},
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert not message.from_staff and message.author == customer
    (attachment,) = message.attachments.all()
    assert attachment.document.item == item and attachment.document.position == 2
    assert attachment.document.state == DocumentState.RECEIVED  # through the intake pipeline
    assert document_inspect(document_id=attachment.document.pk) == DocumentState.ACCEPTED
    assert not mail.outbox  # customers' messages do not mail anyone

    confidential = "Ihr Antrag ist genehmigt, Gebühr 123 Euro"
    with django_capture_on_commit_callbacks(execute=True):
        correspondence.item_reply(actor=clerk, item=item, method="thread", text=confidential)
    assert Message.objects.get(from_staff=True).author == clerk
    (notice,) = mail.outbox
    assert notice.to == [customer.email]
    assert item.reference in notice.subject
    assert confidential not in notice.body and "123" not in notice.body
    body = client.get(f"/portal/vorgaenge/{item.reference}/").content.decode()
    assert confidential in body and "Hier der Nachtrag" in body and "nachtrag.pdf" in body


def test_an_empty_message_is_refused(portal_env: Path) -> None:
    user = new_user()
    item = _item(user)
    with pytest.raises(MessageEmptyError):
        correspondence.message_post(actor=user, item=item, text="  ")
    response = signed_in(user).post(f"/portal/vorgaenge/{item.reference}/", {"text": ""})
    assert response.status_code == 200 and "<title>Fehler: " in response.content.decode()
