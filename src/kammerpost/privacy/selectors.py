"""Reads on privacy data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import CommunicationPreference

if TYPE_CHECKING:
    from kammerpost.intake.models import Sender


def communication_is_electronic(*, sender: Sender) -> bool:
    """True unless the sender opted out of electronic communication."""
    return not CommunicationPreference.objects.filter(
        sender=sender, opted_out_at__isnull=False
    ).exists()
