"""``kammerpost retention_sweep``: erase the items whose retention period has run out."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kammerpost.privacy.retention import retention_due, retention_sweep
from kammerpost.privacy.services import opt_out_links_expired_remove


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now: not an ISO 8601 time: {value!r}") from exc
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = (
        "Crypto-shred the documents and anonymise the items whose retention period "
        "(privacy.RetentionRule) has passed; --dry-run lists them and deletes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list what is due, delete nothing"
        )
        parser.add_argument("--now", type=_moment, metavar="ISO", help="judge as of this time")
        parser.add_argument("--loop", type=float, metavar="SECONDS", help="run again and again")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            if options["dry_run"]:
                self._report(options["now"])
            else:
                report = retention_sweep(now=options["now"])
                # Expired opt-out links name an address and can no longer be used; judged
                # by the real clock (--now must not end links still valid today).
                links = opt_out_links_expired_remove()
                self.stdout.write(
                    f"erased {len(report.erased)} items, shredded {report.documents} documents, "
                    f"forgot {links} expired opt-out links"
                    + (
                        f"; failed (retried next run): {' '.join(report.failed)}"
                        if report.failed
                        else ""
                    )
                )
            if options["loop"] is None:
                return
            time.sleep(options["loop"])

    def _report(self, now: datetime | None) -> None:
        count = 0
        for due in retention_due(now=now):
            count += 1
            self.stdout.write(
                f"{due.item.reference}\t{due.item.department.slug}\t{due.item.procedure or '-'}"
                f"\t{due.item.channel}\t{due.rule.label_de} ({due.rule.months} Monate)"
                f"\tab {due.counted_from:%Y-%m-%d}\tfällig {due.due_at:%Y-%m-%d}"
                f"\t{due.documents} Dokumente"
            )
        self.stdout.write(f"dry run: {count} items would be erased; nothing was deleted")
