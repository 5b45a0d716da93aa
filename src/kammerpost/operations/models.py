"""What the operations package keeps: the last success of every scheduled job."""

from __future__ import annotations

from django.db import models


class JobRun(models.Model):
    """One row per scheduled job: when it last succeeded, what it reported then."""

    name = models.CharField(max_length=64, primary_key=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    # Figures only (counts, the signature database's date); never personal data.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "Geplanter Auftrag"
        verbose_name_plural = "Geplante Aufträge"

    def __str__(self) -> str:
        return self.name
