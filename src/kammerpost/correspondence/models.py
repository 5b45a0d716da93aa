"""The secure message thread of an item: customer messages and staff replies."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Message(models.Model):
    """One message of an item's thread, from the customer or from staff."""

    item = models.ForeignKey(
        "intake.InboundItem", on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)
    from_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "Nachricht"
        verbose_name_plural = "Nachrichten"

    def __str__(self) -> str:
        return f"{self.item} {self.created_at:%Y-%m-%d %H:%M}"


class MessageAttachment(models.Model):
    """A file of a message: a Document of the same item, inspected like every other."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    document = models.OneToOneField(
        "intake.Document", on_delete=models.CASCADE, related_name="message_attachment"
    )

    class Meta:
        ordering = ["document__position"]
        verbose_name = "Anhang"
        verbose_name_plural = "Anhänge"

    def __str__(self) -> str:
        return str(self.document)
