"""The start page: German first, English switchable, formats drawn from the policy."""

from __future__ import annotations

import pytest
from django.test import Client

from kammerpost.inspection import CHAMBER_DEFAULT, FORMATS


def test_start_page_answers_in_german_and_lists_the_policy_formats(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Diese Dateiformate nehmen wir an" in html
    for key in CHAMBER_DEFAULT.formats:
        assert f'<th scope="row">{FORMATS[key].short}</th>' in html


@pytest.mark.django_db
def test_start_page_switches_to_english(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "These file formats are accepted" in html


def test_every_response_carries_the_security_headers(client: Client) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_demo_setup_creates_the_administrator_once_and_prints_the_login(
    settings,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from io import StringIO

    from django.contrib.auth import authenticate
    from django.core.management import call_command

    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo_setup", stdout=out)
    password = out.getvalue().split("admin / ")[1].split()[0]
    assert authenticate(username="admin", password=password) is not None
    again = StringIO()
    call_command("demo_setup", stdout=again)
    assert f"admin / {password}" in again.getvalue()
