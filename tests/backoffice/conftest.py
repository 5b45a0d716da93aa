"""Back-office fixtures: real intake items, clerks with TOTP, the Django test client."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from kammerpost.accounts.models import User
from kammerpost.chamber.models import Department, StaffMembership
from kammerpost.intake import services
from kammerpost.intake.models import Channel, InboundItem
from tests.accounts.conftest import make_user, totp_activate
from tests.correspondence.conftest import outbox
from tests.intake.conftest import departments, intake_env

__all__ = ["departments", "intake_env", "outbox"]  # shared fixtures


def make_clerk(email: str, *departments: Department, totp: bool = True) -> User:
    user = make_user(email, is_staff=True)
    for department in departments:
        StaffMembership.objects.create(user=user, department=department)
    if totp:
        totp_activate(user)
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def receive(
    department: Department,
    *files: tuple[str, bytes],
    channel: Channel = Channel.EMAIL,
    sender: str = "meister@example.org",
    procedure: str = "",
    subject: str = "Unterlagen",
) -> InboundItem:
    return services.inbound_item_receive(
        channel=channel,
        department=department,
        sender=services.sender_for_address(email=sender),
        files=[services.IncomingFile(name, io.BytesIO(data)) for name, data in files],
        subject=subject,
        procedure=procedure,
    )


def inspect_all(item: InboundItem) -> None:
    for document in item.documents.all():
        services.document_inspect(document_id=document.pk)


@pytest.fixture
def clerk_x(departments: dict[str, Department]) -> User:
    """A clerk of the Handwerksrolle only."""
    return make_clerk("clerk-x@hwk.example", departments["handwerksrolle"])


@pytest.fixture
def clerk_y(departments: dict[str, Department]) -> User:
    """A clerk of the Prüfungswesen only."""
    return make_clerk("clerk-y@hwk.example", departments["pruefungswesen"])
