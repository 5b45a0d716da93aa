"""Fixtures and helpers of the cloud-area tests: departments, clerks, an opened exchange,
and the invited person's way in (link -> code from the outbox -> bound session)."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest
from django.test import Client

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department
from kammerpost.exchange import services
from kammerpost.exchange.models import Exchange
from tests.backoffice.conftest import make_clerk, signed_in
from tests.corpus import pdfs
from tests.correspondence.conftest import outbox
from tests.intake.conftest import departments, intake_env

__all__ = ["departments", "intake_env", "outbox", "signed_in"]

PDF = pdfs.small_pdf("Bauzeichnung")
EXE = b"MZ" + b"\x90" * 200


def mails(outbox: Path) -> list[email.message.EmailMessage]:
    if not outbox.exists():
        return []
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for p in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    ]


def body(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def mails_to(outbox: Path, address: str) -> list[email.message.EmailMessage]:
    return [m for m in mails(outbox) if address in str(m["To"])]


def last_code(outbox: Path, address: str) -> str:
    for message in reversed(mails_to(outbox, address)):
        found = re.search(r"^\s+(\d{6})\s*$", body(message), re.MULTILINE)
        if found:
            return found.group(1)
    raise AssertionError(f"no code mailed to {address}")


def invitation_path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def clerk(departments: dict[str, Department]) -> User:
    return make_clerk("sachbearbeitung@hwk.example", departments["pruefungswesen"])


@pytest.fixture
def deputy(departments: dict[str, Department]) -> User:
    return make_clerk("vertretung@hwk.example", departments["pruefungswesen"])


@pytest.fixture
def colleague(departments: dict[str, Department]) -> User:
    """Same department, but neither the opening clerk nor a deputy."""
    return make_clerk("kollegin@hwk.example", departments["pruefungswesen"])


def open_exchange(
    clerk: User,
    department: Department,
    *,
    guest: str = "meisterin@example.org",
    deputies: tuple[User, ...] = (),
    **kwargs: object,
) -> services.Opened:
    return services.exchange_open(
        actor=clerk,
        department=department,
        guest_name="Erika Muster",
        guest_email=guest,
        purpose="Meisterprüfung: Bauzeichnungen",
        deputies=deputies,
        **kwargs,  # type: ignore[arg-type]
    )


def enter(client: Client, opened: services.Opened, outbox: Path) -> Client:
    """The invited person's way in: link, code request, the code from the mail."""
    response = client.get(invitation_path(opened.invitation_url))
    assert response.status_code == 302
    response = client.post("/cloud/einladung/", {"action": "code"})
    assert response.status_code == 302 and response["Location"] == "/cloud/code/"
    code = last_code(outbox, opened.exchange.guest_email)
    response = client.post("/cloud/code/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/cloud/austausch/", (
        response.content.decode()[:2000]
    )
    return client


def refreshed(exchange: Exchange) -> Exchange:
    return Exchange.objects.get(pk=exchange.pk)


def download(client: Client, path: str) -> bytes:
    """GET a download and read it to the end (which also closes the vault reader)."""
    response = client.get(path)
    assert response.status_code == 200, path
    try:
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    finally:
        response.close()
