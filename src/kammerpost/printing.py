"""What every PDF the chamber prints shares: fonts, escaping, the A4 page.

ReportLab bundles Bitstream Vera, which covers German and other Western
European names, so no system fonts are needed on any machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import reportlab
from django.conf import settings
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import SimpleDocTemplate

_FONT_DIR = Path(reportlab.__file__).parent / "fonts"


def pdf_fonts() -> tuple[str, str]:
    """The names of the regular and bold font, registered on first use."""
    if "KammerpostSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("KammerpostSans", str(_FONT_DIR / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont("KammerpostSans-Bold", str(_FONT_DIR / "VeraBd.ttf")))
    return "KammerpostSans", "KammerpostSans-Bold"


def pdf_escape(text: str) -> str:
    """Text for a ReportLab paragraph, whose markup is XML-like."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def a4_document(out: BinaryIO, *, title: str, left_margin_mm: float = 20) -> SimpleDocTemplate:
    """An A4 page in German with the chamber as author."""
    return SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=left_margin_mm * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=title,
        author=settings.CHAMBER_NAME,
        lang="de-DE",
    )
