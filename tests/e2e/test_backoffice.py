"""A clerk's day in the browser: TOTP login -> inbox -> item -> assign -> status.

axe (WCAG 2.1 A/AA) on the inbox and the item detail, and no sideways scrolling at 320 px.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from kammerpost.chamber.models import Department
from kammerpost.intake.models import InboundItem, ItemStatus
from kammerpost.privacy.models import AuditEvent
from tests.accounts.conftest import PASSWORD, totp_activate, totp_now
from tests.backoffice.conftest import inspect_all, make_clerk, receive
from tests.corpus import misc
from tests.e2e.conftest import WIDE_VIEWPORT, assert_accessible, assert_no_horizontal_scroll
from tests.intake.conftest import departments, intake_env
from tests.support.clamd import EICAR

__all__ = ["departments", "intake_env"]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clamd]


def _check_page(page: Page, state: str) -> None:
    assert_accessible(page, f"{state} at {WIDE_VIEWPORT['width']} px")
    assert_no_horizontal_scroll(page)
    assert_accessible(page, f"{state} at 320 px")
    page.set_viewport_size(WIDE_VIEWPORT)


def test_clerk_logs_in_with_totp_assigns_and_sets_the_status(
    page: Page, intake_env: dict[str, str], departments: dict[str, Department]
) -> None:
    handwerksrolle = departments["handwerksrolle"]
    clerk = make_clerk("sachbearbeiterin@hwk-musterstadt.example", handwerksrolle, totp=False)
    secret, _recovery_codes = totp_activate(clerk)
    item = receive(
        handwerksrolle,
        ("Meisterbrief.png", misc.png()),
        ("rechnung.pdf", EICAR),
        sender="meister.mueller-langername@example.org",
        subject="Nachweise zur Eintragung",
    )
    inspect_all(item)

    page.goto("/konto/login/")
    page.fill("#id_login", clerk.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Anmelden").first.click()
    page.wait_for_url("**/konto/2fa/authenticate/")
    page.fill("#id_code", totp_now(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/konto/")

    page.goto("/intern/")
    page.wait_for_url("**/intern/bereich/handwerksrolle/")
    expect(page.locator("h1")).to_have_text("Posteingang Handwerksrolle")
    expect(page.locator("table caption")).to_contain_text("1 Eingang")
    _check_page(page, "inbox")

    page.get_by_role("link", name=item.reference).click()
    expect(page.locator("h1")).to_have_text(f"Eingang {item.reference}")
    _check_page(page, "item detail")

    page.select_option("#id_clerk", label=clerk.email)
    page.get_by_role("button", name="Zuständigkeit speichern").click()
    expect(page.locator(".notices")).to_contain_text("Die Zuständigkeit ist gespeichert.")
    page.select_option("#id_status", value=ItemStatus.IN_PROGRESS)
    page.get_by_role("button", name="Status speichern").click()
    expect(page.locator(".notices")).to_contain_text("Der Status ist gespeichert.")
    _check_page(page, "item detail after saving")

    item = InboundItem.objects.get(pk=item.pk)
    assert item.assigned_to == clerk
    assert item.status == ItemStatus.IN_PROGRESS
    assert AuditEvent.objects.filter(action="item.assigned", actor=clerk).exists()
    assert AuditEvent.objects.filter(action="item.status_changed", actor=clerk).exists()
