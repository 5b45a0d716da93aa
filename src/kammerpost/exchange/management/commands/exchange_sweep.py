"""``kammerpost exchange_sweep``: close expired exchanges, shred what retention makes due.

Interrupted uploads past their expiry are ``tus_sweep``'s."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kammerpost.exchange import services


class Command(BaseCommand):
    help = (
        "Close expired cloud exchanges, crypto-shred the files of those past their "
        "department's retention; --loop to keep running."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", type=float, metavar="SECONDS")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            closed = services.exchanges_expired_close()
            shredded = services.exchanges_retention_shred()
            if closed or shredded:
                self.stdout.write(f"closed {closed} exchanges, shredded the files of {shredded}")
            if options["loop"] is None:
                return
            time.sleep(options["loop"])
