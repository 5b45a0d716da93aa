from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_audit_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    # The SQLite DELETE trigger of the audit trail asks this function (migration 0006);
    # only `kammerpost flush` replaces it, for the time it runs.
    if connection.vendor == "sqlite":
        connection.connection.create_function("kammerpost_audit_purging", 0, lambda: 0)


class PrivacyConfig(AppConfig):
    name = "kammerpost.privacy"
    verbose_name = "Datenschutz und Protokoll"

    def ready(self) -> None:
        connection_created.connect(_sqlite_audit_function, dispatch_uid="kammerpost-audit-sqlite")
