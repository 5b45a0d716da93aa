"""Businesses, invitations and activation codes: security.md 3, 4, 9, 10, 18."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from kammerpost.accounts.models import ActivationCode, Business, Membership, User
from kammerpost.accounts.services import activation_code_issue, business_register
from kammerpost.inspection import Inspector

from .conftest import links_in, login, make_user, path_of, totp_activate, totp_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db: None) -> User:
    return make_user("inhaber@betrieb-x.example")


@pytest.fixture
def business(owner: User) -> Business:
    return business_register(actor=owner, name="Betrieb X")


@pytest.fixture
def clerk(db: None) -> User:
    user = make_user("rolle@hwk.example", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="add_activationcode", content_type__app_label="accounts")
    )
    return User.objects.get(pk=user.pk)


def signed_in(user: User) -> Client:
    client = Client()
    login(client, user.email)
    return client


def invite(client: Client, business: Business, email: str, capture) -> str:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        response = client.post(f"/konto/betrieb/{business.pk}/", {"email": email})
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == [email]
    return path_of(next(u for u in links_in(message.body) if "/konto/einladung/" in u))


def test_the_first_member_is_administrator_and_sees_the_member_page(
    owner: User, business: Business
) -> None:
    assert Membership.objects.get(business=business).role == "administrator"
    page = signed_in(owner).get(f"/konto/betrieb/{business.pk}/")
    assert page.status_code == 200
    assert "inhaber@betrieb-x.example" in page.content.decode()


def test_a_member_of_business_x_gets_404_for_business_y(business: Business) -> None:
    stranger = make_user("fremd@betrieb-y.example")
    other = business_register(actor=stranger, name="Betrieb Y")
    client = signed_in(stranger)
    assert client.get(f"/konto/betrieb/{business.pk}/").status_code == 404
    assert client.get(f"/konto/betrieb/{business.pk}/verknuepfen/").status_code == 404
    assert (
        client.post(f"/konto/betrieb/{business.pk}/", {"email": "a@b.example"}).status_code == 404
    )
    assert client.get(f"/konto/betrieb/{other.pk}/").status_code == 200


def test_an_invitation_lets_the_colleague_join_once(
    owner: User, business: Business, django_capture_on_commit_callbacks
) -> None:
    link = invite(
        signed_in(owner), business, "kollege@betrieb-x.example", django_capture_on_commit_callbacks
    )
    assert "inhaber" not in mail.outbox[-1].body  # says only what is needed
    colleague = make_user("kollege@betrieb-x.example")
    client = signed_in(colleague)
    opened = client.get(link)
    assert opened["Location"] == "/konto/einladung/"  # the token leaves the URL at once
    assert "Betrieb X" in client.get("/konto/einladung/").content.decode()
    assert client.post("/konto/einladung/").status_code == 302
    assert Membership.objects.get(user=colleague, business=business).role == "member"

    latecomer = make_user("zweiter@betrieb-x.example")
    second = signed_in(latecomer)
    second.get(link)
    refused = second.post("/konto/einladung/")
    assert "gilt nicht" in refused.content.decode()
    assert not Membership.objects.filter(user=latecomer).exists()


def test_an_invitation_expires(
    owner: User, business: Business, django_capture_on_commit_callbacks
) -> None:
    link = invite(
        signed_in(owner), business, "spaet@betrieb-x.example", django_capture_on_commit_callbacks
    )
    late = make_user("spaet@betrieb-x.example")
    with freeze_time(timezone.now() + timedelta(days=8)):
        client = signed_in(late)
        client.get(link)
        response = client.post("/konto/einladung/")
    assert "abgelaufen" in response.content.decode()
    assert not Membership.objects.filter(user=late).exists()


def test_only_administrators_invite(
    owner: User, business: Business, django_capture_on_commit_callbacks
) -> None:
    member = make_user("mitglied@betrieb-x.example")
    Membership.objects.create(user=member, business=business, role="member")
    client = signed_in(member)
    assert client.get(f"/konto/betrieb/{business.pk}/").status_code == 200
    assert (
        client.post(f"/konto/betrieb/{business.pk}/", {"email": "x@y.example"}).status_code == 404
    )


def code_for(clerk: User, number: str) -> str:
    return activation_code_issue(business_number=number, actor=clerk).code


def link(client: Client, business: Business, number: str, code: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/konto/betrieb/{business.pk}/verknuepfen/", {"betriebsnummer": number, "code": code}
    )


def test_the_right_activation_code_links_the_betriebsnummer_once(
    owner: User, business: Business, clerk: User
) -> None:
    code = code_for(clerk, "4711")
    assert ActivationCode.objects.get().code_hash != code  # only the hash is kept
    client = signed_in(owner)
    assert link(client, business, "4711", code.lower().replace("-", "")).status_code == 302
    business.refresh_from_db()
    assert business.betriebsnummer == "4711"

    other_owner = make_user("zweite@betrieb.example")
    other = business_register(actor=other_owner, name="Trittbrett")
    reused = link(signed_in(other_owner), other, "4711", code)
    assert "<title>Fehler:" in reused.content.decode()
    other.refresh_from_db()
    assert other.betriebsnummer is None


def test_a_wrong_or_expired_activation_code_is_refused(
    owner: User, business: Business, clerk: User
) -> None:
    code = code_for(clerk, "4712")
    client = signed_in(owner)
    wrong = link(client, business, "4712", "AAAA-BBBB-CCCC")
    html = wrong.content.decode()
    assert 'href="#id_code"' in html
    assert 'value="4712"' in html
    with freeze_time(timezone.now() + timedelta(days=91)):
        late = signed_in(owner)
        assert link(late, business, "4712", code).status_code == 200
    business.refresh_from_db()
    assert business.betriebsnummer is None


def test_activation_attempts_are_rate_limited(owner: User, business: Business, clerk: User) -> None:
    code = code_for(clerk, "4713")
    client = signed_in(owner)
    for _attempt in range(5):
        link(client, business, "4713", "AAAA-BBBB-CCCC")
    blocked = link(client, business, "4713", code)
    assert "Zu viele Versuche" in blocked.content.decode()
    business.refresh_from_db()
    assert business.betriebsnummer is None


def test_staff_issue_a_letter_pdf_that_the_inspection_accepts(clerk: User, tmp_path: Path) -> None:
    secret, _codes = totp_activate(clerk)
    client = Client()
    login(client, clerk.email)
    client.post("/konto/2fa/authenticate/", {"code": totp_now(secret)})
    form = client.get("/konto/aktivierungscode/")
    assert form.status_code == 200
    response = client.post(
        "/konto/aktivierungscode/",
        {"betriebsnummer": "4714", "recipient": "Bäckerei Groß\nHauptstraße 1\n12345 Musterstadt"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    letter = tmp_path / "brief.pdf"
    letter.write_bytes(response.content)
    result = Inspector(scan=False).inspect(letter, name="brief.pdf")
    assert result.verdict == "accepted", result.reasons
    assert ActivationCode.objects.filter(betriebsnummer="4714", issued_by=clerk).count() == 1


def test_customers_cannot_issue_activation_codes(owner: User) -> None:
    assert signed_in(owner).get("/konto/aktivierungscode/").status_code == 404


def test_business_forms_enforce_csrf(owner: User, business: Business) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner, backend="allauth.account.auth_backends.AuthenticationBackend")
    assert (
        client.post(f"/konto/betrieb/{business.pk}/", {"email": "x@y.example"}).status_code == 403
    )
    assert link(client, business, "1", "2").status_code == 403
    assert client.post("/konto/logout/").status_code == 403


def test_the_letter_code_format_is_easy_to_type(clerk: User) -> None:
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code_for(clerk, "1"))


def test_signed_in_account_pages_answer_with_one_h1_and_the_security_headers(
    owner: User, business: Business
) -> None:
    client = signed_in(owner)
    for path in (
        "/konto/",
        "/konto/email/",
        "/konto/password/change/",
        "/konto/2fa/",
        f"/konto/betrieb/{business.pk}/",
        f"/konto/betrieb/{business.pk}/verknuepfen/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert html.count("<h1") == 1, path
        assert " style=" not in html, path
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert 'action="/konto/logout/"' in html  # the header's Abmelden button is a POST form
