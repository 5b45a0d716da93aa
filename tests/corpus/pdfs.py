"""Test PDFs, built in code: the cases of policy.md 1.4 and a few more.

Nothing binary is committed. Files whose point is their structure are built
with pikepdf; files whose point is their exact bytes (a hex-escaped name, a
hand-made incremental update, truncation, appended data) are written byte by
byte. ``CASES`` maps a case name to its builder, a file name and the reason
code expected for it (None: accepted); the engine tests reuse it.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

# --- building blocks ---------------------------------------------------------


def _new_document(text: str = "Sehr geehrte Damen und Herren") -> pikepdf.Pdf:
    """One A4 page with a line of text, as a word processor would write it."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )
    page = pikepdf.Page(
        Dictionary(
            Type=Name.Page,
            MediaBox=Array([0, 0, 595, 842]),
            Resources=Dictionary(Font=Dictionary(F1=font)),
            Contents=pdf.make_stream(
                b"BT /F1 12 Tf 72 770 Td %s Tj ET"
                % String(text.encode("cp1252", "replace")).unparse()
            ),
        )
    )
    pdf.pages.append(page)
    return pdf


def _save(pdf: pikepdf.Pdf, **options: Any) -> bytes:
    out = io.BytesIO()
    # A fixed /ID keeps the bytes the same from run to run.
    pdf.save(out, static_id=True, **options)
    return out.getvalue()


def _document_bytes(
    change: Callable[[pikepdf.Pdf], None] | None = None, version: str = "1.7", **options: Any
) -> bytes:
    pdf = _new_document()
    if change is not None:
        change(pdf)
    return _save(pdf, force_version=version, **options)


def _link(pdf: pikepdf.Pdf, action: Dictionary) -> None:
    """Put a link annotation with ``action`` on the first page."""
    annot = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Link,
            Rect=Array([72, 700, 300, 720]),
            Border=Array([0, 0, 0]),
            A=action,
        )
    )
    page = pdf.pages[0].obj
    page.Annots = Array([*page.get("/Annots", Array()), annot])


def raw_pdf(objects: list[bytes], header: bytes = b"%PDF-1.7", trailer: bytes = b"") -> bytes:
    """A PDF written byte by byte: object i+1 is ``objects[i]``, object 1 the catalog.

    The cross-reference table is computed, so the file is well formed unless
    the objects themselves are not.
    """
    out = bytearray(header + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer,
        xref,
    )
    return bytes(out)


_RAW_PAGE_TREE = [
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>",
]


def _startxref(data: bytes) -> int:
    found = re.findall(rb"startxref\s+(\d+)\s+%%EOF", data[-1024:])
    return int(found[-1])


def append_update(data: bytes, changed: dict[int, bytes]) -> bytes:
    """Append an incremental update (new objects, xref section, trailer with /Prev).

    ``changed`` maps object numbers to their new bodies; numbers at or above
    the file's /Size add objects. This is what a PDF editor does when it
    saves "incrementally", and what an attacker does to a clean document.
    """
    with pikepdf.open(io.BytesIO(data)) as pdf:
        size = int(pdf.trailer.Size)
        root = pdf.Root.objgen[0]
        file_id = pdf.trailer.ID.unparse()
    out = bytearray(data)
    offsets = {}
    for number in sorted(changed):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, changed[number])
    xref = len(out)
    out += b"xref\n"
    for number in sorted(offsets):  # one subsection per object keeps this simple
        out += b"%d 1\n%010d 00000 n \n" % (number, offsets[number])
    new_size = max(size, max(changed) + 1)
    out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d /ID %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        new_size,
        root,
        _startxref(data),
        file_id,
        xref,
    )
    return bytes(out)


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("payload.js", "WScript.Echo('hello');\n")
    return buffer.getvalue()


def _dos_exe() -> bytes:
    """A PE file's first bytes: MZ header pointing to a PE signature."""
    mz = bytearray(256)
    mz[0:2] = b"MZ"
    mz[0x3C:0x40] = (0x80).to_bytes(4, "little")  # e_lfanew
    mz[0x40:0x67] = b"This program cannot be run in DOS mode."
    mz[0x80:0x84] = b"PE\x00\x00"
    mz[0x84:0x86] = (0x8664).to_bytes(2, "little")  # machine: x86-64
    return bytes(mz)


# --- accepted ----------------------------------------------------------------


def small_pdf(text: str) -> bytes:
    """A clean one-page PDF showing ``text`` (small-file benchmarks)."""
    return _save(_new_document(text), force_version="1.7")


def clean() -> bytes:
    """A plain one-page document."""
    return _document_bytes()


def pdf_1_4() -> bytes:
    return _document_bytes(version="1.4")


def pdf_1_7_object_streams() -> bytes:
    """PDF 1.7 with a cross-reference stream and compressed object streams."""

    def more_pages(pdf: pikepdf.Pdf) -> None:
        resources = pdf.pages[0].obj.Resources
        for number in range(2, 7):
            text = b"BT /F1 12 Tf 72 770 Td (Seite %d) Tj ET" % number
            page = Dictionary(
                Type=Name.Page,
                MediaBox=Array([0, 0, 595, 842]),
                Resources=resources,
                Contents=pdf.make_stream(text),
            )
            pdf.pages.append(pikepdf.Page(page))

    return _document_bytes(
        more_pages, version="1.7", object_stream_mode=pikepdf.ObjectStreamMode.generate
    )


def uri_links() -> bytes:
    def links(pdf: pikepdf.Pdf) -> None:
        _link(pdf, Dictionary(S=Name.URI, URI=String("https://www.hwk-example.de/formulare")))
        _link(pdf, Dictionary(S=Name.URI, URI=String("mailto:poststelle@hwk-example.de")))

    return _document_bytes(links)


def owner_password_only() -> bytes:
    """Restricted editing, but anyone may open it: checked like any PDF."""
    pdf = _new_document()
    return _save(pdf, encryption=pikepdf.Encryption(owner="o", user="", R=6))


def signature_field() -> bytes:
    """A form with a signed signature field (the signature value is a dummy)."""

    def sign(pdf: pikepdf.Pdf) -> None:
        signature = pdf.make_indirect(
            Dictionary(
                Type=Name.Sig,
                Filter=Name("/Adobe.PPKLite"),
                SubFilter=Name("/adbe.pkcs7.detached"),
                ByteRange=Array([0, 1000, 9192, 1000]),
                Contents=String(bytes(4096)),
                M=String("D:20260301120000+01'00'"),
                Name=String("Max Mustermann"),
            )
        )
        page = pdf.pages[0].obj
        field = pdf.make_indirect(
            Dictionary(
                FT=Name.Sig,
                T=String("Signatur1"),
                V=signature,
                Type=Name.Annot,
                Subtype=Name.Widget,
                Rect=Array([0, 0, 0, 0]),
                F=132,
                P=page,
            )
        )
        page.Annots = Array([field])
        pdf.Root.AcroForm = Dictionary(Fields=Array([field]), SigFlags=3)

    return _document_bytes(sign)


def hand_written() -> bytes:
    """A well-formed PDF 1.7 written byte by byte (the base of byte-level damage)."""
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", *_RAW_PAGE_TREE])


def wrong_size_in_trailer() -> bytes:
    """The trailer's /Size is one too large: sloppy, common, and harmless."""
    data = hand_written()
    assert data.count(b"/Size 4 ") == 1
    return data.replace(b"/Size 4 ", b"/Size 5 ")


def catalog_version_above_header() -> bytes:
    """Header says 1.2, the catalog's /Version says 1.4: the file is 1.4."""
    return raw_pdf(
        [b"<< /Type /Catalog /Pages 2 0 R /Version /1.4 >>", *_RAW_PAGE_TREE], b"%PDF-1.2"
    )


def open_action_destination() -> bytes:
    """/OpenAction as a destination: "show page 1, fit width"; not an action."""

    def destination(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = Array([pdf.pages[0].obj, Name.FitH, 842])

    return _document_bytes(destination)


def open_action_goto() -> bytes:
    """/OpenAction as a /GoTo action to page 1: a destination written as an action."""

    def goto(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = Dictionary(
            S=Name.GoTo, D=Array([pdf.pages[0].obj, Name.XYZ, 0, 842, 0])
        )

    return _document_bytes(goto)


def _usage_rights(transform: str, params: Dictionary) -> Callable[[pikepdf.Pdf], None]:
    """A /Perms signature (/UR3 or /DocMDP) over a filled-in form field (dummy signature value)."""

    def perms(pdf: pikepdf.Pdf) -> None:
        page = pdf.pages[0].obj
        field = pdf.make_indirect(
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.Widget,
                FT=Name.Tx,
                T=String("Betrag"),
                V=String("250 Euro"),
                Rect=Array([72, 600, 300, 620]),
                P=page,
            )
        )
        page.Annots = Array([field])
        pdf.Root.AcroForm = Dictionary(Fields=Array([field]))
        signature = pdf.make_indirect(
            Dictionary(
                Type=Name.Sig,
                Filter=Name("/Adobe.PPKLite"),
                SubFilter=Name("/adbe.pkcs7.detached"),
                ByteRange=Array([0, 1000, 9192, 1000]),
                Contents=String(bytes(4096)),
                M=String("D:20260301120000+01'00'"),
                Reference=Array(
                    [
                        Dictionary(
                            Type=Name.SigRef,
                            TransformMethod=Name(transform),
                            TransformParams=params,
                        )
                    ]
                ),
            )
        )
        pdf.Root.Perms = Dictionary({transform: signature})

    return perms


def usage_rights_form() -> bytes:
    """A form filled in with Reader "usage rights": /Perms /UR3, whose /EF lists permissions."""
    params = Dictionary(
        Type=Name.TransformParams,
        V=Name("/2.2"),
        Document=Array([Name.FullSave]),
        Form=Array(
            [
                Name.Add,
                Name.Delete,
                Name.FillIn,
                Name.Import,
                Name.Export,
                Name.SubmitStandalone,
                Name.SpawnTemplate,
            ]
        ),
        Annots=Array([Name.Create, Name.Delete, Name.Modify, Name.Copy, Name.Import, Name.Export]),
        EF=Array([Name.Create, Name.Delete, Name.Modify, Name.Import]),
        Signature=Array([Name.Modify]),
    )
    return _document_bytes(_usage_rights("/UR3", params))


def certified_form() -> bytes:
    """A certified form (/Perms /DocMDP: form filling allowed)."""
    params = Dictionary(Type=Name.TransformParams, P=2, V=Name("/1.2"))
    return _document_bytes(_usage_rights("/DocMDP", params))


# --- rejected by the PDF rules -------------------------------------------------


def open_action_goto_then_script() -> bytes:
    """A /GoTo /OpenAction whose /Next chain runs JavaScript."""

    def goto(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = Dictionary(
            S=Name.GoTo,
            D=Array([pdf.pages[0].obj, Name.Fit]),
            Next=Dictionary(S=Name.JavaScript, JS=String("app.alert(1);")),
        )

    return _document_bytes(goto)


def open_action_goto_then_link() -> bytes:
    """A /GoTo /OpenAction chained to a web address: it runs something on opening."""

    def goto(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = Dictionary(
            S=Name.GoTo,
            D=Array([pdf.pages[0].obj, Name.Fit]),
            Next=Dictionary(S=Name.URI, URI=String("https://example.org/tracker")),
        )

    return _document_bytes(goto)


def embedded_file_posing_as_permissions() -> bytes:
    """/EF with a real file stream inside /TransformParams: a file all the same."""

    def change(pdf: pikepdf.Pdf) -> None:
        data = pdf.make_stream(b"MZ not really a program", Type=Name.EmbeddedFile)
        _usage_rights("/UR3", Dictionary(Type=Name.TransformParams, EF=Dictionary(F=data)))(pdf)

    return _document_bytes(change)


def pdf_1_2() -> bytes:
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", *_RAW_PAGE_TREE], b"%PDF-1.2")


def open_action_javascript() -> bytes:
    def script(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=String("app.alert('Hallo');"))

    return _document_bytes(script)


def open_action_uri() -> bytes:
    """Even a harmless action must not run unasked when the file opens."""

    def action(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = Dictionary(S=Name.URI, URI=String("https://example.org/tracker"))

    return _document_bytes(action)


HEX_ESCAPED_ACTION = b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"


def hex_escaped_javascript() -> bytes:
    """A link whose action is ``/S /J#61vaScript /J#53 (...)``: JavaScript in disguise.

    No /OpenAction, nothing spelled ``JavaScript`` or ``/JS`` in the file:
    only a reader of decoded names sees the script.
    """
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >>"
            b" /Annots [4 0 R] >>",
            b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720] /A 5 0 R >>",
            HEX_ESCAPED_ACTION,
        ],
        b"%PDF-1.7",
    )


def javascript_in_object_stream() -> bytes:
    """A link's JavaScript action stored in a Flate-compressed object stream."""

    def script(pdf: pikepdf.Pdf) -> None:
        _link(pdf, pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String("app.alert(1);"))))

    return _document_bytes(
        script, version="1.7", object_stream_mode=pikepdf.ObjectStreamMode.generate
    )


def clean_for_update() -> bytes:
    """The clean document the incremental update below starts from."""
    return _document_bytes(version="1.7")


def incremental_update_javascript() -> bytes:
    """A clean PDF plus an appended revision that adds document-level JavaScript."""
    base = clean_for_update()
    with pikepdf.open(io.BytesIO(base)) as pdf:
        root_number = pdf.Root.objgen[0]
        catalog = pdf.Root.unparse(resolved=True)
        script = int(pdf.trailer.Size)
    assert catalog.endswith(b">>")
    new_catalog = catalog[:-2] + b" /Names << /JavaScript << /Names [ (a) %d 0 R ] >> >> >>" % (
        script
    )
    return append_update(
        base,
        {script: b"<< /S /JavaScript /JS (app.alert\\(1\\);) >>", root_number: new_catalog},
    )


def launch_action() -> bytes:
    def launch(pdf: pikepdf.Pdf) -> None:
        _link(pdf, Dictionary(S=Name.Launch, F=String("C:\\Windows\\System32\\calc.exe")))

    return _document_bytes(launch)


def embedded_file() -> bytes:
    """An attachment in the document's /EmbeddedFiles name tree."""

    def attach(pdf: pikepdf.Pdf) -> None:
        data = pdf.make_stream(b"MZ not really a program", Type=Name.EmbeddedFile)
        spec = pdf.make_indirect(
            Dictionary(Type=Name.Filespec, F=String("anlage.exe"), EF=Dictionary(F=data))
        )
        pdf.Root.Names = Dictionary(
            EmbeddedFiles=Dictionary(Names=Array([String("anlage.exe"), spec]))
        )

    return _document_bytes(attach)


def file_attachment_annotation() -> bytes:
    """A paper-clip annotation on the page, its file given by reference only."""

    def attach(pdf: pikepdf.Pdf) -> None:
        annot = pdf.make_indirect(
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.FileAttachment,
                Rect=Array([72, 600, 90, 620]),
                FS=String("anlage.docm"),
            )
        )
        pdf.pages[0].obj.Annots = Array([annot])

    return _document_bytes(attach)


def xfa_form() -> bytes:
    def xfa(pdf: pikepdf.Pdf) -> None:
        template = pdf.make_stream(
            b"<template xmlns='http://www.xfa.org/schema/xfa-template/3.3/'/>"
        )
        pdf.Root.AcroForm = Dictionary(Fields=Array(), XFA=Array([String("template"), template]))

    return _document_bytes(xfa)


def page_additional_actions() -> bytes:
    """A page /AA: an action that runs when the page is opened."""

    def aa(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].obj.AA = Dictionary(
            O=Dictionary(S=Name.URI, URI=String("https://example.org/opened"))
        )

    return _document_bytes(aa)


def rich_media() -> bytes:
    def media(pdf: pikepdf.Pdf) -> None:
        annot = pdf.make_indirect(
            Dictionary(Type=Name.Annot, Subtype=Name.RichMedia, Rect=Array([72, 400, 372, 600]))
        )
        pdf.pages[0].obj.Annots = Array([annot])

    return _document_bytes(media)


def remote_goto() -> bytes:
    def goto(pdf: pikepdf.Pdf) -> None:
        _link(
            pdf,
            Dictionary(S=Name.GoToR, F=String("\\\\server\\share\\x.pdf"), D=Array([0, Name.Fit])),
        )

    return _document_bytes(goto)


def submit_form() -> bytes:
    def submit(pdf: pikepdf.Pdf) -> None:
        _link(pdf, Dictionary(S=Name.SubmitForm, F=String("https://example.org/collect")))

    return _document_bytes(submit)


def indirect_action_type() -> bytes:
    """``/S 5 0 R`` with object 5 being the name /Launch: the type given indirectly."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >>"
            b" /Annots [4 0 R] >>",
            b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720]"
            b" /A << /S 5 0 R /F (cmd.exe) >> >>",
            b"/Launch",
        ]
    )


def deep_nesting(depth: int = 100) -> bytes:
    """Arrays nested ``depth`` deep: no document needs this, walkers choke on it."""
    nested = b"[" * depth + b"]" * depth
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R /Deep 4 0 R >>", *_RAW_PAGE_TREE, nested])


def aes256_user_password() -> bytes:
    pdf = _new_document()
    return _save(pdf, encryption=pikepdf.Encryption(user="u", owner="o", R=6))


def certificate_encryption() -> bytes:
    """Encrypted for a recipient's certificate (/Adobe.PubSec), which qpdf cannot open."""
    file_id = b"<00112233445566778899aabbccddeeff>"
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            *_RAW_PAGE_TREE,
            b"<< /Filter /Adobe.PubSec /SubFilter /adbe.pkcs7.s5 /V 4 /R 4 /Length 128 >>",
        ],
        trailer=b"/Encrypt 4 0 R /ID [%s %s] " % (file_id, file_id),
    )


def owner_password_javascript() -> bytes:
    """Owner password only, so it opens and is checked: the script is found."""
    pdf = _new_document()
    pdf.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=String("app.alert(1);"))
    return _save(pdf, encryption=pikepdf.Encryption(owner="o", user="", R=6))


def _shift_startxref(data: bytes, by: int) -> bytes:
    offset = _startxref(data)
    cut = data.rindex(b"startxref")
    return data[:cut] + b"startxref\n%d\n%%%%EOF\n" % (offset + by)


def broken_xref() -> bytes:
    """startxref points into the middle of an object instead of at the xref table."""
    return _shift_startxref(clean(), -40)


def wrong_object_offset() -> bytes:
    """The xref table's entry for object 2 points 3 bytes past the object."""
    data = hand_written()
    start = data.index(b"2 0 obj")
    entry = b"%010d 00000 n \n" % start
    assert data.count(entry) == 1
    return data.replace(entry, b"%010d 00000 n \n" % (start + 3))


def _content_stream_document(stream_object: bytes) -> bytes:
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >>"
            b" /Contents 4 0 R >>",
            stream_object,
        ]
    )


PAGE_TEXT = b"BT /F1 12 Tf 72 770 Td (Guten Tag) Tj ET 0 0 m"


def wrong_stream_length() -> bytes:
    """The page's content stream declares 5 bytes and has 47: the data ends at endstream."""
    return _content_stream_document(b"<< /Length 5 >>\nstream\n%s\nendstream" % PAGE_TEXT)


def missing_stream_length() -> bytes:
    """A content stream without /Length at all."""
    return _content_stream_document(b"<< >>\nstream\n%s\nendstream" % PAGE_TEXT)


def stream_keyword_cr_only() -> bytes:
    """``stream`` followed by a lone CR (the spec wants CRLF or LF)."""
    return _content_stream_document(
        b"<< /Length %d >>\nstream\r%s\nendstream" % (len(PAGE_TEXT), PAGE_TEXT)
    )


def duplicated_key() -> bytes:
    """``/S`` twice in one dictionary, both /URI: whichever a reader takes, it is a link."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >>"
            b" /Annots [4 0 R] >>",
            b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720]"
            b" /A << /S /URI /URI (https://example.org) /S /URI >> >>",
        ]
    )


def line_endings_lf_to_crlf(data: bytes | None = None) -> bytes:
    """Every LF made CRLF, as a text-mode transfer does: all offsets move."""
    data = hand_written() if data is None else data
    return data.replace(b"\n", b"\r\n")


def line_endings_crlf_to_lf() -> bytes:
    """A file written with CRLF line ends, every CRLF made LF on the way."""
    return _crlf_written().replace(b"\r\n", b"\n")


def _crlf_written() -> bytes:
    """hand_written() as a Windows tool writes it: CRLF line ends, offsets right."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", *_RAW_PAGE_TREE]
    out = bytearray(b"%PDF-1.7\r\n%\xe2\xe3\xcf\xd3\r\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\r\n%s\r\nendobj\r\n" % (number, body)
    xref = len(out)
    out += b"xref\r\n0 4\r\n0000000000 65535 f\r\n"
    out += b"".join(b"%010d 00000 n\r\n" % offset for offset in offsets)
    out += b"trailer\r\n<< /Size 4 /Root 1 0 R >>\r\nstartxref\r\n%d\r\n%%%%EOF\r\n" % xref
    return bytes(out)


def bytes_inserted_before_object(data: bytes | None = None, number: int = 2) -> bytes:
    """A few bytes (a comment) added before an object, so its offset and all later ones move."""
    data = hand_written() if data is None else data
    header = re.search(rb"(?<![0-9])%d 0 obj" % number, data)
    assert header is not None
    return data[: header.start()] + b"% inserted\n" + data[header.start() :]


def offset_zero_entry() -> bytes:
    """The table lists an unused object 4 as in use at offset 0 ("0000000000 00000 n")."""
    data = hand_written()
    assert data.count(b"xref\n0 4\n") == 1 and data.count(b"/Size 4 ") == 1
    data = data.replace(b"xref\n0 4\n", b"xref\n0 5\n").replace(b"/Size 4 ", b"/Size 5 ")
    end = data.index(b"trailer")
    return data[:end] + b"0000000000 00000 n \n" + data[end:]


REPAIRED_CASES: dict[str, Callable[[], bytes]] = {
    "broken_xref": broken_xref,
    "wrong_object_offset": wrong_object_offset,
    "wrong_stream_length": wrong_stream_length,
    "missing_stream_length": missing_stream_length,
    "stream_keyword_cr_only": stream_keyword_cr_only,
    "duplicated_key": duplicated_key,
    "line_endings_lf_to_crlf": line_endings_lf_to_crlf,
    "line_endings_crlf_to_lf": line_endings_crlf_to_lf,
    "bytes_inserted_before_object": bytes_inserted_before_object,
    "offset_zero_entry": offset_zero_entry,
}
"""Imperfect files accepted with the note ``pdf.repaired`` (policy.md 1.2)."""


# --- differential files: a repaired table must not hide active content ------------------

_LINK_PAGE = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> /Annots [4 0 R] >>",
    b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720] /A 5 0 R >>",
]
_URI_ACTION = b"<< /S /URI /URI (https://www.hwk-example.de) >>"
_SCRIPT_ACTION = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"


def _with_second_definition(first: bytes, second: bytes) -> bytes:
    """Object 5 defined twice (``first``, then ``second`` appended), the table broken.

    The table names the first definition; startxref points nowhere, so a
    reader rebuilds the table by scanning and, like qpdf, takes the last one.
    """
    data = raw_pdf([*_LINK_PAGE, first])
    eof = data.rindex(b"startxref")
    data = data[:eof] + b"5 0 obj\n%s\nendobj\n" % second + data[eof:]
    return _shift_startxref(data, -7)


def two_definitions_script_hidden() -> bytes:
    """First definition JavaScript, second a link: a rebuilt table sees only the link."""
    return _with_second_definition(_SCRIPT_ACTION, _URI_ACTION)


def two_definitions_script_chosen() -> bytes:
    """The reverse: the definition a rebuilt table chooses is the JavaScript."""
    return _with_second_definition(_URI_ACTION, _SCRIPT_ACTION)


def script_only_where_the_broken_table_points() -> bytes:
    """Object 5 with JavaScript inside another stream's data: only the (broken) table names it.

    A reader that trusts the table reads the script there; one that rebuilds
    it finds the link defined later in the file.
    """
    hidden = b"5 0 obj\n%s\nendobj\n" % _SCRIPT_ACTION
    cover = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(hidden), hidden)
    data = raw_pdf([*_LINK_PAGE, _URI_ACTION, cover])
    # The table's entry for object 5 points at the hidden definition.
    real = data.index(b"5 0 obj")
    inside = data.index(hidden)
    entry = b"%010d 00000 n \n" % real
    assert data.count(entry) == 1
    data = data.replace(entry, b"%010d 00000 n \n" % inside)
    return _shift_startxref(data, -7)


def script_in_an_object_no_table_names() -> bytes:
    """The table is broken and a second catalog with an /OpenAction script sits unlisted."""
    data = hand_written()
    eof = data.rindex(b"\nxref\n") + 1
    extra = (
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R /OpenAction 9 0 R >>\nendobj\n"
        b"9 0 obj\n%s\nendobj\n" % _SCRIPT_ACTION
    )
    # startxref still names the old place of the table: now inside the new objects.
    return data[:eof] + extra + data[eof:]


def script_after_endobj_in_a_string() -> bytes:
    """The hidden definition says "endobj" inside a string, and the script comes after it.

    A scanner that takes the first "endobj" as the end of the object never
    sees the /Next action with the script.
    """
    hidden = (
        b"<< /S /URI /URI (https://www.hwk-example.de/endobj stream) "
        b"/Next << /S /JavaScript /JS (app.alert\\(1\\)) >> >>"
    )
    return _with_second_definition(hidden, _URI_ACTION)


def hex_escaped_script_in_a_second_definition() -> bytes:
    """As two_definitions_script_hidden, with the script's names hex-escaped."""
    return _with_second_definition(HEX_ESCAPED_ACTION, _URI_ACTION)


def launch_behind_a_duplicated_key() -> bytes:
    """``/S /Launch`` first, ``/S /URI`` last: qpdf takes the last, other readers the first."""
    return raw_pdf(
        [
            *_LINK_PAGE[:3],
            b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720]"
            b" /A << /S /Launch /F (cmd.exe) /S /URI /URI (https://example.org) >> >>",
        ]
    )


# --- damaged: refused -------------------------------------------------------------


def truncated_then_closed() -> bytes:
    """Cut in the middle of a stream, then given a trailer and %%EOF: still truncated."""
    data = clean()
    return data[: len(data) // 2] + b"\nstartxref\n0\n%%EOF\n"


def stream_not_decoding() -> bytes:
    """The content stream says FlateDecode, its data is cut: it does not decode."""
    packed = zlib.compress(PAGE_TEXT * 20)[:30]
    return _content_stream_document(
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(packed), packed)
    )


def stream_corrupt() -> bytes:
    """FlateDecode data whose first block has the reserved type 3: inflate fails."""
    packed = bytearray(zlib.compress(bytes(range(256)) * 40))
    packed[2] = 0x07  # BFINAL=1, BTYPE=11
    return _content_stream_document(
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(packed), packed)
    )


def missing_root() -> bytes:
    """The trailer names no /Root."""
    data = hand_written()
    assert data.count(b"/Root 1 0 R ") == 1
    return data.replace(b"/Root 1 0 R ", b"")


def missing_kids() -> bytes:
    """The page tree's root has no /Kids."""
    data = hand_written()
    return data.replace(b"/Kids [3 0 R]", b"/Kidz [3 0 R]")


def page_tree_loop() -> bytes:
    """The page tree names itself as its own kid."""
    data = hand_written()
    return data.replace(b"/Kids [3 0 R]", b"/Kids [2 0 R]")


def lost_object() -> bytes:
    """The table and the page tree name object 3, which is nowhere in the file."""
    data = hand_written()
    return data.replace(b"3 0 obj", b"7 0 obj")


# --- damaged, or more than a PDF -------------------------------------------------


def truncated() -> bytes:
    data = clean()
    return data[: len(data) // 2]


def appended_zip() -> bytes:
    return clean() + _zip_bytes()


def html_after_header() -> bytes:
    return (
        b"%PDF-1.4\n<!DOCTYPE html>\n<html><head><title>Rechnung</title></head>\n"
        b"<body><script>location='https://example.org/'</script></body></html>\n"
    )


# --- decided before the PDF rules (detect.py) ------------------------------------


def junk_before_pdf() -> bytes:
    return b"JUNK" * 150 + clean()


def exe_renamed_pdf() -> bytes:
    return _dos_exe() + bytes(1024)


def pe_pdf_polyglot() -> bytes:
    """MZ at byte 0, a complete PDF from byte 300: both a program and a PDF."""
    head = _dos_exe()
    return head + b"\x00" * (300 - len(head)) + clean()


# --- for benchmarks -------------------------------------------------------------


def large_pdf(size_bytes: int) -> bytes:
    """A valid, clean PDF of about ``size_bytes`` bytes, mostly image data.

    A few pages, each showing one RGB image of random (so incompressible)
    pixels stored without a filter: the shape of a scanned document, and
    quick to build. The pixels come from the ``random`` module's global
    generator: ``random.seed`` before the call gives other bytes (the
    benchmark needs fresh content, a virus scanner caches by hash).
    """
    images = max(1, min(8, size_bytes // (2 * 1024 * 1024)))
    width = 1024
    rows = max(1, (size_bytes - 4096) // images // (width * 3))
    pdf = pikepdf.new()
    for _ in range(images):
        image = pdf.make_stream(
            random.randbytes(width * rows * 3),
            Type=Name.XObject,
            Subtype=Name.Image,
            Width=width,
            Height=rows,
            ColorSpace=Name.DeviceRGB,
            BitsPerComponent=8,
        )
        page = pikepdf.Page(
            Dictionary(
                Type=Name.Page,
                MediaBox=Array([0, 0, 595, 842]),
                Resources=Dictionary(XObject=Dictionary(Im0=image)),
                Contents=pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q"),
            )
        )
        pdf.pages.append(page)
    return _save(pdf, compress_streams=False, force_version="1.7")


# --- the catalogue ----------------------------------------------------------------

CASES: dict[str, tuple[Callable[[], bytes], str, str | None]] = {
    # accepted
    "clean": (clean, "bescheid.pdf", None),
    "pdf_1_4": (pdf_1_4, "bescheid.pdf", None),
    "pdf_1_7_object_streams": (pdf_1_7_object_streams, "bescheid.pdf", None),
    "uri_links": (uri_links, "bescheid.pdf", None),
    "owner_password_only": (owner_password_only, "bescheid.pdf", None),
    "signature_field": (signature_field, "antrag-signiert.pdf", None),
    "hand_written": (hand_written, "bescheid.pdf", None),
    "wrong_size_in_trailer": (wrong_size_in_trailer, "bescheid.pdf", None),
    "catalog_version_above_header": (catalog_version_above_header, "bescheid.pdf", None),
    "open_action_destination": (open_action_destination, "bescheid.pdf", None),
    "open_action_goto": (open_action_goto, "bescheid.pdf", None),
    "usage_rights_form": (usage_rights_form, "formular.pdf", None),
    "certified_form": (certified_form, "formular.pdf", None),
    "clean_for_update": (clean_for_update, "bescheid.pdf", None),
    # rejected by the PDF rules
    "pdf_1_2": (pdf_1_2, "bescheid.pdf", "pdf.version_too_old"),
    "open_action_javascript": (open_action_javascript, "bescheid.pdf", "pdf.javascript"),
    "open_action_uri": (open_action_uri, "bescheid.pdf", "pdf.automatic_action"),
    "hex_escaped_javascript": (hex_escaped_javascript, "bescheid.pdf", "pdf.javascript"),
    "javascript_in_object_stream": (javascript_in_object_stream, "bescheid.pdf", "pdf.javascript"),
    "incremental_update_javascript": (
        incremental_update_javascript,
        "bescheid.pdf",
        "pdf.javascript",
    ),
    "launch_action": (launch_action, "bescheid.pdf", "pdf.launch"),
    "embedded_file": (embedded_file, "bescheid.pdf", "pdf.embedded_file"),
    "file_attachment_annotation": (file_attachment_annotation, "bescheid.pdf", "pdf.embedded_file"),
    "xfa_form": (xfa_form, "formular.pdf", "pdf.xfa"),
    "page_additional_actions": (page_additional_actions, "bescheid.pdf", "pdf.automatic_action"),
    "rich_media": (rich_media, "bescheid.pdf", "pdf.rich_media"),
    "remote_goto": (remote_goto, "bescheid.pdf", "pdf.remote_action"),
    "submit_form": (submit_form, "formular.pdf", "pdf.form_submission"),
    "indirect_action_type": (indirect_action_type, "bescheid.pdf", "pdf.launch"),
    "deep_nesting": (deep_nesting, "bescheid.pdf", "file.too_complex"),
    "aes256_user_password": (aes256_user_password, "bescheid.pdf", "pdf.encrypted"),
    "certificate_encryption": (certificate_encryption, "bescheid.pdf", "pdf.encrypted"),
    "owner_password_javascript": (owner_password_javascript, "bescheid.pdf", "pdf.javascript"),
    "open_action_goto_then_script": (
        open_action_goto_then_script,
        "bescheid.pdf",
        "pdf.javascript",
    ),
    "open_action_goto_then_link": (
        open_action_goto_then_link,
        "bescheid.pdf",
        "pdf.automatic_action",
    ),
    "embedded_file_posing_as_permissions": (
        embedded_file_posing_as_permissions,
        "formular.pdf",
        "pdf.embedded_file",
    ),
    # differential: a repaired table that would hide active content
    "two_definitions_script_hidden": (
        two_definitions_script_hidden,
        "bescheid.pdf",
        "pdf.ambiguous",
    ),
    "two_definitions_script_chosen": (
        two_definitions_script_chosen,
        "bescheid.pdf",
        "pdf.javascript",
    ),
    "script_only_where_the_broken_table_points": (
        script_only_where_the_broken_table_points,
        "bescheid.pdf",
        "pdf.javascript",
    ),
    "script_in_an_object_no_table_names": (
        script_in_an_object_no_table_names,
        "bescheid.pdf",
        "pdf.javascript",
    ),
    "script_after_endobj_in_a_string": (
        script_after_endobj_in_a_string,
        "bescheid.pdf",
        "pdf.javascript",
    ),
    "hex_escaped_script_in_a_second_definition": (
        hex_escaped_script_in_a_second_definition,
        "bescheid.pdf",
        "pdf.ambiguous",
    ),
    "launch_behind_a_duplicated_key": (
        launch_behind_a_duplicated_key,
        "bescheid.pdf",
        "pdf.launch",
    ),
    # damaged, or more than a PDF
    "truncated": (truncated, "bescheid.pdf", "pdf.damaged"),
    "truncated_then_closed": (truncated_then_closed, "bescheid.pdf", "pdf.damaged"),
    "stream_not_decoding": (stream_not_decoding, "bescheid.pdf", "pdf.damaged"),
    "stream_corrupt": (stream_corrupt, "bescheid.pdf", "pdf.damaged"),
    "missing_root": (missing_root, "bescheid.pdf", "pdf.damaged"),
    "missing_kids": (missing_kids, "bescheid.pdf", "pdf.damaged"),
    "page_tree_loop": (page_tree_loop, "bescheid.pdf", "pdf.damaged"),
    "lost_object": (lost_object, "bescheid.pdf", "pdf.damaged"),
    "appended_zip": (appended_zip, "bescheid.pdf", "payload.trailing"),
    "html_after_header": (html_after_header, "rechnung.pdf", "pdf.damaged"),
    # decided by the signature at byte 0 (detect.py), never reach pdf.check
    "junk_before_pdf": (junk_before_pdf, "bescheid.pdf", "format.junk_before_signature"),
    "exe_renamed_pdf": (exe_renamed_pdf, "rechnung.pdf", "exe.pe"),
    "pe_pdf_polyglot": (pe_pdf_polyglot, "rechnung.pdf", "exe.pe"),
}
