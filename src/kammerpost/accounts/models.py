from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: a sender, a clerk or an administrator.

    Our own model from the first migration on, so that accounts can grow
    (businesses, second factors) without a painful swap later. People sign in
    with their e-mail address; ``username`` stays as an opaque internal handle
    (``u-<hex>``, never shown) so the audit trail does not spell out addresses.
    """

    class Meta(AbstractUser.Meta):
        constraints = [
            # allauth keeps addresses unique too; this is the last line of defence,
            # case-insensitive because Max@x and max@x reach the same mailbox.
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_ci_unique",
            ),
        ]


class Business(models.Model):
    """A Betrieb with one or more members; linked to its register entry by activation code."""

    name = models.CharField(_("Name des Betriebs"), max_length=200)
    # Set only once staff confirmed the link (activation code): a claim is not a fact.
    betriebsnummer = models.CharField(max_length=20, unique=True, null=True, blank=True)
    linked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "Betrieb"
        verbose_name_plural = "Betriebe"

    def __str__(self) -> str:
        return f"{self.name} ({self.betriebsnummer})" if self.betriebsnummer else self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Administration")
        MEMBER = "member", _("Mitglied")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "business"], name="accounts_membership_unique")
        ]
        verbose_name = "Mitgliedschaft"
        verbose_name_plural = "Mitgliedschaften"

    def __str__(self) -> str:
        return f"{self.user.email} @ {self.business.name} ({self.role})"


class Invitation(models.Model):
    """An administrator invites a colleague; the token is e-mailed, only its hash is kept."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = "Einladung"
        verbose_name_plural = "Einladungen"

    def __str__(self) -> str:
        return f"{self.email} -> {self.business.name}"


class ActivationCode(models.Model):
    """A code staff send by post to link a business account to its Betriebsnummer.

    Only the SHA-256 of the code is stored; it is single use and expires.
    """

    betriebsnummer = models.CharField(max_length=20, db_index=True)
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        Business, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = "Aktivierungscode"
        verbose_name_plural = "Aktivierungscodes"

    def __str__(self) -> str:
        return f"{self.betriebsnummer} ({self.created_at:%Y-%m-%d})"
