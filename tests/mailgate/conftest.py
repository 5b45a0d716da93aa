from __future__ import annotations

import atexit
import functools
import smtplib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.mailgate import services
from kammerpost.mailgate.server import MailGateway
from tests.corpus.mails import FROM, TO
from tests.corpus.mails_auth import dns_server
from tests.correspondence.conftest import outbox
from tests.correspondence.conftest import outbox_files as acknowledgements
from tests.intake.conftest import departments, intake_env

__all__ = ["acknowledgements", "departments", "intake_env", "outbox"]  # shared fixtures


@dataclass(frozen=True)
class Reply:
    code: int
    text: str  # the reply lines joined, enhanced codes included

    @property
    def enhanced(self) -> str:
        return self.text.split(" ", 1)[0]

    @property
    def lower(self) -> str:
        return self.text.lower()


def send(
    port: int,
    data: bytes,
    *,
    mail_from: str = FROM,
    to: tuple[str, ...] = (TO,),
    size: bool = True,
) -> Reply:
    """One SMTP transaction with Python's smtplib; the first failing reply, or the final one."""
    with smtplib.SMTP("127.0.0.1", port, timeout=120) as client:
        client.ehlo("client.example.org")
        options = [f"SIZE={len(data)}"] if size else []
        code, text = client.mail(mail_from, options)
        if code != 250:
            return Reply(code, text.decode())
        for address in to:
            code, text = client.rcpt(address)
            if code not in (250, 251):
                return Reply(code, text.decode())
        code, text = client.data(data)
        return Reply(code, text.decode())


@pytest.fixture(scope="module")
def gateway() -> Iterator[MailGateway]:
    """The gateway as a real SMTP server on a free loopback port, for this module's tests."""
    server = MailGateway("127.0.0.1", 0, threads=6)
    server.start()
    yield server
    server.stop()
    services.parser_pool_close()


@functools.cache
def loopback_dns() -> str:
    """The test domains' SPF, DKIM and DMARC records on a loopback DNS server (dnslib).

    One per test process, started on first use and stopped at exit; a plain
    function rather than a fixture, so modules that borrow ``mail_env`` need
    nothing else.
    """
    context = dns_server()
    address, _ = context.__enter__()
    atexit.register(context.__exit__, None, None, None)
    return address


@pytest.fixture
def mail_env(intake_env: dict[str, str], outbox: Path, settings: SettingsWrapper) -> dict[str, str]:
    """A private vault and mail archive, the real clamd, acknowledgements into ``outbox``.

    Sender authentication asks the loopback DNS server only.
    """
    settings.PORTAL_URL = "https://portal.hwk-musterstadt.example/"
    settings.CHAMBER_DOMAIN = "hwk-musterstadt.example"
    settings.MAIL_DNS_RESOLVER = loopback_dns()
    settings.MAIL_TRUSTED_AUTHSERV_ID = ""
    return intake_env
