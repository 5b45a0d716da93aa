"""The receipt's file table (issue 12, "also fix"): no column squeezed until words break.

The PDF is read back as text (pypdf): every header, size, type and state must
come out whole, the SHA-256 on one line.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth

from kammerpost.chamber.models import Department
from kammerpost.intake import receipts
from kammerpost.intake.services import IncomingFile, inbound_item_receive, sender_for_address
from kammerpost.printing import pdf_fonts
from tests.corpus import misc, pdfs

pytestmark = pytest.mark.django_db

LONG_NAME = "Meisterbrief-Urkunde-Tischlerhandwerk-2026-eingescannt-Seite-1-bis-3.pdf"


@pytest.fixture
def item(departments: dict[str, Department], intake_env: dict[str, str]):  # type: ignore[no-untyped-def]
    return inbound_item_receive(
        channel="portal",  # type: ignore[arg-type]
        department=departments["verwaltung"],
        sender=sender_for_address(email="kundin@example.org"),
        files=[
            IncomingFile(LONG_NAME, io.BytesIO(pdfs.clean())),
            IncomingFile("foto.png", io.BytesIO(misc.png() * 40)),
        ],
    )


def test_the_pdf_receipt_keeps_every_word_and_fingerprint_whole(item) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(receipts.receipt_pdf(item))).pages
    )
    lines = [line.strip() for line in text.splitlines()]
    for header in ("Größe / Size", "Typ / Type", "Prüfung / Check"):
        assert any(header in line for line in lines), f"{header!r} broken: {lines}"
    for document in item.documents.all():
        size = f"{document.size:,} B".replace(",", ".")
        assert any(size in line for line in lines), f"size {size!r} broken"
        assert any(f"SHA-256: {document.sha256}" in line for line in lines), "fingerprint broken"
        assert any("eingegangen" in line for line in lines)
    assert not re.search(r"\bTy\s*\n\s*p\b|eingegange\s*\n", text)


def test_every_short_column_is_as_wide_as_its_longest_text(item) -> None:  # type: ignore[no-untyped-def]
    regular, bold = pdf_fonts()
    receipt = receipts.receipt_for(item)
    rows, _ = receipts._file_rows(receipt, regular, bold, ParagraphStyle("s", fontName=regular))
    widths = receipts._column_widths(rows, regular, bold)
    for index, row in enumerate(rows):
        font = bold if index == 0 else regular
        for column in (0, 2, 3, 4):
            if isinstance(row[column], str):
                assert stringWidth(row[column], font, 9) + 12 <= widths[column] + 0.01
    assert abs(sum(widths) - receipts._TABLE_WIDTH) < 0.01
    assert widths[1] > 70 * 72 / 25.4  # the name keeps most of the line (> 70 mm)


def test_the_html_receipt_marks_which_cells_may_break(item) -> None:  # type: ignore[no-untyped-def]
    html = receipts.receipt_html(item)
    assert html.count('class="value"') == 3 * item.documents.count()
    assert f'<span class="file-name">{LONG_NAME}</span>' in html
