"""Retention with the clock moved forward: exactly what is due goes, the vault can no longer
decrypt it, everything else stays (security.md 26)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department
from kammerpost.correspondence.models import Message
from kammerpost.intake.models import Channel, InboundItem, ItemStatus, Sender
from kammerpost.intake.services import intake_vault
from kammerpost.privacy.models import (
    AuditEvent,
    CommunicationPreference,
    OptOutLink,
    RetentionApplied,
)
from kammerpost.privacy.retention import months_after, retention_apply, retention_report
from kammerpost.privacy.services import (
    audit_record,
    communication_preference_record_electronic,
    opt_out_link_issue,
)
from kammerpost.vault import VaultError
from tests.backoffice.conftest import receive

pytestmark = pytest.mark.django_db

SECRET = b"Geheimer Inhalt 4711"


def close(item: InboundItem, when: datetime) -> None:
    with freeze_time(when):
        InboundItem.objects.filter(pk=item.pk).update(status=ItemStatus.DONE)
        audit_record(action="item.status_changed", item=item, detail={"to": "done"})


def readable(item: InboundItem) -> bool:
    vault = intake_vault()
    try:
        for document in item.documents.all():
            b"".join(vault.read(document.vault_key, sha256=document.sha256))
    except VaultError:
        return False
    return True


def test_months_after_keeps_the_day_or_takes_the_months_last() -> None:
    start = datetime(2026, 1, 31, 12, tzinfo=timezone.UTC)
    assert months_after(start, 1) == datetime(2026, 2, 28, 12, tzinfo=timezone.UTC)
    assert months_after(start, 36) == datetime(2029, 1, 31, 12, tzinfo=timezone.UTC)


def test_the_clock_moved_forward_deletes_exactly_what_is_due(
    departments: dict[str, Department], intake_env: dict[str, str]
) -> None:
    rolle = departments["handwerksrolle"]
    start = timezone.now()
    contact = receive(rolle, ("frage.txt", SECRET), channel=Channel.CONTACT, sender="a@example.org")
    mail = receive(rolle, ("antrag.txt", SECRET), sender="b@example.org")
    still_open = receive(
        rolle, ("offen.txt", SECRET), channel=Channel.CONTACT, sender="c@example.org"
    )
    Message.objects.create(item=contact, text="Meine persönliche Frage")
    communication_preference_record_electronic(sender=contact.sender, via="contact")
    close(contact, start)
    close(mail, start)

    # Five months on: nothing is due yet (contact requests: 6 months after closing).
    assert retention_report(now=start + timedelta(days=150)) == []

    later = start + timedelta(days=200)
    dry = retention_report(now=later)
    assert [row.reference for row in dry] == [contact.reference]
    assert readable(contact), "the dry run must not touch anything"

    with freeze_time(later):
        done = retention_apply(now=later)
    assert [row.reference for row in done] == [contact.reference]
    contact.refresh_from_db()
    assert not readable(contact)
    assert (contact.subject, contact.text) == ("", "")
    assert [d.original_name for d in contact.documents.all()] == ["(gelöscht)"]
    assert Message.objects.get(item=contact).text == ""
    sender = Sender.objects.get(pk=contact.sender_id)
    assert sender.email.endswith("@invalid") and sender.display_name == ""
    assert not CommunicationPreference.objects.filter(sender=sender).exists()
    # The mail (36 months) and the open request stay, readable and untouched.
    assert readable(mail) and readable(still_open)
    assert InboundItem.objects.get(pk=mail.pk).subject == "Unterlagen"
    # Audited without content; a second run finds nothing more.
    event = AuditEvent.objects.get(action="retention.applied")
    assert event.item_id == contact.pk and event.detail["documents"] == 1
    assert "Frage" not in str(event.detail)
    assert retention_apply(now=later) == []
    assert RetentionApplied.objects.count() == 1

    # Three years on, the mail is due as well.
    assert [r.reference for r in retention_apply(now=start + timedelta(days=3 * 366))] == [
        mail.reference
    ]
    assert not readable(mail) and readable(still_open)


def test_the_command_reports_in_a_dry_run_and_deletes_without_one(
    departments: dict[str, Department], intake_env: dict[str, str]
) -> None:
    item = receive(departments["verwaltung"], ("a.txt", SECRET), channel=Channel.CONTACT)
    close(item, timezone.now() - timedelta(days=400))
    out = StringIO()
    call_command("retention_apply", "--dry-run", stdout=out)
    assert item.reference in out.getvalue() and "1 Eingang/Eingänge fällig." in out.getvalue()
    assert readable(item)
    old_link = opt_out_link_issue(address="alt@example.org")
    OptOutLink.objects.filter(token_sha256=hashlib.sha256(old_link.encode()).hexdigest()).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    opt_out_link_issue(address="neu@example.org")
    out = StringIO()
    call_command("retention_apply", stdout=out)
    assert "gelöscht" in out.getvalue()
    assert not readable(item)
    assert list(OptOutLink.objects.values_list("address", flat=True)) == ["neu@example.org"]


def test_a_user_keeps_the_account_when_a_linked_sender_is_anonymised(
    departments: dict[str, Department], intake_env: dict[str, str]
) -> None:
    user = User.objects.create_user("u-x", "x@example.org", "p" * 16)
    item = receive(departments["verwaltung"], channel=Channel.CONTACT, sender="x@example.org")
    Sender.objects.filter(pk=item.sender_id).update(user=user)
    close(item, timezone.now() - timedelta(days=400))
    retention_apply()
    assert User.objects.filter(pk=user.pk).exists()
    assert Sender.objects.get(pk=item.sender_id).user is None
