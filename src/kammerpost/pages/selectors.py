"""What the public pages show, drawn from the same policy the checks use."""

from __future__ import annotations

from dataclasses import dataclass

from kammerpost.inspection import CHAMBER_DEFAULT, FORMATS, policy_named
from kammerpost.inspection.policy import MB
from kammerpost.languages import active_language


@dataclass(frozen=True)
class AcceptedFormat:
    short: str
    label: str
    extensions: str


def accepted_formats() -> list[AcceptedFormat]:
    english = active_language() == "en"
    return [
        AcceptedFormat(
            short=FORMATS[key].short,
            label=FORMATS[key].label_en if english else FORMATS[key].label_de,
            extensions=", ".join(FORMATS[key].extensions),
        )
        for key in CHAMBER_DEFAULT.formats
    ]


def size_limits_mb() -> dict[str, int]:
    return {
        "portal": CHAMBER_DEFAULT.limits.max_file_size // MB,
        "email": policy_named("email").limits.max_file_size // MB,
    }
