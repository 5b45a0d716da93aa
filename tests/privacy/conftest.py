"""Privacy fixtures: departments, the outbox, the intake with its real vault and clamd."""

from __future__ import annotations

from tests.correspondence.conftest import outbox
from tests.intake.conftest import departments, intake_env
from tests.portal.conftest import portal_env

__all__ = ["departments", "intake_env", "outbox", "portal_env"]  # shared fixtures
