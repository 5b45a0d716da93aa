"""``make run``'s demo: an exchange of the demo clerk, its invitation printed with the logins."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from kammerpost.exchange.models import Exchange
from tests.exchange.support import intake_env, invitation_path, last_code, outbox

__all__ = ["intake_env", "outbox"]

pytestmark = pytest.mark.django_db(transaction=True)


def _link(text: str) -> str:
    found = re.search(r"(http\S+/cloud/einladung/\S+/)", text)
    assert found, text
    return found.group(1)


def test_demo_setup_prints_a_working_invitation_once(
    intake_env: dict[str, str], outbox: Path, settings: object, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
    out = StringIO()
    call_command("demo_setup", stdout=out)
    printed = out.getvalue()
    assert "Demo-Zugänge" in printed
    url = _link(printed)
    exchange = Exchange.objects.get()
    assert exchange.clerk.email.startswith("sachbearbeitung.pruefungswesen@")
    assert (tmp_path / "demo-exchange.txt").stat().st_mode & 0o777 == 0o600
    again = StringIO()
    call_command("demo_setup", stdout=again)
    assert _link(again.getvalue()) == url and Exchange.objects.count() == 1
    # The link works (once); the next run then issues a new one for the same exchange.
    guest = Client()
    guest.get(invitation_path(url))
    guest.post("/cloud/einladung/", {"action": "code"})
    guest.post("/cloud/code/", {"code": last_code(outbox, "gast@example.org")})
    assert guest.get("/cloud/austausch/").status_code == 200
    third = StringIO()
    call_command("demo_setup", stdout=third)
    assert _link(third.getvalue()) != url and Exchange.objects.count() == 1
