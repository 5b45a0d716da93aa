"""The channel's rows and the intake's commit are one: no worker sees a half-written item.

Before, a channel committed the item through the intake, the inspection was
queued, and only then did the channel write its own rows and each
document's per-slot policy: a worker in between inspected under the
item-wide policy, and a crash in between lost the channel's rows.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.tasks.signals import task_enqueued
from django_tasks_db.models import DBTaskResult

from kammerpost.chamber.models import Department
from kammerpost.intake import services
from kammerpost.intake.models import Channel, Document, DocumentState, InboundItem, StagedBlob
from kammerpost.privacy.models import AuditEvent
from kammerpost.privacy.services import audit_record
from tests.corpus import misc
from tests.support import processes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clamd, pytest.mark.timeout(300)]


@pytest.fixture
def enqueued() -> Iterator[list[dict[str, Any]]]:
    """What the database looked like at the moment each inspection was queued."""
    seen: list[dict[str, Any]] = []

    def record(sender: object, task_result: Any, **kwargs: object) -> None:
        document = Document.objects.get(pk=task_result.args[0])
        seen.append(
            {
                "name": document.original_name,
                "policy": document.policy_name,
                "channel_row": AuditEvent.objects.filter(
                    item=document.item_id, action="channel.row"
                ).exists(),
            }
        )

    task_enqueued.connect(record, dispatch_uid="test-enqueued")
    yield seen
    task_enqueued.disconnect(dispatch_uid="test-enqueued")


@pytest.fixture
def db_worker(intake_env: dict[str, str]) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        processes.stop(process)


def test_documents_carry_their_slots_policy_and_are_queued_after_the_outermost_commit(
    intake_env: dict[str, str],
    departments: dict[str, Department],
    enqueued: list[dict[str, Any]],
    db_worker: list[subprocess.Popen[bytes]],
) -> None:
    jpeg = misc.jpeg()

    def attach(item: InboundItem, documents: list[Document]) -> None:
        # The channel's step: nothing is queued yet, and every policy is final.
        assert DBTaskResult.objects.count() == 0 and enqueued == []
        assert [d.policy_name for d in documents] == ["pdf-only", "default"]
        audit_record(action="channel.row", item=item)

    with transaction.atomic():  # a channel's own transaction around the receive
        item = services.inbound_item_receive(
            channel=Channel.PORTAL,
            department=departments["lehrlingsrolle"],
            sender=services.sender_for_address(email="betrieb@example.org"),
            files=[
                services.IncomingFile("vertrag.jpg", io.BytesIO(jpeg), policy_name="pdf-only"),
                services.IncomingFile("foto.jpg", io.BytesIO(jpeg)),
            ],
            policy_name="default",
            attach=attach,
        )
        assert DBTaskResult.objects.count() == 0  # still inside the outer transaction
    assert sorted(enqueued, key=lambda e: e["name"]) == [
        {"name": "foto.jpg", "policy": "default", "channel_row": True},
        {"name": "vertrag.jpg", "policy": "pdf-only", "channel_row": True},
    ]
    assert DBTaskResult.objects.count() == 2

    # A real worker runs the queued tasks: the same JPEG, each under its own policy.
    db_worker.append(
        processes.start(
            "db_worker",
            "--no-startup-delay",
            "--interval",
            "0.2",
            env=processes.command_env(**intake_env),
        )
    )
    processes.wait_until(
        lambda: item.documents.filter(decided_at__isnull=False).count() == 2, what="decisions"
    )
    contract, photo = item.documents.order_by("position")
    assert contract.state == DocumentState.REJECTED
    assert [r["code"] for r in contract.reasons] == ["format.not_allowed"]
    assert photo.state == DocumentState.ACCEPTED


def test_a_failing_channel_step_commits_nothing_and_removes_only_the_blobs_it_wrote(
    intake_env: dict[str, str], departments: dict[str, Department], enqueued: list[dict[str, Any]]
) -> None:
    staged = services.blob_stage(source=io.BytesIO(misc.png()), kind="portal.draft")

    def attach(item: InboundItem, documents: list[Document]) -> None:
        audit_record(action="channel.row", item=item)
        raise RuntimeError("the channel's own row could not be written")

    with pytest.raises(RuntimeError):
        services.inbound_item_receive(
            channel=Channel.PORTAL,
            department=departments["verwaltung"],
            sender=services.sender_for_address(email="betrieb@example.org"),
            files=[
                services.IncomingFile("neu.png", io.BytesIO(misc.png())),
                services.StoredFile("entwurf.png", staged),
            ],
            attach=attach,
        )
    assert not InboundItem.objects.exists() and not Document.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["channel.row", "item.received"]).exists()
    assert enqueued == [] and DBTaskResult.objects.count() == 0
    # The blob written for the receive is gone; the staged one is still its owner's.
    vault = services.intake_vault()
    assert [key for key, _ in vault.keys()] == [staged.key]  # noqa: SIM118
    assert StagedBlob.objects.filter(vault_key=staged.key).exists()


def test_documents_add_runs_the_channels_step_in_its_transaction(
    intake_env: dict[str, str], departments: dict[str, Department], enqueued: list[dict[str, Any]]
) -> None:
    item = services.inbound_item_receive(
        channel=Channel.EMAIL,
        department=departments["verwaltung"],
        sender=services.sender_for_address(email="betrieb@example.org"),
        files=[],
    )

    def attach(documents: list[Document]) -> None:
        assert DBTaskResult.objects.count() == 0
        assert [d.policy_name for d in documents] == ["pdf-only"]
        audit_record(action="channel.row", item=item)

    services.documents_add(
        item=item,
        files=[
            services.IncomingFile("antwort.pdf", io.BytesIO(b"%PDF-1.4"), policy_name="pdf-only")
        ],
        attach=attach,
    )
    assert enqueued == [{"name": "antwort.pdf", "policy": "pdf-only", "channel_row": True}]
