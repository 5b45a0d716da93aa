"""Moving the thread from the portal to correspondence keeps every message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps
from django.utils import timezone

BEFORE = [("portal", "0002_submission_business_to_item"), ("correspondence", None)]


def _migrate(targets: list[tuple[str, str | None]]) -> StateApps:
    """Migrate to ``targets``; the models as they are there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    nodes = [(app, name) for app, name in targets if name is not None]
    return MigrationExecutor(connection).loader.project_state(nodes).apps


@pytest.fixture
def latest() -> Iterator[list[tuple[str, str]]]:
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    yield targets
    _migrate(targets)  # whatever the test did, the database ends up current


@pytest.mark.django_db(transaction=True)
def test_messages_and_attachments_survive_the_move(latest: list[tuple[str, str]]) -> None:
    old = _migrate(BEFORE)
    department = old.get_model("chamber", "Department").objects.create(
        slug="umzug", name="Umzug", mailbox="umzug"
    )
    sender = old.get_model("intake", "Sender").objects.create(email="kunde@example.org")
    now = timezone.now()
    item = old.get_model("intake", "InboundItem").objects.create(
        reference="E-2026-999999",
        channel="portal",
        department=department,
        sender=sender,
        received_at=now,
    )
    document = old.get_model("intake", "Document").objects.create(
        item=item,
        position=1,
        original_name="nachtrag.pdf",
        size=1,
        sha256="0" * 64,
        vault_key="0" * 32,
        received_at=now,
    )
    message = old.get_model("portal", "Message").objects.create(item=item, text="Hallo")
    old.get_model("portal", "MessageAttachment").objects.create(message=message, document=document)

    new = _migrate(latest)
    moved = new.get_model("correspondence", "Message").objects.get()
    assert (moved.pk, moved.item_id, moved.text) == (message.pk, item.pk, "Hallo")
    attachment = new.get_model("correspondence", "MessageAttachment").objects.get()
    assert (attachment.message_id, attachment.document_id) == (moved.pk, document.pk)
    tables = connection.introspection.table_names()
    assert "correspondence_message" in tables and "portal_message" not in tables
    # New rows continue the old numbering.
    later = new.get_model("correspondence", "Message").objects.create(item_id=item.pk, text="2")
    assert later.pk > moved.pk
