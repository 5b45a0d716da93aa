"""Portal fixtures: the real engine and clamd, a private var dir, signed-in clients."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.accounts.models import Business, Membership, User
from tests.accounts.conftest import make_user
from tests.intake.conftest import departments, intake_env

__all__ = ["departments", "intake_env"]


@pytest.fixture
def portal_env(
    intake_env: dict[str, str],
    settings: SettingsWrapper,
    tmp_path: Path,
    departments: dict[str, object],
) -> Path:
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def new_user(prefix: str = "kunde") -> User:
    return make_user(f"{prefix}-{secrets.token_hex(3)}@example.org")


def business_with(*users: User, name: str = "Tischlerei") -> Business:
    business = Business.objects.create(name=name)
    for user in users:
        Membership.objects.create(user=user, business=business)
    return business
