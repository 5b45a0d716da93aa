"""The contact form: an item in the department's inbox, spam refused, mail only to confirmed
addresses (never a backscatter vector)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.chamber.models import Department
from kammerpost.intake.models import Channel, InboundItem
from kammerpost.privacy.models import CommunicationPreference
from tests.accounts.conftest import make_user
from tests.backoffice.conftest import make_clerk, signed_in
from tests.correspondence.conftest import outbox_files, parsed

pytestmark = pytest.mark.django_db


def form(department: Department, **changes: str) -> dict[str, str]:
    return {
        "name": "Erika Muster",
        "email": "erika@example.org",
        "topic": str(department.pk),
        "message": "Wann ist die nächste Meisterprüfung?",
        "website": "",
        **changes,
    }


def test_a_question_arrives_in_the_chosen_departments_inbox_with_the_reference_on_screen(
    client: Client, departments: dict[str, Department], intake_env: dict[str, str], outbox: Path
) -> None:
    department = departments["pruefungswesen"]
    response = client.post("/kontakt/", form(department), follow=True)
    assert response.redirect_chain[-1][0] == "/kontakt/gesendet/"
    item = InboundItem.objects.get()
    assert item.channel == Channel.CONTACT
    assert item.department == department
    assert item.text == "Wann ist die nächste Meisterprüfung?"
    assert item.sender.email == "erika@example.org"
    assert item.sender.display_name == "Erika Muster"
    html = response.content.decode()
    assert item.reference in html
    assert "keine Bestätigung per E-Mail" in html
    # The clerk of that department finds it in the inbox, with the preference the form started.
    clerk = make_clerk("clerk@hwk.example", department)
    inbox = signed_in(clerk).get(f"/intern/bereich/{department.slug}/").content.decode()
    assert item.reference in inbox
    assert "elektronisch seit" in inbox and "Kontaktformular" in inbox
    preference = CommunicationPreference.objects.get(sender=item.sender)
    assert preference.electronic and preference.via == "contact"
    # An address nobody confirmed gets nothing from us: no backscatter.
    assert outbox_files(outbox) == []


def test_an_anonymous_request_queues_no_mail_at_all(
    client: Client,
    departments: dict[str, Department],
    intake_env: dict[str, str],
    outbox: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/kontakt/", form(departments["handwerksrolle"]))
    assert InboundItem.objects.count() == 1
    assert outbox_files(outbox) == []


def test_a_signed_in_person_with_a_confirmed_address_gets_the_acknowledgement_by_mail(
    departments: dict[str, Department],
    intake_env: dict[str, str],
    outbox: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = make_user("kundin@example.org")
    client = signed_in(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/kontakt/",
            form(departments["handwerksrolle"], email="kundin@example.org"),
            follow=True,
        )
    item = InboundItem.objects.get()
    assert item.sender.user == user
    assert "an die E-Mail-Adresse Ihres Kontos" in response.content.decode()
    [raw] = outbox_files(outbox)
    mail = parsed(raw)
    assert mail["To"] == "kundin@example.org"
    assert item.reference in mail["Subject"]
    assert "Wann ist die nächste" not in mail.get_content()  # the content is not echoed


def test_a_signed_in_person_typing_someone_elses_address_gets_no_mail(
    departments: dict[str, Department],
    intake_env: dict[str, str],
    outbox: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = signed_in(make_user("kundin@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/kontakt/", form(departments["handwerksrolle"], email="opfer@example.org"))
    item = InboundItem.objects.get()
    assert item.sender.user is None
    assert outbox_files(outbox) == []


def test_the_honeypot_refuses_bots_with_a_reason_and_stores_nothing(
    client: Client, departments: dict[str, Department], intake_env: dict[str, str]
) -> None:
    response = client.post(
        "/kontakt/", form(departments["handwerksrolle"], website="http://spam.example")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "nicht angenommen" in html and "Laden Sie die Seite neu" in html
    assert not InboundItem.objects.exists()


def test_the_rate_limit_per_ip_refuses_with_a_reason_and_a_hint(
    client: Client,
    departments: dict[str, Department],
    intake_env: dict[str, str],
    settings: SettingsWrapper,
) -> None:
    settings.PAGES_CONTACT_ATTEMPTS_PER_IP = 2
    department = departments["handwerksrolle"]
    for number in range(2):
        ok = client.post("/kontakt/", form(department, email=f"p{number}@example.org"))
        assert ok.status_code == 302
    refused = client.post("/kontakt/", form(department, email="p3@example.org"))
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "zu viele Nachrichten" in html and "warten Sie eine Stunde" in html
    assert InboundItem.objects.count() == 2


def test_the_rate_limit_per_address_holds_across_ips(
    departments: dict[str, Department], intake_env: dict[str, str], settings: SettingsWrapper
) -> None:
    settings.PAGES_CONTACT_ATTEMPTS_PER_ADDRESS = 1
    department = departments["handwerksrolle"]
    first = Client(REMOTE_ADDR="192.0.2.1").post("/kontakt/", form(department))
    second = Client(REMOTE_ADDR="192.0.2.2").post("/kontakt/", form(department))
    assert (first.status_code, second.status_code) == (302, 429)
    assert InboundItem.objects.count() == 1


def test_missing_fields_are_named_with_what_to_do(
    client: Client, departments: dict[str, Department]
) -> None:
    response = client.post("/kontakt/", {"name": "", "email": "kaputt", "topic": "", "message": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Fehler:" in html
    for text in (
        "Geben Sie Ihren Namen an.",
        "name@beispiel.de",
        "Wählen Sie ein Thema",
        "Schreiben Sie Ihre Frage",
    ):
        assert text in html
    assert not InboundItem.objects.exists()


def test_only_declared_fields_count(
    client: Client, departments: dict[str, Department], intake_env: dict[str, str]
) -> None:
    client.post(
        "/kontakt/",
        {**form(departments["handwerksrolle"]), "status": "done", "channel": "portal"},
    )
    item = InboundItem.objects.get()
    assert (item.status, item.channel) == ("new", "contact")


def test_the_acknowledgement_page_without_a_request_goes_back_to_the_form(client: Client) -> None:
    response = client.get("/kontakt/gesendet/")
    assert response.status_code == 302 and response["Location"] == "/kontakt/"


def test_the_contact_form_in_english(client: Client, departments: dict[str, Department]) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.post("/kontakt/", {"name": ""}).content.decode()
    assert "Any questions left? Write to us!" in html
    assert "Enter your name." in html
