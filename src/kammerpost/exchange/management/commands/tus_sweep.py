"""``kammerpost tus_sweep``: remove expired unfinished uploads with their vault segments."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kammerpost.exchange.tus import default_uploads, uploads_expired_remove


class Command(BaseCommand):
    help = (
        "Remove unfinished tus uploads past their expiry (TUS_UPLOAD_EXPIRY_SECONDS after"
        " the last chunk) with their encrypted segments; --loop to keep running."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", type=float, metavar="SECONDS")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            removed = uploads_expired_remove(uploads=default_uploads())
            if removed:
                self.stdout.write(f"removed {removed} expired uploads")
            if options["loop"] is None:
                return
            time.sleep(options["loop"])
