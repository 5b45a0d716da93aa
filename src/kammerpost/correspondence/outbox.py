"""The embedded default for outgoing mail: one readable .eml file per message in ``var/outbox/``.

Without ``KAMMERPOST_SMTP_RELAY`` nothing leaves the machine; an operator
(or a test) reads the files. Each file appears whole or not at all: it is
written under a temporary name, fsynced and renamed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class OutboxEmailBackend(BaseEmailBackend):
    """Django mail backend (for ``MAILERS``) writing ``<directory>/<time>-<random>.eml``."""

    def __init__(self, *, directory: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.directory = Path(directory or settings.MAIL_OUTBOX_DIR)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            self._write(message.message().as_bytes())
        return len(email_messages)

    def _write(self, data: bytes) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.directory / f"{stamp}-{secrets.token_hex(4)}.eml"
        fd, temp_name = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            # The rename makes it appear whole; an acknowledgement lost with the
            # directory entry in a power cut is not worth another fsync per mail.
            Path(temp_name).replace(target)
        except BaseException:
            with contextlib.suppress(OSError):
                Path(temp_name).unlink()
            raise
        return target
