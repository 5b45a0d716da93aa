"""``kammerpost exchange_sweep``: close expired exchanges, shred what retention makes due,
remove interrupted uploads past their expiry."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kammerpost.exchange import services
from kammerpost.exchange.tus import default_uploads, uploads_expired_remove


class Command(BaseCommand):
    help = (
        "Close expired cloud exchanges, crypto-shred the files of those past their "
        "department's retention, remove expired unfinished uploads; --loop to keep running."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", type=float, metavar="SECONDS")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            closed = services.exchanges_expired_close()
            shredded = services.exchanges_retention_shred()
            uploads = uploads_expired_remove(uploads=default_uploads())
            if closed or shredded or uploads:
                self.stdout.write(
                    f"closed {closed} exchanges, shredded {shredded}, "
                    f"removed {uploads} interrupted uploads"
                )
            if options["loop"] is None:
                return
            time.sleep(options["loop"])
