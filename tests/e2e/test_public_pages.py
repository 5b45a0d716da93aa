"""The public pages in a real browser: accessible (axe, WCAG 2.1 AA), usable by keyboard, 320 px."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

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
