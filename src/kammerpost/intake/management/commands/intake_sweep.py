"""``kammerpost intake_sweep``: queue due documents again and remove orphaned blobs.

Run it periodically (the run command keeps one looping): it finds documents
whose queue entry got lost, whose worker died, or whose held retry is due.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections
from redis.exceptions import RedisError

from kammerpost.intake import handover
from kammerpost.intake.services import documents_due_enqueue, vault_orphans_remove

log = logging.getLogger(__name__)


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
            if options["loop"] is None:
                self._round(orphans=True)
                return
            # The sweep is what recovers from outages, so an outage must not end it: a
            # round that meets the database or the queue down is simply the next one's job.
            close_old_connections()
            try:
                self._round(orphans=rounds % options["orphans_every"] == 0)
            except (DatabaseError, RedisError, OSError) as exc:
                log.warning("intake sweep round failed, trying again: %s", exc)
            rounds += 1
            time.sleep(options["loop"])

    def _round(self, *, orphans: bool) -> None:
        queued = documents_due_enqueue()
        if orphans:
            removed = vault_orphans_remove()
            removed_plain = handover.expired_remove()
            if removed:
                self.stdout.write(f"removed {removed} orphaned blobs")
            if removed_plain:
                self.stdout.write(f"removed {removed_plain} stale plaintext hand-overs")
        if queued:
            self.stdout.write(f"queued {queued} documents")
