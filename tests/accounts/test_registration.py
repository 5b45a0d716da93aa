"""Registration, confirmation, login, reset: security.md 1-3, 10, 21 and the GOV.UK form pattern."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from freezegun import freeze_time

from kammerpost.accounts.models import Business, Membership, User

from .conftest import PASSWORD, links_in, login, make_user, path_of

pytestmark = pytest.mark.django_db


def main_of(response) -> str:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def signup(client: Client, email: str, password: str = PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    data = {
        "account_type": "person",
        "email": email,
        "password1": password,
        "password2": password,
        **extra,
    }
    return client.post("/konto/signup/", data)


def test_registration_sends_a_confirmation_link_that_confirms_and_then_login_works(
    client: Client, mailoutbox: list[mail.EmailMessage]
) -> None:
    response = signup(client, "neu@example.org")
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["neu@example.org"]
    link = next(url for url in links_in(mailoutbox[0].body) if "/konto/confirm-email/" in url)

    # Not confirmed yet: the login does not open the account.
    refused = login(client, "neu@example.org")
    assert refused.status_code == 302
    assert "_auth_user_id" not in client.session

    page = client.get(path_of(link))
    assert page.status_code == 200
    assert "E-Mail-Adresse bestätigen" in page.content.decode()
    assert client.post(path_of(link)).status_code == 302

    response = login(client, "neu@example.org")
    assert response.status_code == 302
    assert response["Location"] == "/konto/"
    assert client.get("/konto/").status_code == 200
    user = User.objects.get(email="neu@example.org")
    assert not user.username.startswith("neu")  # the handle is opaque
    assert not Membership.objects.filter(user=user).exists()


def test_registering_as_a_business_makes_the_person_its_administrator(client: Client) -> None:
    signup(client, "chefin@betrieb.example", account_type="business", business_name="Malerei Blau")
    membership = Membership.objects.get(user__email="chefin@betrieb.example")
    assert membership.business.name == "Malerei Blau"
    assert membership.role == Membership.Role.ADMINISTRATOR
    assert membership.business.betriebsnummer is None


def test_business_registration_without_a_name_shows_the_error_summary(client: Client) -> None:
    response = signup(client, "ohne@betrieb.example", account_type="business")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Fehler: Registrieren" in html
    assert 'role="alert"' in html
    assert 'href="#id_business_name"' in html
    assert 'aria-describedby="id_business_name_helptext id_business_name_error"' in html
    assert 'value="ohne@betrieb.example"' in html  # kept after the error
    assert "novalidate" in html
    assert not User.objects.filter(email="ohne@betrieb.example").exists()


def test_registering_an_existing_address_answers_exactly_like_a_new_one(
    client: Client, mailoutbox: list[mail.EmailMessage]
) -> None:
    make_user("schon@example.org")
    new = signup(Client(), "frisch@example.org")
    existing = signup(Client(), "SCHON@example.org")
    assert (existing.status_code, existing["Location"]) == (new.status_code, new["Location"])
    assert main_of(Client().get(existing["Location"])) == main_of(Client().get(new["Location"]))
    assert User.objects.filter(email__iexact="schon@example.org").count() == 1
    # The owner of the address learns about the attempt by mail, nobody else does.
    assert [m.to for m in mailoutbox] == [["frisch@example.org"], ["schon@example.org"]]


def test_reset_for_an_unknown_address_answers_exactly_like_for_a_known_one(
    client: Client, mailoutbox: list[mail.EmailMessage]
) -> None:
    make_user("bekannt@example.org")
    known = Client().post("/konto/password/reset/", {"email": "bekannt@example.org"})
    unknown = Client().post("/konto/password/reset/", {"email": "unbekannt@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert main_of(Client().get(known["Location"])) == main_of(Client().get(unknown["Location"]))


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("elf Zeichen", False),  # 11 characters
        ("password1234", False),  # on the common-password list
        ("passwort1234", False),  # a German common password
        ("Schalke04!!!", False),  # a listed word only decorated with digits and symbols
        ("Handwerkskammer2026!", False),
        ("Ä" * 12 + " ✓ ünïcödé", True),
        ("x" * 40 + "-auch lange Passwörter gehen" + "y" * 40, True),  # 100+ characters
        ("zwölf Zeiche", True),  # exactly 12, no composition rules
    ],
)
def test_password_rules_are_length_and_common_list_only(password: str, accepted: bool) -> None:
    response = signup(Client(), "regeln@example.org", password=password)
    assert User.objects.filter(email="regeln@example.org").exists() is accepted
    if not accepted:
        assert 'href="#id_password1"' in response.content.decode()


def test_a_reset_link_works_once_and_sets_the_new_password(
    person: User, mailoutbox: list[mail.EmailMessage]
) -> None:
    client = Client()
    client.post("/konto/password/reset/", {"email": person.email})
    link = path_of(next(u for u in links_in(mailoutbox[-1].body) if "/password/reset/key/" in u))
    form_url = client.get(link)["Location"]
    new = "ein neues, langes Passwort"
    done = client.post(form_url, {"password1": new, "password2": new})
    assert done.status_code == 302
    again = Client().get(link, follow=True)
    assert "Link ungültig" in again.content.decode()
    assert login(Client(), person.email, new).status_code == 302
    person.refresh_from_db()
    assert person.check_password(new)


def test_a_reset_link_expires_after_one_hour(
    person: User, mailoutbox: list[mail.EmailMessage]
) -> None:
    Client().post("/konto/password/reset/", {"email": person.email})
    link = path_of(next(u for u in links_in(mailoutbox[-1].body) if "/password/reset/key/" in u))
    # Django's reset tokens count local naive time: freeze that one hour and a minute on.
    with freeze_time(datetime.now() + timedelta(hours=1, minutes=1)):
        response = Client().get(link, follow=True)
    assert "Link ungültig" in response.content.decode()


def test_signup_ignores_undeclared_fields_such_as_is_staff(client: Client) -> None:
    signup(client, "frech@example.org", is_staff="1", is_superuser="1", is_active="0")
    user = User.objects.get(email="frech@example.org")
    assert (user.is_staff, user.is_superuser, user.is_active) == (False, False, True)


def test_a_filled_honeypot_creates_no_account(client: Client) -> None:
    response = signup(client, "bot@example.org", website="http://spam.example")
    assert response.status_code == 302
    assert not User.objects.filter(email="bot@example.org").exists()


def test_account_forms_enforce_csrf() -> None:
    client = Client(enforce_csrf_checks=True)
    assert signup(client, "csrf@example.org").status_code == 403
    assert client.post("/konto/password/reset/", {"email": "x@example.org"}).status_code == 403
    assert login(client, "x@example.org").status_code == 403
    assert Business.objects.count() == 0


def test_a_reset_link_is_built_from_the_portal_url_never_from_the_host_header(
    person: User,
    mailoutbox: list[mail.EmailMessage],
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.PORTAL_URL = "https://portal.hwk-musterstadt.example/"
    Client().post("/konto/password/reset/", {"email": person.email}, HTTP_HOST="127.0.0.1:1337")
    body = mailoutbox[-1].body
    assert "1337" not in body
    links = [u for u in links_in(body) if "/password/reset/key/" in u]
    assert links and all(u.startswith("https://portal.hwk-musterstadt.example/") for u in links)
    Client().post(
        "/konto/signup/",
        {
            "account_type": "person",
            "email": "neu-host@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        HTTP_HOST="127.0.0.1:1337",
    )
    confirmation = mailoutbox[-1].body
    assert "1337" not in confirmation
    assert any(
        u.startswith("https://portal.hwk-musterstadt.example/") for u in links_in(confirmation)
    )
