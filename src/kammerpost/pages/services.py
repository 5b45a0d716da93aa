"""The contact form's one write: a question becomes an inbound item of the chosen department."""

from __future__ import annotations

import logging

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kammerpost.accounts.models import User
from kammerpost.accounts.ratelimits import attempt_allowed
from kammerpost.chamber.models import Department
from kammerpost.correspondence.mail import mail_send
from kammerpost.intake.models import Channel, Document, InboundItem, address_normalised
from kammerpost.intake.services import (
    inbound_item_receive,
    sender_account_link,
    sender_for_address,
)
from kammerpost.privacy.services import communication_preference_record_electronic

from .exceptions import ContactRefusedError

log = logging.getLogger(__name__)


def _address_confirmed(user: User | AnonymousUser, address: str) -> bool:
    """The address is the signed-in person's own, confirmed by allauth's link."""
    if not (user.is_authenticated and user.is_active):
        return False
    return EmailAddress.objects.filter(user=user, email__iexact=address, verified=True).exists()


def contact_request_send(
    *,
    actor: User | AnonymousUser,
    name: str,
    email: str,
    department: Department,
    message: str,
    ip_address: str | None,
) -> tuple[InboundItem, bool]:
    """Receive a contact request as an item (channel "contact"); (item, acknowledgement mailed).

    Refused beyond the rate limits per IP and per address (security.md 21).
    The acknowledgement goes by e-mail only to a confirmed address - the
    signed-in person's own - never to an address anyone could have typed in:
    the form must not become a way to send our mail to strangers.
    """
    address = address_normalised(email)
    window = settings.PAGES_CONTACT_WINDOW_SECONDS
    if not attempt_allowed(
        scope="contact-ip",
        key=ip_address or "unknown",
        limit=settings.PAGES_CONTACT_ATTEMPTS_PER_IP,
        window_seconds=window,
    ) or not attempt_allowed(
        scope="contact-address",
        key=address,
        limit=settings.PAGES_CONTACT_ATTEMPTS_PER_ADDRESS,
        window_seconds=window,
    ):
        raise ContactRefusedError(
            _("Sie haben in kurzer Zeit zu viele Nachrichten gesendet."),
            _("Bitte warten Sie eine Stunde und senden Sie dann erneut, oder rufen Sie uns an."),
        )
    confirmed = _address_confirmed(actor, address)
    with transaction.atomic():
        sender = sender_for_address(email=address, display_name=name)
        if confirmed and isinstance(actor, User):
            sender_account_link(sender=sender, user=actor)

        def attach(item: InboundItem, documents: list[Document]) -> None:
            communication_preference_record_electronic(
                sender=item.sender, via=Channel.CONTACT.value, actor_label=address
            )

        item = inbound_item_receive(
            channel=Channel.CONTACT,
            department=department,
            sender=sender,
            files=[],
            subject=f"Kontaktformular: {name.strip()}"[:255],
            text=message.strip(),
            actor_label=address,
            ip_address=ip_address,
            attach=attach,
        )
        if confirmed:
            transaction.on_commit(lambda: _acknowledge(item, address), robust=True)
    return item, confirmed


def _acknowledge(item: InboundItem, address: str) -> None:
    try:
        mail_send(
            template="contact_acknowledgement",
            context={"reference": item.reference, "department": item.department.name},
            to=address,
            from_email=item.department.email,
            headers={"Auto-Submitted": "auto-replied"},
        )
    except Exception:  # the item is stored; a lost acknowledgement is no lost request
        log.exception("contact acknowledgement for %s not sent", item.reference)
