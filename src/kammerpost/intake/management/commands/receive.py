"""``kammerpost receive``: files into the intake, for scanning stations and scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from kammerpost.chamber.selectors import DepartmentNotFoundError, department_by_slug
from kammerpost.intake.models import Channel
from kammerpost.intake.services import IncomingFile, inbound_item_receive, sender_for_address


class Command(BaseCommand):
    help = "Receive files as one inbound item and print its reference number."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--department", required=True, metavar="SLUG")
        parser.add_argument("--from", dest="sender", required=True, metavar="ADDRESS")
        parser.add_argument("--subject", default="")
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            department = department_by_slug(options["department"])
        except DepartmentNotFoundError:
            raise CommandError(
                f"Unbekannter Bereich / unknown department {options['department']!r}"
            ) from None
        try:
            validate_email(options["sender"])
        except ValidationError:
            raise CommandError(
                f"Keine gültige E-Mail-Adresse / not an address: {options['sender']!r}"
            ) from None
        paths = [Path(f) for f in options["files"]]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise CommandError(f"Keine lesbare Datei / not a readable file: {', '.join(missing)}")
        handles = [p.open("rb") for p in paths]
        try:
            item = inbound_item_receive(
                channel=Channel.OPERATOR,
                department=department,
                sender=sender_for_address(email=options["sender"]),
                files=[
                    IncomingFile(name=p.name, source=h) for p, h in zip(paths, handles, strict=True)
                ],
                subject=options["subject"],
                actor_label="operator",
            )
        finally:
            for handle in handles:
                handle.close()
        self.stdout.write(item.reference)
