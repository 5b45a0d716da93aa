"""Security 20 (deploy check, secret key, error pages) and 21 (abuse limits)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import path
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.accounts.models import User
from kammerpost.accounts.services import business_register
from kammerpost.urls import urlpatterns as project_patterns
from tests.accounts.conftest import PASSWORD, login, make_user

KAMMERPOST = str(Path(sys.executable).parent / "kammerpost")


def _production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMMERPOST_")}
    env.update(
        KAMMERPOST_PRODUCTION="true",
        KAMMERPOST_SECRET_KEY=secrets.token_urlsafe(64),
        KAMMERPOST_ALLOWED_HOSTS="portal.hwk-musterstadt.example",
        KAMMERPOST_VAR_DIR=os.environ.get("KAMMERPOST_VAR_DIR", "/tmp"),
    )
    if "KAMMERPOST_DATABASE_URL" in os.environ:
        env["KAMMERPOST_DATABASE_URL"] = os.environ["KAMMERPOST_DATABASE_URL"]
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = subprocess.run(
        [KAMMERPOST, "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = subprocess.run(
        [KAMMERPOST, "check"],
        env=_production_env(KAMMERPOST_SECRET_KEY=""),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "KAMMERPOST_SECRET_KEY" in result.stderr


def _boom(request: object) -> None:
    raise RuntimeError("geheimer interner Zustand /srv/kammerpost/settings.py")


urlpatterns = [*project_patterns, path("test-boom/", _boom)]


@pytest.mark.django_db
def test_error_pages_show_no_internals(settings: SettingsWrapper) -> None:
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    missing = client.get("/gibt-es-nicht/")
    assert missing.status_code == 404
    body = missing.content.decode()
    assert "Seite nicht gefunden" in body and body.count("<h1") == 1
    assert "urlpatterns" not in body and "Traceback" not in body and "Page not found" not in body
    failed = client.get("/test-boom/")
    assert failed.status_code == 500
    body = failed.content.decode()
    assert "Ein Fehler ist aufgetreten" in body
    for leak in ("geheimer", "RuntimeError", "Traceback", "settings.py", "/srv/"):
        assert leak not in body
    assert failed["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_registration_is_rate_limited_per_ip(settings: SettingsWrapper) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    client = Client(REMOTE_ADDR="203.0.113.7")
    answers = []
    for number in range(3):
        answers.append(
            client.post(
                "/konto/signup/",
                {
                    "account_type": "person",
                    "email": f"flut{number}@example.org",
                    "password1": PASSWORD,
                    "password2": PASSWORD,
                },
            ).status_code
        )
    assert answers[:2] == [302, 302]
    assert answers[2] == 429
    assert not User.objects.filter(email="flut2@example.org").exists()


@pytest.mark.django_db
def test_invitations_are_rate_limited_per_administrator(
    settings: SettingsWrapper, django_capture_on_commit_callbacks: object
) -> None:
    settings.ACCOUNTS_INVITATION_ATTEMPTS = 2
    owner = make_user(f"chef-{secrets.token_hex(3)}@betrieb.example")
    business = business_register(actor=owner, name="Betrieb Flut")
    client = Client()
    login(client, owner.email)
    codes = []
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        for number in range(3):
            response = client.post(
                f"/konto/betrieb/{business.pk}/", {"email": f"k{number}@betrieb.example"}
            )
            codes.append(response.status_code)
    assert codes == [302, 302, 200]
    assert "Zu viele Einladungen" in response.content.decode()
    assert len([m for m in mail.outbox if "k2@betrieb.example" in m.to]) == 0


@pytest.mark.django_db
def test_a_filled_honeypot_is_refused_quietly() -> None:
    client = Client()
    page = client.get("/konto/signup/").content.decode()
    assert 'name="website"' in page
    response = client.post(
        "/konto/signup/",
        {
            "account_type": "person",
            "email": "roboter@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "website": "http://spam.example",
        },
    )
    assert response.status_code == 302  # looks like success to the bot
    assert not User.objects.filter(email="roboter@example.org").exists()
