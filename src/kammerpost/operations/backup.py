"""Back up the database and the vaults' key records together; restore them into an empty system.

The blobs (ciphertext) stay where they are - in S3 or on disk, with that
storage's own replication or snapshots; a backup holds what is small and
irreplaceable: the database and every blob's key record. Without the key
records the blobs are unreadable, without the database nobody knows what
they are. The key-encryption keys are *not* in the backup: they must never
lie beside what they protect (keep the key files apart, e.g. offline).

Consistency: the database is dumped first, as one snapshot (PostgreSQL:
``pg_dump`` on an exported REPEATABLE READ snapshot, the document list read
in the same snapshot; SQLite: the online backup API). The key records are
copied after it. A document's key record is written before the document
row commits, so every document in the dump finds its record in the backup;
records of documents made later are extra and harmless.

Layout of a backup directory::

    manifest.json           what is in it (format below), with SHA-256 of every file
    database.pgdump         pg_dump --format=custom   (or database.sqlite3)
    records/<vault>/<key>   the key record of each blob, as stored

Restoring a key record whose blob is gone (shredded after the backup) is
skipped: it would open nothing, and a shredded document must stay unreadable.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from kammerpost.intake.models import Document
from kammerpost.providers import MAIL_ARCHIVE, find_service
from kammerpost.vault import BlobNotFoundError, Vault, VaultError
from kammerpost.vault.records import parse as parse_record

log = logging.getLogger("kammerpost.operations.backup")

FORMAT = 1
MANIFEST = "manifest.json"
RECORDS = "records"


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


def vaults() -> dict[str, Vault]:
    """Every vault whose key records belong in a backup, by name."""
    return {"intake": find_service(Vault), "mail-archive": find_service(Vault, name=MAIL_ARCHIVE)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env() -> dict[str, str]:
    """libpq's variables for the configured database: the password never on a command line."""
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGDATABASE": str(db["NAME"])}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if db.get(key):
            env[variable] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    sslmode = db.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is missing: install postgresql-client (Debian)")
    return found


def _run(args: list[str]) -> None:
    result = subprocess.run(
        args, env=_pg_env(), capture_output=True, text=True, check=False, timeout=24 * 3600
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()[-2000:]}")


Row = tuple[str, str, str]  # vault key, SHA-256, state


def _dump_postgresql(target: Path) -> list[Row]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ]
        )
        return list(Document.objects.order_by("pk").values_list("vault_key", "sha256", "state"))


def _dump_sqlite(target: Path) -> list[Row]:
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
    with sqlite3.connect(target) as copy:
        table = Document._meta.db_table
        return [
            (str(k), str(s), str(t))
            for k, s, t in copy.execute(
                f'SELECT vault_key, sha256, state FROM "{table}" ORDER BY id'  # noqa: S608 - our table name
            )
        ]


def _records(vault: Vault) -> Iterator[tuple[str, bytes]]:
    for key, _ in vault.backend.list_records():
        try:
            yield key, vault.backend.get_record(key)
        except BlobNotFoundError:
            continue  # deleted while we were copying


def backup_create(directory: Path) -> dict[str, Any]:
    """Write a backup into ``directory`` (new or empty); returns the manifest."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: give every backup a directory of its own")
    vendor = connection.vendor
    if vendor == "postgresql":
        dump = directory / "database.pgdump"
        rows = _dump_postgresql(dump)
    elif vendor == "sqlite":
        dump = directory / "database.sqlite3"
        rows = _dump_sqlite(dump)
    else:
        raise BackupError(f"no backup for database engine {vendor!r}")
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "database": {"engine": vendor, "file": dump.name, "sha256": _sha256(dump)},
        "vaults": {},
        "documents": [
            {"vault": "intake", "key": key, "sha256": sha256, "state": state}
            for key, sha256, state in rows
        ],
    }
    for name, vault in vaults().items():
        folder = directory / RECORDS / name
        folder.mkdir(parents=True, mode=0o700)
        records = []
        key_ids: set[str] = set()
        for key, raw in _records(vault):
            (folder / key).write_bytes(raw)
            records.append({"key": key, "sha256": hashlib.sha256(raw).hexdigest()})
            key_ids.add(parse_record(raw, key).kek_id)
        manifest["vaults"][name] = {
            "location": vault.backend.describe(),
            "key_encryption_keys": sorted(key_ids),
            "records": records,
        }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    log.info(
        "backup written: %d documents, %s key records",
        len(rows),
        {name: len(v["records"]) for name, v in manifest["vaults"].items()},
    )
    return manifest


def manifest_read(directory: Path) -> dict[str, Any]:
    """The manifest, after checking every file of the backup against its SHA-256."""
    try:
        manifest: dict[str, Any] = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{directory} holds no readable {MANIFEST}: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    dump = directory / manifest["database"]["file"]
    if not dump.is_file() or _sha256(dump) != manifest["database"]["sha256"]:
        raise BackupError(f"{dump.name} is missing or damaged (SHA-256 differs)")
    for name, entry in manifest["vaults"].items():
        for record in entry["records"]:
            path = directory / RECORDS / name / record["key"]
            if not path.is_file() or _sha256(path) != record["sha256"]:
                raise BackupError(f"key record {name}/{record['key']} is missing or damaged")
    return manifest


@dataclass(frozen=True)
class RestoreResult:
    records_restored: int
    records_present: int
    records_without_blob: int


def _database_empty() -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _restore_database(directory: Path, manifest: dict[str, Any]) -> None:
    engine = manifest["database"]["engine"]
    if engine != connection.vendor:
        raise BackupError(
            f"the backup is of a {engine} database,"
            f" KAMMERPOST_DATABASE_URL names {connection.vendor}"
        )
    if not _database_empty():
        raise BackupError(
            "the target database is not empty: restore into a new, empty database"
            " (createdb, or a new SQLite file)"
        )
    dump = directory / manifest["database"]["file"]
    if engine == "postgresql":
        connection.close()
        _run(
            [
                _tool("pg_restore"),
                "--no-password",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={settings.DATABASES['default']['NAME']}",
                str(dump),
            ]
        )
    else:
        connection.ensure_connection()
        with sqlite3.connect(dump) as source:
            source.backup(connection.connection)
        connection.close()


def backup_restore(directory: Path) -> RestoreResult:
    """Restore the database and the key records of ``directory`` into an empty system."""
    manifest = manifest_read(directory)
    targets = vaults()
    for name, entry in manifest["vaults"].items():
        if name not in targets:
            raise BackupError(f"the backup has key records of a vault {name!r} unknown here")
        here = targets[name].backend.describe()
        if here != entry["location"]:
            raise BackupError(
                f"the blobs of vault {name!r} were at {entry['location']}, the configuration"
                f" names {here}: point KAMMERPOST_VAULT_URL at the storage that holds them"
            )
    _restore_database(directory, manifest)
    restored = present = without_blob = 0
    for name, entry in manifest["vaults"].items():
        backend = targets[name].backend
        for record in entry["records"]:
            key = record["key"]
            if backend.record_exists(key):
                present += 1  # the store kept it (maybe newer: re-wrapped since)
            elif not backend.blob_exists(key):
                without_blob += 1  # shredded or removed since the backup: stays so
            else:
                backend.put_record(key, (directory / RECORDS / name / key).read_bytes())
                restored += 1
    log.info(
        "backup restored: %d key records restored, %d present, %d without blob",
        restored,
        present,
        without_blob,
    )
    return RestoreResult(restored, present, without_blob)


@dataclass(frozen=True)
class VerifyResult:
    verified: int
    unreadable: list[str]


def backup_verify(directory: Path) -> VerifyResult:
    """Read every accepted document of the backup through the vault and check its SHA-256."""
    manifest = manifest_read(directory)
    vault = vaults()["intake"]
    verified, unreadable = 0, []
    for document in manifest["documents"]:
        if document["state"] != "accepted":
            continue
        digest = hashlib.sha256()
        try:
            with vault.read(document["key"], sha256=document["sha256"]) as reader:
                for segment in reader:
                    digest.update(segment)
        except VaultError:
            unreadable.append(document["key"])
            continue
        if digest.hexdigest() != document["sha256"]:
            unreadable.append(document["key"])
        else:
            verified += 1
    return VerifyResult(verified, unreadable)
