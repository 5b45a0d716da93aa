"""Login, rate limits, sessions, TOTP and staff second factor: security.md 4-7, 25."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from kammerpost.accounts.models import User
from kammerpost.accounts.services import user_deactivate
from kammerpost.privacy.models import AuditEvent

from .conftest import PASSWORD, login, make_user, totp_activate, totp_now

pytestmark = pytest.mark.django_db

MFA_URL = "/konto/2fa/authenticate/"


def test_session_id_rotates_at_login(person: User) -> None:
    client = Client()
    before = client.session
    before["probe"] = 1
    before.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = before.session_key
    login(client, person.email)
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before.session_key
    assert client.session["_auth_user_id"] == str(person.pk)


def test_logout_is_a_post_and_ends_the_session_on_the_server(person: User) -> None:
    client = Client()
    login(client, person.email)
    old = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/konto/logout/").status_code == 200  # a GET only asks
    assert Session.objects.filter(session_key=old).exists()
    client.post("/konto/logout/")
    assert not Session.objects.filter(session_key=old).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old
    assert replay.get("/konto/")["Location"].startswith("/konto/login/")


def test_the_eleventh_failed_login_is_refused_with_a_clear_message(person: User) -> None:
    client = Client()
    for _attempt in range(10):
        response = login(client, person.email, "falsches Passwort!!")
        assert "Zu viele" not in response.content.decode()
    eleventh = login(client, person.email, PASSWORD)  # even the right password now
    html = eleventh.content.decode()
    assert eleventh.status_code == 200
    assert "Zu viele" in html
    assert "<title>Fehler: Anmelden" in html
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login.failed").count() == 10
    assert AuditEvent.objects.filter(action="login.rate_limited").exists()


def test_logins_are_audited_with_address_but_never_the_password(person: User) -> None:
    login(Client(), person.email, "falsches Passwort!!")
    login(Client(), person.email)
    failed = AuditEvent.objects.get(action="login.failed")
    assert failed.detail == {"email": person.email}
    assert failed.ip_address == "127.0.0.1"
    assert AuditEvent.objects.filter(action="login.succeeded", actor=person).exists()
    for event in AuditEvent.objects.all():
        assert PASSWORD not in str(event.detail)
        assert "falsches" not in str(event.detail)


def test_login_with_totp_needs_the_code_and_a_used_code_cannot_be_replayed(person: User) -> None:
    secret, _codes = totp_activate(person)
    client = Client()
    response = login(client, person.email)
    assert response["Location"] == MFA_URL
    assert "_auth_user_id" not in client.session
    code = totp_now(secret)
    assert client.post(MFA_URL, {"code": code})["Location"] == "/konto/"
    assert client.session["_auth_user_id"] == str(person.pk)

    client.post("/konto/logout/")
    again = Client()
    login(again, person.email)
    replayed = again.post(MFA_URL, {"code": code})
    assert replayed.status_code == 200
    assert "<title>Fehler:" in replayed.content.decode()
    assert "_auth_user_id" not in again.session


def test_a_recovery_code_works_once(person: User) -> None:
    _secret, codes = totp_activate(person)
    first = Client()
    login(first, person.email)
    assert first.post(MFA_URL, {"code": codes[0]})["Location"] == "/konto/"
    second = Client()
    login(second, person.email)
    assert second.post(MFA_URL, {"code": codes[0]}).status_code == 200
    assert "_auth_user_id" not in second.session


def test_activating_totp_needs_a_valid_code_and_is_audited(
    person: User, django_capture_on_commit_callbacks
) -> None:
    client = Client()
    login(client, person.email)
    asked = client.get("/konto/2fa/totp/activate/")
    assert asked["Location"].startswith("/konto/reauthenticate/")
    client.post("/konto/reauthenticate/", {"password": PASSWORD})
    page = client.get("/konto/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    wrong = client.post("/konto/2fa/totp/activate/", {"code": "000000"})
    assert "<title>Fehler:" in wrong.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/konto/2fa/totp/activate/", {"code": totp_now(secret)})
    assert done.status_code == 302
    assert AuditEvent.objects.filter(action="mfa.added", actor=person).exists()


def test_staff_without_totp_are_sent_to_the_setup_from_every_page(db: None) -> None:
    clerk = make_user("neu.sachbearbeitung@hwk.example", is_staff=True)
    client = Client()
    login(client, clerk.email)
    for path in ("/", "/konto/", "/admin/", "/konto/email/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/konto/2fa/totp/activate/"
    # The setup asks for the password again; both pages stay reachable.
    assert client.get("/konto/2fa/totp/activate/")["Location"].startswith("/konto/reauthenticate/")
    client.post("/konto/reauthenticate/", {"password": PASSWORD})
    assert client.get("/konto/2fa/totp/activate/").status_code == 200
    assert client.post("/konto/logout/").status_code == 302


def test_staff_with_totp_log_in_with_the_code_and_work(db: None) -> None:
    clerk = make_user("sb@hwk.example", is_staff=True)
    secret, _codes = totp_activate(clerk)
    client = Client()
    assert login(client, clerk.email)["Location"] == MFA_URL
    client.post(MFA_URL, {"code": totp_now(secret)})
    assert client.get("/konto/").status_code == 200


def test_the_admin_login_is_allauths_and_needs_the_second_factor(db: None) -> None:
    response = Client().get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")


def test_deactivating_a_user_ends_all_their_sessions(person: User) -> None:
    phone, desk = Client(), Client()
    login(phone, person.email)
    login(desk, person.email)
    assert user_deactivate(actor=None, user=person) == 2
    for client in (phone, desk):
        assert client.get("/konto/")["Location"].startswith("/konto/login/")
    assert AuditEvent.objects.filter(action="user.deactivated").exists()


NEW_PASSWORD = "ein ganz anderes langes Passwort"  # noqa: S105 - test only


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/konto/email/", {"action_add": "", "email": "neue.adresse@example.org"}),
        ("/konto/2fa/totp/activate/", {"code": "123456"}),
    ],
)
def test_changing_email_password_or_second_factor_needs_reauthentication(
    person: User, path: str, data: dict[str, str]
) -> None:
    client = Client()
    login(client, person.email)
    refused = client.post(path, data)
    assert refused.status_code == 302
    assert refused["Location"].startswith("/konto/reauthenticate/")
    client.post("/konto/reauthenticate/", {"password": PASSWORD})
    again = client.post(path, data)
    assert not again.get("Location", "").startswith("/konto/reauthenticate/")


def test_changing_the_password_needs_the_current_one(person: User) -> None:
    client = Client()
    login(client, person.email)
    data = {"oldpassword": "geraten geraten", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    refused = client.post("/konto/password/change/", data)
    assert "<title>Fehler: Passwort ändern" in refused.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_authenticated_account_pages_are_not_cached(person: User) -> None:
    client = Client()
    login(client, person.email)
    assert "no-store" in client.get("/konto/")["Cache-Control"]
