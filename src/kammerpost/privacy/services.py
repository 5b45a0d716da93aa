"""The audit trail, the communication preference and its opt-out links.

Every service that changes something records it in the audit trail here.
The preference follows the chamber's rule (requirements 1.4): whoever starts
communicating electronically - by e-mail, in the portal, with the contact
form or in the cloud area - is assumed to want electronic answers from then
on, unless they opted out; an opt-out outlasts every later message.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .exceptions import OptOutLinkError
from .models import AuditEvent, CommunicationPreference, OptOutLink

if TYPE_CHECKING:
    from kammerpost.accounts.models import User
    from kammerpost.intake.models import Document, InboundItem, Sender


def _single_line(text: str) -> str:
    # Log lines cannot be forged: no CR/LF or other control characters survive.
    return "".join(ch if ch.isprintable() else " " for ch in text)


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    actor_label: str = "system",
    item: InboundItem | None = None,
    document: Document | None = None,
    detail: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    label = actor.get_username() if actor is not None else actor_label
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_label=_single_line(label)[:254],
        item=item if item is not None else (document.item if document is not None else None),
        document=document,
        detail=detail or {},
        ip_address=ip_address,
    )


@transaction.atomic
def communication_preference_record_electronic(
    *, sender: Sender, via: str = "email", actor_label: str = "system"
) -> CommunicationPreference:
    """Record "electronic, since <now>, via <via>" unless the sender opted out before.

    Every channel calls this when a person writes through it (``via`` is the
    channel's value: "email", "portal", "contact", "exchange"). An existing
    electronic preference keeps its first date and channel.
    """
    preference, _created = CommunicationPreference.objects.select_for_update().get_or_create(
        sender=sender
    )
    if preference.opted_out_at is not None or preference.electronic:
        return preference
    preference.electronic = True
    preference.since = timezone.now()
    preference.via = _single_line(via)[:32]
    preference.save(update_fields=["electronic", "since", "via", "updated_at"])
    audit_record(
        action="communication.electronic",
        actor_label=actor_label,
        detail={"sender": sender.pk, "via": preference.via},
    )
    return preference


@transaction.atomic
def communication_preference_opt_out(
    *, sender: Sender, actor: User | None = None, actor_label: str = "system"
) -> CommunicationPreference:
    """The sender wants no electronic communication; later e-mails do not change that."""
    preference, _created = CommunicationPreference.objects.select_for_update().get_or_create(
        sender=sender
    )
    if preference.opted_out_at is None:
        preference.electronic = False
        preference.opted_out_at = timezone.now()
        preference.save(update_fields=["electronic", "opted_out_at", "updated_at"])
        audit_record(
            action="communication.opted_out",
            actor=actor,
            actor_label=actor_label,
            detail={"sender": sender.pk},
        )
    return preference


@transaction.atomic
def communication_preference_opt_in(
    *, sender: Sender, actor: User, via: str = "portal"
) -> CommunicationPreference:
    """The person withdraws an opt-out (portal settings): electronic again, from now on."""
    preference, _created = CommunicationPreference.objects.select_for_update().get_or_create(
        sender=sender
    )
    if preference.opted_out_at is None and preference.electronic:
        return preference
    preference.electronic = True
    preference.opted_out_at = None
    preference.since = timezone.now()
    preference.via = _single_line(via)[:32]
    preference.save(update_fields=["electronic", "opted_out_at", "since", "via", "updated_at"])
    audit_record(
        action="communication.electronic",
        actor=actor,
        detail={"sender": sender.pk, "via": preference.via, "opt_in": True},
    )
    return preference


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def opt_out_link_issue(*, address: str) -> str:
    """A fresh single-use token for the opt-out link in a mail to ``address``.

    Only its hash is stored; the token itself exists only in the mail.
    """
    token = secrets.token_urlsafe(32)
    OptOutLink.objects.create(
        token_sha256=_token_hash(token),
        address=address.strip().lower()[:254],
        created_at=timezone.now(),
    )
    return token


def opt_out_link_check(*, token: str) -> OptOutLink:
    """The unused, unexpired link for ``token``; raises OptOutLinkError otherwise."""
    link = OptOutLink.objects.filter(token_sha256=_token_hash(token)).first()
    if link is None:
        raise OptOutLinkError(
            _("Dieser Link ist ungültig."),
            _("Prüfen Sie, ob Sie den Link vollständig aus der E-Mail übernommen haben."),
        )
    if link.used_at is not None:
        raise OptOutLinkError(
            _("Dieser Link wurde bereits verwendet."),
            _(
                "Ihr Widerspruch ist gespeichert. Im Kundenportal unter „Kommunikation“ "
                "sehen und ändern Sie Ihre Einstellung."
            ),
        )
    age = timezone.now() - link.created_at
    if age.days > settings.PRIVACY_OPT_OUT_LINK_DAYS:
        raise OptOutLinkError(
            _("Dieser Link ist abgelaufen."),
            _("Schreiben Sie uns kurz, oder ändern Sie Ihre Einstellung im Kundenportal."),
        )
    return link


@transaction.atomic
def opt_out_link_redeem(*, token: str, ip_address: str | None = None) -> CommunicationPreference:
    """Opt the link's address out of electronic communication; the link is used up.

    The row is locked and marked used in the same transaction, so two clicks
    at once opt out once and the second is refused.
    """
    # Imported here: the intake imports this module for its audit trail.
    from kammerpost.intake.services import sender_for_address  # noqa: PLC0415

    link = opt_out_link_check(token=token)
    used = OptOutLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not used:
        raise OptOutLinkError(
            _("Dieser Link wurde bereits verwendet."),
            _("Ihr Widerspruch ist gespeichert."),
        )
    sender = sender_for_address(email=link.address)
    preference = communication_preference_opt_out(sender=sender, actor_label="opt-out link")
    audit_record(
        action="communication.opt_out_link_used",
        actor_label="opt-out link",
        detail={"sender": sender.pk},
        ip_address=ip_address,
    )
    return preference


def opt_out_links_expired_remove(*, now: datetime | None = None) -> int:
    """Forget opt-out links past their validity (they name an address); how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.PRIVACY_OPT_OUT_LINK_DAYS)
    removed, _details = OptOutLink.objects.filter(created_at__lt=cutoff).delete()
    return removed
