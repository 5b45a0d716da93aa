"""The browser checks catch what they are for: a check that never fails proves nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import (
    assert_accessible,
    assert_focus_on,
    assert_focus_visible,
    assert_no_horizontal_scroll,
    tab_to,
)

pytestmark = pytest.mark.django_db(transaction=True)  # the page fixture uses live_server

BROKEN_PAGE = """<!DOCTYPE html><html><head><title>x</title></head><body>
<main><img src="data:,"><input id="nameless"><a href="#" style="outline:none">x</a>
<div style="width:500px">wide</div></main></body></html>"""


def test_axe_reports_missing_alt_text_language_and_label(page: Page) -> None:
    page.set_content(BROKEN_PAGE)
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page, "broken on purpose")
    report = str(failure.value)
    for rule in ("image-alt", "html-has-lang", "label"):
        assert f"- {rule} " in report
    assert "at img" in report


def test_reflow_focus_and_keyboard_checks_fail_where_they_should(page: Page) -> None:
    page.set_content(BROKEN_PAGE)
    with pytest.raises(pytest.fail.Exception, match="scrolls sideways"):
        assert_no_horizontal_scroll(page)
    tab_to(page, "#nameless")
    with pytest.raises(pytest.fail.Exception, match="focus should be on 'a'"):
        assert_focus_on(page, "a")
    tab_to(page, "a")
    with pytest.raises(pytest.fail.Exception, match="no visible focus indicator"):
        assert_focus_visible(page)
    with pytest.raises(pytest.fail.Exception, match="not reached"):
        tab_to(page, "#missing")
