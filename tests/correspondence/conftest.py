"""Correspondence fixtures: the real outbox, items from both channels, a clerk and a customer."""

from __future__ import annotations

import email
import email.policy
import io
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department
from kammerpost.intake.models import Channel, InboundItem, Sender
from kammerpost.intake.services import IncomingFile, inbound_item_receive, sender_for_address
from kammerpost.mailgate.models import MailMessage
from kammerpost.portal.models import Submission
from tests.accounts.conftest import make_user
from tests.corpus import misc
from tests.intake.conftest import departments, intake_env

__all__ = ["departments", "intake_env"]  # the intake's fixtures, shared here

PORTAL_URL = "https://portal.hwk-musterstadt.example/"
ORIGINAL_MESSAGE_ID = "<abc.123@example.org>"


@pytest.fixture
def outbox(tmp_path: Path, settings: SettingsWrapper) -> Path:
    """Outgoing mail as the embedded default writes it: one .eml file per message."""
    directory = tmp_path / "outbox"
    settings.MAILERS = {
        "default": {
            "BACKEND": "kammerpost.correspondence.outbox.OutboxEmailBackend",
            "OPTIONS": {"directory": str(directory)},
        }
    }
    return directory


def outbox_files(outbox: Path) -> list[bytes]:
    return [p.read_bytes() for p in sorted(outbox.glob("*.eml"))] if outbox.exists() else []


def parsed(raw: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


@pytest.fixture
def mail_settings(settings: SettingsWrapper) -> SettingsWrapper:
    settings.PORTAL_URL = PORTAL_URL
    settings.CHAMBER_DOMAIN = "hwk-musterstadt.example"
    return settings


@pytest.fixture
def email_item(
    intake_env: dict[str, str],
    departments: dict[str, Department],
    mail_settings: SettingsWrapper,
) -> InboundItem:
    """An item that came by e-mail (with the gateway's record of the original mail)."""
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
        message_id=ORIGINAL_MESSAGE_ID,
        envelope_from="azubi@example.org",
        received_at=received.received_at,
    )
    return received


@pytest.fixture
def customer(db: None) -> User:
    return make_user("kundin@example.org")


@pytest.fixture
def portal_item(
    intake_env: dict[str, str],
    departments: dict[str, Department],
    mail_settings: SettingsWrapper,
    customer: User,
) -> InboundItem:
    """An item the customer sent through the portal (its sender linked to her account)."""
    sender = sender_for_address(email=customer.email)
    Sender.objects.filter(pk=sender.pk).update(user=customer)

    def attach(item: InboundItem, documents: object) -> None:
        Submission.objects.create(item=item, user=customer)

    return inbound_item_receive(
        channel=Channel.PORTAL,
        department=departments["verwaltung"],
        sender=sender,
        files=[IncomingFile("antrag.png", io.BytesIO(misc.png()))],
        subject="Antrag",
        attach=attach,
    )


@pytest.fixture
def clerk(db: None) -> User:
    return make_user("sb@hwk-musterstadt.example", is_staff=True)
