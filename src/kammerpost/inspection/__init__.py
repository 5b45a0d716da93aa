"""The inspection engine: decides whether a file may reach a clerk, and says why not.

A plain library without Django: ``Inspector(policy, scanner=...).inspect(path)``.
"""

from .antivirus import ClamdScanner, ScanResult, ScanStatus
from .engine import Inspector
from .policy import CHAMBER_DEFAULT, FORMATS, POLICY_NAMES, Limits, Policy, policy_named
from .reasons import REASONS, Severity
from .report import Inspection, Reason, Verdict
from .sandbox import ParserPool
from .signature_texts import (
    SIGNATURE_REASON_TEXTS,
    SIGNATURE_VERDICT_ORDER,
    SIGNATURE_VERDICT_TEXTS,
)

__all__ = [
    "CHAMBER_DEFAULT",
    "FORMATS",
    "POLICY_NAMES",
    "REASONS",
    "SIGNATURE_REASON_TEXTS",
    "SIGNATURE_VERDICT_ORDER",
    "SIGNATURE_VERDICT_TEXTS",
    "ClamdScanner",
    "Inspection",
    "Inspector",
    "Limits",
    "ParserPool",
    "Policy",
    "Reason",
    "ScanResult",
    "ScanStatus",
    "Severity",
    "Verdict",
    "policy_named",
]
