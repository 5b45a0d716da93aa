"""``kammerpost retention_apply [--dry-run]``: delete what the retention rules say is due.

Run it daily (cron or a systemd timer); ``--dry-run`` prints the same list
and deletes nothing, for administrators to check before the first run.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kammerpost.privacy.retention import retention_apply, retention_report
from kammerpost.privacy.services import opt_out_links_expired_remove


class Command(BaseCommand):
    help = "Delete items whose retention period has run out (documents crypto-shredded)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only report what is due")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        rows = retention_report() if dry_run else retention_apply()
        verb = "fällig" if dry_run else "gelöscht"
        for row in rows:
            self.stdout.write(
                f"{row.reference}\t{row.rule}\tfällig seit {row.due_at:%Y-%m-%d}\t"
                f"{row.documents} Dokument(e)\t{verb}"
            )
        self.stdout.write(f"{len(rows)} Eingang/Eingänge {verb}.")
        if not dry_run:
            links = opt_out_links_expired_remove()
            self.stdout.write(f"{links} abgelaufene Widerspruchslinks entfernt.")
