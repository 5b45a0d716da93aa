"""Password rules beyond length: refuse common passwords, also German ones and their decorations.

Django's CommonPasswordValidator knows 20,000 passwords from breach data,
mostly English. We add a German list and also refuse a listed word that is
only decorated with digits or symbols ("Passwort1234!", "Schalke04!!"),
since that is how people meet composition rules they once had to follow.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_GERMAN_LIST = Path(__file__).parent / "data" / "common-passwords-de.txt"
_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@cache
def _german_passwords() -> frozenset[str]:
    lines = _GERMAN_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


class CommonPasswordsValidator(CommonPasswordValidator):
    """Django's breach-derived list plus German passwords, bare or decorated."""

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower().strip()
        stem = _DECORATION.sub("", lowered)
        known = self.passwords | _german_passwords()
        if lowered in known or (stem and stem in known):
            raise ValidationError(
                _(
                    "Dieses Passwort ist zu verbreitet. Wählen Sie ein anderes, zum Beispiel "
                    "einen Satz aus mehreren Wörtern."
                ),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return _("Ihr Passwort darf kein verbreitetes Passwort sein.")
