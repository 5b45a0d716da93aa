"""Inbound items (Eingänge) and their documents, whatever channel they came through."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower, Trim
from django.utils.translation import gettext_lazy as _


def address_normalised(email: str) -> str:
    """The form a sender's address is known by: stripped and lower-cased."""
    return email.strip().lower()


class Channel(models.TextChoices):
    PORTAL = "portal", _("Kundenportal")
    EMAIL = "email", _("E-Mail")
    EXCHANGE = "exchange", _("HWK-Cloud")
    OPERATOR = "operator", _("Scanstelle / Schnittstelle")
    CONTACT = "contact", _("Kontaktformular")


class Sender(models.Model):
    """Who sent an item: an account, or only an e-mail address.

    One sender per address (a database constraint on the normalised address),
    so that what is recorded for the address (an opt-out) covers every mail
    from it.
    """

    class Kind(models.TextChoices):
        PERSON = "person", _("Privatperson")
        BUSINESS = "business", _("Betrieb")
        ADDRESS = "address", _("nur E-Mail-Adresse")

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ADDRESS)
    email = models.EmailField(db_index=True)
    display_name = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sender_profiles",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower(Trim("email")), name="intake_sender_address_unique")
        ]
        verbose_name = "Absender"
        verbose_name_plural = "Absender"

    def __str__(self) -> str:
        return self.display_name or self.email

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = address_normalised(self.email)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ItemStatus(models.TextChoices):
    NEW = "new", _("neu")
    IN_PROGRESS = "in_progress", _("in Bearbeitung")
    WAITING = "waiting", _("wartet auf Absender")
    DONE = "done", _("erledigt")


class InboundItem(models.Model):
    """An Eingang: one submission with its documents, routed to one department."""

    reference = models.CharField(max_length=20, unique=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    department = models.ForeignKey(
        "chamber.Department", on_delete=models.PROTECT, related_name="items"
    )
    procedure = models.CharField(max_length=64, blank=True)
    sender = models.ForeignKey(Sender, on_delete=models.PROTECT, related_name="items")
    # The business the sender acts for (a portal sender choosing "on behalf of").
    business = models.ForeignKey(
        "accounts.Business",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    # The sender proved the address is theirs: signed in to the portal, a code sent to the
    # address (cloud area), an authenticated mail. Only such items reach an account linked
    # to the address: anyone can type an address into a form or a From header.
    # db_default: the previous release, which does not know the column, can still insert.
    sender_confirmed = models.BooleanField(default=False, db_default=False)
    file_reference = models.CharField(max_length=64, blank=True)  # the sender's Aktenzeichen
    subject = models.CharField(max_length=255, blank=True)
    text = models.TextField(blank=True)
    form_data = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.NEW)
    # The clerk working on the item (back office); nobody until someone takes it.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_items",
    )
    # A confidential item (a cloud exchange's uploads): when anyone is named here, only
    # they see it among the department's staff (intake.access.items_visible_to_staff).
    readers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="readable_items"
    )
    received_at = models.DateTimeField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "Eingang"
        verbose_name_plural = "Eingänge"

    def __str__(self) -> str:
        return self.reference


class DocumentState(models.TextChoices):
    RECEIVED = "received", _("eingegangen")
    INSPECTING = "inspecting", _("wird geprüft")
    ACCEPTED = "accepted", _("angenommen")
    REJECTED = "rejected", _("abgelehnt")
    HELD = "held", _("zurückgehalten")


DECIDED_STATES = (DocumentState.ACCEPTED, DocumentState.REJECTED)


class Document(models.Model):
    """One file of an item: stored encrypted in the vault, shown only once accepted."""

    item = models.ForeignKey(InboundItem, on_delete=models.CASCADE, related_name="documents")
    position = models.PositiveSmallIntegerField()
    original_name = models.CharField(max_length=255)  # for display only, never a path
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    vault_key = models.CharField(max_length=64, unique=True)
    policy_name = models.CharField(max_length=32, default="default")
    state = models.CharField(
        max_length=16,
        choices=DocumentState.choices,
        default=DocumentState.RECEIVED,
        db_index=True,
    )
    real_format = models.CharField(max_length=8, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    facts = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # The worker that holds the document while inspecting it, and until when.
    claim = models.UUIDField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # When the sweeper should queue this undecided document again: a lost task,
    # an expired lease or a held document's next retry all come down to this.
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    received_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "position"], name="document_position_unique")
        ]
        verbose_name = "Dokument"
        verbose_name_plural = "Dokumente"

    def __str__(self) -> str:
        return f"{self.item.reference}/{self.position} {self.original_name}"

    @property
    def is_decided(self) -> bool:
        return self.state in DECIDED_STATES


class ReferenceCounter(models.Model):
    """The last reference number handed out per year (E-2026-000123)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class StagedBlob(models.Model):
    """A blob in the intake vault that is no document yet: a file in a portal draft.

    The orphan sweep spares every blob named here; the channel that staged it
    either hands it to the intake (the row goes in the receive's transaction)
    or discards it, and blobs left longer than their channel allows are
    shredded by that channel's sweep.
    """

    vault_key = models.CharField(max_length=64, unique=True)
    # Which channel's sweep decides when the blob is abandoned ("portal.draft").
    kind = models.CharField(max_length=32)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "Zwischengespeicherte Datei"
        verbose_name_plural = "Zwischengespeicherte Dateien"

    def __str__(self) -> str:
        return f"{self.kind} {self.vault_key}"
