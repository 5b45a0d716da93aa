"""Start-up checks: production never runs on the embedded setup's demo signatures.

Django runs system checks before ``migrate``, ``db_worker`` and ``check
--deploy``; an error stops them. The demo database finds only the EICAR
test file, so documents "scanned" with it would be accepted unprotected.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from kammerpost.inspection import ClamdScanner
from kammerpost.inspection.antivirus import DEMO_DATABASE_TEXTS

# The check waits this long for clamd: it runs at every start of a command.
_CHECK_TIMEOUT_S = 5.0


@register(Tags.security)
def clamd_database_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not settings.PRODUCTION or not settings.CLAMD_URL:
        return []
    try:
        scanner = ClamdScanner(settings.CLAMD_URL, timeout=_CHECK_TIMEOUT_S)
    except ValueError as exc:
        return [Error(str(exc), id="kammerpost.E002")]
    version = scanner.version()
    if version is None:
        return [
            Warning(
                f"clamd unter {settings.CLAMD_URL} antwortet nicht: Dokumente bleiben "
                "zurückgehalten, bis er antwortet. / clamd does not answer: documents are "
                "held until it does.",
                hint="clamd starten (Debian clamav-daemon). / Start clamd.",
                id="kammerpost.W001",
            )
        ]
    if version.demo:
        de, en = DEMO_DATABASE_TEXTS
        return [
            Error(
                f"Der Virenscanner {settings.CLAMD_URL} läuft mit {de}. / The virus scanner "
                f"runs on {en}.",
                hint=(
                    "In Produktion clamd mit den offiziellen ClamAV-Signaturen betreiben "
                    "(freshclam) und KAMMERPOST_CLAMD darauf zeigen lassen. / In production, "
                    "run clamd with ClamAV's official signatures (freshclam) and point "
                    "KAMMERPOST_CLAMD at it."
                ),
                id="kammerpost.E001",
            )
        ]
    return []
