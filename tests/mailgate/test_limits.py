"""The gateway's limits are the policy table's; the environment sets only the parse time."""

from __future__ import annotations

import os
import subprocess
import sys

from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.inspection.policy import MAIL_LIMITS, policy_named
from kammerpost.mailgate.server import MailGateway
from kammerpost.mailgate.services import mail_limits


def test_the_gateway_uses_the_policy_tables_limits_with_the_configured_parse_time(
    settings: SettingsWrapper,
) -> None:
    settings.MAILGATE_PARSE_TIMEOUT = 3.0
    limits = mail_limits()
    assert limits.parse_timeout_s == 3.0
    assert limits.max_message_bytes == policy_named("email").limits.max_file_size
    for name in ("max_message_bytes", "max_depth", "max_parts", "max_recipients"):
        assert getattr(limits, name) == getattr(MAIL_LIMITS, name), name
    gateway = MailGateway("127.0.0.1", 0, threads=1)
    session = gateway._factory()
    try:
        # aiosmtpd answers SIZE= at MAIL and cuts DATA at this limit.
        assert session.data_size_limit == MAIL_LIMITS.max_message_bytes
    finally:
        session.loop.close()  # without a running gateway, aiosmtpd made a loop of its own
        gateway.executor.shutdown()


def _parse_timeout(**env: str) -> str:
    probe = "from django.conf import settings; print(settings.MAILGATE_PARSE_TIMEOUT)"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "kammerpost.settings"}
    environment.pop("KAMMERPOST_MAILGATE_PARSE_TIMEOUT", None)
    environment.update(env)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


def test_kammerpost_mailgate_parse_timeout_overrides_the_policy_default() -> None:
    assert _parse_timeout() == str(MAIL_LIMITS.parse_timeout_s)
    assert _parse_timeout(KAMMERPOST_MAILGATE_PARSE_TIMEOUT="7.5") == "7.5"
