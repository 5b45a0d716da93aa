"""intake.access: a document's content opens only when accepted, and every open is audited.

security.md 14 (held and rejected documents never reach a person) and 25 (every
download audited: who, when, which, from where).
"""

from __future__ import annotations

import pytest
from django.http import Http404

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department
from kammerpost.intake.access import document_content_open, document_for_staff
from kammerpost.intake.models import Document, DocumentState, InboundItem
from kammerpost.privacy.models import AuditEvent
from tests.backoffice.conftest import inspect_all, make_clerk, receive
from tests.corpus import misc
from tests.support.clamd import EICAR

pytestmark = [pytest.mark.django_db, pytest.mark.clamd]


@pytest.fixture
def clerk(departments: dict[str, Department]) -> User:
    return make_clerk("clerk@hwk.example", departments["handwerksrolle"])


@pytest.fixture
def item(intake_env: dict[str, str], departments: dict[str, Department]) -> InboundItem:
    """An accepted PNG (1), a rejected PDF with a virus (2), a PNG not yet inspected (3)."""
    item = receive(departments["handwerksrolle"], ("gut.png", misc.png()), ("virus.pdf", EICAR))
    inspect_all(item)
    receive_later = receive(departments["handwerksrolle"], ("spaet.png", misc.png()))
    Document.objects.filter(item=receive_later).update(item=item, position=3)
    states = dict(item.documents.values_list("position", "state"))
    assert states == {
        1: DocumentState.ACCEPTED,
        2: DocumentState.REJECTED,
        3: DocumentState.RECEIVED,
    }, states
    return item


def _opened() -> int:
    return AuditEvent.objects.filter(action="document.downloaded").count()


def test_every_open_of_an_accepted_document_leaves_one_audit_event(
    clerk: User, item: InboundItem
) -> None:
    document = item.documents.get(position=1)
    for attempt in (1, 2):
        reader = document_content_open(actor=clerk, document=document, ip_address="192.0.2.9")
        assert b"".join(reader) == misc.png()
        assert _opened() == attempt
    event = AuditEvent.objects.filter(action="document.downloaded").latest("id")
    assert (event.actor, event.document, event.item) == (clerk, document, item)
    assert event.ip_address == "192.0.2.9"
    assert event.detail["position"] == 1 and event.detail["at"]


@pytest.mark.parametrize("position", [2, 3], ids=["rejected", "not-yet-inspected"])
def test_a_document_that_is_not_accepted_never_opens(
    clerk: User, item: InboundItem, position: int
) -> None:
    document = item.documents.get(position=position)
    with pytest.raises(Http404):
        document_content_open(actor=clerk, document=document, ip_address=None)
    with pytest.raises(Http404):
        document_for_staff(user=clerk, reference=item.reference, position=position)
    assert _opened() == 0


def test_a_held_document_never_opens_even_from_an_object_fetched_while_accepted(
    clerk: User, item: InboundItem
) -> None:
    document = document_for_staff(user=clerk, reference=item.reference, position=1)
    # Re-inspected since (a new scanner signature, the scanner down): held now.
    Document.objects.filter(pk=document.pk).update(state=DocumentState.HELD)
    assert document.state == DocumentState.ACCEPTED  # the caller's copy is stale
    with pytest.raises(Http404):
        document_content_open(actor=clerk, document=document, ip_address=None)
    with pytest.raises(Http404):
        document_for_staff(user=clerk, reference=item.reference, position=1)
    assert _opened() == 0


def test_a_document_whose_blob_is_gone_is_a_404_and_not_audited(
    clerk: User, item: InboundItem
) -> None:
    document = item.documents.get(position=1)
    Document.objects.filter(pk=document.pk).update(vault_key="0" * 32)
    document.refresh_from_db()
    with pytest.raises(Http404):
        document_content_open(actor=clerk, document=document, ip_address=None)
    assert _opened() == 0
