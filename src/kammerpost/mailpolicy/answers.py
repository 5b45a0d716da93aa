"""The gateway's SMTP answers: code, enhanced status code and a text people can act on.

SMTP replies are ASCII (RFC 5321 4.2), so German text is transliterated
(ä -> ae). Every value that came from the sender (a file name, a charset
label, a host name) is reduced to a short run of harmless printable ASCII
before it appears in an answer (security.md 24): no CR/LF, no quotes, no
angle brackets, at most ``MAX_REFLECTED`` characters.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass
from typing import Final

from .rules import MB, RULES, Refusal

MAX_REFLECTED: Final = 60
# RFC 5321 allows 512 octets per reply line; shorter lines survive every relay.
_LINE_WIDTH: Final = 200
_TRANSLITERATION: Final = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "ß": "ss",
        "„": '"',
        "“": '"',
        "”": '"',
        "‚": "'",
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "…": "...",
        "\u00a0": " ",
    }
)
_UNSAFE_IN_NAME: Final = re.compile(r"[^A-Za-z0-9 ._+(),\-]")
# Parameters holding our own texts (from the rule tables or the inspection engine).
_OWN_TEXT_KEYS: Final = frozenset(
    {"reason_de", "reason_en", "hint_de", "hint_en", "what_de", "what_en"}
)


def ascii_text(text: str) -> str:
    """Our own text as printable ASCII: umlauts spelled out, anything else dropped."""
    spelled = text.translate(_TRANSLITERATION)
    decomposed = unicodedata.normalize("NFKD", spelled)
    plain = decomposed.encode("ascii", "ignore").decode("ascii")
    return "".join(ch if ch.isprintable() else " " for ch in plain)


def reflected(value: object, limit: int = MAX_REFLECTED) -> str:
    """A sender's value made safe to echo: short, printable ASCII, nothing that could quote."""
    text = _UNSAFE_IN_NAME.sub("_", ascii_text(str(value))).strip()
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    return text or "_"


@dataclass(frozen=True, slots=True)
class Answer:
    """One SMTP reply; ``line`` is what the server sends (multi-line when needed)."""

    code: int
    enhanced: str
    lines: tuple[str, ...]

    @property
    def line(self) -> str:
        wrapped: list[str] = []
        for text in self.lines:
            wrapped.extend(textwrap.wrap(text, _LINE_WIDTH) or [""])
        last = len(wrapped) - 1
        return "\r\n".join(
            f"{self.code}{' ' if i == last else '-'}{self.enhanced} {text}".rstrip()
            for i, text in enumerate(wrapped)
        )

    @property
    def accepted(self) -> bool:
        return 200 <= self.code < 300

    @property
    def permanent(self) -> bool:
        return self.code >= 500


def _portal_line(portal_url: str) -> str:
    return f"Kundenportal / customer portal: {portal_url}"


def refusal_answer(refusal: Refusal, portal_url: str) -> Answer:
    text, rule = refusal.text, RULES[refusal.text.rule]
    params = {
        key: ascii_text(str(value)) if key in _OWN_TEXT_KEYS else reflected(value)
        for key, value in refusal.params.items()
    }
    message_de = ascii_text(text.message_de.format_map(_Defaulting(params)))
    message_en = ascii_text(text.message_en.format_map(_Defaulting(params)))
    hint_de = ascii_text(text.hint_de.format_map(_Defaulting(params)))
    hint_en = ascii_text(text.hint_en.format_map(_Defaulting(params)))
    lines = [
        f'Abgelehnt nach der Regel "{ascii_text(rule.label_de)}": {message_de} {hint_de}',
        f'Refused under the rule "{rule.label_en}": {message_en} {hint_en}',
        _portal_line(portal_url),
    ]
    return Answer(rule.code, rule.enhanced, tuple(line.strip() for line in lines))


def accepted_answer(references: list[str]) -> Answer:
    joined = ", ".join(references)
    return Answer(250, "2.0.0", (f"Angenommen / accepted: {joined}",))


def temporary_failure_answer() -> Answer:
    return Answer(
        451,
        "4.3.0",
        (
            "Voruebergehender Fehler, bitte spaeter erneut senden / "
            "temporary failure, please try again later",
        ),
    )


def unknown_recipient_answer(portal_url: str) -> Answer:
    return Answer(
        550,
        "5.1.1",
        (
            "Unbekannter Empfaenger; wir nehmen nur Post fuer die Adressen der Kammer an / "
            "unknown recipient; we accept mail for the chamber's addresses only",
            _portal_line(portal_url),
        ),
    )


def recipient_ok_answer() -> Answer:
    return Answer(250, "2.1.5", ("Empfaenger OK / recipient ok",))


def too_many_recipients_answer() -> Answer:
    return Answer(452, "4.5.3", ("Zu viele Empfaenger / too many recipients",))


def size_answer(portal_url: str, limit_bytes: int) -> Answer:
    limit_mb = limit_bytes // MB
    return refusal_answer(Refusal("size.too_large", {"limit_mb": limit_mb}), portal_url)


def line_too_long_answer(portal_url: str, *, bare_linefeeds: bool = False) -> Answer:
    """The answer for a line over 1,000 bytes; lines ended by bare LF look like one long line."""
    code = "mime.bare_linefeeds" if bare_linefeeds else "mime.line_too_long"
    return refusal_answer(Refusal(code), portal_url)


def busy_answer() -> Answer:
    return Answer(
        421, "4.3.2", ("Zu viele Verbindungen, bitte spaeter / too many connections, try later",)
    )


class _Defaulting(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"
