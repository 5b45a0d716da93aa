"""The end-to-end journeys of issue 4's quality bar, in a real browser.

1. A craftsman registers, confirms his address from the e-mail, logs in, sends a
   procedure with one bad and one good file, replaces the bad one, gets his receipt.
2. A clerk logs in with TOTP, assigns a portal item, replies in its thread; the
   customer logs in and reads the reply under "Meine Vorgänge".
3. A procedure is completed with the keyboard alone (no mouse click at all).

axe (WCAG 2.1 A/AA) runs on every state; receipt and the customer's item detail
must not scroll sideways at 320 px.
"""

from __future__ import annotations

import io

import pytest
from django.core import mail
from playwright.sync_api import FilePayload, Page, expect

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department
from kammerpost.correspondence.models import Message
from kammerpost.intake.models import Channel, InboundItem
from kammerpost.intake.services import IncomingFile, inbound_item_receive, sender_for_account
from kammerpost.portal.models import Submission
from tests.accounts.conftest import PASSWORD, links_in, make_user, path_of, totp_activate, totp_now
from tests.backoffice.conftest import make_clerk
from tests.corpus import misc, pdfs
from tests.e2e.conftest import (
    WIDE_VIEWPORT,
    assert_accessible,
    assert_focus_on,
    assert_focus_visible,
    assert_no_horizontal_scroll,
    tab_to,
)
from tests.intake.conftest import departments, intake_env
from tests.portal.conftest import portal_env

__all__ = ["departments", "intake_env", "portal_env"]  # fixtures

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clamd]

SUBMIT = "main form button[type=submit]"


def _narrow_check(page: Page, state: str) -> None:
    """No sideways scrolling at 320 px (WCAG 1.4.10), axe there too, then back to wide."""
    assert_no_horizontal_scroll(page)
    assert_accessible(page, f"{state} at 320 px")
    page.set_viewport_size(WIDE_VIEWPORT)


def _log_in(page: Page, email: str) -> None:
    page.goto("/konto/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def _upload(page: Page, name: str, data: bytes) -> None:
    page.set_input_files(
        "#file-dokumente",
        files=[FilePayload(name=name, mimeType="application/pdf", buffer=data)],
    )
    with page.expect_navigation():
        page.click("#file-dokumente ~ p button[type=submit]")
    page.wait_for_load_state()


def test_a_craftsman_registers_confirms_submits_replaces_a_bad_file_and_gets_his_receipt(
    page: Page,
    portal_env: object,
    mailoutbox: list[mail.EmailMessage],
) -> None:
    email = "meister.schreiner@example.org"

    # Register as a private person through the real form.
    page.goto("/konto/signup/")
    assert_accessible(page, "signup form")
    page.check("input[name=account_type][value=person]")
    page.fill("#id_email", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click(SUBMIT)
    expect(page.locator("h1")).to_have_text("Bestätigen Sie Ihre E-Mail-Adresse")
    assert_accessible(page, "verification sent")

    # The confirmation e-mail carries the link; opening it asks to confirm.
    assert [m.to for m in mailoutbox] == [[email]]
    link = next(u for u in links_in(mailoutbox[0].body) if "/konto/confirm-email/" in u)
    page.goto(path_of(link))
    expect(page.locator("main")).to_contain_text(email)
    assert_accessible(page, "confirm e-mail address")
    page.click(SUBMIT)
    page.wait_for_load_state()
    assert User.objects.get(email=email).emailaddress_set.get().verified

    _log_in(page, email)
    page.wait_for_url("**/konto/")

    # The general upload: department and message, then the files.
    page.goto("/portal/verfahren/allgemein/")
    assert_accessible(page, "procedure: empty form")
    page.select_option("#id_department", "verwaltung")
    page.fill("#id_message", "Anbei mein Meisterbrief und die Rechnung.")
    page.click(SUBMIT)
    page.wait_for_url("**/dateien/")
    assert_accessible(page, "upload: no files yet")

    # A ZIP archive named .pdf is refused with a German reason and a hint.
    _upload(page, "meisterbrief.pdf", misc.zip_bytes())
    expect(page.locator(".badge--rejected")).to_have_text("abgelehnt")
    reason = page.locator(".reasons ul li").first
    expect(reason.locator("strong")).to_contain_text("ZIP")
    message = reason.locator("strong").inner_text().strip()
    hint = reason.inner_text().replace(message, "").strip()
    assert hint, "the reason comes with a hint what to do"
    assert_accessible(page, "upload: a rejected file")

    _upload(page, "rechnung.pdf", pdfs.clean())
    expect(page.locator(".badge--accepted")).to_have_count(1)
    expect(page.locator(".badge--rejected")).to_have_count(1)
    assert_accessible(page, "upload: one rejected, one accepted")

    # Replace the bad file: remove it, upload a good one under the same name.
    page.click("button:has-text('Entfernen meisterbrief.pdf')")
    expect(page.locator(".badge--rejected")).to_have_count(0)
    _upload(page, "meisterbrief.pdf", pdfs.clean())
    expect(page.locator(".badge--accepted")).to_have_count(2)
    assert_accessible(page, "upload: all accepted")

    page.click("button:has-text('Weiter zur Prüfung')")
    page.wait_for_url("**/pruefen/")
    main = page.locator("main")
    expect(main).to_contain_text("meisterbrief.pdf")
    expect(main).to_contain_text("rechnung.pdf")
    expect(main).to_contain_text("Anbei mein Meisterbrief")
    assert_accessible(page, "check your answers")

    page.click("button:has-text('Jetzt senden')")
    page.wait_for_url("**/bestaetigung/")
    item = InboundItem.objects.get()
    expect(page.locator("h1")).to_contain_text(item.reference)
    assert_accessible(page, "receipt")
    _narrow_check(page, "receipt")

    assert item.channel == Channel.PORTAL
    assert item.department.slug == "verwaltung"
    assert sorted(d.original_name for d in item.documents.all()) == [
        "meisterbrief.pdf",
        "rechnung.pdf",
    ]
    assert Submission.objects.get(item=item).user.email == email


def _portal_item(customer: User, department: Department) -> InboundItem:
    item = inbound_item_receive(
        channel=Channel.PORTAL,
        department=department,
        sender=sender_for_account(user=customer),
        files=[IncomingFile("gesellenbrief.pdf", io.BytesIO(pdfs.clean()))],
        subject="Eintragung in die Handwerksrolle",
    )
    Submission.objects.create(item=item, user=customer)
    return item


def test_a_clerk_logs_in_with_totp_assigns_replies_and_the_customer_sees_the_reply(
    page: Page, portal_env: object, departments: dict[str, Department]
) -> None:
    verwaltung = departments["verwaltung"]
    customer = make_user("kundin.baecker@example.org")
    item = _portal_item(customer, verwaltung)
    clerk = make_clerk("sachbearbeiter@hwk-musterstadt.example", verwaltung, totp=False)
    secret, _codes = totp_activate(clerk)
    reply = "Vielen Dank, die Unterlagen sind vollständig. Die Eintragung folgt."

    # The clerk: password, then the TOTP code.
    _log_in(page, clerk.email)
    page.wait_for_url("**/konto/2fa/authenticate/")
    page.fill("#id_code", totp_now(secret))
    page.locator(SUBMIT).first.click()
    page.wait_for_url("**/konto/")

    page.goto("/intern/")
    page.wait_for_url("**/intern/bereich/verwaltung/")
    expect(page.locator("table caption")).to_contain_text("1 Eingang")
    assert_accessible(page, "inbox")

    page.get_by_role("link", name=item.reference).click()
    expect(page.locator("h1")).to_have_text(f"Eingang {item.reference}")
    assert_accessible(page, "staff item detail")

    page.select_option("#id_clerk", label=clerk.email)
    page.get_by_role("button", name="Zuständigkeit speichern").click()
    expect(page.locator(".notices")).to_contain_text("Die Zuständigkeit ist gespeichert.")

    page.fill("#id_text", reply)
    page.get_by_role("button", name="Antwort senden").click()
    expect(page.locator(".notices")).to_contain_text("Die Antwort ist verschickt.")
    expect(page.locator(".thread")).to_contain_text(reply)
    assert_accessible(page, "staff item detail with the reply")

    page.get_by_role("button", name="Abmelden").first.click()
    page.wait_for_load_state()
    assert InboundItem.objects.get(pk=item.pk).assigned_to == clerk
    assert Message.objects.get(item=item).from_staff

    # The customer finds the reply under "Meine Vorgänge".
    _log_in(page, customer.email)
    page.wait_for_url("**/konto/")
    page.goto("/portal/vorgaenge/")
    assert_accessible(page, "Meine Vorgänge")
    page.get_by_role("link", name=item.reference).first.click()
    expect(page.locator("h1")).to_contain_text(item.reference)
    thread = page.locator("article.message-text")
    expect(thread).to_have_count(1)
    expect(thread).to_contain_text("Kammer")
    expect(thread).to_contain_text(reply)
    assert_accessible(page, "customer item detail with the thread")
    _narrow_check(page, "customer item detail")


def _press(page: Page, key: str) -> None:
    """Press ``key`` on the focused element and wait for the page it loads."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


def test_a_procedure_can_be_completed_with_the_keyboard_alone(
    page: Page, portal_env: object
) -> None:
    make_user("tastatur@example.org")

    page.goto("/konto/login/")
    tab_to(page, "#id_login")
    page.keyboard.type("tastatur@example.org")
    tab_to(page, "#id_password")
    page.keyboard.type(PASSWORD)
    _press(page, "Enter")
    page.wait_for_url("**/konto/")

    page.goto("/portal/verfahren/allgemein/")
    # Required department missing: focus lands on the error summary.
    tab_to(page, SUBMIT)
    assert_focus_visible(page)
    _press(page, "Enter")
    expect(page.locator(".error-summary")).to_be_focused()
    assert_focus_on(page, ".error-summary")
    assert page.title().startswith("Fehler: ")
    # From the summary, its link leads to the field.
    tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")
    assert_focus_on(page, "#id_department")

    for _ in range(10):
        if page.eval_on_selector("#id_department", "el => el.value") == "verwaltung":
            break
        page.keyboard.press("ArrowDown")
    assert page.eval_on_selector("#id_department", "el => el.value") == "verwaltung"
    tab_to(page, "#id_message")
    page.keyboard.type("Nur mit der Tastatur gesendet.")
    tab_to(page, SUBMIT)
    _press(page, "Space")
    page.wait_for_url("**/dateien/")

    # A native file dialog cannot be driven: the focused input gets the file directly.
    tab_to(page, "#file-dokumente")
    page.locator("#file-dokumente").set_input_files(
        files=[FilePayload(name="nachweis.pdf", mimeType="application/pdf", buffer=pdfs.clean())]
    )
    tab_to(page, "#file-dokumente ~ p button[type=submit]")
    _press(page, "Enter")
    expect(page.locator(".badge--accepted")).to_be_visible()

    tab_to(page, "form:has(input[name=action][value=continue]) button")
    _press(page, "Enter")
    page.wait_for_url("**/pruefen/")
    tab_to(page, "form[action$='/senden/'] button")
    # Shift+Tab goes back and forth without losing the way.
    tab_to(page, "main a[href$='/dateien/']", backwards=True)
    tab_to(page, "form[action$='/senden/'] button")
    _press(page, "Enter")
    page.wait_for_url("**/bestaetigung/")

    item = InboundItem.objects.get()
    expect(page.locator("h1")).to_contain_text(item.reference)
    assert item.department.slug == "verwaltung"
    assert item.text == "Nur mit der Tastatur gesendet."
    assert [d.original_name for d in item.documents.all()] == ["nachweis.pdf"]
