"""Refusals of the public pages, each with a German/English text and a hint."""

from __future__ import annotations

from django.utils.functional import Promise


class PagesError(Exception):
    def __init__(self, message: str | Promise, hint: str | Promise = "") -> None:
        super().__init__(str(message))
        self.message = message
        self.hint = hint


class ContactRefusedError(PagesError):
    """The contact form was not accepted (honeypot, rate limit)."""
