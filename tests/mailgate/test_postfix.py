"""Production shape: Postfix receives and hands each session to the gateway (smtpd_proxy_filter)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kammerpost.chamber.models import Department
from kammerpost.intake.models import Channel, InboundItem
from kammerpost.mailgate.server import MailGateway
from tests.corpus import mails
from tests.mailgate.conftest import acknowledgements, send
from tests.support.postfix import Postfix

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clamd, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def postfix(gateway: MailGateway) -> Iterator[Postfix]:
    # Not below pytest's tmp_path: Postfix's daemons (user postfix) must reach the directory.
    root = Path(tempfile.mkdtemp(prefix="kammerpost-postfix-"))
    server = Postfix(root, gateway_port=gateway.port, domain=mails.DOMAIN)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def test_a_mail_breaking_a_rule_is_refused_to_the_client_with_the_gateways_text(
    postfix: Postfix, mail_env: dict[str, str], departments: dict[str, Department]
) -> None:
    reply = send(postfix.port, mails.html_iframe())
    assert (reply.code, reply.enhanced) == (550, "5.7.1"), (reply, postfix.log()[-2000:])
    assert "html without active content" in reply.lower
    assert "https://portal.hwk-musterstadt.example/" in reply.text
    assert not InboundItem.objects.exists()


def test_a_good_mail_through_postfix_lands_in_the_department_inbox(
    postfix: Postfix,
    mail_env: dict[str, str],
    departments: dict[str, Department],
    outbox: Path,
) -> None:
    reply = send(postfix.port, mails.letter_with_pdf())
    assert reply.code == 250, (reply, postfix.log()[-2000:])
    item = InboundItem.objects.get()
    assert item.channel == Channel.EMAIL
    assert item.department == departments["verwaltung"]
    assert item.reference in reply.text  # the gateway's 250 reaches the client
    assert len(acknowledgements(outbox)) == 1


def test_unknown_recipients_get_the_gateways_550_and_foreign_domains_postfixs(
    postfix: Postfix, mail_env: dict[str, str], departments: dict[str, Department]
) -> None:
    unknown = send(postfix.port, mails.plain_letter(), to=(f"niemand@{mails.DOMAIN}",))
    assert (unknown.code, unknown.enhanced) == (550, "5.1.1"), unknown
    relay = send(postfix.port, mails.plain_letter(), to=("someone@example.net",))
    assert relay.code == 554 and "relay access denied" in relay.lower
    assert not InboundItem.objects.exists()


def test_an_oversize_mail_is_refused_by_the_gateway_through_postfix(
    postfix: Postfix, mail_env: dict[str, str], departments: dict[str, Department]
) -> None:
    reply = send(postfix.port, mails.sized(int(20.1 * mails.MB)), size=False)
    assert (reply.code, reply.enhanced) == (552, "5.3.4"), (reply, postfix.log()[-2000:])
    assert "size limit" in reply.lower
