"""``kammerpost items list|show|receipt``: the inbound items for operators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kammerpost.intake import receipts, selectors


class Command(BaseCommand):
    help = "List inbound items, show one with its documents' verdicts, or write its receipt."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="list items, newest first")
        listing.add_argument("--department", metavar="SLUG")
        listing.add_argument("--json", action="store_true")
        listing.add_argument("--limit", type=int, default=100)
        show = sub.add_parser("show", help="one item with each document's verdict and reasons")
        show.add_argument("reference", metavar="REF")
        show.add_argument("--json", action="store_true")
        receipt = sub.add_parser("receipt", help="write the receipt as PDF or HTML")
        receipt.add_argument("reference", metavar="REF")
        receipt.add_argument("--pdf", metavar="FILE")
        receipt.add_argument("--html", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self._list(options)
            return
        try:
            item = selectors.item_by_reference(options["reference"])
        except selectors.ItemNotFoundError:
            raise CommandError(f"Kein Eingang / no item {options['reference']!r}") from None
        if action == "show":
            self._show(item, as_json=options["json"])
        else:
            if options["pdf"]:
                Path(options["pdf"]).write_bytes(receipts.receipt_pdf(item))
            if options["html"]:
                Path(options["html"]).write_text(receipts.receipt_html(item), encoding="utf-8")
            if not (options["pdf"] or options["html"]):
                raise CommandError("--pdf FILE or --html FILE")

    def _list(self, options: dict[str, Any]) -> None:
        items = selectors.items_list(department_slug=options["department"])[: options["limit"]]
        for item in items:
            summary = selectors.item_summary(item, with_documents=False)
            if options["json"]:
                self.stdout.write(json.dumps(summary, ensure_ascii=False))
            else:
                states = ", ".join(f"{n} {s}" for s, n in summary["documents_by_state"].items())
                self.stdout.write(
                    f"{item.reference}  {item.received_at:%Y-%m-%d %H:%M}  "
                    f"{item.department.slug:<16} {item.channel:<8} {item.sender.email}  "
                    f"[{states or 'keine Dateien'}]"
                )

    def _show(self, item: Any, *, as_json: bool) -> None:
        summary = selectors.item_summary(item)
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(
            f"{summary['reference']} · {summary['department']} · {summary['channel']} · "
            f"{summary['sender']} · {summary['received_at']}"
        )
        if summary["subject"]:
            self.stdout.write(f"Betreff: {summary['subject']}")
        for doc in summary["documents"]:
            self.stdout.write(
                f"  {doc['position']}. {doc['name']} ({doc['size']} B, {doc['format'] or '?'}): "
                f"{doc['state']}"
            )
            self.stdout.write(f"     SHA-256 {doc['sha256']}")
            if doc["signature_text"]:
                self.stdout.write(f"     Signatur: {doc['signature_text']}")
            for reason in doc["reasons"]:
                self.stdout.write(f"     [{reason['code']}] {reason['message_de']}")
