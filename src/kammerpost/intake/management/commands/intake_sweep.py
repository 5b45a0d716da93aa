"""``kammerpost intake_sweep``: queue due documents again and remove orphaned blobs.

Run it periodically (the run command keeps one looping): it finds documents
whose queue entry got lost, whose worker died, or whose held retry is due.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kammerpost.intake.services import documents_due_enqueue, vault_orphans_remove


class Command(BaseCommand):
    help = "Queue due documents again and remove orphaned blobs; --loop to keep running."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop",
            type=float,
            metavar="SECONDS",
            help="repeat every SECONDS instead of running once",
        )
        parser.add_argument(
            "--orphans-every",
            type=int,
            default=60,
            metavar="N",
            help="with --loop: look for orphaned blobs every N rounds",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rounds = 0
        while True:
            queued = documents_due_enqueue()
            if options["loop"] is None or rounds % options["orphans_every"] == 0:
                removed = vault_orphans_remove()
                if removed:
                    self.stdout.write(f"removed {removed} orphaned blobs")
            if queued:
                self.stdout.write(f"queued {queued} documents")
            if options["loop"] is None:
                return
            rounds += 1
            time.sleep(options["loop"])
