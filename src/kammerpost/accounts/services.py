"""Writes on accounts: businesses, memberships, invitations, activation codes, sessions.

Every function is keyword-only, transactional and records an audit event
(never a password, token or code).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kammerpost.chamber.models import Department, StaffMembership
from kammerpost.privacy.services import audit_record, communication_preference_record_electronic

from .exceptions import ActivationCodeInvalidError, InvitationInvalidError, PermissionDeniedError
from .models import ActivationCode, Business, Invitation, Membership, User
from .selectors import business_is_administered_by

# Crockford-like alphabet: no 0/O, 1/I/L, so a code read from paper is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # 12 symbols of 31: about 59 bits


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def code_normalize(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_format(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def opaque_username() -> str:
    """The internal handle of a new account: never shown, never an address."""
    return f"u-{secrets.token_hex(8)}"


# --- businesses ------------------------------------------------------------------


@transaction.atomic
def business_register(*, actor: User, name: str, ip_address: str | None = None) -> Business:
    """A person registers a business: they become its first member and administrator."""
    business = Business.objects.create(name=name[:200])
    Membership.objects.create(user=actor, business=business, role=Membership.Role.ADMINISTRATOR)
    audit_record(
        action="business.registered",
        actor=actor,
        detail={"business": business.pk},
        ip_address=ip_address,
    )
    return business


def _require_administrator(actor: User, business: Business) -> None:
    if not business_is_administered_by(business=business, user=actor):
        raise PermissionDeniedError(_("Nur die Administration des Betriebs darf das."))


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str


@transaction.atomic
def invitation_create(
    *, actor: User, business: Business, email: str, ip_address: str | None = None
) -> IssuedInvitation:
    """An administrator invites a colleague; the link goes by e-mail, only its hash stays."""
    _require_administrator(actor, business)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        business=business,
        email=email.strip().lower(),
        invited_by=actor,
        token_hash=_digest(token),
        expires_at=timezone.now() + timedelta(days=settings.ACCOUNTS_INVITATION_DAYS),
    )
    audit_record(
        action="business.invitation_sent",
        actor=actor,
        detail={"business": business.pk, "invitation": invitation.pk},
        ip_address=ip_address,
    )
    url = settings.PORTAL_URL.rstrip("/") + reverse("accounts:invitation-open", args=[token])
    context = {
        "business_name": business.name,
        "url": url,
        "days": settings.ACCOUNTS_INVITATION_DAYS,
        "chamber_name": settings.CHAMBER_NAME,
    }
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("Einladung in ein Betriebskonto")
    body = render_to_string("accounts/email/invitation.txt", context)
    recipient = invitation.email
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    )
    return IssuedInvitation(invitation=invitation, token=token)


def invitation_pending(*, token: str) -> Invitation:
    """The open invitation a token names, or InvitationInvalidError (used, expired, unknown)."""
    invitation = (
        Invitation.objects.select_related("business").filter(token_hash=_digest(token)).first()
    )
    if invitation is None or invitation.accepted_at is not None:
        raise InvitationInvalidError(
            _("Diese Einladung gilt nicht (mehr). Bitten Sie um eine neue Einladung.")
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalidError(
            _("Diese Einladung ist abgelaufen. Bitten Sie um eine neue Einladung.")
        )
    return invitation


@transaction.atomic
def invitation_accept(*, actor: User, token: str, ip_address: str | None = None) -> Membership:
    """The invitee joins the business; the invitation cannot be used again."""
    invitation = invitation_pending(token=token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationInvalidError(
            _("Diese Einladung gilt nicht (mehr). Bitten Sie um eine neue Einladung.")
        )
    if invitation.email.lower() != actor.email.lower():
        raise InvitationInvalidError(
            _(
                "Diese Einladung ist an eine andere E-Mail-Adresse gerichtet. Melden Sie sich "
                "mit der Adresse an, an die die Einladung ging."
            )
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = actor
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    membership, _created = Membership.objects.get_or_create(
        user=actor, business=invitation.business, defaults={"role": Membership.Role.MEMBER}
    )
    audit_record(
        action="business.invitation_accepted",
        actor=actor,
        detail={"business": invitation.business_id, "invitation": invitation.pk},
        ip_address=ip_address,
    )
    return membership


# --- activation codes (linking a business to its register entry) ----------------


@dataclass(frozen=True)
class IssuedActivationCode:
    activation_code: ActivationCode
    code: str  # formatted for the letter; exists only in this object and on paper


@transaction.atomic
def activation_code_issue(
    *, business_number: str, actor: User, ip_address: str | None = None
) -> IssuedActivationCode:
    """Staff issue a code for a Betriebsnummer; earlier unused codes for it stop working."""
    if not actor.has_perm("accounts.add_activationcode"):
        raise PermissionDeniedError(_("Sie dürfen keine Aktivierungscodes ausstellen."))
    number = business_number.strip()
    code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    now = timezone.now()
    ActivationCode.objects.filter(betriebsnummer=number, used_at__isnull=True).update(
        expires_at=now
    )
    activation_code = ActivationCode.objects.create(
        betriebsnummer=number,
        code_hash=_digest(code),
        issued_by=actor,
        expires_at=now + timedelta(days=settings.ACCOUNTS_ACTIVATION_CODE_DAYS),
    )
    audit_record(
        action="business.activation_code_issued",
        actor=actor,
        detail={"betriebsnummer": number, "activation_code": activation_code.pk},
        ip_address=ip_address,
    )
    return IssuedActivationCode(activation_code=activation_code, code=code_format(code))


@transaction.atomic
def business_link(
    *,
    actor: User,
    business: Business,
    betriebsnummer: str,
    code: str,
    ip_address: str | None = None,
) -> Business:
    """Link a business account to its Betriebsnummer with the code from the letter."""
    _require_administrator(actor, business)
    number = betriebsnummer.strip()
    offered = _digest(code_normalize(code))
    now = timezone.now()
    candidates = list(
        ActivationCode.objects.select_for_update().filter(
            betriebsnummer=number, used_at__isnull=True, expires_at__gt=now
        )
    )
    # Constant-time comparison over every candidate: timing says nothing about the code.
    match = None
    for candidate in candidates:
        if hmac.compare_digest(candidate.code_hash, offered):
            match = candidate
    if match is None:
        audit_record(
            action="business.link_refused",
            actor=actor,
            detail={"business": business.pk, "betriebsnummer": number},
            ip_address=ip_address,
        )
        raise ActivationCodeInvalidError(
            _(
                "Betriebsnummer und Aktivierungscode passen nicht zusammen, oder der Code ist "
                "abgelaufen oder schon benutzt. Prüfen Sie Ihre Eingabe oder bitten Sie die "
                "Kammer um einen neuen Code."
            )
        )
    holder = Business.objects.filter(betriebsnummer=number).exclude(pk=business.pk).first()
    if holder is not None:
        raise ActivationCodeInvalidError(
            _("Diese Betriebsnummer ist schon mit einem anderen Konto verknüpft.")
        )
    match.used_at = now
    match.used_by = business
    match.save(update_fields=["used_at", "used_by"])
    business.betriebsnummer = number
    business.linked_at = now
    business.save(update_fields=["betriebsnummer", "linked_at"])
    audit_record(
        action="business.linked",
        actor=actor,
        detail={"business": business.pk, "betriebsnummer": number},
        ip_address=ip_address,
    )
    return business


# --- users and sessions -----------------------------------------------------------


def _sessions_of(user: User) -> list[str]:
    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            keys.append(session.session_key)
    return keys


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User, ip_address: str | None = None) -> int:
    """Deactivate an account and end all its sessions at once (security.md 6)."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    keys = _sessions_of(user)
    Session.objects.filter(session_key__in=keys).delete()
    audit_record(
        action="user.deactivated",
        actor=actor,
        actor_label="system",
        detail={"user": user.pk, "sessions_ended": len(keys)},
        ip_address=ip_address,
    )
    return len(keys)


# --- demo data ---------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    totp_secret: str | None = None
    recovery_codes: tuple[str, ...] = ()


def _demo_user(
    *, email: str, is_staff: bool = False, is_superuser: bool = False, username: str | None = None
) -> tuple[User, str | None]:
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, None
    password = secrets.token_urlsafe(12)
    user = User.objects.create_user(
        username=username or opaque_username(),
        email=email,
        password=password,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user, password


def _demo_second_factor(user: User) -> tuple[str, tuple[str, ...]]:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).generate_codes()
    return secret, tuple(codes)


@transaction.atomic
def demo_administrator_ensure(*, username: str = "admin") -> tuple[User, str | None]:
    """Create the demo administrator once; return it and its new password (None if it existed).

    It signs in with ``admin@<chamber domain>`` like everybody (the username
    stays for the Django admin's user list).
    """
    user = User.objects.filter(username=username).first()
    if user is not None:
        if not user.email:
            # Made before sign-in by e-mail existed: give it the address it now signs in with.
            user.email = f"admin@{settings.CHAMBER_DOMAIN}"
            user.save(update_fields=["email"])
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
        return user, None
    return _demo_user(
        email=f"admin@{settings.CHAMBER_DOMAIN}",
        is_staff=True,
        is_superuser=True,
        username=username,
    )


@transaction.atomic
def demo_accounts_ensure() -> list[DemoLogin]:
    """The demo accounts of ``make run``; returns logins only for accounts created now."""
    logins: list[DemoLogin] = []
    admin, password = demo_administrator_ensure()
    if password is not None:
        secret, codes = _demo_second_factor(admin)
        logins.append(DemoLogin(_("Administrator"), admin.email, password, secret, codes))

    domain = "example.org"
    person, password = _demo_user(email=f"privatperson@{domain}")
    if password is not None:
        logins.append(DemoLogin(_("Privatperson"), person.email, password))

    owner, password = _demo_user(email=f"inhaberin@tischlerei-muster.{domain}")
    if password is not None:
        business = business_register(actor=owner, name="Tischlerei Muster GmbH")
        logins.append(DemoLogin(_("Betrieb, Administration"), owner.email, password))
        colleague, password = _demo_user(email=f"geselle@tischlerei-muster.{domain}")
        Membership.objects.get_or_create(
            user=colleague, business=business, defaults={"role": Membership.Role.MEMBER}
        )
        logins.append(DemoLogin(_("Betrieb, Mitglied"), colleague.email, password or "?"))

    issue = Permission.objects.get(
        codename="add_activationcode", content_type__app_label="accounts"
    )
    for department in Department.objects.filter(is_active=True).order_by("slug"):
        clerk, password = _demo_user(
            email=f"sachbearbeitung.{department.slug}@{settings.CHAMBER_DOMAIN}", is_staff=True
        )
        StaffMembership.objects.get_or_create(user=clerk, department=department)
        if department.slug == "handwerksrolle":
            clerk.user_permissions.add(issue)
        if password is not None:
            secret, codes = _demo_second_factor(clerk)
            logins.append(
                DemoLogin(
                    _("Sachbearbeitung %(department)s") % {"department": department.name},
                    clerk.email,
                    password,
                    secret,
                    codes,
                )
            )
    return logins


def account_communication_start(*, user: User) -> None:
    """A confirmed registration: electronic communication, since now, via the portal.

    The preference belongs to the address's sender (one per address), so that
    mail from the same address later finds it; an earlier opt-out stays.
    """
    # Imported here: the intake imports the accounts' models.
    from kammerpost.intake.services import sender_for_account  # noqa: PLC0415

    communication_preference_record_electronic(
        sender=sender_for_account(user=user), via="portal", actor_label=user.get_username()
    )
