"""Refusals of the privacy services, each with a German/English text and a hint."""

from __future__ import annotations

from django.utils.functional import Promise


class PrivacyError(Exception):
    def __init__(self, message: str | Promise, hint: str | Promise = "") -> None:
        super().__init__(str(message))
        self.message = message
        self.hint = hint


class OptOutLinkError(PrivacyError):
    """An opt-out link that is unknown, used or expired."""
