"""``kammerpost mailgate``: the SMTP gateway (policy.md 2), standalone or behind Postfix."""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

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
        parser.add_argument(
            "--processes",
            type=int,
            default=settings.MAILGATE_PROCESSES,
            metavar="N",
            help="gateway processes sharing the address (SO_REUSEPORT); default "
            "KAMMERPOST_MAILGATE_PROCESSES",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = _split_listen(options["listen"] or settings.MAILGATE_LISTEN)
        processes = max(1, int(options["processes"]))
        if processes > 1 and port == 0:
            raise CommandError("several processes need a fixed port")
        children = self._fork(processes - 1)
        gateway = MailGateway(host, port, reuse_port=processes > 1)
        stop = threading.Event()
        if options["sweep_every"] > 0 and (children or processes == 1):  # the parent sweeps
            threading.Thread(
                target=self._sweep, args=(stop, options["sweep_every"]), daemon=True
            ).start()

        def terminate(signum: int, frame: object) -> None:
            stop.set()
            for child in children:
                os.kill(child, signal.SIGTERM)
            if gateway.loop is not None:
                gateway.loop.call_soon_threadsafe(gateway.loop.stop)

        signal.signal(signal.SIGTERM, terminate)
        signal.signal(signal.SIGINT, terminate)
        self.stdout.write(f"Kammerpost mail gateway on {host}:{port}")
        self.stdout.flush()
        try:
            gateway.serve()
        finally:
            for child in children:
                os.waitpid(child, 0)

    def _fork(self, count: int) -> list[int]:
        """Start ``count`` more gateway processes; returns their pids (empty in a child)."""
        connections.close_all()  # a database connection must never be shared across a fork
        children: list[int] = []
        for _ in range(count):
            pid = os.fork()
            if pid == 0:
                return []
            children.append(pid)
        return children

    def _sweep(self, stop: threading.Event, every: float) -> None:
        while not stop.wait(every):
            try:
                removed = mail_archive_orphans_remove()
            except Exception:  # noqa: BLE001 - the next round tries again
                self.stderr.write("orphan sweep of the mail archive failed")
                continue
            if removed:
                self.stdout.write(f"removed {removed} orphaned raw messages")
