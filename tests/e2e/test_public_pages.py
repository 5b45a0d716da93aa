"""The public pages in a real browser: accessible (axe, WCAG 2.1 AA), usable by keyboard, 320 px."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from kammerpost.chamber.models import Department
from kammerpost.intake.models import Channel, InboundItem
from kammerpost.intake.services import IncomingFile, inbound_item_receive, sender_for_account
from kammerpost.privacy.models import CommunicationPreference
from kammerpost.privacy.services import opt_out_link_issue
from tests.accounts.conftest import PASSWORD, make_user
from tests.corpus import misc, pdfs
from tests.e2e.conftest import (
    WIDE_VIEWPORT,
    assert_accessible,
    assert_focus_on,
    assert_focus_visible,
    assert_no_horizontal_scroll,
    describe_focus,
    press_enter,
    press_enter_and_wait,
    tab_stops,
    tab_to,
)
from tests.intake.conftest import departments, intake_env  # noqa: F401 - fixtures
from tests.portal.conftest import portal_env  # noqa: F401 - fixture
from tests.test_url_guard import Route, public_pages

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_PAGES = public_pages()


def switch_language_by_keyboard(page: Page, language: str) -> None:
    """Tab to the footer's language select, choose ``language`` with the keys, submit with Enter."""
    tab_to(page, "#language")
    assert_focus_visible(page)
    options = page.locator("#language option").evaluate_all("(os) => os.map((o) => o.value)")
    steps = options.index(language) - options.index(page.locator("#language").input_value())
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    expect(page.locator("#language")).to_have_value(language)
    tab_to(page, ".language-form button[type=submit]")
    assert_focus_visible(page)
    press_enter_and_wait(page)


@pytest.mark.parametrize("route", PUBLIC_PAGES, ids=str)
def test_public_page_has_no_axe_violations_and_no_sideways_scrolling(
    page: Page, route: Route
) -> None:
    response = page.goto(route.path)
    assert response is not None and response.status == 200
    assert_accessible(page, f"{route} at {WIDE_VIEWPORT['width']} px")
    assert_no_horizontal_scroll(page)
    assert_accessible(page, f"{route} at 320 px")


def test_start_page_in_german_then_english_by_keyboard_passes_axe(page: Page) -> None:
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("h1")).to_have_text("Dokumente sicher an die Kammer senden")
    assert_accessible(page, "start page, German")

    switch_language_by_keyboard(page, "en")

    assert urlsplit(page.url).path == "/"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Send documents to the chamber securely")
    expect(page.locator("#language")).to_have_value("en")
    assert_accessible(page, "start page, English")
    assert_no_horizontal_scroll(page)


def test_language_switch_keeps_the_page_and_its_query(page: Page, live_server: LiveServer) -> None:
    page.goto("/?quelle=test")
    switch_language_by_keyboard(page, "en")
    assert page.url == f"{live_server.url}/?quelle=test"
    expect(page.locator("html")).to_have_attribute("lang", "en")

    switch_language_by_keyboard(page, "de")
    assert page.url == f"{live_server.url}/?quelle=test"
    expect(page.locator("html")).to_have_attribute("lang", "de")


def test_skip_link_is_the_first_stop_shows_and_moves_focus_to_the_content(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    assert_focus_on(page, "a.skip-link")
    assert_focus_visible(page)
    expect(page.locator("a.skip-link")).to_be_in_viewport()

    press_enter(page)

    assert_focus_on(page, "main#inhalt")
    # The next Tab goes on from the content, not back through the header.
    page.keyboard.press("Tab")
    assert page.evaluate(
        """() => {
            const main = document.querySelector('main'), el = document.activeElement;
            return main.contains(el)
                || Boolean(main.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    ), describe_focus(page)


def test_every_tab_stop_of_the_start_page_shows_focus(page: Page) -> None:
    page.goto("/")
    stops = tab_stops(page)
    assert stops[0].startswith("a ") and "Zum Inhalt springen" in stops[0]
    assert any(stop.startswith("select#language") for stop in stops)


def test_start_page_reflows_at_320_px_in_english_too(page: Page) -> None:
    page.goto("/")
    switch_language_by_keyboard(page, "en")
    assert_no_horizontal_scroll(page)
    # Text zoomed to 200 % (WCAG 1.4.4) at a phone width still does not scroll sideways.
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    assert_no_horizontal_scroll(page, width=640)


# --- issue 12: the pages around the channels, the contact form, the opt-out, the receipt ---

FOOTER_PAGES = [
    ("Dateiformate und Grenzen", "/formate/"),
    ("Häufige Fragen", "/fragen/"),
    ("Kontakt", "/kontakt/"),
    ("Datenschutz", "/datenschutz/"),
    ("Impressum", "/impressum/"),
    ("Barrierefreiheit", "/barrierefreiheit/"),
]


def test_every_public_page_is_reached_from_the_start_page_by_keyboard(page: Page) -> None:
    for label, path in FOOTER_PAGES:
        page.goto("/")
        tab_to(page, f".footer-nav a[href='{path}']")
        assert_focus_visible(page)
        press_enter_and_wait(page)
        assert urlsplit(page.url).path == path, label
        expect(page.locator("h1")).to_have_count(1)


def _fill_by_keyboard(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    assert_focus_visible(page)
    page.keyboard.type(text)


def test_contact_form_by_keyboard_errors_then_sent_into_the_department_inbox(
    page: Page,
    departments: dict[str, Department],  # noqa: F811
    intake_env: dict[str, str],  # noqa: F811
) -> None:
    page.goto("/kontakt/")
    assert_accessible(page, "contact form")
    assert_no_horizontal_scroll(page)
    page.set_viewport_size(WIDE_VIEWPORT)

    tab_to(page, ".contact-form button[type=submit]")
    press_enter_and_wait(page)
    assert page.title().startswith("Fehler: ")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary")).to_contain_text("Geben Sie Ihren Namen an.")
    assert_accessible(page, "contact form with errors")
    assert_no_horizontal_scroll(page)
    page.set_viewport_size(WIDE_VIEWPORT)

    _fill_by_keyboard(page, "#id_name", "Erika Muster")
    _fill_by_keyboard(page, "#id_email", "erika@example.org")
    tab_to(page, "#id_topic")
    target = departments["pruefungswesen"]
    options = page.locator("#id_topic option").evaluate_all("(os) => os.map((o) => o.value)")
    for _ in range(options.index(str(target.pk))):
        page.keyboard.press("ArrowDown")
    expect(page.locator("#id_topic")).to_have_value(str(target.pk))
    _fill_by_keyboard(page, "#id_message", "Wann ist die nächste Meisterprüfung?")
    tab_to(page, ".contact-form button[type=submit]")
    press_enter_and_wait(page)

    assert urlsplit(page.url).path == "/kontakt/gesendet/"
    item = InboundItem.objects.get()
    assert item.department == target and item.channel == "contact"
    expect(page.locator("h1")).to_contain_text(item.reference)
    assert_accessible(page, "contact form sent")
    assert_no_horizontal_scroll(page)


def test_the_opt_out_link_by_keyboard_without_login(page: Page) -> None:
    token = opt_out_link_issue(address="kunde@example.org")
    page.goto(f"/kommunikation/widerspruch/{token}/")
    assert urlsplit(page.url).path == "/kommunikation/widerspruch/"
    assert_accessible(page, "opt-out confirmation")
    assert_no_horizontal_scroll(page)
    page.set_viewport_size(WIDE_VIEWPORT)
    tab_to(page, "main form button[type=submit]")
    assert_focus_visible(page)
    press_enter_and_wait(page)
    expect(page.locator("h1")).to_have_text("Ihr Widerspruch ist gespeichert")
    assert_accessible(page, "opt-out done")
    preference = CommunicationPreference.objects.get(sender__email="kunde@example.org")
    assert preference.opted_out_at is not None


_LINES_PER_CELL = """(selector) => Array.from(document.querySelectorAll(selector)).map((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set(Array.from(range.getClientRects())
        .filter((r) => r.width > 0).map((r) => Math.round(r.top)));
    return [el.textContent.trim(), tops.size];
})"""


def test_the_receipt_never_breaks_a_word_inside_at_1280_and_at_320_px(
    page: Page,
    portal_env: object,  # noqa: F811
    departments: dict[str, Department],  # noqa: F811
) -> None:
    user = make_user("kundin@example.org")
    item = inbound_item_receive(
        channel=Channel.PORTAL,
        department=departments["verwaltung"],
        sender=sender_for_account(user=user),
        sender_confirmed=True,  # as a portal submission by the signed-in customer
        files=[
            IncomingFile(
                "Meisterbrief-Urkunde-Tischlerhandwerk-2026-eingescannt.pdf",
                io.BytesIO(pdfs.clean()),
            ),
            IncomingFile("foto.png", io.BytesIO(misc.png())),
        ],
    )
    page.goto("/konto/login/")
    page.fill("#id_login", "kundin@example.org")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/konto/**")
    page.goto(f"/portal/vorgaenge/{item.reference}/bestaetigung/")
    for width in (WIDE_VIEWPORT["width"], 320):
        page.set_viewport_size({"width": width, "height": 800})
        for selector in (".receipt-files thead th", ".receipt-files td.value"):
            cells = page.evaluate(_LINES_PER_CELL, selector)
            assert cells, selector
            broken = [text for text, lines in cells if lines != 1]
            assert not broken, f"at {width} px these cells wrap: {broken}"
        assert_accessible(page, f"receipt at {width} px")
    assert_no_horizontal_scroll(page)
