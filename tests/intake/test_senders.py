"""One sender per address: the database enforces it, concurrent first contacts agree on it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from kammerpost.chamber.models import Department
from kammerpost.intake.models import InboundItem, Sender
from kammerpost.intake.services import sender_account_link, sender_for_account, sender_for_address
from kammerpost.privacy.models import CommunicationPreference
from kammerpost.privacy.selectors import communication_is_electronic
from kammerpost.privacy.services import (
    communication_preference_opt_out,
    communication_preference_record_electronic,
)
from tests.accounts.conftest import make_user


@pytest.mark.django_db
def test_an_address_differing_only_in_case_and_spaces_is_the_same_sender() -> None:
    first = sender_for_address(email="Meister@Example.org")
    assert sender_for_address(email="  meister@EXAMPLE.org ") == first
    assert first.email == "meister@example.org"
    # The database itself refuses a second row, also past the model's save().
    with pytest.raises(IntegrityError), transaction.atomic():
        Sender.objects.bulk_create([Sender(email=" MEISTER@example.org")])


@pytest.mark.django_db(transaction=True)
def test_two_first_contacts_at_once_make_one_sender_and_its_opt_out_covers_both() -> None:
    """On PostgreSQL the second create blocks on the first's uncommitted row and loses the race
    (IntegrityError in its savepoint, then it fetches); SQLite lets only one writer in at a time.
    """
    address = "neu@example.org"
    first_created = threading.Event()
    results: dict[str, int] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = sender_for_address(email=address).pk
                first_created.set()
                # Hold the uncommitted row while the second contact tries to create its own.
                threading.Event().wait(0.5)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            first_created.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            first_created.wait(10)
            with transaction.atomic():
                # Sees no committed sender yet, so it creates - and loses the race.
                results["second"] = sender_for_address(email=address.upper()).pk
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert results["first"] == results["second"]
    assert Sender.objects.filter(email=address).count() == 1

    communication_preference_opt_out(sender=Sender.objects.get(pk=results["first"]))
    # Every later mail from that address, however written, finds the opted-out sender.
    later = sender_for_address(email=" Neu@Example.ORG")
    communication_preference_record_electronic(sender=later, via="email")
    assert not communication_is_electronic(sender=later)


@pytest.mark.django_db
def test_an_account_is_linked_to_its_sender_in_one_place() -> None:
    user = make_user("kundin@example.org")
    sender = sender_for_address(email="Kundin@example.org")
    assert sender.user_id is None
    assert sender_account_link(sender=sender).user == user  # the one active account
    assert sender_for_account(user=user) == sender
    inactive = make_user("zwei@example.org")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    other = sender_for_address(email="zwei@example.org")
    assert sender_account_link(sender=other).user_id is None  # no active account


@pytest.mark.django_db(transaction=True)
def test_the_migration_merges_duplicate_senders_into_the_oldest(
    departments: dict[str, Department],
) -> None:
    before = ("intake", "0003_inbounditem_business")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old = executor.loader.project_state([before, ("privacy", "0002_communicationpreference")]).apps
    OldSender = old.get_model("intake", "Sender")
    OldItem = old.get_model("intake", "InboundItem")
    OldPreference = old.get_model("privacy", "CommunicationPreference")
    user = make_user("doppelt@example.org")
    now = timezone.now()
    oldest = OldSender.objects.create(email="Doppelt@Example.org")
    spaced = OldSender.objects.create(email=" doppelt@example.org ", user_id=user.pk)
    lower = OldSender.objects.create(email="doppelt@example.org", display_name="Doppelt")
    unrelated = OldSender.objects.create(email="anders@example.org")
    OldPreference.objects.create(
        sender=oldest, electronic=True, since=now - timedelta(days=2), via="email"
    )
    OldPreference.objects.create(sender=lower, opted_out_at=now - timedelta(days=1))
    department = departments["verwaltung"]
    for number, sender in enumerate([oldest, spaced, lower, unrelated]):
        OldItem.objects.create(
            reference=f"E-2026-9{number:05d}",
            channel="email",
            department_id=department.pk,
            sender=sender,
            received_at=now,
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert ("intake", "0005_sender_address_unique") in executor.recorder.applied_migrations()

    kept = Sender.objects.get(email="doppelt@example.org")
    assert kept.pk == oldest.pk
    assert (kept.user, kept.display_name) == (user, "Doppelt")
    assert Sender.objects.count() == 2
    assert InboundItem.objects.filter(sender=kept).count() == 3
    preference = CommunicationPreference.objects.get(sender=kept)
    assert preference.opted_out_at is not None and not preference.electronic  # opt-out wins
    assert not communication_is_electronic(sender=kept)
