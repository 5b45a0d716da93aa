"""Retention rules: one place (privacy.RetentionRule), the most specific rule decides."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kammerpost.chamber.models import Department
from kammerpost.intake.models import Channel
from kammerpost.privacy.models import RetentionRule
from kammerpost.privacy.selectors import retention_periods, retention_rule_for
from tests.backoffice.conftest import receive

pytestmark = pytest.mark.django_db


def test_the_shipped_rules_cover_everything_contact_requests_and_exam_registrations() -> None:
    general = RetentionRule.objects.get(department=None, procedure="", channel="")
    contact = RetentionRule.objects.get(channel="contact")
    exam = RetentionRule.objects.get(procedure="pruefung-anmeldung")
    assert (general.months, contact.months, exam.months) == (36, 6, 120)
    assert [p.months for p in retention_periods()] == [6, 36, 120]


def test_the_most_specific_rule_decides(
    departments: dict[str, Department], intake_env: dict[str, str]
) -> None:
    rolle, pruefung = departments["handwerksrolle"], departments["pruefungswesen"]
    mail = receive(rolle, channel=Channel.EMAIL)
    contact = receive(rolle, channel=Channel.CONTACT)
    exam = receive(pruefung, channel=Channel.PORTAL, procedure="pruefung-anmeldung")
    assert retention_rule_for(mail).months == 36  # type: ignore[union-attr]
    assert retention_rule_for(contact).months == 6  # type: ignore[union-attr]
    assert retention_rule_for(exam).months == 120  # type: ignore[union-attr]
    RetentionRule.objects.create(department=rolle, months=60, label_de="HR", label_en="HR")
    assert retention_rule_for(mail).months == 60  # type: ignore[union-attr]
    # A contact request stays as briefly as anywhere, unless the department says otherwise.
    assert retention_rule_for(contact).months == 6  # type: ignore[union-attr]
    RetentionRule.objects.create(
        department=rolle, channel="contact", months=3, label_de="HR K", label_en="HR C"
    )
    assert retention_rule_for(contact).months == 3  # type: ignore[union-attr]
    assert retention_rule_for(exam).months == 120  # type: ignore[union-attr]


def test_a_second_rule_for_the_same_scope_is_refused() -> None:
    duplicate = RetentionRule(channel="contact", months=1, label_de="x", label_en="x")
    with pytest.raises(ValidationError):
        duplicate.full_clean()
