"""Reads on privacy data: the communication preference and the retention periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kammerpost.languages import active_language, localised

from .models import CommunicationPreference, RetentionRule

if TYPE_CHECKING:
    from kammerpost.intake.models import InboundItem, Sender


def communication_is_electronic(*, sender: Sender) -> bool:
    """True unless the sender opted out of electronic communication."""
    return not CommunicationPreference.objects.filter(
        sender=sender, opted_out_at__isnull=False
    ).exists()


def communication_preference_of(sender: Sender) -> CommunicationPreference | None:
    try:
        return sender.communication_preference
    except CommunicationPreference.DoesNotExist:
        return None


# How the channel that made communication electronic reads to people.
_VIA_TEXTS = {
    "email": ("E-Mail", "e-mail"),
    "portal": ("Kundenportal", "customer portal"),
    "contact": ("Kontaktformular", "contact form"),
    "exchange": ("HWK-Cloud", "cloud area"),
}


def _date(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


def communication_preference_text(sender: Sender) -> str:
    """The preference as staff and the person read it: what, since when, through which channel."""
    preference = communication_preference_of(sender)
    if preference is None:
        return _("nicht erklärt")
    if preference.opted_out_at is not None:
        return _("keine elektronische Kommunikation (Widerspruch vom %(date)s)") % {
            "date": _date(preference.opted_out_at)
        }
    if preference.electronic and preference.since is not None:
        de, en = _VIA_TEXTS.get(preference.via, (preference.via, preference.via))
        via = en if active_language() == "en" else de
        return _("elektronisch seit %(date)s (begonnen über: %(via)s)") % {
            "date": _date(preference.since),
            "via": via,
        }
    return _("nicht erklärt")


def communication_opted_out(sender: Sender) -> bool:
    preference = communication_preference_of(sender)
    return preference is not None and preference.opted_out_at is not None


@dataclass(frozen=True)
class RetentionPeriod:
    """One retention rule as the privacy notice shows it."""

    label: str
    months: int
    starts: str
    basis: str


def retention_periods() -> list[RetentionPeriod]:
    """Every configured retention rule, shortest first: the privacy notice's table."""
    return [
        RetentionPeriod(
            label=localised(rule, "label"),
            months=rule.months,
            starts=str(rule.get_starts_display()),
            basis=localised(rule, "basis"),
        )
        for rule in RetentionRule.objects.all()
    ]


def retention_rule_for(
    item: InboundItem, *, rules: list[RetentionRule] | None = None
) -> RetentionRule | None:
    """The rule that decides when ``item`` is deleted: the most specific one that matches.

    The same answer the deletion uses; None only when not even the general rule exists.
    ``rules`` spares the query when a caller (the retention sweep) asks for many items.
    """
    candidates = [
        rule
        for rule in (rules if rules is not None else RetentionRule.objects.all())
        if rule.procedure in {"", item.procedure}
        and rule.channel in {"", item.channel}
        and rule.department_id in {None, item.department_id}
    ]
    return max(candidates, key=lambda rule: (rule.specificity, -rule.pk), default=None)
