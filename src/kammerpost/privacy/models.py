from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# What a person's name or address in the audit trail becomes once they are erased.
# The append-only trigger (migration 0005) accepts exactly this value: keep them equal.
ANONYMISED_LABEL = "anonymisiert"


class AuditEvent(models.Model):
    """Who did what to which item or document, when and from where (security.md 25).

    Never holds passwords, tokens or document contents.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # "system", "worker", an e-mail address: who acted when no user did.
    actor_label = models.CharField(max_length=254)
    action = models.CharField(max_length=64, db_index=True)
    item = models.ForeignKey(
        "intake.InboundItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    document = models.ForeignKey(
        "intake.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "Protokolleintrag"
        verbose_name_plural = "Protokoll"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"


class CommunicationPreference(models.Model):
    """How a sender wants to hear from the chamber: electronically, or not (opted out).

    Writing to the chamber by e-mail counts as consent to an electronic answer
    ("electronic, since <date>, via e-mail"); an explicit opt-out outlasts
    every later e-mail.
    """

    sender = models.OneToOneField(
        "intake.Sender", on_delete=models.CASCADE, related_name="communication_preference"
    )
    electronic = models.BooleanField(default=False)
    since = models.DateTimeField(null=True, blank=True)
    # Which channel made it electronic: "email", "portal", ...
    via = models.CharField(max_length=32, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Kommunikationswunsch"
        verbose_name_plural = "Kommunikationswünsche"

    def __str__(self) -> str:
        if self.opted_out_at is not None:
            return f"{self.sender}: kein elektronischer Kontakt seit {self.opted_out_at:%Y-%m-%d}"
        if self.electronic and self.since is not None:
            return f"{self.sender}: elektronisch seit {self.since:%Y-%m-%d} über {self.via}"
        return f"{self.sender}: offen"


class OptOutLink(models.Model):
    """The single-purpose link in a notification mail: "no more electronic mail to me".

    Only the SHA-256 of the random token is stored (like an invitation), so the
    table cannot be turned into working links. A link works once; it names the
    address it was sent to, and the opt-out covers that address's sender.
    """

    token_sha256 = models.CharField(max_length=64, unique=True)
    address = models.EmailField()
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Widerspruchslink"
        verbose_name_plural = "Widerspruchslinks"

    def __str__(self) -> str:
        return f"{self.address} ({self.created_at:%Y-%m-%d})"


class RetentionStart(models.TextChoices):
    COMPLETED = "completed", _("nach Abschluss des Vorgangs")
    RECEIVED = "received", _("nach Eingang")


class RetentionRule(models.Model):
    """How long the chamber keeps an item with its documents and messages.

    The one place retention periods live: the privacy notice lists these rows,
    and the deletion applies them. The most specific rule wins: a procedure's,
    then a department's for a channel, the department's, the channel's, and
    the general rule (all three empty).
    """

    department = models.ForeignKey(
        "chamber.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="retention_rules",
    )
    # A procedure slug (chamber/procedures/*.toml); empty for every procedure.
    procedure = models.CharField(max_length=64, blank=True)
    # A channel value ("contact", "email", ...); empty for every channel.
    channel = models.CharField(max_length=16, blank=True)
    months = models.PositiveIntegerField()
    starts = models.CharField(
        max_length=16, choices=RetentionStart.choices, default=RetentionStart.COMPLETED
    )
    label_de = models.CharField(max_length=200)
    label_en = models.CharField(max_length=200)
    # Why this long: the law or regulation, shown in the privacy notice.
    basis_de = models.CharField(max_length=300, blank=True)
    basis_en = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["months", "id"]
        verbose_name = "Aufbewahrungsfrist"
        verbose_name_plural = "Aufbewahrungsfristen"

    def __str__(self) -> str:
        return f"{self.label_de}: {self.months} Monate"

    def clean(self) -> None:
        # One rule per scope, or "which one applies" would depend on row order.
        same = RetentionRule.objects.filter(
            department=self.department, procedure=self.procedure, channel=self.channel
        ).exclude(pk=self.pk)
        if same.exists():
            raise ValidationError(
                _("Für diesen Geltungsbereich gibt es schon eine Frist. Ändern Sie jene.")
            )

    @property
    def specificity(self) -> int:
        """Higher wins: procedure 4, channel 2, department 1 (department + channel 3)."""
        return (
            (4 if self.procedure else 0)
            + (2 if self.channel else 0)
            + (1 if self.department_id is not None else 0)
        )


class ErasureReason(models.TextChoices):
    RETENTION = "retention", _("Aufbewahrungsfrist abgelaufen")
    REQUEST = "request", _("Löschantrag der Person")


class ItemErasure(models.Model):
    """An item whose personal content is gone: documents shredded, texts and names replaced.

    The item row itself stays with its reference number and dates (the
    chamber's register of what arrived when); this row says when and why its
    content went. Holds nothing of the deleted content.
    """

    item = models.OneToOneField(
        "intake.InboundItem", on_delete=models.PROTECT, related_name="erasure"
    )
    erased_at = models.DateTimeField(db_index=True)
    reason = models.CharField(max_length=16, choices=ErasureReason.choices)
    # The rule that made it due (None for a deletion request), and how many files went.
    rule = models.ForeignKey(
        RetentionRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    documents = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-erased_at", "-id"]
        verbose_name = "Gelöschter Eingang"
        verbose_name_plural = "Gelöschte Eingänge"

    def __str__(self) -> str:
        return f"{self.item.reference} ({self.erased_at:%Y-%m-%d})"


class DeletionRequest(models.Model):
    """A signed-in person asked the chamber to delete their data (Art. 17 GDPR).

    It reaches staff as an inbound item of the privacy department; once staff
    approve it (where no law requires keeping the data), one action anonymises
    the person's items and account.
    """

    class State(models.TextChoices):
        OPEN = "open", _("offen")
        DONE = "done", _("durchgeführt")

    item = models.OneToOneField(
        "intake.InboundItem", on_delete=models.PROTECT, related_name="deletion_request"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done_at = models.DateTimeField(null=True, blank=True)
    # What went, as counts only: items anonymised, documents shredded.
    outcome = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "Löschantrag"
        verbose_name_plural = "Löschanträge"

    def __str__(self) -> str:
        return f"{self.item.reference} ({self.get_state_display()})"
