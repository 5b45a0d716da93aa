"""``kammerpost scheduled run NAME`` (a systemd timer's job) and ``kammerpost scheduled status``."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kammerpost.operations.jobs import JOBS, JobFailedError, job_run, jobs_status


class Command(BaseCommand):
    help = "Run a scheduled job and record its success, or show every job's last success."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="run one job; exit 1 if it failed")
        run.add_argument("name", choices=sorted(JOBS))
        status = sub.add_parser("status", help="every job's last success; exit 1 if any is stale")
        status.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "run":
            try:
                job_run(options["name"])
            except JobFailedError as exc:
                raise CommandError(f"{options['name']}: {exc}") from None
            return
        now = timezone.now()
        stale = []
        for status in jobs_status():
            age = status.age(now)
            row = {
                "job": status.job.name,
                "last_success": status.last_success_at.isoformat()
                if status.last_success_at
                else None,
                "last_failure": status.last_failure_at.isoformat()
                if status.last_failure_at
                else None,
                "age_seconds": None if age is None else round(age.total_seconds()),
                "max_age_seconds": round(status.job.max_age.total_seconds()),
                "stale": status.stale(now),
            }
            if row["stale"]:
                stale.append(status.job.name)
            if options["json"]:
                self.stdout.write(json.dumps(row))
            else:
                self.stdout.write(
                    f"{row['job']:<14} {'STALE' if row['stale'] else 'ok':<6} "
                    f"last success {row['last_success'] or 'never'}"
                )
        if stale:
            raise CommandError(f"stale: {', '.join(stale)}")
