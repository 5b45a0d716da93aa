"""What an inspection returns: a verdict, the real format, facts and reasons."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .reasons import Severity, reason_text

type FactValue = str | int | float | bool | list[Any] | dict[str, Any] | None
type Params = dict[str, str | int]


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    HELD = "held"


@dataclass(frozen=True, slots=True)
class Finding:
    """A reason code with the values its texts need; what the checks produce."""

    code: str
    params: Params = field(default_factory=dict)

    @property
    def severity(self) -> Severity:
        return reason_text(self.code).severity


class Findings:
    """Collects facts and findings while one file is checked."""

    def __init__(self) -> None:
        self.facts: dict[str, FactValue] = {}
        self.items: list[Finding] = []

    def add(self, code: str, **params: str | int) -> None:
        reason_text(code)  # fail fast on a code that has no texts
        if not any(f.code == code for f in self.items):
            self.items.append(Finding(code, params))

    def extend(self, other: Findings) -> None:
        self.facts.update(other.facts)
        for f in other.items:
            self.add(f.code, **f.params)

    def codes(self) -> list[str]:
        return [f.code for f in self.items]


@dataclass(frozen=True, slots=True)
class Reason:
    """A finding rendered for the sender, in German and English."""

    code: str
    severity: Severity
    message_de: str
    message_en: str
    hint_de: str
    hint_en: str

    @classmethod
    def from_finding(cls, finding: Finding) -> Reason:
        text = reason_text(finding.code)
        p = _Defaulting(finding.params)
        return cls(
            code=finding.code,
            severity=text.severity,
            message_de=text.message_de.format_map(p),
            message_en=text.message_en.format_map(p),
            hint_de=text.hint_de.format_map(p),
            hint_en=text.hint_en.format_map(p),
        )

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "message_de": self.message_de,
            "message_en": self.message_en,
            "hint_de": self.hint_de,
            "hint_en": self.hint_en,
        }


class _Defaulting(dict[str, str | int]):
    """Leaves a missing placeholder visible instead of failing on a sender's file."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True, slots=True)
class Inspection:
    """The result for one file."""

    file: str
    verdict: Verdict
    format: str | None
    sha256: str | None
    size: int
    facts: dict[str, FactValue]
    reasons: tuple[Reason, ...]

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "verdict": str(self.verdict),
            "format": self.format,
            "sha256": self.sha256,
            "size": self.size,
            "facts": self.facts,
            "reasons": [r.as_dict() for r in self.reasons],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=False)
