"""The uploader in Debian's Chromium: progress, pause, reload, resume, with axe in every state."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from kammerpost.exchange.tus import default_uploads
from tests.e2e.conftest import CHROMIUM, LAUNCH_ARGS, assert_accessible

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.exchange.tus_app")]

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for this module (see tests/e2e/conftest.py for the async-safety switch)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Browser, live_server: LiveServer, tus_env: dict[str, str]) -> Iterator[Page]:
    context = browser.new_context(locale="de-DE", base_url=live_server.url)
    context.set_default_timeout(30_000)
    new_page = context.new_page()
    problems: list[str] = []
    new_page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    new_page.on(
        "console",
        lambda message: (
            problems.append(f"console error: {message.text}") if message.type == "error" else None
        ),
    )
    yield new_page
    context.close()
    assert not problems, "\n".join(problems)


def events(env: dict[str, str], kind: str) -> list[dict[str, object]]:
    path = Path(env["KAMMERPOST_TEST_TUS_LOG"])
    lines = path.read_text().splitlines() if path.exists() else []
    return [entry for entry in map(json.loads, lines) if entry["event"] == kind]


def test_upload_pause_reload_and_resume_in_the_browser(
    page: Page, tus_env: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "Bauzeichnung.bin"
    data = os.urandom(40 * MIB)
    source.write_bytes(data)
    # Slow uploads down so there is time to pause (DevTools network throttling).
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 4 * MIB},
    )
    page.goto("/test-tus/alpha/page/")
    assert_accessible(page, "idle")
    page.get_by_label("Dateien auswählen").set_input_files(str(source))
    page.get_by_role("button", name="Hochladen").focus()
    page.keyboard.press("Enter")
    status = page.get_by_role("status")
    expect(status).to_contain_text("Prozent hochgeladen", timeout=30_000)
    progress = page.get_by_label("Fortschritt des Hochladens")
    expect(progress).to_be_visible()
    deadline = time.monotonic() + 30
    while progress.evaluate("bar => bar.value") < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert_accessible(page, "uploading")
    page.get_by_role("button", name="Anhalten").focus()
    page.keyboard.press("Enter")
    expect(status).to_contain_text("Angehalten")
    expect(page.get_by_role("button", name="Fortsetzen")).to_be_focused()
    assert_accessible(page, "paused")
    assert events(tus_env, "completed") == []
    [created] = events(tus_env, "created")
    paused_at = default_uploads().offset(str(created["upload"]))
    assert 8 * MIB <= paused_at < len(data)

    page.reload()
    expect(status).to_contain_text("Unvollständig hochgeladen: Bauzeichnung.bin")
    assert_accessible(page, "after reload")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.get_by_label("Dateien auswählen").set_input_files(str(source))
    page.get_by_role("button", name="Hochladen").click()
    expect(status).to_contain_text("vollständig hochgeladen", timeout=60_000)
    assert_accessible(page, "done")

    # One upload, continued rather than started again, and the bytes are the file's.
    assert len(events(tus_env, "created")) == 1  # continued at paused_at, not begun anew
    [done] = events(tus_env, "completed")
    assert done["sha256"] == hashlib.sha256(data).hexdigest()
    assert done["metadata"] == {
        "filename": "Bauzeichnung.bin",
        "filetype": "application/octet-stream",
    }
