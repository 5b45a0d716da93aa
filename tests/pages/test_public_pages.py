"""The public pages: every one reachable from the start page, texts from the admin, numbers
from configuration (the policy table, the procedures, the retention rules)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from kammerpost.accounts.models import User
from kammerpost.chamber.procedures import procedures_all
from kammerpost.inspection import FORMATS, policy
from kammerpost.inspection.policy import MB, Policy, policy_named
from kammerpost.pages.models import PublicPage
from kammerpost.privacy.models import RetentionRule
from tests.accounts.conftest import totp_activate

pytestmark = pytest.mark.django_db

PAGES = {
    "/formate/": "Dateiformate und Grenzen",
    "/fragen/": "Häufige Fragen",
    "/kontakt/": "Haben Sie noch Fragen? Schreiben Sie uns!",
    "/datenschutz/": "Datenschutzhinweise",
    "/impressum/": "Impressum",
    "/barrierefreiheit/": "Erklärung zur Barrierefreiheit",
}


def h1(html: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert match, "page has no h1"
    return match.group(1).strip()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_public_page_is_linked_from_the_start_page_and_answers(client: Client) -> None:
    start = client.get("/").content.decode()
    for path, title in PAGES.items():
        assert f'href="{path}"' in start, f"{path} not linked from the start page"
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert h1(html) == title
        assert html.count("<h1") == 1
        # The footer navigation links every page from every page, too.
        for other in PAGES:
            assert f'href="{other}"' in html, f"{other} not linked from {path}"


def test_start_page_names_the_three_channels_and_warns_that_email_is_unencrypted(
    client: Client,
) -> None:
    text = text_of(client.get("/").content.decode())
    for channel in ("E-Mail", "Kundenportal", "HWK-Cloud"):
        assert channel in text
    assert "kurze Fragen" in text
    assert "nach Absprache" in text
    assert "unverschlüsselt übertragen" in text
    assert f"höchstens {policy_named('email').limits.max_file_size // MB} MB je E-Mail" in text


def test_formats_page_lists_formats_limits_narrowings_and_what_is_refused(client: Client) -> None:
    text = text_of(client.get("/formate/").content.decode())
    for fmt in FORMATS.values():
        assert fmt.short in text and fmt.extensions[0] in text
    assert "höchstens 20 MB je E-Mail" in text
    assert "höchstens 100 MB je Datei" in text
    assert "höchstens 20 GB je Datei" in text
    # Every procedure slot that narrows the policy is named with what it accepts.
    for procedure in procedures_all().values():
        for slot in procedure.slots:
            if slot.policy == "pdf-only":
                assert procedure.title_de in text and slot.label_de in text
    for refused in ("Makros", "Programme und Skripte", "Archive", "Links zu Download-Seiten"):
        assert refused in text


def test_formats_page_follows_the_policy_table_the_checks_use(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Change the table (not the page): the page and the checks' policy change together."""
    smaller = Policy(
        name="default",
        formats=("pdf", "png"),
        limits=replace(policy.CHAMBER_DEFAULT.limits, max_file_size=42 * MB),
    )
    monkeypatch.setattr(policy, "CHAMBER_DEFAULT", smaller)
    monkeypatch.setitem(policy._DERIVED, "email", {"max_file_size": 7 * MB})
    assert policy_named("default").formats == ("pdf", "png")  # what the inspector applies
    html = client.get("/formate/").content.decode()
    text = text_of(html)
    assert "höchstens 42 MB je Datei" in text
    assert "höchstens 7 MB je E-Mail" in text
    assert '<th scope="row">PDF</th>' in html and '<th scope="row">PNG</th>' in html
    assert '<th scope="row">DOCX</th>' not in html


def test_privacy_notice_shows_the_configured_retention_periods_and_follows_changes(
    client: Client,
) -> None:
    text = text_of(client.get("/datenschutz/").content.decode())
    for rule in RetentionRule.objects.all():
        assert rule.label_de in text
        assert f"{rule.months} Monate" in text
    for right in ("Auskunft", "Berichtigung", "Löschung", "Widerspruch", "Datenübertragbarkeit"):
        assert right in text
    contact = RetentionRule.objects.get(channel="contact")
    contact.months = 9
    contact.save()
    text = text_of(client.get("/datenschutz/").content.decode())
    assert "Anfragen über das Kontaktformular 9 Monate nach Abschluss des Vorgangs" in text
    RetentionRule.objects.create(months=18, label_de="Neue Frist XY", label_en="New period XY")
    assert "Neue Frist XY" in text_of(client.get("/datenschutz/").content.decode())


def test_faq_answers_the_questions_senders_ask(client: Client) -> None:
    text = text_of(client.get("/fragen/").content.decode())
    for question in (
        "Antworten Sie mir jetzt auch elektronisch?",
        "Warum laden Sie Dateien von Links",
        "Warum nehmen Sie keine ZIP-Dateien an?",
        "qualifizierte elektronische Signatur",
        "vertrauliche Unterlagen",
        "Wie registriere ich mich",
    ):
        assert question in text
    assert "Privatperson" in text and "Betrieb" in text


def test_accessibility_statement_names_bitv_and_a_feedback_route(client: Client) -> None:
    html = client.get("/barrierefreiheit/").content.decode()
    assert "BITV 2.0" in html and "WCAG 2.1" in html
    assert 'href="/kontakt/"' in html


@pytest.mark.parametrize("path", ["/", *PAGES])
def test_pages_speak_english_when_chosen(client: Client, path: str) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(path).content.decode()
    assert '<html lang="en">' in html
    assert not re.search(r"\b(Sie|Ihre|und)\b", text_of(h1(html)))


def test_an_administrators_text_replaces_the_default_with_placeholders_filled(
    client: Client,
) -> None:
    page = PublicPage.objects.get(slug="impressum")
    page.body_de = "Neu: bis {{ mail_mb }} MB.\n\n{{ formate }}\n"
    page.full_clean()
    page.save()
    html = client.get("/impressum/").content.decode()
    assert "Neu: bis 20 MB." in html
    assert '<table class="formats">' in html


def test_an_administrators_html_and_script_links_never_reach_the_page(client: Client) -> None:
    page = PublicPage.objects.get(slug="impressum")
    page.body_de = (
        '<script>alert(1)</script> <img src=x onerror="alert(2)">\n\n'
        "[klick](javascript:alert(3)) [gut](/kontakt/)"
    )
    page.save()
    html = client.get("/impressum/").content.decode()
    body = html.split('class="page-text', 1)[1].split("</div>", 1)[0]
    assert "<script>" not in body and "<img" not in body
    assert "&lt;script&gt;" in body
    assert 'href="javascript' not in body
    assert '<a href="/kontakt/">gut</a>' in body


def test_an_unknown_placeholder_is_refused_in_the_admin() -> None:
    page = PublicPage.objects.get(slug="fragen")
    page.body_en = "See {{ formte }}"
    with pytest.raises(ValidationError) as refused:
        page.full_clean()
    assert "formte" in str(refused.value)


def test_a_missing_row_falls_back_to_the_shipped_text(client: Client) -> None:
    PublicPage.objects.filter(slug="fragen").delete()
    assert h1(client.get("/fragen/").content.decode()) == "Häufige Fragen"


def test_the_admin_edits_the_texts_but_cannot_add_or_delete_pages(
    admin_user: User, client: Client
) -> None:
    totp_activate(admin_user)
    client.force_login(admin_user)
    page = PublicPage.objects.get(slug="impressum")
    url = f"/admin/pages/publicpage/{page.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title_de": "Impressum",
            "body_de": "Anschrift: Neue Straße 5",
            "title_en": "Imprint",
            "body_en": "Address: Neue Straße 5",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "Neue Straße 5" in client.get("/impressum/").content.decode()
    refused = client.post(
        url,
        {**dict.fromkeys(["title_de", "title_en"], "X"), "body_de": "{{ nix }}", "body_en": "ok"},
    )
    assert refused.status_code == 200 and "Unbekannter Platzhalter: nix" in refused.content.decode()
    assert client.get("/admin/pages/publicpage/add/").status_code == 403
