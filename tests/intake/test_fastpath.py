"""The plaintext hand-over: same-host workers inspect what the receive stored, never other bytes."""

from __future__ import annotations

import io
import os
import stat
import time
from pathlib import Path
from typing import BinaryIO

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.chamber.models import Department
from kammerpost.intake import handover, services
from kammerpost.intake.models import Channel, Document, DocumentState, InboundItem
from kammerpost.privacy.models import AuditEvent
from kammerpost.providers import ServiceRegistry
from kammerpost.vault import Vault, vault_from_environment
from tests.corpus import misc
from tests.support.clamd import EICAR

pytestmark = [pytest.mark.django_db, pytest.mark.clamd]


class CountingVault(Vault):
    """The real vault, counting full read-backs (what the hand-over saves)."""

    read_backs = 0

    def copy_to(self, key: str, target: BinaryIO, *, sha256: str | None = None) -> int:
        type(self).read_backs += 1
        return super().copy_to(key, target, sha256=sha256)


@pytest.fixture
def vault(intake_env: dict[str, str], services: ServiceRegistry) -> CountingVault:
    real = vault_from_environment()
    counting = CountingVault(real.backend, real.keyring)
    CountingVault.read_backs = 0
    services.override(Vault, counting)
    return counting


@pytest.fixture
def spool(tmp_path: Path, settings: SettingsWrapper) -> Path:
    settings.INTAKE_HANDOVER_DIR = str(tmp_path / "handover")
    return tmp_path / "handover"


def _receive(department: Department, data: bytes, name: str = "foto.png") -> Document:
    item: InboundItem = services.inbound_item_receive(
        channel=Channel.PORTAL,
        department=department,
        sender=services.sender_for_address(email="meister@example.org"),
        files=[services.IncomingFile(name, io.BytesIO(data))],
    )
    return item.documents.get()


def test_a_worker_on_the_receiving_host_inspects_the_handed_over_bytes_without_reading_back(
    vault: CountingVault, spool: Path, departments: dict[str, Department]
) -> None:
    document = _receive(departments["verwaltung"], misc.png())
    handed = spool / document.vault_key
    assert handed.read_bytes() == misc.png()
    assert stat.S_IMODE(spool.stat().st_mode) == 0o700
    assert stat.S_IMODE(handed.stat().st_mode) == 0o600
    assert list(spool.iterdir()) == [handed]  # no partial file left

    assert services.document_inspect(document_id=document.pk) == DocumentState.ACCEPTED
    assert CountingVault.read_backs == 0
    assert not handed.exists()  # plaintext gone once used
    document.refresh_from_db()
    assert document.facts["av"]["scanned"] is True


def test_handed_over_bytes_that_differ_from_the_blob_are_never_decided_on(
    vault: CountingVault, spool: Path, departments: dict[str, Department]
) -> None:
    document = _receive(departments["verwaltung"], misc.png())
    # Same size, other bytes (EICAR padded): the scanner's hash no longer matches the blob's.
    eicar = EICAR.ljust(document.size, b" ")
    (spool / document.vault_key).write_bytes(eicar)
    assert services.document_inspect(document_id=document.pk) == DocumentState.ACCEPTED
    assert CountingVault.read_backs == 1  # decided on the stored bytes, read back


def test_no_verdict_when_the_blob_is_not_durably_there_even_with_the_plaintext_at_hand(
    vault: CountingVault, spool: Path, departments: dict[str, Department]
) -> None:
    document = _receive(departments["verwaltung"], misc.png())
    vault.backend.delete_blob(document.vault_key)  # the storage lost the ciphertext
    assert (spool / document.vault_key).exists()
    assert services.document_inspect(document_id=document.pk) == DocumentState.HELD
    document.refresh_from_db()
    assert [r["code"] for r in document.reasons] == ["storage.unavailable"]
    assert document.decided_at is None
    assert not AuditEvent.objects.filter(document=document, action="document.decided").exists()


def test_without_the_hand_over_the_worker_reads_back_as_on_another_host(
    vault: CountingVault,
    spool: Path,
    settings: SettingsWrapper,
    departments: dict[str, Department],
) -> None:
    document = _receive(departments["verwaltung"], misc.png())
    settings.INTAKE_HANDOVER_DIR = str(spool.parent / "elsewhere")  # the worker's host
    assert services.document_inspect(document_id=document.pk) == DocumentState.ACCEPTED
    assert CountingVault.read_backs == 1
    settings.INTAKE_HANDOVER_DIR = ""  # off: nothing is spooled at all
    other = _receive(departments["verwaltung"], misc.png(41, 30))
    assert services.document_inspect(document_id=other.pk) == DocumentState.ACCEPTED
    assert CountingVault.read_backs == 2


def test_stale_hand_over_is_not_used_and_removed(
    vault: CountingVault,
    spool: Path,
    settings: SettingsWrapper,
    departments: dict[str, Department],
) -> None:
    document = _receive(departments["verwaltung"], misc.png())
    handed = spool / document.vault_key
    old = time.time() - settings.INTAKE_HANDOVER_MAX_AGE_SECONDS - 5
    os.utime(handed, (old, old))
    assert handover.expired_remove() == 1
    assert not handed.exists()
    assert services.document_inspect(document_id=document.pk) == DocumentState.ACCEPTED
    assert CountingVault.read_backs == 1


def test_a_hand_over_directory_others_can_read_is_not_used(
    vault: CountingVault, spool: Path, departments: dict[str, Department]
) -> None:
    spool.mkdir(mode=0o755)
    spool.chmod(0o755)
    document = _receive(departments["verwaltung"], misc.png())
    assert list(spool.iterdir()) == []
    assert services.document_inspect(document_id=document.pk) == DocumentState.ACCEPTED
    assert CountingVault.read_backs == 1


def test_a_failed_receive_leaves_no_plaintext_behind(
    vault: CountingVault, spool: Path, departments: dict[str, Department]
) -> None:
    def refuse(item: InboundItem, documents: list[Document]) -> None:
        raise RuntimeError("the channel's rows could not be written")

    with pytest.raises(RuntimeError):
        services.inbound_item_receive(
            channel=Channel.PORTAL,
            department=departments["verwaltung"],
            sender=services.sender_for_address(email="meister@example.org"),
            files=[services.IncomingFile("foto.png", io.BytesIO(misc.png()))],
            attach=refuse,
        )
    assert list(spool.iterdir()) == []
    assert list(vault.keys()) == []
