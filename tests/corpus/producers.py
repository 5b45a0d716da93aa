"""Documents made by the programs senders really use: python-docx, openpyxl, LibreOffice.

Hand-built packages test the rules; these test that the quirks of real
producers do not trip them. LibreOffice runs headless from Debian's packages.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import openpyxl
from openpyxl.chart import BarChart, Reference

from tests.corpus import misc


def python_docx_document() -> bytes:
    document = docx.Document()
    document.add_heading("Antrag auf Eintragung in die Handwerksrolle", level=1)
    document.add_paragraph("Sehr geehrte Damen und Herren, anbei der Meisterbrief.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Betriebsnummer"
    table.cell(0, 1).text = "12345"
    document.add_picture(io.BytesIO(misc.png(200, 100)))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def openpyxl_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Prüflinge"
    sheet.append(["Name", "Punkte"])
    for row in range(2, 12):
        sheet.append([f"Prüfling {row}", row * 7])
    sheet["C1"] = "Summe"
    sheet["C2"] = "=SUM(B2:B11)"
    sheet["D1"] = "Webseite"
    sheet["D2"].hyperlink = "https://www.hwk-musterstadt.de"
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=11), titles_from_data=True)
    sheet.add_chart(chart, "F2")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise RuntimeError("LibreOffice is missing: run `make test`, which installs it")
    return found


def libreoffice_convert(workdir: Path) -> dict[str, bytes]:
    """A letter as DOCX and PDF and a table as XLSX, each converted by LibreOffice."""
    letter = workdir / "brief.html"
    letter.write_text(
        "<html><body><h1>Änderungsmeldung</h1><p>Neue Anschrift: Hauptstraße 1, "
        '<a href="https://www.hwk-musterstadt.de">Kammer</a></p>'
        "<table><tr><td>Rechtsform</td><td>GmbH</td></tr></table></body></html>",
        encoding="utf-8",
    )
    table = workdir / "liste.csv"
    table.write_text("Name;Punkte\nMeier;87\nSchulz;92\n", encoding="utf-8")
    profile = f"-env:UserInstallation=file://{workdir / 'profile'}"
    results: dict[str, bytes] = {}
    for source, target in (
        (letter, "docx:MS Word 2007 XML"),
        (letter, "pdf:writer_pdf_Export"),
        (table, "xlsx"),
    ):
        subprocess.run(
            [
                soffice(),
                profile,
                "--headless",
                "--norestore",
                "--convert-to",
                target,
                "--outdir",
                str(workdir),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        ext = target.split(":")[0]
        results[ext] = (workdir / f"{source.stem}.{ext}").read_bytes()
    return results
