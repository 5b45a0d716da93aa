"""Procedures are listed in the admin; abandoned drafts are swept away."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.accounts.models import User
from kammerpost.chamber.procedures import procedures_all
from kammerpost.portal.services import drafts_root
from tests.accounts.conftest import totp_activate

pytestmark = pytest.mark.django_db


def test_the_admin_lists_every_procedure_with_its_slots_and_policies(client: Client) -> None:
    admin = User.objects.create_superuser("u-admin", "admin@example.org", "x" * 20)
    totp_activate(admin)
    client.force_login(admin)
    index = client.get("/admin/")
    assert "/admin/verfahren/" in index.content.decode()
    page = client.get("/admin/verfahren/").content.decode()
    for procedure in procedures_all().values():
        assert procedure.title_de in page
        for slot in procedure.slots:
            assert f"[{slot.policy}]" in page


def test_customers_cannot_open_the_procedures_admin(client: Client) -> None:
    person = User.objects.create_user("u-person", "person@example.org", "x" * 20)
    client.force_login(person)
    response = client.get("/admin/verfahren/")
    assert response.status_code == 302
    assert "verfahren" not in response.headers["Location"].split("?")[0]


def test_the_sweep_removes_abandoned_drafts_and_keeps_fresh_ones(
    settings: SettingsWrapper, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    old, fresh = drafts_root() / ("a" * 32), drafts_root() / ("b" * 32)
    for draft in (old, fresh):
        draft.mkdir(parents=True)
        (draft / ("0" * 16)).write_bytes(b"%PDF-1.4 draft")
    past = time.time() - settings.PORTAL_DRAFT_MAX_AGE_SECONDS - 60
    os.utime(old, (past, past))
    call_command("portal_sweep")
    assert not old.exists()
    assert fresh.exists()
