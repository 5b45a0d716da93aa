"""PDFs made by the programs senders use, and the damage transfer does to them.

The producer matrix of issue 10: Chromium's print-to-PDF, LibreOffice Writer
and Calc (plain and PDF/A-2), Ghostscript (ps2pdf, and pdfwrite of an existing
PDF), ReportLab, img2pdf of JPEG and PNG scans, qpdf's linearised and
object-stream outputs, incremental updates (one appended to a pikepdf-read
file, a form filled with pyHanko), and a signed PDF with a later update.
Each is accepted as it is.

Then the imperfections of transfer and hand-editing (:data:`IMPERFECTIONS`),
accepted with a note, and real damage (:data:`DAMAGES`), refused, applied to
each. :func:`produced` makes every file once per test session (LibreOffice and
Chromium take seconds) in a temporary directory.
"""

from __future__ import annotations

import bisect
import functools
import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import img2pdf
import pikepdf
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tests.corpus import misc, pdfs, signed_pdfs
from tests.corpus.pki import test_pki
from tests.corpus.producers import soffice

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_LETTER_HTML = (
    "<html><head><meta charset='utf-8'><title>Änderungsmeldung</title></head><body>"
    "<h1>Änderungsmeldung</h1><p>Neue Anschrift: Hauptstraße 1, 12345 Musterstadt.</p>"
    '<p><a href="https://www.hwk-musterstadt.de">Handwerkskammer</a></p>'
    "<table border='1'><tr><td>Rechtsform</td><td>GmbH</td></tr>"
    "<tr><td>Betriebsnummer</td><td>12345</td></tr></table></body></html>"
)
_TABLE_CSV = "Name;Punkte;Datum\nMeier;87;01.03.2026\nSchulz;92;02.03.2026\nÖzdemir;78;03.03.2026\n"
_PDFA = '{"SelectPdfVersion":{"type":"long","value":"2"}}'


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is missing: run scripts/install-system-packages")
    return found


def chromium_print() -> bytes:
    """Playwright's ``page.pdf()`` in Debian's Chromium (Skia's PDF backend)."""
    # Imported here: Playwright is slow to import and only this producer needs it.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_content(_LETTER_HTML)
            return page.pdf(format="A4")
        finally:
            browser.close()


def libreoffice(workdir: Path) -> dict[str, bytes]:
    """Writer and Calc PDF exports, plain and PDF/A-2, in three LibreOffice runs."""
    letter = workdir / "brief.html"
    letter.write_text(_LETTER_HTML, encoding="utf-8")
    table = workdir / "liste.csv"
    table.write_text(_TABLE_CSV, encoding="utf-8")
    profile = f"-env:UserInstallation=file://{workdir / 'profile'}"
    runs = {
        # One run converts both: "pdf" picks the Writer or Calc exporter by document.
        "plain": ("pdf", [letter, table]),
        "writer_pdfa": (f"pdf:writer_pdf_Export:{_PDFA}", [letter]),
        "calc_pdfa": (f"pdf:calc_pdf_Export:{_PDFA}", [table]),
    }
    results: dict[str, bytes] = {}
    for run, (target, sources) in runs.items():
        outdir = workdir / run
        subprocess.run(
            [
                soffice(),
                profile,
                "--headless",
                "--norestore",
                "--convert-to",
                target,
                "--outdir",
                str(outdir),
                *map(str, sources),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        for source in sources:
            kind = "writer" if source == letter else "calc"
            key = f"libreoffice_{kind}" + ("_pdfa" if run != "plain" else "")
            results[key] = (outdir / f"{source.stem}.pdf").read_bytes()
    return results


def reportlab_letter() -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True)
    pdf.setTitle("Antrag auf Eintragung in die Handwerksrolle")
    pdf.drawString(72, 770, "Antrag auf Eintragung in die Handwerksrolle")
    pdf.linkURL("https://www.hwk-musterstadt.de", (72, 740, 300, 755))
    pdf.drawString(72, 742, "www.hwk-musterstadt.de")
    pdf.showPage()
    pdf.drawString(72, 770, "Seite 2: Anlagen")
    pdf.save()
    return out.getvalue()


def ps2pdf(workdir: Path) -> bytes:
    """A hand-written PostScript letter through Ghostscript's ps2pdf."""
    source = workdir / "brief.ps"
    source.write_text(
        "%!PS\n/Helvetica findfont 14 scalefont setfont\n"
        "72 770 moveto (Antrag auf Foerderung) show\n"
        "72 740 moveto (Betrag: 250 Euro) show\nshowpage\n",
        encoding="ascii",
    )
    target = workdir / "brief-ps2pdf.pdf"
    subprocess.run(
        [_tool("ps2pdf"), str(source), str(target)], check=True, capture_output=True, timeout=120
    )
    return target.read_bytes()


def gs_pdfwrite(workdir: Path, data: bytes) -> bytes:
    """An existing PDF rewritten by ``gs -sDEVICE=pdfwrite`` (as "print to PDF" tools do)."""
    source = workdir / "vorlage.pdf"
    source.write_bytes(data)
    target = workdir / "brief-pdfwrite.pdf"
    subprocess.run(
        [
            _tool("gs"),
            "-q",
            "-dSAFER",
            "-dBATCH",
            "-dNOPAUSE",
            "-sDEVICE=pdfwrite",
            f"-sOutputFile={target}",
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return target.read_bytes()


def img2pdf_scan(image: bytes) -> bytes:
    """A scanned page as scanner software stores it: the image wrapped by img2pdf."""
    return img2pdf.convert(image)


def qpdf_rewrite(data: bytes, **options: object) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = io.BytesIO()
        pdf.save(out, **options)  # type: ignore[arg-type]
        return out.getvalue()


def incremental_update(data: bytes) -> bytes:
    """A document-info change appended as an incremental update to a pikepdf-read file."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        size = int(pdf.trailer.Size)
    info = b"<< /Title (Antrag, zweite Fassung) /ModDate (D:20260302100000+01'00') >>"
    updated = pdfs.append_update(data, {size: info})
    # The new trailer names the new /Info.
    head, tail = updated.rsplit(b"trailer", 1)
    return head + b"trailer" + tail.replace(b"/Prev", b"/Info %d 0 R /Prev" % size, 1)


def form_filled_incrementally() -> bytes:
    """A one-field form, filled in and saved incrementally by pyHanko."""
    return signed_pdfs.fill_field(signed_pdfs.form_document("0 Euro"), "250 Euro")


def signed_then_updated() -> bytes:
    """A PAdES signature (test PKI) and a later incremental update filling the form."""
    pki = test_pki()
    signed = signed_pdfs.sign(signed_pdfs.form_document(), pki.qes_signer, [pki.qualified_ca])
    return signed_pdfs.fill_field(signed, "300 Euro")


@functools.cache
def produced() -> dict[str, bytes]:
    """Every producer's file, made once per session."""
    with tempfile.TemporaryDirectory(prefix="kp-pdf-producers-") as tmp:
        workdir = Path(tmp)
        files = {"chromium": chromium_print(), **libreoffice(workdir)}
        files["reportlab"] = reportlab_letter()
        files["ghostscript_ps2pdf"] = ps2pdf(workdir)
        files["ghostscript_pdfwrite"] = gs_pdfwrite(workdir, files["libreoffice_writer"])
    files["img2pdf_jpeg"] = img2pdf_scan(misc.noisy_jpeg(1240, 1754, quality=80))
    files["img2pdf_png"] = img2pdf_scan(misc.png(1240, 1754))
    files["qpdf_linearized"] = qpdf_rewrite(files["libreoffice_writer"], linearize=True)
    files["qpdf_object_streams"] = qpdf_rewrite(
        files["reportlab"], object_stream_mode=pikepdf.ObjectStreamMode.generate
    )
    files["incremental_update"] = incremental_update(files["reportlab"])
    files["form_filled_incrementally"] = form_filled_incrementally()
    files["signed_then_updated"] = signed_then_updated()
    return files


# --- transfer and hand-editing: imperfect, accepted with a note --------------------------

_STREAM_DATA = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r).*?endstream", re.S)
_HEADER_NUMBER = re.compile(rb"(?<![0-9])(\d+) 0 obj")
# A direct /Length: a number not followed by "0 R".
_LENGTH = re.compile(rb"/Length (\d+)(?![ \r\n]+\d+[ \r\n]+R)(?=[ /\r\n>])")
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])(?: \n|\r\n| \r)")


def _outside_streams(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    """Apply ``change`` to the text of the file, leaving stream data as it is.

    A text-mode transfer that also rewrote compressed data would destroy it:
    that is damage (the stream no longer decodes), tested as such.
    """
    out, last = bytearray(), 0
    for match in _STREAM_DATA.finditer(data):
        out += change(data[last : match.start()]) + match[0]
        last = match.end()
    out += change(data[last:])
    return bytes(out)


def lf_to_crlf(data: bytes) -> bytes:
    return _outside_streams(data, lambda text: re.sub(rb"(?<!\r)\n", b"\r\n", text))


def crlf_written(data: bytes) -> bytes | None:
    """``data`` as a writer using CRLF line ends would have written it, offsets right.

    Only for files with classic tables (xref streams store offsets in binary):
    None for others. Table entries keep their 20 bytes ("...n\\r\\n").
    """
    if re.search(rb"/Type\s*/XRef", data):
        return None
    out, inserted, last = bytearray(), [], 0

    def convert(text: bytes, base: int) -> bytes:
        piece, cursor = bytearray(), 0
        for match in re.finditer(rb"\d{10} \d{5} [nf] \n|(?<!\r)\n", text):
            piece += text[cursor : match.start()]
            if len(match[0]) == 20:
                piece += match[0][:18] + b"\r\n"
            else:
                inserted.append(base + match.start())
                piece += b"\r\n"
            cursor = match.end()
        return bytes(piece + text[cursor:])

    for match in _STREAM_DATA.finditer(data):
        out += convert(data[last : match.start()], last) + match[0]
        last = match.end()
    out += convert(data[last:], last)

    def moved(offset: int) -> int:
        return offset + bisect.bisect_left(inserted, offset)

    def entry(match: re.Match[bytes]) -> bytes:
        if match[3] != b"n" or int(match[1]) == 0:
            return match[0]
        return b"%010d %s n\r\n" % (moved(int(match[1])), match[2])

    result = _XREF_ENTRY.sub(entry, bytes(out))
    for key in (rb"startxref\r\n", rb"/Prev "):
        for match in reversed(list(re.finditer(key + rb"(\d+)", result))):
            new = b"%d" % moved(int(match[1]))
            if len(new) != len(match[1]):
                return None  # one more digit would move what follows
            result = result[: match.start(1)] + new + result[match.end(1) :]
    return result


def crlf_to_lf(data: bytes) -> bytes | None:
    """A CRLF-written file (see :func:`crlf_written`) with every CRLF made LF on the way."""
    written = crlf_written(data)
    if written is None:
        return None
    return _outside_streams(written, lambda text: text.replace(b"\r\n", b"\n"))


def bytes_before_an_object(data: bytes) -> bytes:
    """A comment line inserted before the second object definition."""
    headers = list(_HEADER_NUMBER.finditer(data))
    at = headers[min(1, len(headers) - 1)].start()
    return data[:at] + b"% eingefuegt\n" + data[at:]


def xref_offsets_shifted(data: bytes) -> bytes:
    """Every in-use entry of the last classic table 2 bytes off; else startxref off by 2."""
    start = data.rfind(b"\nxref")
    trailer = data.find(b"trailer", start)
    if start == -1 or trailer == -1 or data.rfind(b"startxref") < trailer:
        offset = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
        cut = data.rindex(b"startxref")
        return data[:cut] + b"startxref\n%d\n%%%%EOF\n" % (offset + 2)

    def shift(match: re.Match[bytes]) -> bytes:
        return b"%010d %s n" % (int(match[1]) + 2, match[2])

    table = re.sub(rb"(\d{10}) (\d{5}) n", shift, data[start:trailer])
    return data[:start] + table + data[trailer:]


def stream_length_wrong(data: bytes) -> bytes:
    """A current stream's direct /Length made 3 bytes too large (same number of digits)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        numbers = [
            obj.objgen[0]
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Object)
            and obj._type_code is pikepdf.ObjectType.stream
            and obj.objgen[0] > 0
            and isinstance(obj.stream_dict.get("/Length"), int)
        ]
    for number in reversed(numbers):
        # The newest definition of that object (an update's copy comes last).
        headers = list(re.finditer(rb"(?<![0-9])%d 0 obj" % number, data))
        if not headers:
            continue  # inside an object stream
        match = _LENGTH.search(data, headers[-1].end())
        if match is None:
            continue
        value = int(match[1])
        if len(str(value + 3)) == len(match[1]):
            return data[: match.start(1)] + b"%d" % (value + 3) + data[match.end(1) :]
    raise AssertionError("no direct /Length to change")


def offset_zero_entry(data: bytes) -> bytes | None:
    """The last classic table lists one more object, unused, at offset 0; None for xref streams."""
    start = data.rfind(b"\nxref")
    trailer = data.find(b"trailer", start)
    if start == -1 or trailer == -1:
        return None
    tail = data[trailer:]
    size = re.search(rb"/Size (\d+)", tail)
    assert size is not None
    # Above every number in use (a linearised file's first trailer has the largest /Size).
    number = max(int(n) for n in re.findall(rb"/Size (\d+)", data))
    entry = b"%d 1\n0000000000 00000 n \n" % number
    tail = tail[: size.start(1)] + b"%d" % (number + 1) + tail[size.end(1) :]
    return data[:trailer] + entry + tail


IMPERFECTIONS: dict[str, Callable[[bytes], bytes | None]] = {
    "lf_to_crlf": lf_to_crlf,
    "crlf_to_lf": crlf_to_lf,
    "bytes_before_an_object": bytes_before_an_object,
    "xref_offsets_shifted": xref_offsets_shifted,
    "stream_length_wrong": stream_length_wrong,
    "offset_zero_entry": offset_zero_entry,
}


# --- real damage: refused ------------------------------------------------------------------


def _truncate(fraction: float) -> Callable[[bytes], bytes]:
    return lambda data: data[: int(len(data) * fraction)]


def without_page_tree(data: bytes) -> bytes:
    """The catalog's /Pages renamed: the document has no page tree."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.Root.Pagez = pdf.Root.Pages
        del pdf.Root.Pages
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.preserve)
        return out.getvalue()


def without_root(data: bytes) -> bytes:
    """Every trailer's /Root renamed (same length, so nothing else moves)."""
    assert b"/Root" in data
    return data.replace(b"/Root", b"/Rooo")


DAMAGES: dict[str, Callable[[bytes], bytes]] = {
    "truncated_at_25_percent": _truncate(0.25),
    "truncated_at_60_percent": _truncate(0.6),
    "truncated_at_95_percent": _truncate(0.95),
    "truncated_before_eof": lambda data: data[: data.rindex(b"%%EOF")],
    "page_tree_removed": without_page_tree,
    "root_removed": without_root,
}
