from __future__ import annotations

from django.conf import settings
from django.db import models


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
