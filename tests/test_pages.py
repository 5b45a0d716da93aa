"""The start page: German first, English switchable, formats drawn from the policy.

The other public pages are tested in tests/pages/.
"""

from __future__ import annotations

import pytest
from django.test import Client

from kammerpost.inspection import CHAMBER_DEFAULT, FORMATS


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_every_response_carries_the_security_headers(client: Client) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_demo_setup_creates_the_accounts_once_and_prints_the_logins(
    settings,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from io import StringIO

    from django.core.management import call_command

    from kammerpost.accounts.models import Membership, User
    from kammerpost.accounts.selectors import user_has_totp
    from kammerpost.chamber.models import StaffMembership

    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo_setup", stdout=out)
    admin_email = f"admin@{settings.CHAMBER_DOMAIN}"
    password = out.getvalue().split(f"{admin_email} / ")[1].split()[0]
    admin = User.objects.get(email=admin_email)
    assert admin.check_password(password)
    assert admin.is_superuser and user_has_totp(admin)
    assert (tmp_path / "demo-logins.txt").stat().st_mode & 0o777 == 0o600
    clerks = User.objects.filter(is_staff=True, is_superuser=False)
    assert clerks.count() == 4
    assert all(user_has_totp(clerk) for clerk in clerks)
    assert StaffMembership.objects.count() == 4
    assert sorted(Membership.objects.values_list("role", flat=True)) == ["administrator", "member"]
    assert "TOTP" in out.getvalue()
    again = StringIO()
    call_command("demo_setup", stdout=again)
    assert f"{admin_email} / {password}" in again.getvalue()
    assert User.objects.count() == 8


ACCOUNT_PAGES = [
    "/konto/login/",
    "/konto/signup/",
    "/konto/password/reset/",
    "/konto/password/reset/done/",
    "/konto/confirm-email/",
    "/konto/einladung/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ACCOUNT_PAGES)
def test_account_pages_carry_the_security_headers_and_one_h1(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code in {200, 404}, path
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert " style=" not in html
    assert "<script>" not in html


@pytest.mark.django_db
def test_the_header_offers_login_and_registration_to_anonymous_visitors(client: Client) -> None:
    html = client.get("/").content.decode()
    assert 'href="/konto/login/"' in html
    assert 'href="/konto/signup/"' in html
