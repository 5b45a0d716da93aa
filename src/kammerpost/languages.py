"""The two languages Kammerpost speaks, and which one a request is answered in.

Every text a person reads exists in German and English; German is the
default (the chamber's language), English when the person chose it. Domain
data keeps both versions side by side (``message_de``/``message_en``,
``label_de``/``label_en``); this module picks one.
"""

from __future__ import annotations

from typing import Any, Literal

from django.utils.translation import get_language

Language = Literal["de", "en"]


def active_language() -> Language:
    """``"en"`` when English (any variant) is active, else ``"de"``."""
    return "en" if (get_language() or "de").startswith("en") else "de"


def localised(record: Any, attribute: str) -> str:
    """``record.<attribute>_de`` or ``record.<attribute>_en``, as the active language asks."""
    return str(getattr(record, f"{attribute}_{active_language()}"))
