"""``kammerpost mailgate``: the SMTP gateway (policy.md 2), standalone or behind Postfix."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kammerpost.mailgate.server import MailGateway
from kammerpost.mailgate.services import mail_archive_orphans_remove


def _split_listen(value: str) -> tuple[str, int]:
    host, _, port = value.strip().rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise CommandError(f"listen address must be HOST:PORT, not {value!r}")
    return host, int(port)


class Command(BaseCommand):
    help = "Run the mail gateway (SMTP) on KAMMERPOST_MAILGATE_LISTEN (default 127.0.0.1:2525)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--listen", metavar="HOST:PORT", default=None)
        parser.add_argument(
            "--sweep-every",
            type=float,
            default=3600.0,
            metavar="SECONDS",
            help="look for orphaned raw messages this often (0: never)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = _split_listen(options["listen"] or settings.MAILGATE_LISTEN)
        gateway = MailGateway(host, port)
        stop = threading.Event()
        if options["sweep_every"] > 0:
            threading.Thread(
                target=self._sweep, args=(stop, options["sweep_every"]), daemon=True
            ).start()

        def terminate(signum: int, frame: object) -> None:
            stop.set()
            if gateway.loop is not None:
                gateway.loop.call_soon_threadsafe(gateway.loop.stop)

        signal.signal(signal.SIGTERM, terminate)
        signal.signal(signal.SIGINT, terminate)
        self.stdout.write(f"Kammerpost mail gateway on {host}:{port}")
        self.stdout.flush()
        gateway.serve()

    def _sweep(self, stop: threading.Event, every: float) -> None:
        while not stop.wait(every):
            try:
                removed = mail_archive_orphans_remove()
            except Exception:  # noqa: BLE001 - the next round tries again
                self.stderr.write("orphan sweep of the mail archive failed")
                continue
            if removed:
                self.stdout.write(f"removed {removed} orphaned raw messages")
