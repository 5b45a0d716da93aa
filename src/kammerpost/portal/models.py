"""Who submitted an item through the portal, and the secure message thread of an item.

``Message`` and ``MessageAttachment`` are shared with the staff back office:
staff replies are messages with ``from_staff=True``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Submission(models.Model):
    """An item sent through the portal, and by whom.

    The business the person acted for is the item's own (``InboundItem.business``).
    """

    item = models.OneToOneField(
        "intake.InboundItem", on_delete=models.CASCADE, related_name="portal_submission"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="portal_submissions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Einreichung im Portal"
        verbose_name_plural = "Einreichungen im Portal"

    def __str__(self) -> str:
        return str(self.item)


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
