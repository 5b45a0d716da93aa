"""The audit trail is append-only at the database: UPDATE and DELETE are refused.

Runs on PostgreSQL and on SQLite (KAMMERPOST_DATABASE_URL=sqlite:///...), with
raw SQL, so no application code stands between the statement and the trigger.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from kammerpost.accounts.models import User
from kammerpost.privacy.models import ANONYMISED_LABEL, AuditEvent
from kammerpost.privacy.services import audit_record
from tests.accounts.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AuditEvent:
    return audit_record(
        action="login.failed",
        actor_label="anna@example.org",
        detail={"email": "anna@example.org", "attempt": 2},
        ip_address="192.0.2.7",
    )


def refused(sql: str, params: list[object]) -> bool:
    """True if the database refuses the statement with the trigger's message."""
    with (
        pytest.raises(DatabaseError) as caught,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    return "append-only" in str(caught.value)


def test_the_engine_is_one_with_a_trigger() -> None:
    assert connection.vendor in {"postgresql", "sqlite"}


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "login.succeeded"),
        ("actor_label", "mallory"),
        ("created_at", "2020-01-01 00:00:00+00:00"),
        ("ip_address", "198.51.100.1"),
        ("detail", '{"attempt": 3}'),
    ],
)
def test_an_update_is_refused(event: AuditEvent, column: str, value: str) -> None:
    statement = f"UPDATE privacy_auditevent SET {column} = %s WHERE id = %s"  # noqa: S608 - fixed names
    assert refused(statement, [value, event.pk])
    after = AuditEvent.objects.get(pk=event.pk)
    assert (after.action, after.actor_label, after.ip_address) == (
        "login.failed",
        "anna@example.org",
        "192.0.2.7",
    )


def test_a_delete_is_refused(event: AuditEvent) -> None:
    assert refused("DELETE FROM privacy_auditevent WHERE id = %s", [event.pk])
    assert refused("DELETE FROM privacy_auditevent", [])
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_only_the_anonymising_update_passes(event: AuditEvent) -> None:
    AuditEvent.objects.filter(pk=event.pk).update(actor_label=ANONYMISED_LABEL, ip_address=None)
    AuditEvent.objects.filter(pk=event.pk).update(detail={"attempt": 2})  # the address leaves
    after = AuditEvent.objects.get(pk=event.pk)
    assert (after.actor_label, after.ip_address, after.detail) == (
        ANONYMISED_LABEL,
        None,
        {"attempt": 2},
    )
    assert after.action == "login.failed"
    # ... and nothing more: another key may not go, and the label may not become anything else.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(detail={})
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor_label="someone-else")


def test_deleting_an_account_keeps_its_events(db: None) -> None:
    user: User = make_user("weg@example.org")
    audit_record(action="login.succeeded", actor=user)
    User.objects.filter(pk=user.pk).delete()  # Django's SET_NULL is the allowed update
    event = AuditEvent.objects.get(action="login.succeeded")
    assert event.actor_id is None
    assert event.actor_label == user.username


@pytest.mark.django_db(transaction=True)
def test_flush_between_transactional_tests_still_empties_the_trail() -> None:
    # The teardown of this test flushes the database: on SQLite through
    # `kammerpost flush`, which alone may pass the DELETE trigger.
    audit_record(action="test.flushed")
    assert AuditEvent.objects.filter(action="test.flushed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_the_trail_is_empty() -> None:
    assert not AuditEvent.objects.filter(action="test.flushed").exists()
