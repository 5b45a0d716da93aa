"""Who submitted an item through the portal.

The message thread of an item belongs to ``kammerpost.correspondence``.
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
