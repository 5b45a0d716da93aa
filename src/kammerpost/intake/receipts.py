"""The acknowledgement of receipt (Eingangsbestätigung), as HTML and as PDF.

Both are drawn from one description of the receipt, so they never disagree.
The PDF's fonts and page come from ``kammerpost.printing``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from kammerpost.inspection import FORMATS
from kammerpost.inspection.antivirus import DEMO_DATABASE_TEXTS, demo_database_text
from kammerpost.languages import active_language
from kammerpost.printing import a4_document, pdf_escape, pdf_fonts

from .models import Document, InboundItem
from .selectors import signature_text


@dataclass(frozen=True)
class ReceiptLine:
    position: int
    name: str
    size: int
    format: str
    sha256: str
    state: str
    signature: str | None
    virus_scan_note: str | None


@dataclass(frozen=True)
class Receipt:
    reference: str
    received_at: str
    department: str
    department_email: str
    channel: str
    chamber: str
    lines: list[ReceiptLine]


def receipt_for(item: InboundItem) -> Receipt:
    local = timezone.localtime(item.received_at)
    return Receipt(
        reference=item.reference,
        received_at=local.strftime("%d.%m.%Y, %H:%M:%S Uhr (%Z)"),
        department=item.department.name,
        department_email=item.department.email,
        channel=item.get_channel_display(),
        chamber=settings.CHAMBER_NAME,
        lines=[_line(d) for d in item.documents.all()],
    )


def _line(document: Document) -> ReceiptLine:
    fmt = FORMATS.get(document.real_format)
    return ReceiptLine(
        position=document.position,
        name=document.original_name,
        size=document.size,
        format=fmt.short if fmt else "–",
        sha256=document.sha256,
        state=document.get_state_display(),
        signature=signature_text(document, lang=active_language()),
        virus_scan_note=demo_database_text(document.facts.get("av"), active_language()),
    )


# The PDF names every label in both languages, so the demo note too.
_PDF_DEMO_NOTE = "<br/>Virenprüfung / virus scan: " + " / ".join(DEMO_DATABASE_TEXTS)


def receipt_html(item: InboundItem) -> str:
    return render_to_string("intake/receipt.html", {"receipt": receipt_for(item)})


def receipt_pdf(item: InboundItem) -> bytes:
    receipt = receipt_for(item)
    regular, bold = pdf_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9)
    heading = ParagraphStyle("heading", parent=body, fontName=bold, fontSize=16, leading=20)
    out = io.BytesIO()
    doc = a4_document(out, title=f"Eingangsbestätigung {receipt.reference}")
    facts = [
        ["Aktenzeichen des Eingangs / Reference", receipt.reference],
        ["Eingegangen am / Received", receipt.received_at],
        ["Bereich / Department", f"{receipt.department} ({receipt.department_email})"],
        ["Weg / Channel", receipt.channel],
    ]
    rows = [["Nr.", "Datei / File", "Größe / Size", "Typ / Type", "Prüfung / Check"]]
    for line in receipt.lines:
        rows.append(
            [
                str(line.position),
                Paragraph(
                    f"{pdf_escape(line.name)}<br/>SHA-256: {line.sha256}"
                    + (f"<br/>Signatur: {pdf_escape(line.signature)}" if line.signature else "")
                    + (_PDF_DEMO_NOTE if line.virus_scan_note else ""),
                    small,
                ),
                f"{line.size:,} B".replace(",", "."),
                line.format,
                line.state,
            ]
        )
    table_style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), regular, 9),
            ("FONT", (0, 0), (-1, 0), bold, 9),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    story = [
        Paragraph(pdf_escape(receipt.chamber), body),
        Spacer(1, 6 * mm),
        Paragraph("Eingangsbestätigung / Acknowledgement of receipt", heading),
        Spacer(1, 4 * mm),
        Table(
            facts,
            colWidths=[62 * mm, 108 * mm],
            style=TableStyle(
                [("FONT", (0, 0), (-1, -1), regular, 10), ("FONT", (0, 0), (0, -1), bold, 10)]
            ),
        ),
        Spacer(1, 6 * mm),
        Table(
            rows,
            colWidths=[10 * mm, 88 * mm, 24 * mm, 16 * mm, 32 * mm],
            style=table_style,
            repeatRows=1,
        )
        if receipt.lines
        else Paragraph("Keine Dateien / no files", body),
        Spacer(1, 6 * mm),
        Paragraph(
            "Mit dem SHA-256-Prüfwert können Sie jederzeit nachweisen, welche Datei bei uns "
            "eingegangen ist. / The SHA-256 fingerprint proves which file we received.",
            small,
        ),
    ]
    doc.build(story)
    return out.getvalue()
