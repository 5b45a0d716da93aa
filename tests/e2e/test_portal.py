"""A customer sends documents through the portal in a real browser, one bad file replaced."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from kammerpost.chamber.models import Department
from kammerpost.intake.models import InboundItem
from tests.accounts.conftest import PASSWORD, make_user
from tests.corpus import misc, pdfs
from tests.e2e.conftest import (
    WIDE_VIEWPORT,
    assert_accessible,
    assert_focus_on,
    assert_no_horizontal_scroll,
)
from tests.intake.conftest import departments, intake_env  # noqa: F401 - fixtures
from tests.portal.conftest import portal_env  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clamd]


def _check_state(page: Page, state: str) -> None:
    assert_accessible(page, state)
    assert_no_horizontal_scroll(page)
    page.set_viewport_size(WIDE_VIEWPORT)


def test_customer_replaces_a_rejected_file_and_gets_a_receipt(
    page: Page,
    portal_env: object,  # noqa: F811
) -> None:
    assert Department.objects.filter(slug="verwaltung").exists()
    make_user("kundin@example.org")
    page.goto("/konto/login/")
    page.fill("#id_login", "kundin@example.org")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/konto/**")

    page.goto("/portal/verfahren/allgemein/")
    _check_state(page, "empty form")
    page.click("main form button[type=submit]")
    expect(page.locator(".error-summary")).to_be_focused()
    assert page.title().startswith("Fehler: ")
    assert_focus_on(page, ".error-summary")
    _check_state(page, "form with errors")

    page.select_option("#id_department", "verwaltung")
    page.fill("#id_message", "Anbei die Unterlagen.")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/dateien/")

    page.set_input_files(
        "#file-dokumente",
        files=[{"name": "nachweis.pdf", "mimeType": "application/pdf", "buffer": misc.zip_bytes()}],
    )
    page.click("#file-dokumente ~ p button[type=submit]")
    expect(page.locator(".badge--rejected")).to_be_visible()
    expect(page.locator("main")).to_contain_text("ZIP")
    _check_state(page, "upload result with a rejected file")

    page.click("button:has-text('Entfernen')")
    expect(page.locator(".badge--rejected")).to_have_count(0)
    page.set_input_files(
        "#file-dokumente",
        files=[{"name": "nachweis.pdf", "mimeType": "application/pdf", "buffer": pdfs.clean()}],
    )
    page.click("#file-dokumente ~ p button[type=submit]")
    expect(page.locator(".badge--accepted")).to_be_visible()
    _check_state(page, "upload result accepted")

    page.click("button:has-text('Weiter zur Prüfung')")
    page.wait_for_url("**/pruefen/")
    expect(page.locator("main")).to_contain_text("nachweis.pdf")
    _check_state(page, "check your answers")
    page.click("button:has-text('Jetzt senden')")
    page.wait_for_url("**/bestaetigung/")
    item = InboundItem.objects.get()
    expect(page.locator("main")).to_contain_text(item.reference)
    _check_state(page, "receipt")

    page.goto("/portal/vorgaenge/")
    expect(page.locator("main")).to_contain_text(item.reference)
    _check_state(page, "Meine Vorgänge")
    assert item.department.slug == "verwaltung"
    assert [d.original_name for d in item.documents.all()] == ["nachweis.pdf"]
