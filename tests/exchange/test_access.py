"""Who reaches an exchange: the access matrix of issue 11 and security.md 3, 4, 9, 19."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from freezegun import freeze_time

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department
from kammerpost.exchange import services
from kammerpost.exchange.models import AccessCode, Invitation
from kammerpost.privacy.models import AuditEvent
from tests.accounts.conftest import make_user
from tests.backoffice.conftest import make_clerk
from tests.exchange.support import (
    PDF,
    clerk,
    colleague,
    departments,
    deputy,
    download,
    enter,
    intake_env,
    invitation_path,
    last_code,
    open_exchange,
    outbox,
    signed_in,
)

__all__ = ["clerk", "colleague", "departments", "deputy", "intake_env", "outbox"]

pytestmark = pytest.mark.django_db(transaction=True)


def _upload(client: Client, name: str = "plan.pdf", data: bytes = PDF) -> None:
    response = client.post("/cloud/austausch/hochladen/", {"file": io.BytesIO(data)} | {})
    assert response.status_code == 302


def test_the_link_alone_grants_nothing(
    intake_env: dict[str, str], outbox: Path, clerk: User, departments: dict[str, Department]
) -> None:
    opened = open_exchange(clerk, departments["pruefungswesen"])
    guest = Client()
    assert guest.get(invitation_path(opened.invitation_url)).status_code == 302
    # The token left the URL for the session; the page offers the code, nothing more.
    page = guest.get("/cloud/einladung/")
    assert page.status_code == 200
    assert "Code per E-Mail anfordern" in page.content.decode()
    assert guest.get("/cloud/austausch/").status_code == 404
    assert (
        guest.post("/cloud/austausch/dateien/", headers={"Tus-Resumable": "1.0.0"}).status_code
        == 404
    )
    guest.post("/cloud/einladung/", {"action": "code"})
    # Waiting for the code is not being in.
    assert guest.get("/cloud/austausch/").status_code == 404
    assert guest.get("/cloud/code/").status_code == 200


def test_the_link_works_once(
    intake_env: dict[str, str], outbox: Path, clerk: User, departments: dict[str, Department]
) -> None:
    opened = open_exchange(clerk, departments["pruefungswesen"])
    enter(Client(), opened, outbox)
    other = Client()
    other.get(invitation_path(opened.invitation_url))
    assert other.get("/cloud/einladung/").status_code == 404
    assert other.post("/cloud/einladung/", {"action": "code"}).status_code == 404
    assert other.get("/cloud/code/").status_code == 404
    # Only a hash of the token is stored.
    token = opened.invitation_url.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_a_used_code_does_not_work_twice(
    intake_env: dict[str, str], outbox: Path, clerk: User, departments: dict[str, Department]
) -> None:
    opened = open_exchange(clerk, departments["pruefungswesen"])
    first = enter(Client(), opened, outbox)
    code = last_code(outbox, opened.exchange.guest_email)
    assert first.get("/cloud/austausch/").status_code == 200
    # A second link (the clerk resent it) and the old code: refused.
    url = services.exchange_invitation_resend(actor=clerk, exchange=opened.exchange)
    second = Client()
    second.get(invitation_path(url))
    second.post("/cloud/einladung/", {"action": "code"})
    fresh = last_code(outbox, opened.exchange.guest_email)
    if fresh == code:  # one in a million: the new code happens to be the old one
        pytest.fail("the fresh code equals the used one; rerun")
    response = second.post("/cloud/code/", {"code": code})
    assert response.status_code == 200
    assert "Der Code stimmt nicht" in response.content.decode()
    assert second.get("/cloud/austausch/").status_code == 404
    # Codes are kept only as keyed hashes.
    assert not AccessCode.objects.filter(code_hash__contains=code).exists()


def test_codes_expire_after_ten_minutes(
    intake_env: dict[str, str], outbox: Path, clerk: User, departments: dict[str, Department]
) -> None:
    opened = open_exchange(clerk, departments["pruefungswesen"])
    guest = Client()
    guest.get(invitation_path(opened.invitation_url))
    guest.post("/cloud/einladung/", {"action": "code"})
    code = last_code(outbox, opened.exchange.guest_email)
    with freeze_time(timedelta(minutes=10, seconds=1)):
        refused = guest.post("/cloud/code/", {"code": code})
        assert "Der Code stimmt nicht" in refused.content.decode()
    assert guest.get("/cloud/austausch/").status_code == 404


def test_wrong_codes_are_rate_limited_per_exchange(
    intake_env: dict[str, str], outbox: Path, clerk: User, departments: dict[str, Department]
) -> None:
    opened = open_exchange(clerk, departments["pruefungswesen"])
    guest = Client()
    guest.get(invitation_path(opened.invitation_url))
    guest.post("/cloud/einladung/", {"action": "code"})
    code = last_code(outbox, opened.exchange.guest_email)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert (
            "Der Code stimmt nicht" in guest.post("/cloud/code/", {"code": wrong}).content.decode()
        )
    # The sixth attempt is not even checked, even with the right code, from another address too.
    limited = guest.post("/cloud/code/", {"code": code}, REMOTE_ADDR="198.51.100.7")
    assert limited.status_code == 429
    assert "Zu viele Versuche" in limited.content.decode()
    assert guest.get("/cloud/austausch/").status_code == 404
    assert AuditEvent.objects.filter(action="exchange.code_limited").exists()


def test_wrong_codes_are_rate_limited_per_ip(
    intake_env: dict[str, str],
    outbox: Path,
    clerk: User,
    departments: dict[str, Department],
    settings: object,
) -> None:
    # One address trying codes for several exchanges: the IP limit stops it.
    settings.EXCHANGE_CODE_ATTEMPTS_PER_IP = 3  # type: ignore[attr-defined]
    department = departments["pruefungswesen"]
    guests = []
    for index in range(2):
        opened = open_exchange(clerk, department, guest=f"person{index}@example.org")
        guest = Client(REMOTE_ADDR="203.0.113.9")
        guest.get(invitation_path(opened.invitation_url))
        guest.post("/cloud/einladung/", {"action": "code"})
        guests.append((guest, last_code(outbox, f"person{index}@example.org")))
    for guest, code in guests[:1] * 3:
        guest.post("/cloud/code/", {"code": "999999" if code != "999999" else "888888"})
    guest, code = guests[1]
    assert guest.post("/cloud/code/", {"code": code}).status_code == 429


def test_person_a_cannot_reach_exchange_b(
    intake_env: dict[str, str], outbox: Path, clerk: User, departments: dict[str, Department]
) -> None:
    department = departments["pruefungswesen"]
    a = open_exchange(clerk, department, guest="a@example.org")
    b = open_exchange(clerk, department, guest="b@example.org")
    placed_b = services.placed_file_add(
        actor=clerk, exchange=b.exchange, name="fuer-b.pdf", source=io.BytesIO(PDF)
    )
    guest_b = enter(Client(), b, outbox)
    created = guest_b.post(
        "/cloud/austausch/dateien/",
        headers={"Tus-Resumable": "1.0.0", "Upload-Length": "100"},
    )
    assert created.status_code == 201
    upload_b = created["Location"]
    guest_a = enter(Client(), a, outbox)
    assert guest_a.get(f"/cloud/austausch/abholen/{placed_b.pk}/").status_code == 404
    head = guest_a.head(upload_b, headers={"Tus-Resumable": "1.0.0"})
    assert head.status_code == 404
    # A's page shows A's exchange only.
    assert "fuer-b.pdf" not in guest_a.get("/cloud/austausch/").content.decode()
    # B's session keeps B's file.
    assert download(guest_b, f"/cloud/austausch/abholen/{placed_b.pk}/") == PDF


def test_only_the_clerk_and_deputies_open_what_arrives(  # noqa: PLR0917 - fixtures
    intake_env: dict[str, str],
    outbox: Path,
    clerk: User,
    deputy: User,
    colleague: User,
    departments: dict[str, Department],
) -> None:
    opened = open_exchange(clerk, departments["pruefungswesen"], deputies=(deputy,))
    exchange = opened.exchange
    guest = enter(Client(), opened, outbox)
    response = guest.post("/cloud/austausch/hochladen/", {"file": _named(PDF, "plan.pdf")})
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.item is not None
    reference = exchange.item.reference
    for person, expected in ((clerk, 200), (deputy, 200), (colleague, 404)):
        client = signed_in(person)
        assert client.get(f"/cloud/intern/{exchange.pk}/").status_code == expected, person
        assert client.get(f"/intern/eingang/{reference}/").status_code == expected, person
        inbox = client.get("/intern/bereich/pruefungswesen/").content.decode()
        assert (reference in inbox) == (expected == 200), person
    # A clerk of another department gets nothing either.
    other = signed_in(make_clerk("fremd@hwk.example", departments["handwerksrolle"]))
    assert other.get(f"/cloud/intern/{exchange.pk}/").status_code == 404
    assert f"/cloud/intern/{exchange.pk}/" not in other.get("/cloud/intern/").content.decode()
    # A signed-in customer is no clerk: the staff pages are a 404.
    customer = signed_in(make_user("kunde@example.org"))
    assert customer.get("/cloud/intern/").status_code == 404


def test_after_expiry_nobody_gets_in(
    intake_env: dict[str, str], outbox: Path, clerk: User, departments: dict[str, Department]
) -> None:
    opened = open_exchange(clerk, departments["pruefungswesen"], days=1)
    exchange = opened.exchange
    placed = services.placed_file_add(
        actor=clerk, exchange=exchange, name="bescheid.pdf", source=io.BytesIO(PDF)
    )
    guest = enter(Client(), opened, outbox)
    assert download(guest, f"/cloud/austausch/abholen/{placed.pk}/") == PDF
    with freeze_time(timedelta(days=1, seconds=1)):
        assert guest.get("/cloud/austausch/").status_code == 404
        assert guest.get(f"/cloud/austausch/abholen/{placed.pk}/").status_code == 404
        options = guest.options("/cloud/austausch/dateien/")
        assert options.status_code == 404
        staff = signed_in(clerk)  # a fresh session: the old one timed out meanwhile
        assert staff.get(f"/cloud/intern/{exchange.pk}/datei/{placed.pk}/").status_code == 404
        # The clerk still sees the closed arrangement's summary.
        assert staff.get(f"/cloud/intern/{exchange.pk}/").status_code == 200
        # A new invitation cannot be issued or used.
        fresh = Client()
        fresh.get(invitation_path(opened.invitation_url))
        assert fresh.get("/cloud/einladung/").status_code == 404


def _named(data: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = name
    return stream
