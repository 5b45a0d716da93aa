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
from reportlab.pdfbase.pdfmetrics import stringWidth
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


_TABLE_WIDTH = 170 * mm  # A4 minus the margins
_CELL_PADDING = 12  # points: ReportLab's default 6 left and 6 right
_FILE_HEADER = ["Nr.", "Datei / File", "Größe / Size", "Typ / Type", "Prüfung / Check"]


def _file_rows(
    receipt: Receipt, regular: str, bold: str, small: ParagraphStyle
) -> tuple[list[list[object]], TableStyle]:
    """Two rows per file: number, name, size, type, state; then the fingerprint across.

    The fingerprint (64 characters that must not break) gets the whole width
    instead of squeezing the name column, and size, type and state are plain
    strings that never wrap inside a word.
    """
    rows: list[list[object]] = [list(_FILE_HEADER)]
    commands: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), regular, 9),
        ("FONT", (0, 0), (-1, 0), bold, 9),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for line in receipt.lines:
        rows.append(
            [
                str(line.position),
                Paragraph(pdf_escape(line.name), small),
                f"{line.size:,} B".replace(",", "."),
                line.format,
                line.state,
            ]
        )
        detail = (
            f"SHA-256: {line.sha256}"
            + (f"<br/>Signatur / signature: {pdf_escape(line.signature)}" if line.signature else "")
            + (_PDF_DEMO_NOTE if line.virus_scan_note else "")
        )
        rows.append(["", Paragraph(detail, small), "", "", ""])
        last = len(rows) - 1
        commands += [
            ("SPAN", (1, last), (4, last)),
            ("LINEBELOW", (0, last), (-1, last), 0.3, colors.grey),
            ("TOPPADDING", (0, last), (-1, last), 0),
        ]
    return rows, TableStyle(commands)


def _column_widths(rows: list[list[object]], regular: str, bold: str) -> list[float]:
    """Number, size, type and state as wide as their longest text; the name gets the rest."""
    widths = [0.0] * len(_FILE_HEADER)
    for index, row in enumerate(rows):
        font = bold if index == 0 else regular
        for column in (0, 2, 3, 4):
            text = row[column]
            if isinstance(text, str):
                widths[column] = max(widths[column], stringWidth(text, font, 9) + _CELL_PADDING)
    widths[1] = _TABLE_WIDTH - sum(widths)
    return widths


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
    rows, table_style = _file_rows(receipt, regular, bold, small)
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
        Table(rows, colWidths=_column_widths(rows, regular, bold), style=table_style, repeatRows=1)
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
