"""The SMTP side of the gateway (aiosmtpd): parse the session, call a service, answer.

All blocking work (database, vault, parser processes, virus scan) runs in a
thread pool, so the event loop keeps serving every other session while one
message is examined. aiosmtpd enforces the size limit and the line length
itself; ``GatewaySMTP`` only replaces its texts with ours (enhanced status
code, the rule, the portal address).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import close_old_connections, connections

from kammerpost.mailpolicy import (
    Answer,
    busy_answer,
    line_too_long_answer,
    size_answer,
    temporary_failure_answer,
    too_many_recipients_answer,
)
from kammerpost.operations import metrics
from kammerpost.operations.logs import request_id_begin

from .services import mail_limits, mail_receive, recipient_accept

log = logging.getLogger(__name__)
T = TypeVar("T")


class GatewaySMTP(SMTP):
    """aiosmtpd's session, with our answers for the limits it enforces itself."""

    def __init__(self, handler: GatewayHandler, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.gateway_handler = handler

    async def push(self, status: Any) -> None:
        text = status.decode("ascii", "replace") if isinstance(status, bytes) else str(status)
        portal = settings.PORTAL_URL
        if text.startswith(("552 Error: message size", "552 Error: Too much mail data")):
            status = size_answer(portal, mail_limits().max_message_bytes).line
        elif text.startswith("500 Line too long"):
            status = line_too_long_answer(portal).line
        metrics.smtp_answered(status)
        await super().push(status)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        request_id_begin()  # before the session's task is made: it copies this context
        super().connection_made(transport)
        if not self.gateway_handler.connection_opened():
            # Over the limit: say so and hang up before the session starts.
            if isinstance(transport, asyncio.WriteTransport):
                transport.write(busy_answer().line.encode() + b"\r\n")
                metrics.smtp_answered(busy_answer().line)
            transport.close()

    def connection_lost(self, error: Exception | None) -> None:
        self.gateway_handler.connection_closed()
        super().connection_lost(error)


def _guarded(function: Callable[..., Answer], /, **kwargs: Any) -> Answer:
    """Run a service in a pool thread with a healthy database connection; never raise."""
    close_old_connections()
    try:
        return function(**kwargs)
    except Exception:
        log.exception("gateway service %s failed", function.__name__)
        return temporary_failure_answer()
    finally:
        close_old_connections()


class GatewayHandler:
    """The aiosmtpd handler: hooks for RCPT and DATA, each handing over to a service."""

    def __init__(self, executor: ThreadPoolExecutor) -> None:
        self.executor = executor
        self._connections = 0
        self._lock = threading.Lock()

    def connection_opened(self) -> bool:
        with self._lock:
            self._connections += 1
            return self._connections <= settings.MAILGATE_MAX_CONNECTIONS

    def connection_closed(self) -> None:
        with self._lock:
            self._connections -= 1

    async def _run(self, function: Callable[..., Answer], **kwargs: Any) -> Answer:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            # The pool thread runs in this session's context: its request id goes along.
            self.executor,
            functools.partial(contextvars.copy_context().run, _guarded, function, **kwargs),
        )

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if len(envelope.rcpt_tos) >= mail_limits().max_recipients:
            return too_many_recipients_answer().line
        answer = await self._run(recipient_accept, address=address)
        if answer.accepted:
            envelope.rcpt_tos.append(address)
        return answer.line

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        peer = session.peer[0] if isinstance(session.peer, tuple) else None
        answer = await self._run(
            mail_receive,
            raw=raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogateescape"),
            envelope_from="" if envelope.mail_from in {None, "", "<>"} else envelope.mail_from,
            recipients=list(envelope.rcpt_tos),
            peer=peer,
        )
        return answer.line

    async def handle_exception(self, error: Exception) -> str:
        # aiosmtpd's default echoes the exception text to the client; we never do.
        log.error("SMTP session failed", exc_info=error)
        return temporary_failure_answer().line


class MailGateway:
    """The SMTP server on ``host:port``: ``start()`` runs it in a thread, ``serve()`` here."""

    def __init__(self, host: str, port: int, *, threads: int | None = None) -> None:
        self.host = host
        self.port = port
        self.threads = threads or settings.MAILGATE_THREADS
        self.executor = ThreadPoolExecutor(self.threads, thread_name_prefix="mailgate")
        self.handler = GatewayHandler(self.executor)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()

    def _factory(self) -> GatewaySMTP:
        return GatewaySMTP(
            self.handler,
            data_size_limit=mail_limits().max_message_bytes,
            enable_SMTPUTF8=True,
            hostname=settings.MAILGATE_HOSTNAME,
            ident="Kammerpost mail gateway",
            timeout=settings.MAILGATE_SESSION_TIMEOUT,
            loop=self.loop,
        )

    async def _open(self) -> None:
        self._server = await asyncio.get_running_loop().create_server(
            self._factory, self.host, self.port, reuse_address=True
        )
        sockets = self._server.sockets or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        log.info("mail gateway listening on %s:%s", self.host, self.port)

    def serve(self) -> None:
        """Run in the calling thread until interrupted."""
        self.loop = asyncio.new_event_loop()
        try:
            self.loop.run_until_complete(self._open())
            self._started.set()
            self.loop.run_forever()
        finally:
            self._shutdown()

    def start(self) -> None:
        """Run in a background thread; returns once the socket listens."""
        self._thread = threading.Thread(target=self.serve, name="mailgate-loop", daemon=True)
        self._thread.start()
        if not self._started.wait(30):
            raise RuntimeError("the mail gateway did not start")

    def stop(self) -> None:
        if self.loop is not None and self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        if self._thread is not None:
            self._thread.join(30)

    def _shutdown(self) -> None:
        if self.loop is None:
            return
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                self.loop.run_until_complete(self._server.wait_closed())
        for task in asyncio.all_tasks(self.loop):
            task.cancel()
        with contextlib.suppress(Exception):
            self.loop.run_until_complete(asyncio.sleep(0))
        self._close_thread_connections()
        self.executor.shutdown(wait=True)
        self.loop.close()

    def _close_thread_connections(self) -> None:
        """Every pool thread closes its own database connection (one task per thread)."""
        barrier = threading.Barrier(self.threads, timeout=10)

        def close_mine() -> None:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
            connections.close_all()

        futures = [self.executor.submit(close_mine) for _ in range(self.threads)]
        for future in futures:
            with contextlib.suppress(Exception):
                future.result(timeout=15)
