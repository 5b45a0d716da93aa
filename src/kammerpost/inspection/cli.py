"""``kammerpost inspect``: the engine on the command line, for operators and scripts."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .antivirus import DEMO_DATABASE_TEXTS, ClamdScanner, demo_database_text
from .engine import Inspector
from .policy import POLICY_NAMES, policy_named
from .report import Inspection, Verdict
from .signature_texts import SIGNATURE_VERDICT_TEXTS

_VERDICT_WORDS = {
    Verdict.ACCEPTED: "angenommen / accepted",
    Verdict.REJECTED: "abgelehnt / rejected",
    Verdict.HELD: "zurückgehalten / held",
}
_MARKS = {"reject": "✗", "hold": "…", "note": "ℹ"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy",
        default="default",
        choices=POLICY_NAMES,
        help="policy to apply (default: the chamber's default policy)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line and file")
    parser.add_argument(
        "--no-av",
        action="store_true",
        help="do not scan for viruses (the result says no scan was made)",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")


def run(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """Inspect every file; 0 when all are accepted, 1 otherwise, 2 on a usage error."""
    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        print(f"kammerpost inspect: not a readable file: {', '.join(missing)}", file=sys.stderr)
        return 2
    clamd = os.environ.get("KAMMERPOST_CLAMD", "").strip()
    try:
        scanner = ClamdScanner(clamd) if clamd and not args.no_av else None
    except ValueError as exc:
        print(f"kammerpost inspect: {exc}", file=sys.stderr)
        return 2
    inspector = Inspector(policy_named(args.policy), scanner=scanner, scan=not args.no_av)
    status = 0
    try:
        for result in inspector.inspect_many(args.files):
            if result.verdict != Verdict.ACCEPTED:
                status = 1
            print(result.to_json() if args.json else _summary(result), file=out, flush=True)
    finally:
        inspector.close()
    return status


def _summary(result: Inspection) -> str:
    kind = (result.format or "?").upper()
    lines = [f"{result.file}: {_VERDICT_WORDS[result.verdict]} ({kind}, {result.size} Byte)"]
    if result.sha256:
        lines.append(f"  SHA-256: {result.sha256}")
    av = result.facts.get("av")
    if isinstance(av, dict) and not av.get("scanned"):
        lines.append(
            f"  Virenprüfung: nicht durchgeführt / virus scan: not made ({av.get('status')})"
        )
    elif demo_database_text(av, "de"):
        lines.append("  Virenprüfung / virus scan: " + " / ".join(DEMO_DATABASE_TEXTS))
    lines += _signature_lines(result)
    for reason in result.reasons:
        mark = _MARKS.get(str(reason.severity), "-")
        lines += [
            f"  {mark} [{reason.code}] {reason.message_de}",
            f"    {reason.message_en}",
            f"    Tipp: {reason.hint_de}",
            f"    Hint: {reason.hint_en}",
        ]
    return "\n".join(lines)


def _signature_lines(result: Inspection) -> list[str]:
    summary = result.facts.get("signature_summary")
    signatures = result.facts.get("signatures")
    if not isinstance(summary, str) or not isinstance(signatures, list):
        return []
    de, en = SIGNATURE_VERDICT_TEXTS.get(summary, (summary, summary))
    lines = [f"  Signatur / signature: {de} / {en}"]
    for signature in signatures:
        lines.append(
            f"    {signature.get('field')}: {signature.get('signer') or '?'}"
            f" - {signature.get('verdict')} ({signature.get('reason_de')})"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kammerpost inspect", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))
