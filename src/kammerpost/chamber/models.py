from __future__ import annotations

from django.conf import settings
from django.db import models


class Department(models.Model):
    """A Bereich of the chamber: it has an inbox and an e-mail address."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    # The part before the @; the domain is the chamber's (KAMMERPOST_CHAMBER_DOMAIN).
    mailbox = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(default=True)
    # How long a closed cloud exchange keeps its files before they are crypto-shredded;
    # empty: the chamber's default (settings.EXCHANGE_RETENTION_DAYS).
    exchange_retention_days = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name="Aufbewahrung im Cloud-Austausch (Tage)"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "Bereich"
        verbose_name_plural = "Bereiche"

    def __str__(self) -> str:
        return self.name

    @property
    def exchange_retention(self) -> int:
        """Days a closed exchange of this department keeps its files."""
        if self.exchange_retention_days is not None:
            return self.exchange_retention_days
        return int(settings.EXCHANGE_RETENTION_DAYS)

    @property
    def email(self) -> str:
        return f"{self.mailbox}@{settings.CHAMBER_DOMAIN}"


class StaffMembership(models.Model):
    """A clerk works in a department; a clerk may work in several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_memberships"
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="staff_memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["department__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"], name="chamber_staffmembership_unique"
            )
        ]
        verbose_name = "Zuordnung zu einem Bereich"
        verbose_name_plural = "Zuordnungen zu Bereichen"

    def __str__(self) -> str:
        return f"{self.user.email} – {self.department.name}"
