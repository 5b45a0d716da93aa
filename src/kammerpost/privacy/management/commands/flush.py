"""``kammerpost flush``: Django's flush, able to empty the append-only audit trail on SQLite.

On SQLite, flush deletes row by row, which the audit trail's trigger refuses
(migration 0006). For the time this command runs, and only on its own
connections, the trigger's function says "purging". PostgreSQL flushes with
TRUNCATE, which the row trigger does not see (it needs the table owner).
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        connection.ensure_connection()
        raw = connection.connection
        raw.create_function("kammerpost_audit_purging", 0, lambda: 1)
        try:
            super().handle(**options)
        finally:
            raw.create_function("kammerpost_audit_purging", 0, lambda: 0)
