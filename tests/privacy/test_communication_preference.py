"""The communication preference (requirements 1.4): recorded for every channel, shown to staff,
ended by the person in the portal or with the single-use link in every mail."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.chamber.models import Department
from kammerpost.correspondence.mail import mail_send
from kammerpost.intake.models import Channel, InboundItem, Sender
from kammerpost.intake.services import sender_for_account, sender_for_address
from kammerpost.privacy.exceptions import OptOutLinkError
from kammerpost.privacy.models import AuditEvent, CommunicationPreference, OptOutLink
from kammerpost.privacy.services import (
    communication_preference_opt_out,
    communication_preference_record_electronic,
    opt_out_link_issue,
    opt_out_link_redeem,
)
from tests.accounts.conftest import make_user
from tests.backoffice.conftest import make_clerk, receive, signed_in
from tests.corpus import pdfs
from tests.correspondence.conftest import outbox_files, parsed

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/kommunikation/widerspruch/([\w-]+)/")


def preference_of(email: str) -> CommunicationPreference:
    return CommunicationPreference.objects.get(sender__email=email)


def mailed_link(outbox: Path) -> str:
    [raw] = outbox_files(outbox)
    match = LINK.search(parsed(raw).get_content())
    assert match, "the mail carries no opt-out link"
    return urlsplit(match.group(0)).path


def test_registering_and_sending_through_the_portal_is_electronic_via_portal(
    portal_env: Path, departments: dict[str, Department]
) -> None:
    """The bug of issue 12: a new portal user showed as "nicht erklärt" in the back office."""
    user = make_user("neu@example.org")
    client = signed_in(user)
    start = client.post(
        "/portal/verfahren/allgemein/", {"department": "verwaltung", "message": "Hallo"}
    )
    draft = start["Location"].split("/")[3]
    client.post(
        f"/portal/entwurf/{draft}/dateien/",
        {"slot": "dokumente", "file": SimpleUploadedFile("nachweis.pdf", pdfs.clean())},
    )
    assert client.get(f"/portal/entwurf/{draft}/pruefen/").status_code == 200
    assert client.post(f"/portal/entwurf/{draft}/senden/").status_code == 302
    item = InboundItem.objects.get()
    preference = preference_of("neu@example.org")
    assert preference.electronic and preference.via == "portal"
    clerk = make_clerk("clerk@hwk.example", departments["verwaltung"])
    detail = signed_in(clerk).get(f"/intern/eingang/{item.reference}/").content.decode()
    assert "nicht erklärt" not in detail
    assert "elektronisch seit" in detail and "Kundenportal" in detail


def test_confirming_the_registration_address_records_the_preference(client: Client) -> None:
    user = make_user("bestaetigt@example.org")
    address = EmailAddress.objects.get(user=user)
    address.verified = False
    address.save()
    request = client.get("/").wsgi_request
    assert get_adapter(request).confirm_email(request, address)
    preference = preference_of("bestaetigt@example.org")
    assert preference.electronic and preference.via == "portal"
    assert Sender.objects.get(email="bestaetigt@example.org").user == user


@pytest.mark.parametrize("channel", ["email", "exchange", "contact", "portal"])
def test_every_channel_records_since_when_and_through_which(channel: str) -> None:
    sender = sender_for_address(email=f"{channel}@example.org")
    before = timezone.now()
    communication_preference_record_electronic(sender=sender, via=channel)
    preference = preference_of(f"{channel}@example.org")
    assert preference.electronic and preference.via == channel
    assert preference.since is not None and preference.since >= before
    # A later message through another channel keeps the first date and channel.
    communication_preference_record_electronic(sender=sender, via="email")
    assert preference_of(f"{channel}@example.org").via == channel


def test_an_opt_out_outlasts_later_messages() -> None:
    sender = sender_for_address(email="nein@example.org")
    communication_preference_opt_out(sender=sender)
    communication_preference_record_electronic(sender=sender, via="email")
    preference = preference_of("nein@example.org")
    assert not preference.electronic and preference.opted_out_at is not None


def test_every_notification_mail_carries_its_own_opt_out_link(
    outbox: Path, settings: SettingsWrapper
) -> None:
    settings.PORTAL_URL = "https://portal.example/"
    for _ in range(2):
        mail_send(
            template="thread_notification",
            context={"reference": "E-2026-000001"},
            to="kunde@example.org",
            from_email="info@hwk.example",
        )
    bodies = [parsed(raw).get_content() for raw in outbox_files(outbox)]
    links = [LINK.search(body) for body in bodies]
    assert all(links)
    assert links[0].group(1) != links[1].group(1)  # type: ignore[union-attr]
    assert all("https://portal.example/kommunikation/widerspruch/" in body for body in bodies)
    # Only the hash is stored: the table cannot be turned into working links.
    assert not OptOutLink.objects.filter(token_sha256=links[0].group(1)).exists()  # type: ignore[union-attr]
    assert OptOutLink.objects.filter(address="kunde@example.org").count() == 2


def test_the_opt_out_link_works_once_without_login_and_the_back_office_shows_it(
    outbox: Path, departments: dict[str, Department], intake_env: dict[str, str]
) -> None:
    department = departments["handwerksrolle"]
    item = receive(department, sender="meister@example.org")
    communication_preference_record_electronic(sender=item.sender, via="email")
    mail_send(
        template="portal_invitation",
        context={"reference": item.reference, "department": department.name},
        to="meister@example.org",
        from_email=department.email,
    )
    link = mailed_link(outbox)
    browser = Client()  # nobody signed in
    moved = browser.get(link)
    # The token leaves the URL at once: the next page's address holds nothing secret.
    assert moved.status_code == 302 and moved["Location"] == "/kommunikation/widerspruch/"
    confirm = browser.get("/kommunikation/widerspruch/")
    assert confirm.status_code == 200
    # Opening the link (a mail scanner does) changes nothing; only the button does.
    assert preference_of("meister@example.org").electronic
    done = browser.post("/kommunikation/widerspruch/")
    assert done.status_code == 200
    assert "Ihr Widerspruch ist gespeichert" in done.content.decode()
    preference = preference_of("meister@example.org")
    assert preference.opted_out_at is not None and not preference.electronic
    assert AuditEvent.objects.filter(action="communication.opt_out_link_used").count() == 1

    clerk = make_clerk("clerk@hwk.example", department)
    staff = signed_in(clerk)
    detail = staff.get(f"/intern/eingang/{item.reference}/").content.decode()
    assert "keine elektronische Kommunikation (Widerspruch vom" in detail
    assert "Der Absender hat der elektronischen Kommunikation widersprochen" in detail
    inbox = staff.get(f"/intern/bereich/{department.slug}/").content.decode()
    assert "Widerspruch vom" in inbox

    # Once used, the link is refused - in the same browser and in another.
    again = Client()
    again.get(link)
    refused = again.post("/kommunikation/widerspruch/")
    assert refused.status_code == 400
    assert "bereits verwendet" in refused.content.decode()
    assert AuditEvent.objects.filter(action="communication.opt_out_link_used").count() == 1


def test_an_unknown_or_expired_link_is_refused_with_a_hint(
    outbox: Path, settings: SettingsWrapper
) -> None:
    browser = Client()
    browser.get("/kommunikation/widerspruch/erfunden/")
    refused = browser.post("/kommunikation/widerspruch/")
    assert refused.status_code == 400
    assert "ungültig" in refused.content.decode() and "vollständig" in refused.content.decode()
    mail_send(
        template="thread_notification",
        context={"reference": "E-1"},
        to="alt@example.org",
        from_email="info@hwk.example",
    )
    link = mailed_link(outbox)
    OptOutLink.objects.update(
        created_at=timezone.now() - timedelta(days=settings.PRIVACY_OPT_OUT_LINK_DAYS + 1)
    )
    browser.get(link)
    expired = browser.post("/kommunikation/widerspruch/")
    assert expired.status_code == 400 and "abgelaufen" in expired.content.decode()
    assert not CommunicationPreference.objects.filter(sender__email="alt@example.org").exists()


def test_the_opt_out_page_without_a_link_explains_what_is_missing(client: Client) -> None:
    response = client.get("/kommunikation/widerspruch/")
    assert response.status_code == 400
    assert "Hier fehlt der Link" in response.content.decode()
    assert client.post("/kommunikation/widerspruch/").status_code == 400


def test_the_portal_setting_opts_out_and_back_in(client: Client) -> None:
    user = make_user("kunde@example.org")
    client.force_login(user)
    page = client.get("/kommunikation/")
    assert page.status_code == 200 and "nicht erklärt" in page.content.decode()
    assert client.post("/kommunikation/", {"electronic": "0"}).status_code == 302
    sender = sender_for_account(user=user)
    assert sender.communication_preference.opted_out_at is not None
    assert "Widerspruch vom" in client.get("/kommunikation/").content.decode()
    client.post("/kommunikation/", {"electronic": "1"})
    preference = preference_of("kunde@example.org")
    assert preference.electronic and preference.opted_out_at is None
    assert preference.via == "portal"


def test_the_portal_setting_needs_a_login(client: Client) -> None:
    response = client.get("/kommunikation/")
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


def test_the_reply_form_warns_when_the_procedure_requires_paper(
    departments: dict[str, Department], intake_env: dict[str, str]
) -> None:
    department = departments["pruefungswesen"]
    item = receive(department, procedure="pruefung-anmeldung", channel=Channel.EMAIL)
    other = receive(department, procedure="", channel=Channel.EMAIL)
    staff = signed_in(make_clerk("clerk@hwk.example", department))
    assert "Papierform" in staff.get(f"/intern/eingang/{item.reference}/").content.decode()
    assert "Papierform" not in staff.get(f"/intern/eingang/{other.reference}/").content.decode()


def test_a_link_redeemed_twice_opts_out_once() -> None:
    token = opt_out_link_issue(address="doppelt@example.org")
    opt_out_link_redeem(token=token)
    with pytest.raises(OptOutLinkError):
        opt_out_link_redeem(token=token)
    assert AuditEvent.objects.filter(action="communication.opted_out").count() == 1


def test_the_account_page_leads_to_the_setting(client: Client) -> None:
    client.force_login(make_user("konto@example.org"))
    assert 'href="/kommunikation/"' in client.get("/konto/").content.decode()
