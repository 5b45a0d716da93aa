"""Readiness: can this instance do its work right now? Database, vault, queue, scanner.

``/ready`` answers 200 when every required check is "ok" and 503 otherwise,
so a load balancer takes an instance out that cannot store or queue; each
check's state is in the JSON. The reasons go to the log, not to the answer
(it is public and must not describe the internals). Every check is bounded
by a short timeout: a hung dependency must not hang the load balancer's probe.
The checks run in a small thread pool, so they cost one round trip each, in
parallel.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import connection, connections

from kammerpost.inspection import ClamdScanner
from kammerpost.providers import find_service
from kammerpost.vault import Vault

log = logging.getLogger("kammerpost.operations.ready")

# A key no blob has (vault keys are random hex): asking for it is a round trip to storage.
_PROBE_KEY = "0" * 32
_TIMEOUT = 2.0


class State(StrEnum):
    OK = "ok"
    DOWN = "down"
    NOT_CONFIGURED = "not_configured"


def _database() -> State:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return State.OK


def _vault() -> State:
    find_service(Vault).exists(_PROBE_KEY)
    return State.OK


def _queue() -> State:
    if settings.TASKS_BACKEND == "rq":
        import django_rq  # noqa: PLC0415 - installed only with the rq backend

        redis = django_rq.get_connection("default")
        redis.connection_pool.connection_kwargs.setdefault("socket_timeout", _TIMEOUT)
        redis.connection_pool.connection_kwargs.setdefault("socket_connect_timeout", _TIMEOUT)
        return State.OK if redis.ping() else State.DOWN
    # django-tasks-db: the queue is a table of the database.
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    DBTaskResult.objects.exists()
    return State.OK


def _scanner() -> State:
    if not settings.CLAMD_URL:
        return State.NOT_CONFIGURED
    scanner = ClamdScanner(settings.CLAMD_URL, timeout=_TIMEOUT)
    return State.OK if scanner.ping() else State.DOWN


CHECKS: dict[str, Callable[[], State]] = {
    "database": _database,
    "vault": _vault,
    "queue": _queue,
    "scanner": _scanner,
}


@dataclass(frozen=True)
class Check:
    name: str
    state: State
    required: bool

    @property
    def failing(self) -> bool:
        return self.required and self.state != State.OK


def _in_thread(check: Callable[[], State]) -> State:
    try:
        return check()
    finally:
        connections.close_all()  # only this pool thread's own connections


# All checks at once, each given _TIMEOUT: a storage that never answers (boto3 retries
# for minutes) counts as down, and the probe answers within about two seconds.
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="ready")


def readiness() -> list[Check]:
    optional = set(settings.OPERATIONS_READY_OPTIONAL)
    futures = {name: _POOL.submit(_in_thread, check) for name, check in CHECKS.items()}
    results = []
    for name, future in futures.items():
        try:
            state = future.result(timeout=_TIMEOUT)
        except FutureTimeoutError:
            log.warning("readiness check %s did not answer within %s s", name, _TIMEOUT)
            state = State.DOWN
        except Exception:
            log.exception("readiness check %s failed", name)
            state = State.DOWN
        if state != State.OK:
            log.warning("readiness: %s is %s", name, state)
        results.append(Check(name, state, required=name not in optional))
    return results
