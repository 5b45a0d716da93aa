"""What the gateway keeps beside the inbound item: the raw message and its envelope."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language

from kammerpost.mailpolicy import SIGNATURE_REASONS


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
    # "auto_submitted", "list", "robot", "own_domain", "invalid_address", and
    # "unauthenticated" (the envelope sender is not proven: no backscatter)
    acknowledgement = models.CharField(max_length=32, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # The mail's own signature (kammerpost.mailpolicy.MailSignature as a dict; {} = unsigned).
    signature = models.JSONField(default=dict, blank=True)
    # Images the HTML body showed by cid: (part of the body, not documents): their names.
    omitted_images = models.JSONField(default=list, blank=True)
    # Sender authentication: the From domain passed DMARC (or a valid S/MIME signature
    # for the From address); only then is the item linked to an account.
    sender_verified = models.BooleanField(default=False)
    # How it was decided, for the clerk: e.g. "dmarc=pass spf=pass dkim=pass".
    authentication = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "E-Mail"
        verbose_name_plural = "E-Mails"

    def __str__(self) -> str:
        return f"{self.item.reference} <{self.message_id}>"

    @property
    def signature_reason(self) -> str:
        """Why the signature is not valid, in the active language (the engine's texts)."""
        de, en = SIGNATURE_REASONS.get(str(self.signature.get("reason", "")), ("", ""))
        return en if (get_language() or "de").startswith("en") else de
