"""Refusals of the cloud area: German source text, English through the catalogue, a hint."""

from __future__ import annotations

from django.utils.functional import Promise

type Text = str | Promise


class ExchangeError(Exception):
    """``message`` and ``hint`` in the active language when read (lazy texts stay lazy)."""

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
        return " ".join(part for part in (self.message, self.hint) if part)
