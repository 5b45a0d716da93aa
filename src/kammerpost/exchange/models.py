"""Durable state of the cloud area. ``Upload``: which resumable upload belongs to which target.

The bytes live in the vault (``kammerpost.vault.uploads``); this row says who
may continue an upload, what the client declared, and whether it was handed
over. A row is created with the upload and deleted when it expires unfinished.
"""

from __future__ import annotations

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
