from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.chamber.models import Department
from kammerpost.chamber.services import departments_ensure_demo
from kammerpost.intake import services
from tests.support.clamd import Clamd


def _clear_caches() -> None:
    services.intake_vault.cache_clear()
    services._scanner.cache_clear()
    services._inspector.cache_clear()


@pytest.fixture
def intake_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: SettingsWrapper, clamd: Clamd
) -> Iterator[dict[str, str]]:
    """A private vault and key ring, the real clamd; the same for child processes."""
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
    _clear_caches()
    yield env
    _clear_caches()


@pytest.fixture
def departments(db: None) -> dict[str, Department]:
    return {d.slug: d for d in departments_ensure_demo()}
