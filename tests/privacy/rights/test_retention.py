"""Retention: a clock moved forward erases exactly what is due, and nothing else."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department
from kammerpost.correspondence.models import Message
from kammerpost.intake.models import Channel, Document, InboundItem, Sender
from kammerpost.intake.services import intake_vault
from kammerpost.mailgate.models import MailMessage
from kammerpost.privacy.erasure import ERASED_NAME
from kammerpost.privacy.models import AuditEvent, ItemErasure, OptOutLink, RetentionRule
from kammerpost.privacy.retention import months_after, retention_due, retention_sweep
from kammerpost.privacy.services import opt_out_link_issue
from kammerpost.providers import MAIL_ARCHIVE, find_service
from kammerpost.vault import Vault, VaultError

from .conftest import close, receive

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def readable(document: Document) -> bool:
    try:
        return b"".join(intake_vault().read(document.vault_key)) != b""
    except VaultError:
        return False


def test_months_after_keeps_the_calendar() -> None:
    start = timezone.now().replace(year=2026, month=8, day=31)
    assert months_after(start, 6).date().isoformat() == "2027-02-28"
    assert months_after(start, -8).date().isoformat() == "2025-12-31"
    assert months_after(start, 120).year == 2036


@pytest.fixture
def world(
    vault_env: object, departments: dict[str, Department], clerk: User
) -> dict[str, InboundItem]:
    """Items under three rules (seeded: 36 months, contact 6, exam registration 120)."""
    rolle = departments["handwerksrolle"]
    pruefung = departments["pruefungswesen"]
    items = {
        # contact request, closed: 6 months after closing
        "contact_closed": receive(
            departments["verwaltung"],
            channel=Channel.CONTACT,
            sender="carl@example.org",
            subject="Frage zu Carl",
            text="Ich heiße Carl Beispiel.",
        ),
        # contact request still open: never due
        "contact_open": receive(
            departments["verwaltung"],
            channel=Channel.CONTACT,
            sender="bert@example.org",
            subject="Offene Frage",
        ),
        # an e-mail with a file, closed: the general rule, 36 months
        "mail_closed": receive(rolle, ("anna.pdf", PDF), sender="anna@example.org"),
        # a department override of 6 months, with a file; Anna's second item
        "rolle_short": receive(rolle, ("anna-2.pdf", PDF), sender="anna@example.org"),
        # exam registration: the procedure's 120 months beat the department's 6
        "exam": receive(
            pruefung,
            ("zeugnis.pdf", PDF),
            sender="dora@example.org",
            procedure="pruefung-anmeldung",
            channel=Channel.PORTAL,
        ),
    }
    for key in ("contact_closed", "mail_closed", "rolle_short", "exam"):
        close(items[key], clerk)
    RetentionRule.objects.create(
        department=rolle,
        channel="",
        procedure="",
        months=12,
        label_de="Handwerksrolle",
        label_en="Register of crafts",
    )
    RetentionRule.objects.create(
        department=pruefung, months=6, label_de="Prüfungswesen", label_en="Examinations"
    )
    # Anna's older item moves to a department without an override: the general 36 months.
    InboundItem.objects.filter(pk=items["mail_closed"].pk).update(
        department=departments["lehrlingsrolle"]
    )
    Message.objects.create(item=items["rolle_short"], text="Meine Steuernummer ist 123.")
    return items


def test_the_clock_moved_forward_erases_exactly_what_is_due(world: dict[str, InboundItem]) -> None:
    documents = {key: list(item.documents.all()) for key, item in world.items()}
    assert all(readable(d) for docs in documents.values() for d in docs)

    with freeze_time(timezone.now() + timedelta(days=31 * 5)):
        assert retention_sweep().erased == []  # five months: nothing yet

    with freeze_time(timezone.now() + timedelta(days=31 * 13)):
        report = retention_sweep()

    # 13 months: the contact request (6) and the Handwerksrolle item (12) are due.
    assert sorted(report.erased) == sorted(
        [world["contact_closed"].reference, world["rolle_short"].reference]
    )
    assert report.documents == 1
    # The shredded document cannot be decrypted any more; everything else still can.
    assert not readable(documents["rolle_short"][0])
    assert readable(documents["mail_closed"][0])
    assert readable(documents["exam"][0])
    erased = InboundItem.objects.get(pk=world["contact_closed"].pk)
    assert (erased.subject, erased.text, erased.form_data) == ("", "", {})
    assert erased.reference == world["contact_closed"].reference
    assert erased.received_at == world["contact_closed"].received_at
    assert Document.objects.get(pk=documents["rolle_short"][0].pk).original_name == ERASED_NAME
    assert Message.objects.get(item=world["rolle_short"]).text == ""
    # Carl has nothing left: his address is gone. Anna still has an item: she stays.
    carl = Sender.objects.get(pk=world["contact_closed"].sender_id)
    assert carl.email.endswith("@anonym.invalid")
    assert Sender.objects.filter(email="anna@example.org").exists()
    untouched = InboundItem.objects.get(pk=world["contact_open"].pk)
    assert untouched.subject == "Offene Frage"
    assert not ItemErasure.objects.filter(item_id__in=[world["exam"].pk, world["mail_closed"].pk])
    # The audit trail says what went, never what it said or who it was.
    events = AuditEvent.objects.filter(action="item.erased")
    assert events.count() == 2
    trail = " ".join(str(e.detail) + e.actor_label for e in AuditEvent.objects.all())
    assert "carl@example.org" not in trail
    assert "Carl" not in trail

    # Running again erases nothing twice.
    with freeze_time(timezone.now() + timedelta(days=31 * 13)):
        assert retention_sweep().erased == []


def test_the_dry_run_lists_what_is_due_and_deletes_nothing(
    world: dict[str, InboundItem], capsys: pytest.CaptureFixture[str]
) -> None:
    later = (timezone.now() + timedelta(days=31 * 13)).isoformat()
    call_command("retention_sweep", "--dry-run", "--now", later)
    out = capsys.readouterr().out
    assert world["contact_closed"].reference in out
    assert world["rolle_short"].reference in out
    assert world["exam"].reference not in out
    assert "2 items would be erased" in out
    assert not ItemErasure.objects.exists()
    assert all(readable(d) for item in world.values() for d in item.documents.all())
    assert InboundItem.objects.get(pk=world["contact_closed"].pk).subject == "Frage zu Carl"

    with freeze_time(timezone.now() - timedelta(days=400)):
        opt_out_link_issue(address="alt@example.org")
    opt_out_link_issue(address="neu@example.org")
    call_command("retention_sweep", "--now", later)
    assert "erased 2 items, shredded 1 documents" in capsys.readouterr().out
    # The run also forgets opt-out links past their validity: they name an address.
    assert list(OptOutLink.objects.values_list("address", flat=True)) == ["neu@example.org"]


def test_an_item_counts_from_its_last_closing(world: dict[str, InboundItem], clerk: User) -> None:
    from kammerpost.backoffice.services import item_status_set

    item = world["contact_closed"]
    with freeze_time(timezone.now() + timedelta(days=31 * 4)):
        item_status_set(actor=clerk, item=item, status="in_progress")
        close(item, clerk)  # reopened and closed again four months later
    due = {d.item.reference for d in retention_due(now=timezone.now() + timedelta(days=31 * 7))}
    assert item.reference not in due
    due = {d.item.reference for d in retention_due(now=timezone.now() + timedelta(days=31 * 11))}
    assert item.reference in due


def test_a_shared_raw_mail_goes_with_the_last_item_that_names_it(
    vault_env: object, departments: dict[str, Department], clerk: User
) -> None:
    archive = find_service(Vault, name=MAIL_ARCHIVE)
    blob = archive.write(io.BytesIO(b"From: eva@example.org\r\n\r\nHallo\r\n"))
    first = receive(departments["handwerksrolle"], sender="eva@example.org")
    second = receive(departments["pruefungswesen"], sender="eva@example.org")
    for item in (first, second):
        MailMessage.objects.create(
            item=item,
            archive_key=blob.key,
            size=blob.size,
            sha256=blob.sha256,
            message_id="<1@example.org>",
            envelope_from="eva@example.org",
            recipients=["a@hwk.example"],
            peer="192.0.2.1",
            received_at=timezone.now(),
        )
    close(first, clerk)
    RetentionRule.objects.create(
        department=departments["handwerksrolle"], months=1, label_de="x", label_en="x"
    )
    with freeze_time(timezone.now() + timedelta(days=40)):
        assert retention_sweep().erased == [first.reference]
    gone = MailMessage.objects.get(item=first)
    assert (gone.archive_key, gone.envelope_from, gone.peer) == ("", "", None)
    assert b"".join(archive.read(blob.key))  # the other department still keeps it
    assert Sender.objects.filter(email="eva@example.org").exists()

    close(second, clerk)
    RetentionRule.objects.create(
        department=departments["pruefungswesen"], months=1, label_de="y", label_en="y"
    )
    with freeze_time(timezone.now() + timedelta(days=40)):
        assert retention_sweep().erased == [second.reference]
    with pytest.raises(VaultError):
        b"".join(archive.read(blob.key))
    assert not Sender.objects.filter(email="eva@example.org").exists()
    # The gateway's events named the sender by address: anonymised, not deleted.
    assert not AuditEvent.objects.filter(actor_label="eva@example.org").exists()
