"""Mail we send: acknowledgements, staff replies, the outbox and the relay."""

from __future__ import annotations

import email
import email.policy
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department
from kammerpost.intake.models import Channel, InboundItem
from kammerpost.intake.services import IncomingFile, inbound_item_receive, sender_for_address
from kammerpost.mailgate import services
from kammerpost.mailgate.models import MailMessage
from kammerpost.mailgate.outgoing import (
    ReplyNotPossibleError,
    acknowledgement_send,
    item_reply_by_email,
    item_reply_invite_to_portal,
)
from kammerpost.privacy.models import AuditEvent
from kammerpost.privacy.services import communication_preference_opt_out
from kammerpost.providers import MAIL_ARCHIVE, find_service, mail_archive_url
from kammerpost.settings import _mailers
from kammerpost.vault import Vault
from tests.corpus import misc
from tests.mailgate.conftest import acknowledgements
from tests.support.clamd import _free_port

pytestmark = pytest.mark.django_db


def _parsed(raw: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


@pytest.fixture
def item(mail_env: dict[str, str], departments: dict[str, Department]) -> InboundItem:
    received = inbound_item_receive(
        channel=Channel.EMAIL,
        department=departments["pruefungswesen"],
        sender=sender_for_address(email="azubi@example.org", display_name="Azubi"),
        files=[IncomingFile("zeugnis.png", io.BytesIO(misc.png()))],
        subject="Zeugnis",
        text="Anbei mein Zeugnis.",
    )
    MailMessage.objects.create(
        item=received,
        archive_key="0" * 32,
        size=1,
        sha256="0" * 64,
        message_id="<abc.123@example.org>",
        envelope_from="azubi@example.org",
        received_at=received.received_at,
    )
    return received


@pytest.fixture
def clerk(db: None) -> User:
    return User.objects.create_user("sachbearbeiterin", email="sb@hwk-musterstadt.example")


def test_header_injection_in_an_acknowledgement_subject_never_reaches_a_header(
    item: InboundItem, outbox: Path
) -> None:
    acknowledgement_send(
        items=[item],
        to="azubi@example.org",
        subject="Zeugnis\r\nBcc: opfer@example.com\r\nX-Evil: 1",
        message_id="<x@y>\r\nBcc: zwei@example.com",
        attachments=1,
    )
    [raw] = acknowledgements(outbox)
    assert b"\nBcc:" not in raw and b"\nX-Evil:" not in raw
    message = _parsed(raw)
    assert message["Bcc"] is None and message["In-Reply-To"] is None
    assert "Zeugnis Bcc: opfer@example.com" in message["Subject"]
    assert message["Auto-Submitted"] == "auto-replied"


def test_reply_by_email_carries_the_text_the_warning_and_threads_to_the_original(
    item: InboundItem, outbox: Path, clerk: User
) -> None:
    item_reply_by_email(item=item, text="Ihr Zeugnis ist vollständig.", actor=clerk)
    message = _parsed(acknowledgements(outbox)[0])
    assert message["To"] == "azubi@example.org"
    assert message["From"] == "pruefungswesen@hwk-musterstadt.example"
    assert message["In-Reply-To"] == "<abc.123@example.org>"
    assert item.reference in message["Subject"]
    body = message.get_content()
    assert "Ihr Zeugnis ist vollständig." in body
    assert "unverschlüsselt" in body and "unencrypted" in body
    assert AuditEvent.objects.filter(action="item.replied_by_email", actor=clerk).exists()


def test_invitation_to_the_portal_leaves_the_answer_out(
    item: InboundItem, outbox: Path, clerk: User, settings: SettingsWrapper
) -> None:
    item_reply_invite_to_portal(item=item, actor=clerk)
    message = _parsed(acknowledgements(outbox)[0])
    body = message.get_content()
    assert settings.PORTAL_URL in body
    assert item.reference in body
    assert "Zeugnis" not in body
    assert AuditEvent.objects.filter(action="item.invited_to_portal").exists()


def test_no_email_reply_to_a_sender_who_opted_out(
    item: InboundItem, outbox: Path, clerk: User
) -> None:
    communication_preference_opt_out(sender=item.sender)
    with pytest.raises(ReplyNotPossibleError) as refused:
        item_reply_by_email(item=item, text="Hallo", actor=clerk)
    assert "Post" in refused.value.message_de
    assert acknowledgements(outbox) == []


def test_outbox_files_appear_whole_and_no_temporary_file_stays(
    item: InboundItem, outbox: Path, clerk: User
) -> None:
    for _ in range(3):
        item_reply_invite_to_portal(item=item, actor=clerk)
    assert len(list(outbox.glob("*.eml"))) == 3
    assert [p.name for p in outbox.iterdir() if not p.name.endswith(".eml")] == []


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


def test_with_a_relay_configured_replies_leave_through_smtp(
    item: InboundItem,
    clerk: User,
    relay: tuple[_Sink, int],
    settings: SettingsWrapper,
) -> None:
    sink, port = relay
    settings.MAILERS = _mailers(f"smtp://127.0.0.1:{port}")
    item_reply_invite_to_portal(item=item, actor=clerk)
    [raw] = sink.received
    assert item.reference.encode() in raw


def test_relay_urls_are_read_and_bad_ones_refused() -> None:
    from django.core.exceptions import ImproperlyConfigured

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


def test_archived_messages_nobody_points_to_are_removed_after_the_grace_period(
    item: InboundItem,
) -> None:
    archive = find_service(Vault, name=MAIL_ARCHIVE)
    kept = archive.write(b"From: a@example.org\r\n\r\nkept\r\n")
    MailMessage.objects.filter(item=item).update(archive_key=kept.key)
    orphan = archive.write(b"From: a@example.org\r\n\r\norphan\r\n")
    assert services.mail_archive_orphans_remove() == 0  # young blobs may still be in a receive
    assert services.mail_archive_orphans_remove(older_than=timedelta(0)) == 1
    assert archive.exists(kept.key) and not archive.exists(orphan.key)
    assert mail_archive_url().endswith("/vault/mail-archive")
