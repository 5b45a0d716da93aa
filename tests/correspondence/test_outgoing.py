"""Mail we send: acknowledgements, replies per backend, the outbox and the relay.

Every mail is read back from the real outbox (one .eml file per message) or
from a real SMTP server on loopback.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.accounts.models import User
from kammerpost.correspondence.exceptions import ReplyNotPossibleError
from kammerpost.correspondence.mail import acknowledgement_skip_reason
from kammerpost.correspondence.models import Message
from kammerpost.correspondence.selectors import reply_ways
from kammerpost.correspondence.services import acknowledgement_send, item_reply
from kammerpost.intake.models import InboundItem, Sender
from kammerpost.intake.services import IncomingFile
from kammerpost.privacy.models import AuditEvent
from kammerpost.privacy.services import audit_record, communication_preference_opt_out
from kammerpost.settings import _mailers
from tests.corpus import misc
from tests.support.clamd import _free_port

from .conftest import ORIGINAL_MESSAGE_ID, PORTAL_URL, outbox_files, parsed

pytestmark = pytest.mark.django_db

UNENCRYPTED_DE = "E-Mails werden unverschlüsselt über das Internet übertragen"
UNENCRYPTED_EN = "e-mail travels unencrypted over the Internet"


def _only_mail(outbox: Path) -> Any:
    [raw] = outbox_files(outbox)
    return parsed(raw)


# --- acknowledgements (the mail gateway's receipt) ------------------------------------------


def test_header_injection_in_an_acknowledgement_never_reaches_a_header(
    email_item: InboundItem, outbox: Path
) -> None:
    acknowledgement_send(
        items=[email_item],
        to="azubi@example.org",
        message_id="<x@y>\r\nBcc: zwei@example.com",
        attachments=1,
    )
    [raw] = outbox_files(outbox)
    assert b"\nBcc:" not in raw
    message = parsed(raw)
    assert message["Bcc"] is None and message["In-Reply-To"] is None
    assert email_item.reference in message["Subject"]
    assert message["Auto-Submitted"] == "auto-replied"


def test_an_acknowledgement_never_repeats_the_senders_words(
    email_item: InboundItem, outbox: Path
) -> None:
    # the item's mail is titled "Zeugnis": a forged mail must not make the
    # chamber carry a stranger's words to a third party
    acknowledgement_send(items=[email_item], to="azubi@example.org", message_id="", attachments=0)
    [raw] = outbox_files(outbox)
    assert "Zeugnis" not in raw.decode("utf-8", "replace")
    message = parsed(raw)
    assert message["Subject"] == (
        f"Eingangsbestätigung {email_item.reference} / Acknowledgement of receipt"
    )


def test_an_acknowledgement_speaks_german_then_english_and_threads_to_the_mail(
    email_item: InboundItem, outbox: Path
) -> None:
    acknowledgement_send(
        items=[email_item],
        to="azubi@example.org",
        message_id=ORIGINAL_MESSAGE_ID,
        attachments=2,
    )
    message = _only_mail(outbox)
    assert message["In-Reply-To"] == ORIGINAL_MESSAGE_ID
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["From"] == django_settings.DEFAULT_FROM_EMAIL
    body = message.get_content()
    german, english = body.split("-- English --")
    assert "Ihre Nachricht ist bei der" in german
    assert f"Eingangsnummer: {email_item.reference}" in german
    assert "Anhänge: 2" in german and UNENCRYPTED_DE in german and PORTAL_URL in german
    assert "Your message has reached" in english
    assert f"Reference number: {email_item.reference}" in english
    assert "Attachments: 2" in english and UNENCRYPTED_EN in english and PORTAL_URL in english


@pytest.mark.parametrize(
    ("envelope_from", "auto_submitted", "list_mail", "reason"),
    [
        ("", False, False, "null_sender"),
        ("a@example.org", True, False, "auto_submitted"),
        ("a@example.org", False, True, "list"),
        ("MAILER-DAEMON@example.org", False, False, "robot"),
        ("owner-liste@example.org", False, False, "robot"),
        ("liste-request@example.org", False, False, "robot"),
        ("info@hwk-musterstadt.example", False, False, "own_domain"),
        ("a@example.org\r\nBcc: b@example.org", False, False, "invalid_address"),
        ("a@example.org", False, False, ""),
    ],
)
def test_acknowledgements_follow_rfc_3834(
    mail_settings: SettingsWrapper,
    envelope_from: str,
    auto_submitted: bool,
    list_mail: bool,
    reason: str,
) -> None:
    assert (
        acknowledgement_skip_reason(
            envelope_from=envelope_from, auto_submitted=auto_submitted, list_mail=list_mail
        )
        == reason
    )


# --- the ways of answering -----------------------------------------------------------------


def test_portal_items_are_answered_in_their_thread_others_by_mail(
    portal_item: InboundItem, email_item: InboundItem
) -> None:
    assert [way.method for way in reply_ways(portal_item)] == ["thread"]
    assert [way.method for way in reply_ways(email_item)] == ["invite", "email"]


def test_a_way_not_offered_for_the_item_is_refused_in_german_and_english(
    portal_item: InboundItem, clerk: User, outbox: Path
) -> None:
    with pytest.raises(ReplyNotPossibleError) as refused:
        item_reply(actor=clerk, item=portal_item, method="email", text="Hallo")
    assert refused.value.message_de.startswith("Auf diesem Weg kann dieser Absender nicht")
    assert refused.value.message_en.startswith("This sender cannot be reached this way.")
    assert outbox_files(outbox) == []
    assert not Message.objects.exists()


def test_reply_by_email_carries_the_text_the_warning_and_threads_to_the_original(
    email_item: InboundItem, outbox: Path, clerk: User
) -> None:
    text = "Ihr Zeugnis ist vollständig.\n\nPrüfung & Termin: <14. März>"
    item_reply(actor=clerk, item=email_item, method="email", text=f"  {text}  ")
    message = _only_mail(outbox)
    assert message["To"] == "azubi@example.org"
    assert message["From"] == "pruefungswesen@hwk-musterstadt.example"
    assert message["In-Reply-To"] == ORIGINAL_MESSAGE_ID
    assert message["References"] == ORIGINAL_MESSAGE_ID
    assert message["Subject"] == f"Ihre Nachricht / your message {email_item.reference}"
    body = message.get_content()
    assert body.startswith(text + "\n\n-- \n")  # verbatim, then the signature separator
    assert "Prüfungswesen" in body and f"Eingangsnummer / reference: {email_item.reference}" in body
    assert UNENCRYPTED_DE in body and UNENCRYPTED_EN in body
    assert AuditEvent.objects.filter(action="item.replied_by_email", actor=clerk).exists()


def test_no_mail_of_any_kind_to_a_sender_who_opted_out(
    email_item: InboundItem, outbox: Path, clerk: User
) -> None:
    communication_preference_opt_out(sender=email_item.sender)
    for method, text in (("email", "Hallo"), ("invite", "")):
        with pytest.raises(ReplyNotPossibleError) as refused:
            item_reply(actor=clerk, item=email_item, method=method, text=text)
        assert refused.value.message_de == (
            "Der Absender wünscht keine elektronische Kommunikation. Antworten Sie per Post."
        )
        assert refused.value.message_en == (
            "The sender asked for no electronic communication. Reply by post."
        )
    assert outbox_files(outbox) == []
    assert not AuditEvent.objects.filter(action__startswith="item.replied").exists()


def test_no_mail_to_an_address_that_is_not_one(
    email_item: InboundItem, outbox: Path, clerk: User
) -> None:
    Sender.objects.filter(pk=email_item.sender_id).update(email="azubi@example.org\nBcc: x@y.z")
    email_item.refresh_from_db()
    with pytest.raises(ReplyNotPossibleError) as refused:
        item_reply(actor=clerk, item=email_item, method="email", text="Hallo")
    assert "keine gültige E-Mail-Adresse" in refused.value.message_de
    assert "No valid e-mail address is known" in refused.value.message_en
    assert outbox_files(outbox) == []


def test_files_go_only_where_the_way_can_carry_them(
    email_item: InboundItem, outbox: Path, clerk: User
) -> None:
    with pytest.raises(ReplyNotPossibleError) as refused:
        item_reply(
            actor=clerk,
            item=email_item,
            method="email",
            text="Anbei",
            files=[IncomingFile("bescheid.png", io.BytesIO(misc.png()))],
        )
    assert "keine Dateien" in refused.value.message_de
    assert "cannot carry files" in refused.value.message_en
    assert outbox_files(outbox) == []
    assert email_item.documents.count() == 1


def test_an_email_reply_needs_a_text(email_item: InboundItem, outbox: Path, clerk: User) -> None:
    with pytest.raises(ReplyNotPossibleError) as refused:
        item_reply(actor=clerk, item=email_item, method="email", text="  \n ")
    assert refused.value.message_de == "Geben Sie den Text der Antwort ein."
    assert refused.value.message_en == "Enter the text of the answer."
    assert outbox_files(outbox) == []


def test_invitation_to_the_portal_leaves_the_answer_out(
    email_item: InboundItem, outbox: Path, clerk: User
) -> None:
    item_reply(actor=clerk, item=email_item, method="invite", text="Vertraulich: 123 Euro")
    message = _only_mail(outbox)
    assert message["In-Reply-To"] == ORIGINAL_MESSAGE_ID
    assert message["From"] == "pruefungswesen@hwk-musterstadt.example"
    assert email_item.reference in message["Subject"]
    body = message.get_content()
    german, english = body.split("-- English --")
    assert f"zu Ihrem Eingang {email_item.reference} liegt eine Antwort" in german
    assert f"to your message {email_item.reference} is waiting for you" in english
    assert PORTAL_URL in german and PORTAL_URL in english
    assert "Zeugnis" not in body and "123" not in body
    assert AuditEvent.objects.filter(action="item.invited_to_portal", actor=clerk).exists()


def test_a_thread_reply_tells_the_customer_only_that_something_waits(
    portal_item: InboundItem,
    outbox: Path,
    clerk: User,
    customer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    confidential = "Ihr Antrag ist genehmigt, Gebühr 123 Euro"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item_reply(actor=clerk, item=portal_item, method="thread", text=confidential)
    assert outbox_files(outbox) == []  # nothing before the commit
    for callback in callbacks:
        callback()
    message = _only_mail(outbox)
    assert message["To"] == customer.email
    assert message["From"] == django_settings.DEFAULT_FROM_EMAIL
    assert message["Subject"] == (
        f"Neue Nachricht im Kundenportal / new message: {portal_item.reference}"
    )
    body = message.get_content()
    german, english = body.split("-- English --")
    assert f"zu Ihrem Vorgang {portal_item.reference} liegt eine neue Nachricht" in german
    assert f"A new message about your case {portal_item.reference} is waiting" in english
    assert PORTAL_URL in german and PORTAL_URL in english
    assert "genehmigt" not in body and "123" not in body
    staff = Message.objects.get(item=portal_item)
    assert (staff.author, staff.from_staff, staff.text) == (clerk, True, confidential)


def test_the_notice_follows_the_customers_current_address(
    portal_item: InboundItem,
    outbox: Path,
    clerk: User,
    customer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    User.objects.filter(pk=customer.pk).update(email="neu@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        item_reply(actor=clerk, item=portal_item, method="thread", text="Hallo")
    assert _only_mail(outbox)["To"] == "neu@example.org"


class LetterReply:
    """A way of answering added by configuration only (as the cloud area will add its own)."""

    method: ClassVar[str] = "letter"
    label: ClassVar[str] = "Brief"
    help_text: ClassVar[str] = "Die Antwort geht als Brief hinaus."
    needs_text: ClassVar[bool] = True
    accepts_files: ClassVar[bool] = False

    def available(self, item: InboundItem) -> bool:
        return True

    def send(
        self,
        *,
        actor: User,
        item: InboundItem,
        text: str,
        files: Sequence[IncomingFile],
        ip_address: str | None,
    ) -> None:
        audit_record(action="item.replied_by_letter", actor=actor, item=item, detail={"text": text})


def test_a_new_way_of_answering_is_one_line_of_configuration(
    email_item: InboundItem, clerk: User, outbox: Path, settings: SettingsWrapper
) -> None:
    settings.CORRESPONDENCE_REPLY_BACKENDS = [
        *settings.CORRESPONDENCE_REPLY_BACKENDS,
        f"{__name__}.LetterReply",
    ]
    assert [way.method for way in reply_ways(email_item)] == ["invite", "email", "letter"]
    item_reply(actor=clerk, item=email_item, method="letter", text="Per Post")
    assert AuditEvent.objects.get(action="item.replied_by_letter").detail == {"text": "Per Post"}
    item_reply(actor=clerk, item=email_item, method="email", text="Und per E-Mail")
    assert len(outbox_files(outbox)) == 1  # the others are untouched


def test_a_misconfigured_way_of_answering_fails_the_system_check(
    settings: SettingsWrapper,
) -> None:
    from kammerpost.correspondence.checks import reply_backends_check

    assert reply_backends_check() == []
    settings.CORRESPONDENCE_REPLY_BACKENDS = [
        *settings.CORRESPONDENCE_REPLY_BACKENDS,
        "kammerpost.correspondence.replies.EmailReply",  # a second "email"
        "kammerpost.correspondence.replies.Fax",
    ]
    assert [error.id for error in reply_backends_check()] == [
        "correspondence.E002",
        "correspondence.E001",
    ]


# --- the outbox and the relay --------------------------------------------------------------


def test_outbox_files_appear_whole_and_no_temporary_file_stays(
    email_item: InboundItem, outbox: Path, clerk: User
) -> None:
    for _ in range(3):
        item_reply(actor=clerk, item=email_item, method="invite")
    assert len(list(outbox.glob("*.eml"))) == 3
    assert [p.name for p in outbox.iterdir() if not p.name.endswith(".eml")] == []
    assert len({parsed(raw)["Message-ID"] for raw in outbox_files(outbox)}) == 3


class _Sink:
    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append(bytes(envelope.original_content or b""))
        return "250 OK"


@pytest.fixture
def relay() -> Iterator[tuple[_Sink, int]]:
    sink = _Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, server_hostname="relay.test")
    controller.start()
    yield sink, port
    controller.stop()
    controller.loop.close()  # aiosmtpd's Controller leaves its own event loop open


def test_with_a_relay_configured_replies_leave_through_smtp(
    email_item: InboundItem,
    clerk: User,
    relay: tuple[_Sink, int],
    settings: SettingsWrapper,
) -> None:
    sink, port = relay
    settings.MAILERS = _mailers(f"smtp://127.0.0.1:{port}")
    item_reply(actor=clerk, item=email_item, method="invite")
    [raw] = sink.received
    assert email_item.reference.encode() in raw


def test_relay_urls_are_read_and_bad_ones_refused() -> None:
    options = _mailers("smtp+starttls://user%40x:geheim@relay.example")["default"]["OPTIONS"]
    assert options == {
        "host": "relay.example",
        "port": 587,
        "use_tls": True,
        "use_ssl": False,
        "timeout": 60,
        "username": "user@x",
        "password": "geheim",
    }
    with pytest.raises(ImproperlyConfigured):
        _mailers("http://relay.example")
    default = _mailers("")["default"]
    assert default["BACKEND"] == "kammerpost.correspondence.outbox.OutboxEmailBackend"
