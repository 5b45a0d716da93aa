"""Portal migration 0002: the business a sender acted for moves onto the item."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from kammerpost.chamber.models import Department
from kammerpost.intake.models import InboundItem
from kammerpost.portal.models import Submission
from tests.accounts.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_submission_business_is_copied_onto_the_item(departments: dict[str, Department]) -> None:
    before = [("portal", "0001_initial"), ("intake", "0003_inbounditem_business")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldBusiness = old.get_model("accounts", "Business")
    OldSender = old.get_model("intake", "Sender")
    OldItem = old.get_model("intake", "InboundItem")
    OldSubmission = old.get_model("portal", "Submission")
    user = make_user("inhaber@example.org")
    business = OldBusiness.objects.create(name="Tischlerei Holz")
    sender = OldSender.objects.create(email="inhaber@example.org")
    for number, acting_for in enumerate([business, None]):
        item = OldItem.objects.create(
            reference=f"E-2026-8{number:05d}",
            channel="portal",
            department_id=departments["verwaltung"].pk,
            sender=sender,
            received_at=timezone.now(),
        )
        OldSubmission.objects.create(item=item, user_id=user.pk, business=acting_for)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    for_business, private = InboundItem.objects.order_by("reference")
    assert for_business.business_id == business.pk
    assert private.business_id is None
    assert Submission.objects.filter(user=user).count() == 2
    assert "business" not in {f.name for f in Submission._meta.get_fields()}
