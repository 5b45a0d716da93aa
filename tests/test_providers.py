"""The provider of external services: built from settings, overridable, one inspector per thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost import providers
from kammerpost.inspection import ClamdScanner, Inspector
from kammerpost.providers import MAIL_ARCHIVE, ServiceRegistry, find_service, inspector_for
from kammerpost.vault import Vault


def test_services_come_from_the_settings_and_follow_a_changed_setting(
    settings: SettingsWrapper, tmp_path: Path
) -> None:
    settings.CLAMD_URL = ""
    assert providers.scanner() is None
    assert inspector_for("default").scanner is None
    settings.CLAMD_URL = f"unix://{tmp_path / 'clamd.sock'}"
    scanner = providers.scanner()
    assert isinstance(scanner, ClamdScanner)
    assert inspector_for("default").scanner is scanner
    assert providers.scanner() is scanner  # built once


def test_an_override_wins_until_the_provider_is_reset(
    services: ServiceRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAMMERPOST_VAULT_URL", f"file://{tmp_path / 'vault'}")
    monkeypatch.setenv("KAMMERPOST_VAR_DIR", str(tmp_path))
    built = find_service(Vault)
    assert find_service(Vault) is built
    other = Vault(built.backend, built.keyring)
    services.override(Vault, other)
    assert find_service(Vault) is other
    # The mail archive shares the intake vault's keys, on a place of its own.
    assert find_service(Vault, name=MAIL_ARCHIVE).keyring is other.keyring
    services.reset()
    assert find_service(Vault) not in (built, other)


def test_each_thread_gets_its_own_inspector() -> None:
    seen: list[Inspector] = []
    thread = threading.Thread(target=lambda: seen.append(inspector_for("email")))
    thread.start()
    thread.join()
    assert inspector_for("email") is inspector_for("email")
    assert seen[0] is not inspector_for("email")
    assert inspector_for("email").policy.name == "email"


def test_an_unknown_service_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        find_service(Inspector)
