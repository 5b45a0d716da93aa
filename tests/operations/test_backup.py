"""`kammerpost backup create|restore|verify`: a filled system, restored into an empty one.

The system is filled through the channels' services (portal-like receive, the
operator CLI, a mail through the real gateway), backed up with the command,
then the database is replaced by an empty one and every key record is
removed from the vault: the blobs stay, as they would in S3. After the
restore every accepted document reads back through the vault with its
SHA-256, and the two shredded ones (before and after the backup) stay
unreadable.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from kammerpost.chamber.models import Department
from kammerpost.intake import services
from kammerpost.intake.models import Channel, Document, DocumentState, InboundItem
from kammerpost.mailgate.models import MailMessage
from kammerpost.mailgate.server import MailGateway
from kammerpost.operations.backup import vaults
from kammerpost.providers import registry
from kammerpost.vault import BlobNotFoundError, Vault, create_key_file
from tests.corpus import mails, misc, pdfs
from tests.mailgate.conftest import send
from tests.support import processes
from tests.support.s3 import S3Server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clamd, pytest.mark.timeout(600)]


@pytest.fixture(params=["file", "s3"])
def storage_env(
    request: pytest.FixtureRequest,
    intake_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[dict[str, str]]:
    """The intake's environment, with the blobs on disk or in S3 (moto_server on loopback)."""
    if request.param == "file":
        yield intake_env
        return
    server = S3Server(tmp_path / "moto")
    server.start()
    try:
        server.create_bucket("kammerpost-backup")
        keys = tmp_path / "vault-keys"
        keys.mkdir()
        create_key_file(keys)
        env = {
            **intake_env,
            **server.environment,
            "KAMMERPOST_VAULT_URL": server.url("kammerpost-backup", "prod"),
            "KAMMERPOST_VAULT_KEYS": str(keys),
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        registry.reset()
        yield env
    finally:
        registry.reset()
        server.stop()


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database of the engine the tests run on."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    s = connection.settings_dict
    name = f"kp_restore_{secrets.token_hex(4)}"
    params = {
        "host": s["HOST"] or "127.0.0.1",
        "port": s["PORT"] or 5432,
        "user": s["USER"],
        "password": s["PASSWORD"] or None,
        "dbname": "postgres",
    }
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    yield f"postgres://{auth}@{params['host']}:{params['port']}/{name}"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sha256(vault: Vault, key: str, expected: str) -> str:
    digest = hashlib.sha256()
    with vault.read(key, sha256=expected) as reader:
        for segment in reader:
            digest.update(segment)
    return digest.hexdigest()


def _fill(departments: dict[str, Department], env: dict[str, str], tmp_path: Path) -> None:
    services.inbound_item_receive(
        channel=Channel.PORTAL,
        department=departments["verwaltung"],
        sender=services.sender_for_address(email="portal@example.org"),
        files=[
            services.IncomingFile("brief.pdf", io.BytesIO(pdfs.clean())),
            services.IncomingFile("foto.png", io.BytesIO(misc.png())),
            services.IncomingFile("noch-ein-foto.png", io.BytesIO(misc.png(80, 60))),
        ],
    )
    scan = tmp_path / "scan.jpg"
    scan.write_bytes(misc.jpeg())
    received = processes.run(
        "receive", "--department", "verwaltung", "--from", "scan@example.org", str(scan), env=env
    )
    assert received.returncode == 0, received.stderr
    gateway = MailGateway("127.0.0.1", 0, threads=2)
    gateway.start()
    try:
        reply = send(gateway.port, mails.letter_with_pdf())
    finally:
        gateway.stop()
    assert reply.code == 250, reply.text
    for document in Document.objects.all():
        services.document_inspect(document_id=document.pk)
    channels = set(InboundItem.objects.values_list("channel", flat=True))
    assert channels == {Channel.PORTAL, Channel.OPERATOR, Channel.EMAIL}


def test_restore_into_an_empty_system_reads_every_accepted_document_and_no_shredded_one(
    storage_env: dict[str, str],
    departments: dict[str, Department],
    tmp_path: Path,
    empty_database: str,
) -> None:
    env = processes.command_env(**storage_env)
    _fill(departments, env, tmp_path)
    vault = services.intake_vault()
    accepted = dict(
        Document.objects.filter(state=DocumentState.ACCEPTED).values_list("vault_key", "sha256")
    )
    assert len(accepted) >= 5, accepted
    references = sorted(InboundItem.objects.values_list("reference", flat=True))
    # Shredded before the backup: key record and ciphertext gone, the document row deleted.
    shredded_before, shredded_after = sorted(accepted)[:2]
    vault.delete(shredded_before)
    Document.objects.filter(vault_key=shredded_before).delete()

    backup = tmp_path / "backup"
    created = processes.run("backup", "create", str(backup), env=env)
    assert created.returncode == 0, created.stderr
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"]["engine"] == connection.vendor
    listed = {d["key"]: d["sha256"] for d in manifest["documents"] if d["state"] == "accepted"}
    assert listed == {k: v for k, v in accepted.items() if k != shredded_before}
    assert manifest["vaults"]["intake"]["location"] == vault.backend.describe()
    assert len(manifest["vaults"]["intake"]["key_encryption_keys"]) == 1
    # The key-encryption keys themselves never go into a backup (raw or as in their files).
    kek_secrets = [kek.secret for kek in vault.keyring]
    backup_bytes = b"".join(p.read_bytes() for p in backup.rglob("*") if p.is_file())
    assert kek_secrets
    for secret in kek_secrets:
        assert secret not in backup_bytes and base64.b64encode(secret) not in backup_bytes

    # Shredded after the backup: the backup still has its key record, the blob is gone.
    vault.delete(shredded_after)
    # The empty system: a new database, and not one key record left in any vault.
    mail = MailMessage.objects.get()
    for each in vaults().values():
        for key, _ in list(each.backend.list_records()):
            each.backend.delete_record(key)
        assert not list(each.backend.list_records())
    restored_env = {**env, "KAMMERPOST_DATABASE_URL": empty_database}

    restored = processes.run("backup", "restore", str(backup), env=restored_env)
    assert restored.returncode == 0, restored.stderr
    assert "1 without blob" in restored.stdout, restored.stdout
    again = processes.run("backup", "restore", str(backup), env=restored_env)
    assert again.returncode != 0
    assert "not empty" in again.stderr

    verified = processes.run("backup", "verify", str(backup), env=restored_env)
    expected = len(accepted) - 2
    assert f"{expected} accepted documents verified" in verified.stdout, verified.stdout
    assert verified.returncode == 1
    assert verified.stderr.strip().endswith(f"1 unreadable: {shredded_after}")
    # Read back independently, byte for byte, through the vault.
    for key, sha256 in accepted.items():
        if key in {shredded_before, shredded_after}:
            with pytest.raises(BlobNotFoundError):
                vault.read(key)
            continue
        assert _sha256(vault, key, sha256) == sha256
    # The mail archive's raw message is back too.
    assert _sha256(vaults()["mail-archive"], mail.archive_key, mail.sha256) == mail.sha256
    # The restored database has every item, as the operator sees it.
    listing = processes.run("items", "list", "--json", env=restored_env)
    assert listing.returncode == 0, listing.stderr
    assert sorted(json.loads(line)["reference"] for line in listing.stdout.splitlines()) == (
        references
    )


def test_a_damaged_backup_is_refused_before_anything_is_restored(
    intake_env: dict[str, str],
    departments: dict[str, Department],
    tmp_path: Path,
    empty_database: str,
) -> None:
    env = processes.command_env(**intake_env)
    services.inbound_item_receive(
        channel=Channel.PORTAL,
        department=departments["verwaltung"],
        sender=services.sender_for_address(email="portal@example.org"),
        files=[services.IncomingFile("foto.png", io.BytesIO(misc.png()))],
    )
    backup = tmp_path / "backup"
    assert processes.run("backup", "create", str(backup), env=env).returncode == 0
    record = next((backup / "records" / "intake").iterdir())
    record.write_bytes(record.read_bytes().replace(b'"kek"', b'"KEK"'))
    refused = processes.run(
        "backup", "restore", str(backup), env={**env, "KAMMERPOST_DATABASE_URL": empty_database}
    )
    assert refused.returncode != 0
    assert "missing or damaged" in refused.stderr
    # Into a directory that holds something already, no backup is written.
    again = processes.run("backup", "create", str(backup), env=env)
    assert again.returncode != 0
    assert "not empty" in again.stderr
