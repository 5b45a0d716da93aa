"""The gateway as a real SMTP server, driven by Python's smtplib: every rule, end to end."""

from __future__ import annotations

import email
import email.policy
import hashlib
import socket
import threading
import time
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department
from kammerpost.intake import services as intake_services
from kammerpost.intake.models import Channel, DocumentState, InboundItem
from kammerpost.mailgate import services
from kammerpost.mailgate.models import MailMessage
from kammerpost.mailgate.server import MailGateway
from kammerpost.privacy.models import CommunicationPreference
from kammerpost.privacy.services import communication_preference_opt_out
from kammerpost.providers import MAIL_ARCHIVE, ServiceRegistry, find_service
from kammerpost.vault import Vault
from tests.corpus import mails
from tests.mailgate.conftest import Reply, acknowledgements, send

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clamd, pytest.mark.timeout(300)]
SMALL_CASES = [c for c in mails.CASES if "parts" not in c[0] and "nesting" not in c[0]]


@pytest.mark.parametrize(
    ("name", "build", "expected"), mails.CASES, ids=[c[0] for c in mails.CASES]
)
def test_each_corpus_mail_gets_the_answer_of_its_rule(  # noqa: PLR0917 - fixtures
    gateway: MailGateway,
    mail_env: dict[str, str],
    departments: dict[str, Department],
    outbox: Path,
    name: str,
    build: object,
    expected: mails.Expected | None,
) -> None:
    reply = send(gateway.port, build())  # type: ignore[operator]
    if expected is None:
        assert reply.code == 250, reply
        item = InboundItem.objects.get()
        assert item.channel == Channel.EMAIL
        assert item.department == departments["verwaltung"]
        assert item.reference in reply.text
        assert len(acknowledgements(outbox)) == 1
        return
    assert (reply.code, reply.enhanced) == (expected.code, expected.enhanced), reply
    for word in expected.words:
        assert word in reply.lower, (word, reply.text)
    assert "https://portal.hwk-musterstadt.example/" in reply.text
    assert not InboundItem.objects.exists()
    assert acknowledgements(outbox) == []


def test_accepted_mail_is_stored_with_its_raw_message_text_and_attachments(
    gateway: MailGateway, mail_env: dict[str, str], departments: dict[str, Department]
) -> None:
    raw = mails.letter_with_picture_and_docx()
    assert send(gateway.port, raw).code == 250
    item = InboundItem.objects.get()
    assert "Handwerksrolle" in item.text
    assert item.subject == "Antrag auf Eintragung"
    assert [d.original_name for d in item.documents.all()] == ["foto.jpg", "lebenslauf.docx"]
    archived = MailMessage.objects.get(item=item)
    assert archived.envelope_from == mails.FROM
    assert archived.sha256 == hashlib.sha256(raw).hexdigest()
    stored = b"".join(
        find_service(Vault, name=MAIL_ARCHIVE).read(archived.archive_key, sha256=archived.sha256)
    )
    assert stored == raw
    assert item.sender.email == mails.FROM
    assert item.sender.display_name == "Max Müller"


def test_the_pipeline_then_decides_the_attachments_of_an_accepted_mail(
    gateway: MailGateway, mail_env: dict[str, str], departments: dict[str, Department]
) -> None:
    assert send(gateway.port, mails.letter_with_pdf()).code == 250
    document = InboundItem.objects.get().documents.get()
    assert intake_services.document_inspect(document_id=document.pk) == DocumentState.ACCEPTED


def test_unknown_recipients_and_other_domains_are_refused_at_rcpt(
    gateway: MailGateway, mail_env: dict[str, str], departments: dict[str, Department]
) -> None:
    for address in ("niemand@hwk-musterstadt.example", "verwaltung@example.org", "x@y"):
        reply = send(gateway.port, mails.plain_letter(), to=(address,))
        assert (reply.code, reply.enhanced) == (550, "5.1.1"), reply
        assert "unknown recipient" in reply.lower
    Department.objects.filter(slug="verwaltung").update(is_active=False)
    assert send(gateway.port, mails.plain_letter()).code == 550
    assert not InboundItem.objects.exists()


def test_more_recipients_than_the_limit_are_refused_at_rcpt(
    gateway: MailGateway, mail_env: dict[str, str], departments: dict[str, Department]
) -> None:
    limit = services.mail_limits().max_recipients
    reply = send(gateway.port, mails.plain_letter(), to=(mails.TO,) * (limit + 1))
    assert (reply.code, reply.enhanced) == (452, "4.5.3"), reply
    assert "too many recipients" in reply.lower
    assert send(gateway.port, mails.plain_letter(), to=(mails.TO,) * limit).code == 250
    assert InboundItem.objects.count() == 1


def test_size_above_20_mb_is_refused_at_mail_and_oversize_data_after_data(
    gateway: MailGateway, mail_env: dict[str, str], departments: dict[str, Department]
) -> None:
    big = mails.sized(int(20.1 * mails.MB))
    assert len(big) > 20 * mails.MB
    at_mail = send(gateway.port, big)
    assert (at_mail.code, at_mail.enhanced) == (552, "5.3.4"), at_mail
    assert "size limit" in at_mail.lower
    after_data = send(gateway.port, big, size=False)
    assert (after_data.code, after_data.enhanced) == (552, "5.3.4"), after_data
    assert not InboundItem.objects.exists()


def test_a_19_9_mb_mail_is_accepted(
    gateway: MailGateway, mail_env: dict[str, str], departments: dict[str, Department]
) -> None:
    raw = mails.sized(int(19.9 * mails.MB))
    assert 19.5 * mails.MB < len(raw) < 20 * mails.MB
    reply = send(gateway.port, raw)
    assert reply.code == 250, reply
    assert InboundItem.objects.get().documents.get().size > 10 * mails.MB


def test_no_acknowledgement_goes_to_auto_submitted_list_or_null_sender_mail(
    gateway: MailGateway,
    mail_env: dict[str, str],
    departments: dict[str, Department],
    outbox: Path,
) -> None:
    cases = [
        (mails.message(headers={"Auto-Submitted": "auto-replied"}), mails.FROM),
        (mails.message(headers={"List-Id": "Handwerk <handwerk.lists.example>"}), mails.FROM),
        (mails.message(headers={"Precedence": "bulk"}), mails.FROM),
        (mails.plain_letter(), ""),
        (mails.plain_letter(), "MAILER-DAEMON@example.org"),
    ]
    for raw, envelope_from in cases:
        assert send(gateway.port, raw, mail_from=envelope_from).code == 250
    assert InboundItem.objects.count() == len(cases)
    assert acknowledgements(outbox) == []
    assert set(MailMessage.objects.values_list("acknowledgement", flat=True)) == {
        "auto_submitted",
        "list",
        "null_sender",
        "robot",
    }


def test_acknowledgement_names_the_reference_warns_about_unencrypted_mail_and_is_auto_replied(
    gateway: MailGateway,
    mail_env: dict[str, str],
    departments: dict[str, Department],
    outbox: Path,
) -> None:
    assert send(gateway.port, mails.crlf_in_subject()).code == 250
    item = InboundItem.objects.get()
    [raw] = acknowledgements(outbox)
    ack = email.message_from_bytes(raw, policy=email.policy.default)
    assert ack["To"] == mails.FROM
    assert ack["Auto-Submitted"] == "auto-replied"
    assert item.reference in ack["Subject"]
    assert ack["Bcc"] is None  # the sender's CR/LF did not become a header
    assert "opfer@example.com" not in ack["To"]
    body = ack.get_content()
    assert item.reference in body
    assert "unverschlüsselt" in body and "unencrypted" in body
    assert "https://portal.hwk-musterstadt.example/" in body


def test_mail_to_two_departments_becomes_one_item_in_each_and_one_acknowledgement(
    gateway: MailGateway,
    mail_env: dict[str, str],
    departments: dict[str, Department],
    outbox: Path,
) -> None:
    to = ("verwaltung@hwk-musterstadt.example", "Lehrlingsrolle@HWK-Musterstadt.example")
    reply = send(gateway.port, mails.letter_with_pdf(), to=to)
    assert reply.code == 250
    items = InboundItem.objects.order_by("department__slug")
    assert [i.department.slug for i in items] == ["lehrlingsrolle", "verwaltung"]
    assert all(i.reference in reply.text for i in items)
    assert len({m.archive_key for m in MailMessage.objects.all()}) == 1
    assert len(acknowledgements(outbox)) == 1


def test_known_sender_is_linked_to_the_account_and_prefers_electronic_mail(
    gateway: MailGateway, mail_env: dict[str, str], departments: dict[str, Department]
) -> None:
    user = User.objects.create_user("mueller", email="Meister.Mueller@example.org")
    assert send(gateway.port, mails.plain_letter()).code == 250
    sender = InboundItem.objects.get().sender
    assert sender.user == user
    preference = CommunicationPreference.objects.get(sender=sender)
    assert preference.electronic and preference.via == "email" and preference.since is not None


def test_a_sender_who_opted_out_stays_opted_out_after_writing_an_email(
    gateway: MailGateway, mail_env: dict[str, str], departments: dict[str, Department]
) -> None:
    sender = intake_services.sender_for_address(email=mails.FROM)
    communication_preference_opt_out(sender=sender)
    assert send(gateway.port, mails.plain_letter()).code == 250
    preference = CommunicationPreference.objects.get(sender=sender)
    assert not preference.electronic and preference.opted_out_at is not None


def test_scanner_down_accepts_the_mail_and_the_document_waits_held(
    gateway: MailGateway,
    mail_env: dict[str, str],
    departments: dict[str, Department],
    settings: SettingsWrapper,
    tmp_path: Path,
) -> None:
    settings.CLAMD_URL = f"unix://{tmp_path / 'no-clamd.sock'}"
    settings.CLAMD_TIMEOUT = 2
    assert send(gateway.port, mails.letter_with_pdf()).code == 250
    document = InboundItem.objects.get().documents.get()
    assert intake_services.document_inspect(document_id=document.pk) == DocumentState.HELD


def test_an_unwritable_vault_answers_451_and_stores_nothing(
    gateway: MailGateway,
    mail_env: dict[str, str],
    departments: dict[str, Department],
    monkeypatch: pytest.MonkeyPatch,
    services: ServiceRegistry,
) -> None:
    monkeypatch.setenv("KAMMERPOST_VAULT_URL", "file:///dev/null/vault")
    services.reset()  # built again from the changed environment
    reply = send(gateway.port, mails.letter_with_pdf())
    assert (reply.code, reply.enhanced) == (451, "4.3.0"), reply
    assert not InboundItem.objects.exists()
    assert not MailMessage.objects.exists()


def test_smtp_smuggling_with_bare_line_feeds_delivers_no_second_message(
    gateway: MailGateway, mail_env: dict[str, str], departments: dict[str, Department]
) -> None:
    for end in (b"\n.\n", b"\r\n.\n", b"\n.\r\n"):
        smuggled = (
            b"From: "
            + mails.FROM.encode()
            + b"\r\nSubject: harmlos\r\n\r\nHallo"
            + end
            + b"MAIL FROM:<chef@hwk-musterstadt.example>\r\n"
            + b"RCPT TO:<verwaltung@hwk-musterstadt.example>\r\nDATA\r\n"
            + b"From: chef@hwk-musterstadt.example\r\nSubject: gefaelscht\r\n\r\nboese\r\n"
        )
        replies = _raw_session(gateway.port, smuggled)
        # One transaction: 250 MAIL, 250 RCPT, 354, and one answer for the whole data.
        assert [r[:3] for r in replies] == ["250", "250", "354", "550", "221"], replies
        assert "5.6.0" in replies[3] and "smuggling" in replies[3].lower()
    assert not InboundItem.objects.exists()


def _raw_session(port: int, data: bytes) -> list[str]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        reader = sock.makefile("rb")
        assert reader.readline().startswith(b"220")
        sock.sendall(b"HELO client.example.org\r\n")
        assert reader.readline().startswith(b"250")
        sock.sendall(f"MAIL FROM:<{mails.FROM}>\r\nRCPT TO:<{mails.TO}>\r\nDATA\r\n".encode())
        replies = [_read_reply(reader) for _ in range(3)]
        sock.sendall(data + b"\r\n.\r\nQUIT\r\n")
        replies.append(_read_reply(reader))
        replies.append(_read_reply(reader))
        return replies


def _read_reply(reader: object) -> str:
    lines = []
    while True:
        line = reader.readline().decode()  # type: ignore[attr-defined]
        lines.append(line.rstrip("\r\n"))
        if len(line) < 4 or line[3] != "-":
            return " | ".join(lines)


def test_a_mime_bomb_does_not_hold_up_another_senders_good_mail(
    gateway: MailGateway, mail_env: dict[str, str], departments: dict[str, Department]
) -> None:
    bombs = [mails.nested(1000), mails.many_parts(50_000), mails.encoded_words(8000)]
    stop = threading.Event()
    refused: list[Reply] = []

    def bomber(raw: bytes) -> None:
        while not stop.is_set():
            refused.append(send(gateway.port, raw))

    threads = [threading.Thread(target=bomber, args=(b,)) for b in bombs]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        started = time.monotonic()
        reply = send(gateway.port, mails.letter_with_pdf())
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert reply.code == 250
    assert elapsed < 5, elapsed
    assert refused and all(r.code == 550 and r.enhanced == "5.6.0" for r in refused)
    assert InboundItem.objects.count() == 1
