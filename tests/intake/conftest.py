from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.chamber.models import Department
from kammerpost.chamber.services import departments_ensure_demo
from kammerpost.providers import ServiceRegistry
from tests.support.clamd import Clamd


@pytest.fixture
def intake_env(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings: SettingsWrapper,
    clamd: Clamd,
    services: ServiceRegistry,
) -> dict[str, str]:
    """A private vault and key ring, the real clamd; the same for child processes.

    The provider builds its services lazily, so they come from this environment.
    """
    env = {
        "KAMMERPOST_VAR_DIR": str(tmp_path / "var"),
        "KAMMERPOST_VAULT_URL": f"file://{tmp_path / 'var' / 'vault'}",
        "KAMMERPOST_CLAMD": clamd.unix_url,
        "KAMMERPOST_CLAMD_TIMEOUT": "30",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("KAMMERPOST_VAULT_KEYS", raising=False)
    settings.CLAMD_URL = clamd.unix_url
    settings.CLAMD_TIMEOUT = 30
    return env


@pytest.fixture
def departments(db: None) -> dict[str, Department]:
    return {d.slug: d for d in departments_ensure_demo()}
