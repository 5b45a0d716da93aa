"""The message thread: a message and its files commit together, or not at all."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import IntegrityError
from django_tasks_db.models import DBTaskResult

from kammerpost.accounts.models import User
from kammerpost.correspondence.exceptions import MessageEmptyError
from kammerpost.correspondence.models import Message, MessageAttachment
from kammerpost.correspondence.selectors import item_thread
from kammerpost.correspondence.services import item_reply, message_post
from kammerpost.intake.models import Document, DocumentState, InboundItem
from kammerpost.intake.services import IncomingFile, document_inspect, intake_vault
from kammerpost.privacy.models import AuditEvent
from tests.accounts.conftest import make_user
from tests.corpus import misc, pdfs

pytestmark = pytest.mark.django_db


def _blob_keys() -> set[str]:
    return {key for key, _ in intake_vault().keys()}  # noqa: SIM118 - a vault, not a dict


def _nachtrag() -> list[IncomingFile]:
    return [IncomingFile("nachtrag.pdf", io.BytesIO(pdfs.clean()))]


def test_a_customer_message_brings_its_file_as_a_document_of_the_item(
    portal_item: InboundItem, customer: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = message_post(
            actor=customer,
            item=portal_item,
            text=" Hier der Nachtrag ",
            files=_nachtrag(),
            ip_address="192.0.2.7",
        )
    assert (message.text, message.from_staff) == ("Hier der Nachtrag", False)
    assert message.author == customer
    (attachment,) = message.attachments.all()
    document = attachment.document
    assert (document.item, document.position, document.original_name) == (
        portal_item,
        2,
        "nachtrag.pdf",
    )
    assert document.state == DocumentState.RECEIVED  # the inspection is queued, not done
    assert len(callbacks) == 1  # ... after the commit (no notice: customers mail nobody)
    assert document_inspect(document_id=document.pk) == DocumentState.ACCEPTED
    event = AuditEvent.objects.get(action="message.posted")
    assert (event.ip_address, event.detail) == ("192.0.2.7", {"from_staff": False, "documents": 1})
    assert list(item_thread(item=portal_item)) == [message]


def test_staff_files_in_the_thread_go_through_the_same_pipeline(
    portal_item: InboundItem, clerk: User
) -> None:
    item_reply(
        actor=clerk,
        item=portal_item,
        method="thread",
        text="Ihr Bescheid",
        files=[IncomingFile("bescheid.png", io.BytesIO(misc.png()))],
    )
    message = Message.objects.get(item=portal_item)
    assert message.from_staff
    (attachment,) = message.attachments.all()
    assert document_inspect(document_id=attachment.document.pk) == DocumentState.ACCEPTED


def test_a_message_without_text_and_file_is_refused_in_german_and_english(
    portal_item: InboundItem, customer: User
) -> None:
    with pytest.raises(MessageEmptyError) as refused:
        message_post(actor=customer, item=portal_item, text=" \n ")
    german = "Schreiben Sie eine Nachricht oder wählen Sie eine Datei aus."
    assert refused.value.message_de == german
    assert refused.value.message_en == "Write a message or choose a file."
    assert not Message.objects.exists()


def test_a_failure_while_writing_the_message_leaves_no_documents_and_no_blobs(
    portal_item: InboundItem, customer: User
) -> None:
    """The message's own row fails (its author was never saved): the documents go with it."""
    blobs_before = _blob_keys()
    unsaved = User(username="nie-gespeichert", email="nie@example.org")
    with pytest.raises(ValueError, match="unsaved related object"):
        message_post(actor=unsaved, item=portal_item, text="Nachtrag", files=_nachtrag())
    assert list(portal_item.documents.values_list("original_name", flat=True)) == ["antrag.png"]
    assert not Message.objects.exists() and not MessageAttachment.objects.exists()
    assert _blob_keys() == blobs_before
    assert not AuditEvent.objects.filter(action="item.documents_added").exists()


@pytest.mark.django_db(transaction=True)
def test_a_message_that_fails_at_its_commit_leaves_nothing_and_queues_nothing(
    portal_item: InboundItem,
) -> None:
    """Its author's account is gone: the database refuses the commit, nothing of it stays."""
    gone = make_user("geloescht@example.org")
    User.objects.filter(pk=gone.pk).delete()
    blobs_before = _blob_keys()
    documents_before = set(Document.objects.values_list("pk", flat=True))
    tasks_before = DBTaskResult.objects.count()
    with pytest.raises(IntegrityError):
        message_post(actor=gone, item=portal_item, text="Nachtrag", files=_nachtrag())
    assert set(Document.objects.values_list("pk", flat=True)) == documents_before
    assert not Message.objects.exists() and not MessageAttachment.objects.exists()
    assert _blob_keys() == blobs_before
    assert DBTaskResult.objects.count() == tasks_before  # no inspection of a ghost document


def test_a_staff_reply_that_fails_sends_no_notice(
    portal_item: InboundItem, django_capture_on_commit_callbacks: Any
) -> None:
    unsaved = User(username="nie-gespeichert", email="nie@example.org", is_staff=True)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValueError, match="unsaved related object"),
    ):
        item_reply(
            actor=unsaved,
            item=portal_item,
            method="thread",
            text="Bescheid",
            files=[IncomingFile("bescheid.png", io.BytesIO(misc.png()))],
        )
    assert callbacks == []  # neither the inspection nor the customer's notice
    assert portal_item.documents.count() == 1 and not Message.objects.exists()
