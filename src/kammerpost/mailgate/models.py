"""What the gateway keeps beside the inbound item: the raw message and its envelope."""

from __future__ import annotations

from django.db import models


class MailMessage(models.Model):
    """The e-mail an inbound item came from.

    The raw message (.eml, exactly as received) is an encrypted blob in the
    mail archive (``providers.MAIL_ARCHIVE``): evidence of what was sent, and
    the source for anything the item's text leaves out. Several items (one
    per department addressed) may share one archived message.
    """

    item = models.OneToOneField(
        "intake.InboundItem", on_delete=models.CASCADE, related_name="mail_message"
    )
    archive_key = models.CharField(max_length=64, db_index=True)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    message_id = models.CharField(max_length=255, blank=True)
    envelope_from = models.CharField(max_length=254, blank=True)  # "" for the null sender
    recipients = models.JSONField(default=list)
    peer = models.GenericIPAddressField(null=True, blank=True)
    received_at = models.DateTimeField()
    # "pending", "sent", "failed", or why none may be sent (RFC 3834): "null_sender",
    # "auto_submitted", "list", "robot", "own_domain", "invalid_address"
    acknowledgement = models.CharField(max_length=32, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "E-Mail"
        verbose_name_plural = "E-Mails"

    def __str__(self) -> str:
        return f"{self.item.reference} <{self.message_id}>"
