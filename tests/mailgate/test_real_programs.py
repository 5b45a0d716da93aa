"""What real mail programs send, through the running gateway (smtplib, swaks), seen as a clerk.

Outlook, Thunderbird, Apple Mail, Gmail and phones (tests.corpus.mails_real);
S/MIME signatures checked against a trust store directory, PGP recognised;
and the two attacks on sender authentication: a forged From never reaches a
customer's account, a forged return path never gets an acknowledgement.
"""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import translation
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department
from kammerpost.intake.models import InboundItem
from kammerpost.mailgate.models import MailMessage
from kammerpost.mailgate.server import MailGateway
from tests.backoffice.conftest import make_clerk, signed_in
from tests.corpus import mails, mails_auth, mails_real
from tests.mailgate.conftest import acknowledgements, send

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clamd, pytest.mark.timeout(300)]
PORTAL = "https://portal.hwk-musterstadt.example/"
BADGE = {
    "valid": "gültig",
    "unverifiable": "nicht prüfbar",
    "invalid": "ungültig",
    "unchecked": "PGP-signiert (nicht geprüft)",
}


@pytest.fixture
def trust(settings: SettingsWrapper, tmp_path: Path) -> Path:
    directory = mails_real.smime_pki().write_trust_dir(tmp_path / "smime-trust")
    settings.MAIL_SMIME_TRUST_DIR = str(directory)
    return directory


def _clerk_page(item: InboundItem, departments: dict[str, Department]) -> str:
    clerk = make_clerk("sb@hwk-musterstadt.example", departments["verwaltung"])
    response = signed_in(clerk).get(f"/intern/eingang/{item.reference}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("name", "build", "clerk"), mails_real.ACCEPTED, ids=[c[0] for c in mails_real.ACCEPTED]
)
def test_each_ordinary_mail_reaches_the_clerk_with_its_documents_and_signature(  # noqa: PLR0917
    gateway: MailGateway,
    mail_env: dict[str, str],
    departments: dict[str, Department],
    trust: Path,
    name: str,
    build: Callable[[], bytes],
    clerk: mails_real.Clerk,
) -> None:
    reply = send(gateway.port, build())
    assert reply.code == 250, reply
    item = InboundItem.objects.get()
    assert tuple(d.original_name for d in item.documents.order_by("position")) == clerk.documents
    mail = MailMessage.objects.get(item=item)
    assert mail.signature.get("status", "") == clerk.signature
    assert tuple(mail.omitted_images) == clerk.omitted
    assert clerk.text in item.text
    page = _clerk_page(item, departments)
    if clerk.signature:
        assert BADGE[clerk.signature] in page
    if clerk.signature in {"valid", "unverifiable", "invalid"}:
        signer = "jemand@example.net" if clerk.reason == "address" else mails.FROM
        assert f"E-Mail signiert von {signer}" in page
    for omitted in clerk.omitted:
        assert omitted in page


@pytest.mark.parametrize(
    ("name", "build", "expected"), mails_real.REFUSED, ids=[c[0] for c in mails_real.REFUSED]
)
def test_a_signature_never_lifts_a_rule_at_the_gateway(  # noqa: PLR0917
    gateway: MailGateway,
    mail_env: dict[str, str],
    departments: dict[str, Department],
    trust: Path,
    outbox: Path,
    name: str,
    build: Callable[[], bytes],
    expected: mails.Expected,
) -> None:
    reply = send(gateway.port, build())
    assert (reply.code, reply.enhanced) == (expected.code, expected.enhanced), reply
    for word in expected.words:
        assert word in reply.lower, (word, reply.text)
    assert PORTAL in reply.text
    assert not InboundItem.objects.exists()
    assert acknowledgements(outbox) == []


def test_the_clerk_reads_the_signature_badge_in_english_too(
    gateway: MailGateway, mail_env: dict[str, str], departments: dict[str, Department], trust: Path
) -> None:
    assert send(gateway.port, mails_real.smime_signed_by("stranger")()).code == 250
    item = InboundItem.objects.get()
    with translation.override("en"):
        clerk = make_clerk("sb@hwk-musterstadt.example", departments["verwaltung"])
        page = signed_in(clerk).get(f"/intern/eingang/{item.reference}/", HTTP_ACCEPT_LANGUAGE="en")
        text = page.content.decode()
    assert f"E-mail signed by {mails.FROM}: cannot be checked" in text
    assert "certificate not from a trusted authority" in text


def _raw_smtp(port: int, data: bytes) -> str:
    """An SMTP session over a bare socket: smtplib would repair the line ends."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        stream = sock.makefile("rb")

        def reply() -> str:
            lines = []
            while True:
                line = stream.readline().decode()
                lines.append(line)
                if line[3:4] != "-":
                    return "".join(lines)

        reply()
        for command in (
            b"EHLO client.example.org",
            f"MAIL FROM:<{mails.FROM}>".encode(),
            f"RCPT TO:<{mails.TO}>".encode(),
            b"DATA",
        ):
            sock.sendall(command + b"\r\n")
            reply()
        sock.sendall(data + b"\r\n.\r\n")
        return reply()


def test_bare_line_feeds_get_an_answer_that_names_them(
    gateway: MailGateway, mail_env: dict[str, str], departments: dict[str, Department]
) -> None:
    long_one = _raw_smtp(gateway.port, mails_real.bare_lf())  # > 1,000 bytes before any CRLF
    assert long_one.startswith("550"), long_one
    assert "bare line feed" in long_one and "1000" not in long_one
    short = _raw_smtp(gateway.port, b"From: a@example.org\nSubject: x\n\nHallo\n")
    assert short.startswith(("550 5.6.0", "550-5.6.0")), short
    assert "bare line feed" in short
    assert not InboundItem.objects.exists()


def test_swaks_delivers_a_signed_outlook_mail_with_its_signature_shown(
    gateway: MailGateway,
    mail_env: dict[str, str],
    departments: dict[str, Department],
    trust: Path,
    tmp_path: Path,
) -> None:
    data = tmp_path / "outlook.eml"
    data.write_bytes(mails_real.thunderbird_smime())
    done = subprocess.run(
        [
            shutil.which("swaks") or "/usr/bin/swaks",
            "--server",
            f"127.0.0.1:{gateway.port}",
            "--from",
            mails.FROM,
            "--to",
            mails.TO,
            "--helo",
            "client.example.org",
            "--data",
            str(data),
            "--timeout",
            "60",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "<-  250 2.0.0 Angenommen" in done.stdout, done.stdout
    item = InboundItem.objects.get()
    assert MailMessage.objects.get(item=item).signature["status"] == "valid"
    assert [d.original_name for d in item.documents.all()] == ["Unterlagen.pdf"]


# --- sender authentication: the two attacks ------------------------------------------------


def test_a_forged_from_naming_a_customer_is_not_filed_under_their_account(
    gateway: MailGateway,
    mail_env: dict[str, str],
    departments: dict[str, Department],
    outbox: Path,
) -> None:
    customer = User.objects.create_user("inhaber", email=mails_auth.CUSTOMER)
    # The attacker's server is allowed for the attacker's own domain only, and signs with it.
    raw = mails_auth.dkim_signed(
        mails_auth.letter(mails_auth.CUSTOMER), domain=mails_auth.ATTACKER_DOMAIN
    )
    reply = send(gateway.port, raw, mail_from=f"x@{mails_auth.ATTACKER_DOMAIN}")
    assert reply.code == 250  # the mail itself is fine; it just proves nothing
    item = InboundItem.objects.get()
    assert item.sender.user is None
    mail = MailMessage.objects.get(item=item)
    assert not mail.sender_verified
    assert "dmarc=fail" in mail.authentication
    assert not InboundItem.objects.filter(sender__user=customer).exists()
    assert "Absenderadresse nicht bestätigt" in _clerk_page(item, departments)


def test_a_forgery_links_nothing_and_the_customers_dmarc_aligned_mail_links_the_account(
    gateway: MailGateway,
    mail_env: dict[str, str],
    departments: dict[str, Department],
) -> None:
    customer = User.objects.create_user("inhaber", email=mails_auth.CUSTOMER)
    forged = mails_auth.letter(mails_auth.CUSTOMER, subject="gefälscht")
    assert send(gateway.port, forged, mail_from=f"x@{mails_auth.ATTACKER_DOMAIN}").code == 250
    forgery = InboundItem.objects.get(subject="gefälscht")
    assert forgery.sender.user is None  # the forged mail alone never links the account
    assert not InboundItem.objects.filter(sender__user=customer).exists()
    genuine = mails_auth.dkim_signed(mails_auth.letter(mails_auth.CUSTOMER, subject="echt"))
    assert send(gateway.port, genuine, mail_from=mails_auth.CUSTOMER).code == 250
    linked = InboundItem.objects.get(subject="echt")
    assert linked.sender.user == customer
    assert MailMessage.objects.get(item=linked).sender_verified
    assert not MailMessage.objects.get(item=forgery).sender_verified  # the clerk sees it


def test_a_valid_smime_signature_for_the_from_address_links_the_account(
    gateway: MailGateway,
    mail_env: dict[str, str],
    departments: dict[str, Department],
    trust: Path,
    settings: SettingsWrapper,
) -> None:
    # No SPF or DKIM at all (an unknown DNS name): the signature alone proves the address.
    customer = User.objects.create_user("mueller", email=mails.FROM)
    raw = mails_real.thunderbird_smime()
    assert send(gateway.port, raw, mail_from="bounce@unbekannt.example").code == 250
    item = InboundItem.objects.get()
    assert item.sender.user == customer
    assert MailMessage.objects.get(item=item).sender_verified


def test_backscatter_a_forged_return_path_gets_no_acknowledgement(
    gateway: MailGateway,
    mail_env: dict[str, str],
    departments: dict[str, Department],
    outbox: Path,
) -> None:
    # A victim's address as envelope sender; its domain does not allow loopback... it does
    # allow 127.0.0.1 for tischlerei-mueller.de, so the victim lives at a domain without SPF.
    victim = "opfer@unbekannt.example"
    subject = "Kaufen Sie jetzt: http://spam.example/"
    raw = mails.message(subject=subject, sender=f"<{victim}>")
    reply = send(gateway.port, raw, mail_from=victim)
    assert reply.code == 250
    assert acknowledgements(outbox) == []
    assert MailMessage.objects.get().acknowledgement == "unauthenticated"


def test_an_authenticated_sender_gets_an_acknowledgement_without_their_subject(
    gateway: MailGateway,
    mail_env: dict[str, str],
    departments: dict[str, Department],
    outbox: Path,
) -> None:
    subject = "Kaufen Sie jetzt: http://spam.example/"
    raw = mails_auth.dkim_signed(mails_auth.letter(mails_auth.CUSTOMER, subject=subject))
    assert send(gateway.port, raw, mail_from=mails_auth.CUSTOMER).code == 250
    [ack] = acknowledgements(outbox)
    parsed = email.message_from_bytes(ack, policy=email.policy.default)
    assert parsed["To"] == mails_auth.CUSTOMER
    assert "spam.example" not in ack.decode("utf-8", "replace")
    assert "Kaufen" not in str(parsed["Subject"])


def test_behind_postfix_only_the_trusted_mtas_results_count(
    gateway: MailGateway,
    mail_env: dict[str, str],
    departments: dict[str, Department],
    outbox: Path,
    settings: SettingsWrapper,
) -> None:
    settings.MAIL_TRUSTED_AUTHSERV_ID = "mx.hwk-musterstadt.example"
    settings.MAIL_DNS_RESOLVER = "127.0.0.1:9"  # must not be asked at all
    customer = User.objects.create_user("inhaber", email=mails_auth.CUSTOMER)
    results = (
        "Authentication-Results: mx.hwk-musterstadt.example; spf=pass "
        f"smtp.mailfrom={mails_auth.CUSTOMER}; dmarc=pass header.from={mails_auth.BUSINESS}\r\n"
    ).encode()
    assert (
        send(
            gateway.port,
            results + mails_auth.letter(mails_auth.CUSTOMER),
            mail_from=mails_auth.CUSTOMER,
        ).code
        == 250
    )
    assert InboundItem.objects.get().sender.user == customer
    assert len(acknowledgements(outbox)) == 1
    # A header some other server (or the sender) wrote proves nothing.
    forged = (
        "Authentication-Results: evil.example; spf=pass "
        f"smtp.mailfrom={mails_auth.CUSTOMER}; dmarc=pass header.from={mails_auth.BUSINESS}\r\n"
    ).encode()
    assert (
        send(
            gateway.port,
            forged + mails_auth.letter(mails_auth.CUSTOMER, subject="2"),
            mail_from=mails_auth.CUSTOMER,
        ).code
        == 250
    )
    assert not MailMessage.objects.get(item__subject="2").sender_verified
    assert len(acknowledgements(outbox)) == 1
