"""``kammerpost backup create|restore|verify DIR``: database and key records, together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kammerpost.operations.backup import (
    BackupError,
    backup_create,
    backup_restore,
    backup_verify,
)


class Command(BaseCommand):
    help = (
        "Back up the database and the vaults' key records into DIR, restore them into an empty"
        " system, or read every accepted document of a backup through the vault."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for action, text in (
            ("create", "write a backup into DIR (new or empty)"),
            ("restore", "restore DIR into an empty database; key records whose blob exists"),
            ("verify", "read every accepted document through the vault, check its SHA-256"),
        ):
            sub.add_parser(action, help=text).add_argument("directory", type=Path, metavar="DIR")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        try:
            if options["action"] == "create":
                manifest = backup_create(directory)
                records = sum(len(v["records"]) for v in manifest["vaults"].values())
                self.stdout.write(
                    f"{len(manifest['documents'])} documents, {records} key records -> {directory}"
                )
            elif options["action"] == "restore":
                result = backup_restore(directory)
                self.stdout.write(
                    f"database restored; key records: {result.records_restored} restored,"
                    f" {result.records_present} already there,"
                    f" {result.records_without_blob} without blob (shredded since)"
                )
            else:
                verified = backup_verify(directory)
                self.stdout.write(f"{verified.verified} accepted documents verified")
                if verified.unreadable:
                    raise CommandError(
                        f"{len(verified.unreadable)} unreadable: {', '.join(verified.unreadable)}"
                    )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
