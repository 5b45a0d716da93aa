"""Durable state of the cloud area. ``Upload``: which resumable upload belongs to which target.

The bytes live in the vault (``kammerpost.vault.uploads``); this row says who
may continue an upload, what the client declared, and whether it was handed
over. A row is created with the upload and deleted when it expires unfinished.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class Upload(models.Model):
    """One tus upload: its target, declared length and metadata, expiry and completion."""

    upload_id = models.CharField(max_length=32, primary_key=True)  # vault upload id, 32 hex
    # The TusTarget's key, e.g. "exchange:<id>": a foreign target's upload is a 404.
    target = models.CharField(max_length=200, db_index=True)
    length = models.BigIntegerField()
    metadata = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)
    # Moves forward with every accepted chunk; unfinished uploads past it are removed.
    expires = models.DateTimeField(db_index=True)
    completed = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Hochladevorgang"
        verbose_name_plural = "Hochladevorgänge"

    def __str__(self) -> str:
        return f"{self.upload_id} ({self.target})"


class Exchange(models.Model):
    """An arrangement: one clerk (and deputies) and one named external person, for a while.

    The person's uploads become documents of one inbound item (``item``, channel
    EXCHANGE, readable only by the clerk and deputies); files the clerk places
    for the person are ``PlacedFile`` rows. Closed at expiry; after the
    department's retention its files are crypto-shredded unless the clerk took
    the item over (``taken_over_at``).
    """

    department = models.ForeignKey(
        "chamber.Department", on_delete=models.PROTECT, related_name="exchanges"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exchanges_opened"
    )
    deputies = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="exchanges_deputised"
    )
    guest_name = models.CharField(max_length=200)
    guest_email = models.EmailField()
    purpose = models.CharField(max_length=500, blank=True)
    file_reference = models.CharField(max_length=64, blank=True)  # an Aktenzeichen
    # The item the clerk opened the exchange from, if any (for reference only).
    linked_item = models.ForeignKey(
        "intake.InboundItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exchanges_linked",
    )
    policy_name = models.CharField(max_length=32, default="exchange")
    quota_bytes = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    # The inbound item the person's uploads go into (created with the first upload).
    item = models.OneToOneField(
        "intake.InboundItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exchange",
    )
    taken_over_at = models.DateTimeField(null=True, blank=True)
    taken_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    shredded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "Cloud-Austausch"
        verbose_name_plural = "Cloud-Austausche"

    def __str__(self) -> str:
        return f"{self.pk}: {self.guest_name} ({self.department.slug})"

    @property
    def target_key(self) -> str:
        """The key its tus uploads are stored under (``Upload.target``)."""
        return f"exchange:{self.pk}"

    def is_open(self, now: datetime | None = None) -> bool:
        return self.closed_at is None and self.expires_at > (now or timezone.now())


class Invitation(models.Model):
    """The single-use link mailed to the person; only the SHA-256 of its token is kept."""

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Einladung"
        verbose_name_plural = "Einladungen"

    def __str__(self) -> str:
        return f"invitation {self.pk} of exchange {self.exchange_id}"


class AccessCode(models.Model):
    """A one-time code mailed to the invited address; hashed, single use, short-lived."""

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Einmalcode"
        verbose_name_plural = "Einmalcodes"

    def __str__(self) -> str:
        return f"code {self.pk} of exchange {self.exchange_id}"


class PlacedFile(models.Model):
    """A file the clerk placed for the person to download: a staged blob in the intake vault."""

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="placed_files")
    name = models.CharField(max_length=255)  # for display only, never a path
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    vault_key = models.CharField(max_length=64, unique=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["placed_at", "id"]
        verbose_name = "Bereitgestellte Datei"
        verbose_name_plural = "Bereitgestellte Dateien"

    def __str__(self) -> str:
        return self.name
