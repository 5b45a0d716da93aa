"""Browser tests: Playwright (sync API) driving Debian's Chromium against ``live_server``.

No browser is downloaded (``playwright install`` is never run): the system
package ``chromium`` (scripts/install-system-packages) provides /usr/bin/chromium.

Helpers for the quality bar of issue 4: ``assert_accessible`` (axe-core, WCAG 2.1
A/AA) and scripted checks of what axe cannot see (focus, keyboard, reflow at 320 px).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# WCAG 1.4.10 Reflow: content readable at 320 CSS px without scrolling sideways.
NARROW_VIEWPORT = {"width": 320, "height": 640}
WIDE_VIEWPORT = {"width": 1280, "height": 800}
# Enough Tab presses to cross any page of ours; more means focus is trapped or lost.
MAX_TAB_STOPS = 60

_axe = Axe()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the browser tests, closed when they are done.

    Package scope rather than session: while Playwright's sync API is alive its
    event loop counts as running in the main thread, so ``asyncio.run()`` in any
    later test would fail. For the same reason Django's async-safety check must
    be relaxed (``DJANGO_ALLOW_ASYNC_UNSAFE``) while the browser runs, and only then.
    """
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
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A fresh browser context (German, no cookies) per test; ``page.goto("/")`` works.

    Console errors (a CSP refusal, a failed script or style) and uncaught
    exceptions fail the test at teardown: under our strict CSP they mean
    something on the page is broken.
    """
    context = browser.new_context(locale="de-DE", base_url=live_server.url, viewport=WIDE_VIEWPORT)
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            source = message.location.get("url", "")
            problems.append(f"console error on {new_page.url}: {message.text} {source}")

    new_page.on("console", on_console)
    new_page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    yield new_page
    context.close()
    assert not problems, "\n".join(problems)


def assert_accessible(page: Page, state_name: str) -> None:
    """axe-core (WCAG 2.0/2.1 A and AA) finds no violation on the page as it is now."""
    results = _axe.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            "resultTypes": ["violations"],
        },
    )
    violations = results.response["violations"]
    if not violations:
        return
    lines = [f"axe: {len(violations)} violation(s) in state {state_name!r} ({page.url}):"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation.get('impact')}]: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {' > '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = node.get("failureSummary")
            if summary:
                lines.append("      " + summary.replace("\n", "\n      "))
    pytest.fail("\n".join(lines), pytrace=False)


def assert_no_horizontal_scroll(page: Page, width: int = NARROW_VIEWPORT["width"]) -> None:
    """At ``width`` CSS px nothing makes the page scroll sideways (WCAG 1.4.10)."""
    page.set_viewport_size({"width": width, "height": NARROW_VIEWPORT["height"]})
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth})"
    )
    if widths["scroll"] <= widths["client"]:
        return
    too_wide = page.evaluate(
        """(limit) => Array.from(document.querySelectorAll('body *'))
            .filter((el) => el.getBoundingClientRect().right > limit + 0.5)
            .slice(0, 10)
            .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                 + (el.className && typeof el.className === 'string'
                    ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
                 + ' right=' + Math.round(el.getBoundingClientRect().right))""",
        widths["client"],
    )
    pytest.fail(
        f"{page.url} scrolls sideways at {width} px: scrollWidth {widths['scroll']} > "
        f"clientWidth {widths['client']}; too wide: {too_wide}",
        pytrace=False,
    )


def describe_focus(page: Page) -> str:
    """The focused element as ``tag#id.class "text"``, for failure messages."""
    return str(
        page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return '(nothing: body)';
                const text = (el.innerText || el.value || '').trim().slice(0, 40);
                return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                    + (el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '')
                    + (text ? ' "' + text + '"' : '');
            }"""
        )
    )


def focus_matches(page: Page, selector: str) -> bool:
    return bool(
        page.evaluate(
            "(sel) => document.activeElement !== null && document.activeElement.matches(sel)",
            selector,
        )
    )


def assert_focus_on(page: Page, selector: str) -> None:
    """Keyboard focus is on the element ``selector`` matches."""
    if not focus_matches(page, selector):
        pytest.fail(f"focus should be on {selector!r}, is on {describe_focus(page)}", pytrace=False)


def assert_focus_visible(page: Page) -> None:
    """The focused element shows a focus indicator (outline or box shadow; WCAG 2.4.7)."""
    style = page.evaluate(
        """() => {
            const s = getComputedStyle(document.activeElement);
            return {outline: s.outlineStyle, width: parseFloat(s.outlineWidth) || 0,
                    shadow: s.boxShadow};
        }"""
    )
    visible = (style["outline"] != "none" and style["width"] >= 2) or style["shadow"] != "none"
    if not visible:
        pytest.fail(f"no visible focus indicator on {describe_focus(page)}: {style}", False)


def tab_to(page: Page, selector: str, *, backwards: bool = False) -> int:
    """Press Tab (Shift+Tab) until ``selector`` has focus; returns the number of presses."""
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, MAX_TAB_STOPS + 1):
        page.keyboard.press(key)
        if focus_matches(page, selector):
            return presses
    pytest.fail(f"{selector!r} not reached with {MAX_TAB_STOPS} x {key}", pytrace=False)


def tab_stops(page: Page) -> list[str]:
    """Every element Tab visits on a freshly loaded page, in order; each must show focus."""
    page.keyboard.press("Tab")
    first = describe_focus(page)
    stops: list[str] = []
    current = first
    while len(stops) < MAX_TAB_STOPS:
        assert_focus_visible(page)
        stops.append(current)
        page.keyboard.press("Tab")
        current = describe_focus(page)
        if current in {first, "(nothing: body)"}:
            return stops
    pytest.fail(f"Tab order does not end after {MAX_TAB_STOPS} stops: {stops}", pytrace=False)


def press_enter(page: Page) -> None:
    """Press Enter on the focused element (a link within the page, a button)."""
    page.keyboard.press("Enter")


def press_enter_and_wait(page: Page) -> None:
    """Press Enter on the focused element and wait for the page it loads."""
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
