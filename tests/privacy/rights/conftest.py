"""Fixtures of the retention, subject-rights and audit tests.

A private vault (no scanner: nothing here inspects), departments, items.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from kammerpost.accounts.models import User
from kammerpost.backoffice.services import item_status_set
from kammerpost.chamber.models import Department
from kammerpost.intake import services
from kammerpost.intake.models import Channel, InboundItem, ItemStatus, Sender
from kammerpost.providers import ServiceRegistry
from tests.accounts.conftest import make_user
from tests.intake.conftest import departments

__all__ = ["departments"]  # shared fixture, re-exported


@pytest.fixture
def vault_env(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings: SettingsWrapper,
    services: ServiceRegistry,
) -> Path:
    """The intake vault and the mail archive in a private directory, with their own key."""
    monkeypatch.setenv("KAMMERPOST_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("KAMMERPOST_VAULT_URL", f"file://{tmp_path / 'var' / 'vault'}")
    monkeypatch.delenv("KAMMERPOST_VAULT_KEYS", raising=False)
    monkeypatch.delenv("KAMMERPOST_CLAMD", raising=False)
    return tmp_path


def receive(
    department: Department,
    *files: tuple[str, bytes],
    sender: str | Sender = "meister@example.org",
    channel: Channel = Channel.EMAIL,
    procedure: str = "",
    subject: str = "Unterlagen",
    text: str = "",
    business: object = None,
) -> InboundItem:
    known = sender if isinstance(sender, Sender) else services.sender_for_address(email=sender)
    return services.inbound_item_receive(
        channel=channel,
        department=department,
        sender=known,
        files=[services.IncomingFile(name, io.BytesIO(data)) for name, data in files],
        subject=subject,
        text=text,
        procedure=procedure,
        form_data={"name": "Anna Muster"} if procedure else None,
        business=business,  # type: ignore[arg-type]
    )


def close(item: InboundItem, clerk: User) -> None:
    item_status_set(actor=clerk, item=item, status=ItemStatus.DONE)


@pytest.fixture
def clerk(db: None) -> User:
    return make_user("sachbearbeitung@hwk.example", is_staff=True)
