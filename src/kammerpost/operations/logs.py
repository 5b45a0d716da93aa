"""Structured logs: one JSON object per line, each carrying the request id of its work.

A request id is made where work enters the system (a web request, an SMTP
session, a scheduled job) and travels with it: in a context variable within
the process, as a task argument into the worker (``document_inspect_task``).
Every log record made while it is set carries it, so ``grep <id>`` follows one
item from the upload to its verdict across processes.

No personal data goes into a log line: callers log ids, reference numbers,
counts and codes, never addresses, names, subjects or file names (a test
greps a whole run's log output for them). The formatter also writes only the
fields below, never arbitrary ``extra`` attributes.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "kammerpost_request_id", default=""
)
# What we accept from a proxy's X-Request-ID or a task argument: no spaces, no
# control characters, nothing that could forge or split a log line.
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{8,64}")


def new_request_id() -> str:
    return secrets.token_hex(8)


def well_formed(value: str | None) -> str | None:
    return value if value and _WELL_FORMED.fullmatch(value) else None


def current_request_id() -> str:
    """The request id of the work this thread does now ("" outside any)."""
    return _request_id.get()


def request_id_begin() -> str:
    """Give the current context a new request id, for a context that lives as long as the
    work (an SMTP connection: asyncio copies it into the session's task)."""
    value = new_request_id()
    _request_id.set(value)
    return value


@contextlib.contextmanager
def request_context(request_id: str | None = None) -> Iterator[str]:
    """Run the block under ``request_id`` (a new one if it is missing or malformed)."""
    value = well_formed(request_id) or new_request_id()
    token = _request_id.set(value)
    try:
        yield value
    finally:
        _request_id.reset(token)


def run_in_request_context[T](request_id: str, function: Callable[..., T], /, **kwargs: Any) -> T:
    """Call ``function`` under ``request_id``: for pool threads, which start with no context."""
    with request_context(request_id):
        return function(**kwargs)


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", "process"[, "exception"]}``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or _request_id.get() or None,
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # json.dumps escapes CR/LF: one record is always one line.
        return json.dumps(entry, ensure_ascii=False, default=str)
