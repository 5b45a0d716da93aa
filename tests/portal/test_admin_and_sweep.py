"""Procedures are listed in the admin; what older versions left in plaintext is swept away.

The sweep of abandoned drafts' (encrypted) files: test_drafts_in_vault.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.accounts.models import User
from kammerpost.chamber.procedures import procedures_all
from kammerpost.providers import ServiceRegistry
from kammerpost.vault import FileBackend, KeyRing, Vault
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


def test_the_sweep_removes_the_plaintext_draft_directory_of_older_versions(
    settings: SettingsWrapper, tmp_path: Path, services: ServiceRegistry
) -> None:
    settings.VAR_DIR = tmp_path
    services.override(
        Vault, Vault(FileBackend(tmp_path / "vault"), KeyRing.from_directory(tmp_path / "keys"))
    )
    legacy = tmp_path / "drafts" / ("a" * 32)
    legacy.mkdir(parents=True)
    (legacy / ("0" * 16)).write_bytes(b"%PDF-1.4 draft")
    call_command("portal_sweep")
    assert not (tmp_path / "drafts").exists()
