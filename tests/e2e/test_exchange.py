"""The cloud area in Chromium: invitation -> code -> upload with progress -> verdicts; the clerk
downloads what arrived and places a file; the person downloads it. axe in every state."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from kammerpost.chamber.models import Department
from kammerpost.intake.models import Document, DocumentState
from kammerpost.intake.services import document_inspect
from kammerpost.privacy.models import AuditEvent
from tests.accounts.conftest import PASSWORD, totp_activate, totp_now
from tests.backoffice.conftest import make_clerk
from tests.e2e.conftest import WIDE_VIEWPORT, assert_accessible, assert_no_horizontal_scroll
from tests.exchange.support import (
    EXE,
    PDF,
    departments,
    intake_env,
    invitation_path,
    last_code,
    open_exchange,
    outbox,
)

__all__ = ["departments", "intake_env", "outbox"]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clamd]


def _check(page: Page, state: str) -> None:
    assert_accessible(page, f"{state} at {WIDE_VIEWPORT['width']} px")
    assert_no_horizontal_scroll(page)
    assert_accessible(page, f"{state} at 320 px")
    page.set_viewport_size(WIDE_VIEWPORT)


def _inspect_when_arrived(count: int, timeout: float = 30.0) -> None:
    """The worker's job: inspect the uploads once they are in the intake."""
    deadline = time.monotonic() + timeout
    while Document.objects.count() < count:
        assert time.monotonic() < deadline, "the uploads never reached the intake"
        time.sleep(0.2)
    for document in Document.objects.filter(state=DocumentState.RECEIVED):
        document_inspect(document_id=document.pk)


def test_invitation_code_upload_verdicts_and_files_both_ways(  # noqa: PLR0917 - fixtures
    page: Page,
    browser: Browser,
    live_server: LiveServer,
    intake_env: dict[str, str],
    outbox: Path,
    departments: dict[str, Department],
    tmp_path: Path,
) -> None:
    department = departments["pruefungswesen"]
    clerk = make_clerk("sachbearbeitung@hwk-musterstadt.example", department, totp=False)
    secret, _codes = totp_activate(clerk)
    opened = open_exchange(clerk, department)

    # The person: the link, then the code from the mail.
    page.goto(invitation_path(opened.invitation_url))
    page.wait_for_url("**/cloud/einladung/")
    expect(page.locator("h1")).to_have_text("Einladung zum Cloud-Austausch")
    _check(page, "invitation")
    page.get_by_role("button", name="Code per E-Mail anfordern").click()
    page.wait_for_url("**/cloud/code/")
    _check(page, "code form")
    page.get_by_label("Einmalcode").fill(
        "000000" if last_code(outbox, opened.exchange.guest_email) != "000000" else "111111"
    )
    page.get_by_role("button", name="Weiter").click()
    expect(page.locator(".error-summary")).to_contain_text("Der Code stimmt nicht")
    _check(page, "wrong code")
    page.get_by_label("Einmalcode").fill(last_code(outbox, opened.exchange.guest_email))
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_url("**/cloud/austausch/")
    expect(page.locator("h1")).to_contain_text("Cloud-Austausch")
    _check(page, "exchange, empty")

    # Upload two files through tus: progress, then each file's verdict.
    good = tmp_path / "Grundriss.pdf"
    good.write_bytes(PDF)
    bad = tmp_path / "Rechnung.pdf"
    bad.write_bytes(EXE)  # a program named .pdf
    page.get_by_label("Dateien auswählen").set_input_files([str(good), str(bad)])
    page.get_by_role("button", name="Hochladen").click()
    expect(page.get_by_label("Fortschritt des Hochladens")).to_be_visible()
    _inspect_when_arrived(2)
    verdicts = page.locator("[data-upload-verdict]")
    expect(verdicts).to_have_count(2, timeout=20_000)
    expect(page.locator("[data-upload-verdict=pending]")).to_have_count(0, timeout=20_000)
    expect(page.locator("[data-upload-verdict=accepted]").first).to_contain_text("Grundriss.pdf")
    states = dict(Document.objects.values_list("original_name", "state"))
    assert states == {
        "Grundriss.pdf": DocumentState.ACCEPTED,
        "Rechnung.pdf": DocumentState.REJECTED,
    }
    rejected = page.locator("[data-upload-verdict=rejected]")
    reason = Document.objects.get(original_name="Rechnung.pdf").reasons[0]
    expect(rejected).to_contain_text(reason["message_de"])
    expect(rejected).to_contain_text(reason["hint_de"])
    _check(page, "exchange with verdicts")

    # The clerk: TOTP login, the exchange, the download; a file placed for the person.
    context = browser.new_context(locale="de-DE", base_url=live_server.url, viewport=WIDE_VIEWPORT)
    staff = context.new_page()
    staff.goto("/konto/login/")
    staff.fill("#id_login", clerk.email)
    staff.fill("#id_password", PASSWORD)
    staff.get_by_role("button", name="Anmelden").first.click()
    staff.wait_for_url("**/konto/2fa/authenticate/")
    staff.fill("#id_code", totp_now(secret))
    staff.locator("main form button[type=submit]").first.click()
    staff.wait_for_url("**/konto/")
    staff.goto("/cloud/intern/")
    _check(staff, "clerk's exchanges")
    staff.get_by_role("link", name=str(opened.exchange.pk), exact=True).click()
    expect(staff.locator("h1")).to_contain_text(f"Cloud-Austausch {opened.exchange.pk}")
    _check(staff, "clerk's exchange")
    with staff.expect_download() as arrived:
        staff.get_by_role("link", name="Grundriss.pdf herunterladen").click()
    assert Path(arrived.value.path()).read_bytes() == PDF
    answer = tmp_path / "Bescheid.pdf"
    answer.write_bytes(PDF)
    staff.get_by_label("Datei bereitstellen").set_input_files(str(answer))
    staff.get_by_role("button", name="Bereitstellen", exact=True).click()
    expect(staff.locator(".notices")).to_contain_text("Bereitgestellt")
    _check(staff, "clerk's exchange with a placed file")
    context.close()

    # The person downloads it.
    page.reload()
    with page.expect_download() as placed:
        page.get_by_role("link", name="Bescheid.pdf herunterladen").click()
    assert Path(placed.value.path()).read_bytes() == PDF
    by = list(
        AuditEvent.objects.filter(action="exchange.file_downloaded").values_list(
            "detail__by", flat=True
        )
    )
    assert by == ["guest"]
    assert AuditEvent.objects.filter(action="document.downloaded", actor=clerk).count() == 1
