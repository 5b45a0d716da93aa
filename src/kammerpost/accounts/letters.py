"""The activation-code letter staff print and post (ReportLab, bundled Vera font)."""

from __future__ import annotations

import io

from django.conf import settings
from django.utils import timezone
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from kammerpost.printing import a4_document, pdf_escape, pdf_fonts


def activation_letter_pdf(
    *, betriebsnummer: str, code: str, recipient: str, expires_at: timezone.datetime
) -> bytes:
    """A one-page letter: address block, Betriebsnummer, the code, how to use it."""
    regular, bold = pdf_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10.5, leading=14)
    heading = ParagraphStyle("heading", parent=body, fontName=bold, fontSize=14, leading=18)
    code_style = ParagraphStyle("code", parent=body, fontName=bold, fontSize=18, leading=24)
    out = io.BytesIO()
    doc = a4_document(
        out, title=f"Aktivierungscode Betriebsnummer {betriebsnummer}", left_margin_mm=25
    )
    portal = settings.PORTAL_URL
    expires = timezone.localtime(expires_at).strftime("%d.%m.%Y")
    today = timezone.localtime().strftime("%d.%m.%Y")
    address = "<br/>".join(
        pdf_escape(line.strip()) for line in recipient.splitlines() if line.strip()
    )
    story = [
        Paragraph(pdf_escape(settings.CHAMBER_NAME), body),
        Spacer(1, 18 * mm),
        Paragraph(address, body),
        Spacer(1, 14 * mm),
        Paragraph(f"Datum: {today} · Betriebsnummer: {pdf_escape(betriebsnummer)}", body),
        Spacer(1, 8 * mm),
        Paragraph("Ihr Aktivierungscode für die Kammerpost", heading),
        Spacer(1, 4 * mm),
        Paragraph(
            "Mit diesem Code verknüpfen Sie Ihr Betriebskonto in der Kammerpost mit Ihrem "
            "Eintrag in der Handwerksrolle. Danach können Sie Unterlagen für Ihren Betrieb "
            "sicher an uns senden.",
            body,
        ),
        Spacer(1, 6 * mm),
        Paragraph(pdf_escape(code), code_style),
        Spacer(1, 6 * mm),
        Paragraph(
            f"So geht es: Melden Sie sich unter {pdf_escape(portal)} an, öffnen Sie „Mein Konto“, "
            "wählen Sie Ihren Betrieb und dort „Mit der Handwerksrolle verknüpfen“. Geben Sie die "
            "Betriebsnummer und den Code ein.",
            body,
        ),
        Spacer(1, 4 * mm),
        Paragraph(
            f"Der Code gilt einmal und bis zum {expires}. Geben Sie ihn an niemanden weiter; "
            "die Kammer fragt Sie nie danach.",
            body,
        ),
    ]
    doc.build(story)
    return out.getvalue()
