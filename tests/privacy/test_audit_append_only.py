"""The database itself refuses to change or delete an audit event (security.md 25)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from kammerpost.accounts.models import User
from kammerpost.privacy.models import AuditEvent
from kammerpost.privacy.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "change",
    [
        {"action": "forged"},
        {"actor_label": "someone else"},
        {"detail": {"rewritten": True}},
        {"ip_address": "192.0.2.66"},
    ],
)
def test_an_update_of_an_audit_event_is_refused_by_the_database(change: dict[str, object]) -> None:
    event = audit_record(action="document.downloaded", actor_label="clerk", detail={"n": 1})
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(**change)
    event.refresh_from_db()
    assert (event.action, event.actor_label, event.detail) == (
        "document.downloaded",
        "clerk",
        {"n": 1},
    )


def test_a_delete_of_an_audit_event_is_refused_on_postgresql_and_sqlite_guards_updates() -> None:
    event = audit_record(action="item.received")
    if connection.vendor == "sqlite":
        # Django empties tables with DELETE between transactional tests on SQLite, so the
        # embedded setup's trigger guards UPDATE only (migration privacy.0006); prove it is there.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                ["privacy_auditevent_append_only"],
            )
            (sql,) = cursor.fetchone()
        assert "BEFORE UPDATE ON privacy_auditevent" in sql
        return
    assert connection.vendor == "postgresql"
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_deleting_the_user_keeps_the_event_and_only_unlinks_it() -> None:
    user = User.objects.create_user("u-gone", "gone@example.org", "p" * 16)
    event = audit_record(action="login.succeeded", actor=user)
    user.delete()
    event.refresh_from_db()
    assert event.actor_id is None and event.actor_label == "u-gone"
