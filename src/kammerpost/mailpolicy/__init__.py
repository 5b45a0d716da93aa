"""The mail policy engine: the chamber's e-mail rules (policy.md 2.2) on raw messages.

Plain Python without SMTP or Django; it imports no other kammerpost package
than the inspection engine, whose policy table holds its limits
(``MailLimits``). An adapter (the SMTP gateway) uses what is exported here:

- ``prescan(raw, limits)``: cheap checks on the raw bytes (``prescan.py``);
- ``MailParserPool.examine(path, workdir, limits)``: the full parse in a
  worker process under limits (``sandbox.py`` -> ``worker.py`` ->
  ``examine.py`` with ``mime.py``, ``html.py``, ``links.py``);
- ``authenticate`` / ``trusted_results``: who really sent it (SPF, DKIM,
  DMARC alignment, or the trusted MTA's Authentication-Results);
- ``MailSignature``: the mail's own S/MIME or PGP signature (``smime.py``);
- ``Refusal`` and the rule tables (``rules.py``), and the SMTP answers built
  from them (``answers.py``): the texts a sender reads are policy too.
"""

from .answers import (
    Answer,
    accepted_answer,
    busy_answer,
    line_too_long_answer,
    recipient_ok_answer,
    refusal_answer,
    size_answer,
    temporary_failure_answer,
    too_many_recipients_answer,
    unknown_recipient_answer,
)
from .authentication import (
    AuthResult,
    DnsResolver,
    authenticate,
    authentication_headers,
    trusted_results,
)
from .examine import Attachment, Examination, examine
from .mime import single_line
from .prescan import prescan
from .rules import MAIL_LIMITS, REFUSALS, RULES, MailLimits, Refusal
from .sandbox import MailParserError, MailParserPool
from .smime import SIGNATURE_REASONS, MailSignature

__all__ = [
    "MAIL_LIMITS",
    "REFUSALS",
    "RULES",
    "SIGNATURE_REASONS",
    "Answer",
    "Attachment",
    "AuthResult",
    "DnsResolver",
    "Examination",
    "MailLimits",
    "MailParserError",
    "MailParserPool",
    "MailSignature",
    "Refusal",
    "accepted_answer",
    "authenticate",
    "authentication_headers",
    "busy_answer",
    "examine",
    "line_too_long_answer",
    "prescan",
    "recipient_ok_answer",
    "refusal_answer",
    "single_line",
    "size_answer",
    "temporary_failure_answer",
    "too_many_recipients_answer",
    "trusted_results",
    "unknown_recipient_answer",
]
