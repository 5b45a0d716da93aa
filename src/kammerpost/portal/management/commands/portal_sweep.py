"""``kammerpost portal_sweep``: shred the files of abandoned portal drafts (staged vault blobs)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kammerpost.portal.services import drafts_expired_remove


class Command(BaseCommand):
    help = (
        "Shred the files of portal drafts older than PORTAL_DRAFT_MAX_AGE_SECONDS; "
        "--loop to keep running."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", type=float, metavar="SECONDS")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            removed = drafts_expired_remove()
            if removed:
                self.stdout.write(f"shredded {removed} files of abandoned drafts")
            if options["loop"] is None:
                return
            time.sleep(options["loop"])
