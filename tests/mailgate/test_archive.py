"""The mail archive: raw messages nobody points to are swept."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from kammerpost.chamber.models import Department
from kammerpost.intake.models import Channel, InboundItem
from kammerpost.intake.services import IncomingFile, inbound_item_receive, sender_for_address
from kammerpost.mailgate import services
from kammerpost.mailgate.models import MailMessage
from kammerpost.providers import MAIL_ARCHIVE, find_service, mail_archive_url
from kammerpost.vault import Vault
from tests.corpus import misc

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(mail_env: dict[str, str], departments: dict[str, Department]) -> InboundItem:
    received = inbound_item_receive(
        channel=Channel.EMAIL,
        department=departments["pruefungswesen"],
        sender=sender_for_address(email="azubi@example.org", display_name="Azubi"),
        files=[IncomingFile("zeugnis.png", io.BytesIO(misc.png()))],
        subject="Zeugnis",
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
