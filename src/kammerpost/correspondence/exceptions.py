"""Refusals of correspondence: German source text, English through the catalogue, a hint."""

from __future__ import annotations

from django.utils import translation
from django.utils.functional import Promise

type Text = str | Promise


class CorrespondenceError(Exception):
    """Base: ``message`` and ``hint`` speak the active language; ``message_de`` / ``_en`` both.

    The texts stay lazy until read, so a refusal raised under one language is
    shown in the language of whoever reads it.
    """

    def __init__(self, message: Text, hint: Text = "") -> None:
        super().__init__(str(message))
        self._message = message
        self._hint = hint

    @property
    def message(self) -> str:
        return str(self._message)

    @property
    def hint(self) -> str:
        return str(self._hint)

    @property
    def text(self) -> str:
        """Message and hint in one line, in the active language."""
        return " ".join(part for part in (self.message, self.hint) if part)

    def text_in(self, language: str) -> str:
        with translation.override(language):
            return self.text

    @property
    def message_de(self) -> str:
        return self.text_in("de")

    @property
    def message_en(self) -> str:
        return self.text_in("en")


class MessageEmptyError(CorrespondenceError):
    """A message with neither text nor a file."""


class ReplyNotPossibleError(CorrespondenceError):
    """The sender cannot be answered this way (no address, opted out, wrong way)."""
