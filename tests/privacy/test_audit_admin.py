"""The audit log in the admin: read only, filterable, exportable as CSV (no formula injection)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from kammerpost.accounts.models import User
from kammerpost.privacy.models import AuditEvent
from kammerpost.privacy.services import audit_record
from tests.accounts.conftest import totp_activate

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser(admin_user: User) -> Client:
    totp_activate(admin_user)
    client = Client()
    client.force_login(admin_user)
    return client


def test_administrators_filter_the_log_and_export_it_as_csv(admin_browser: Client) -> None:
    wanted = audit_record(action="document.downloaded", actor_label="clerk@hwk.example")
    forged = audit_record(action="login.failed", actor_label='=HYPERLINK("http://evil")')
    listing = admin_browser.get("/admin/privacy/auditevent/?q=clerk%40hwk.example")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert '<td class="field-action">document.downloaded</td>' in html
    assert '<td class="field-action">login.failed</td>' not in html
    response = admin_browser.post(
        "/admin/privacy/auditevent/",
        {
            "action": "csv_export",
            "_selected_action": [str(wanted.pk), str(forged.pk)],
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["zeit_utc", "wer", "aktion"]
    assert rows[1][1:3] == ["clerk@hwk.example", "document.downloaded"]
    assert rows[2][1].startswith("'=")  # a spreadsheet shows it as text, never runs it
    assert AuditEvent.objects.filter(action="audit.exported").count() == 1


def test_nobody_changes_or_deletes_the_log_in_the_admin(admin_browser: Client) -> None:
    event = audit_record(action="item.received")
    change = admin_browser.post(
        f"/admin/privacy/auditevent/{event.pk}/change/", {"action": "forged"}
    )
    assert change.status_code == 403
    assert admin_browser.post(f"/admin/privacy/auditevent/{event.pk}/delete/").status_code == 403
    event.refresh_from_db()
    assert event.action == "item.received"
