"""Office Open XML (DOCX/XLSX): the package rules of policy.md 1.2.

The container is checked first, without inflating anything (:mod:`.zipcheck`).
Then the package: one content-types part, a main part whose content type is the
plain Word document or Excel workbook, and no part or relationship that can run
code, fetch something from elsewhere or smuggle in another document. Every XML
part is parsed with DTDs forbidden; embedded packages get the same rules.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import struct
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final, NoReturn
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError
from xml.parsers import expat

import olefile
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from .policy import Limits
from .report import Finding, Findings
from .zipcheck import (
    Budget,
    Entry,
    PackageError,
    damaged,
    iter_content,
    read_content,
    read_directory,
    read_head,
)

WORD_DOCUMENT: Final = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
EXCEL_WORKBOOK: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_PLAIN_KINDS: Final = {WORD_DOCUMENT: "docx", EXCEL_WORKBOOK: "xlsx"}

_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC: Final = b"PK\x03\x04"
_HEAD: Final = 64  # enough for an MZ header's pointer to the PE signature
_MAX_PE_OFFSET: Final = 1 << 20

# Substrings of relationship types and content types (lower case) and what they mean.
# Matching substrings rather than full URIs also catches the Strict and Microsoft
# namespaces of the same kinds.
_KIND_RULES: Final = (
    ("vbaproject", "ooxml.macros"),
    ("vbadata", "ooxml.macros"),
    ("macrosheet", "ooxml.xlm_macros"),  # also intlMacrosheet, xlMacrosheet
    ("dialogsheet", "ooxml.xlm_macros"),  # Excel 5 dialogs exist only for macros
    ("activex", "ooxml.activex"),
    ("oleobject", "ooxml.ole_object"),
    ("afchunk", "ooxml.alt_chunk"),
    ("attachedtemplate", "ooxml.remote_template"),
    ("subdocument", "ooxml.remote_template"),
    ("externallink", "ooxml.external_link"),  # also externalLinkPath
    ("connections", "ooxml.external_link"),  # Excel data connections fetch from elsewhere
    ("webextension", "ooxml.addin"),
    ("ui/extensibility", "ooxml.addin"),  # customUI: ribbon callbacks into add-ins
)
# Too generic as substrings; they count as the last segment of a relationship type.
_LAST_SEGMENT_RULES: Final = {"control": "ooxml.activex", "frame": "ooxml.remote_template"}
_FOLDER_RULES: Final = {
    "activex": "ooxml.activex",
    "macrosheets": "ooxml.xlm_macros",
    "customui": "ooxml.addin",
}
_VBA_STORAGES: Final = frozenset({"vba", "_vba_project", "_vba_project_cur", "macros"})

# Field codes that run programs or pull in other files; Word accepts any case and
# leading blanks, and quotes around the name are tolerated here as well.
_FIELD: Final = re.compile(
    r'\s*"?\s*(DDEAUTO|DDE|INCLUDETEXT|INCLUDEPICTURE|INCLUDE|IMPORT|LINK)\b', re.IGNORECASE
)
_FIELD_CODES: Final = {"link": "ooxml.external_link"}
_WEB_TARGET: Final = re.compile(r"(?i)(https?://|mailto:)")
_RELS_NAME: Final = re.compile(r"(?:(.*)/)?_rels/([^/]*)\.rels", re.IGNORECASE)
_DECLARED_ENCODING: Final = re.compile(r"<\?xml\s[^>]*?\bencoding\s*=\s*[\"']([^\"']*)[\"']")
_OPC_ENCODINGS: Final = frozenset({"utf-8", "utf-16", "utf-16le", "utf-16be"})
_DTD_BYTES: Final = re.compile(rb"(?i)<!\s*(doctype|entity)")
_DTD_TEXT: Final = re.compile(r"(?i)<!\s*(doctype|entity)")
# An embedded package's own kind is not the sender's file type; what stays of such
# findings is that the document carries another document inside.
_NESTED: Final = {
    "archive.zip": "ooxml.ole_object",
    "ooxml.other_kind": "ooxml.ole_object",
    "ooxml.template": "ooxml.ole_object",
}
# What malformed input makes the parsers raise; all of it means "damaged".
_BROKEN: Final = (zlib.error, struct.error, ParseError, expat.ExpatError, ValueError, EOFError)


def check(path: str, limits: Limits) -> Findings:
    """Check a file that starts with ``PK\\x03\\x04`` against the DOCX/XLSX rules.

    Sets the facts ``parts``, ``unpacked_size`` and, when the main part's content
    type is exactly the plain Word document or Excel workbook, ``ooxml_kind``
    ("docx" or "xlsx"). Bad input never raises; it becomes a finding.
    """
    try:
        with Path(path).open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            return _inspect(f, size, limits, Budget(limits.zip_max_unpacked), depth=0)
    except OSError:
        findings = Findings()
        findings.add("ooxml.damaged")
        return findings


def _inspect(f: BinaryIO, size: int, limits: Limits, budget: Budget, depth: int) -> Findings:
    findings = Findings()
    try:
        _check_package(f, size, limits, budget, depth=depth, findings=findings)
    except PackageError as exc:
        findings.add(exc.finding.code, **exc.finding.params)
    except _BROKEN:
        findings.add("ooxml.damaged")
    return findings


@dataclass(frozen=True, slots=True)
class _Relationship:
    source: str
    type: str
    target: str
    external: bool


class _DtdFound(Exception):
    pass


def _forbid(*_: object) -> NoReturn:
    raise _DtdFound


@dataclass(slots=True)
class _Package:
    f: BinaryIO
    limits: Limits
    budget: Budget
    depth: int
    findings: Findings
    parts: dict[str, Entry]
    defaults: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)

    def content_type(self, name: str) -> str | None:
        key = name.casefold()
        ext = posixpath.splitext(key)[1].lstrip(".")
        return self.overrides.get(key) or self.defaults.get(ext)

    def add(self, code: str, **params: str | int) -> None:
        self.findings.add(code, **params)

    def tree(self, entry: Entry) -> Element:
        """Parse a part with defusedxml; a DTD raises ``PackageError`` with ``ooxml.dtd``."""
        parser = DefusedXMLParser(forbid_dtd=True)
        try:
            for chunk in self.xml_content(entry):
                parser.feed(chunk)
            root: Element = parser.close()
        except DefusedXmlException:
            raise PackageError(Finding("ooxml.dtd")) from None
        except LookupError:  # the XML declaration names an encoding Python does not know
            raise damaged() from None
        return root

    def xml_content(self, entry: Entry) -> Iterator[bytes]:
        """An XML part in chunks, refused unless declared as UTF-8 or UTF-16.

        OPC allows no other encoding (ECMA-376 Part 2, M1.17), and with only
        these two no parser can decode the bytes differently from expat.
        """
        chunks = iter_content(self.f, entry, self.limits.xml_max_part_size, self.budget)
        for i, chunk in enumerate(chunks):
            if i == 0:
                _check_encoding(chunk)
            yield chunk

    def read_content_types(self, entry: Entry) -> None:
        for el in self.tree(entry).iter():
            tag = _local(el.tag)
            ctype = el.get("ContentType", "").strip()
            if tag == "Default":
                self.defaults.setdefault(el.get("Extension", "").casefold(), ctype)
            elif tag == "Override":
                part = el.get("PartName", "").lstrip("/").casefold()
                self.overrides.setdefault(part, ctype)

    def relationships(self) -> list[_Relationship]:
        found: list[_Relationship] = []
        for name, entry in self.parts.items():
            m = _RELS_NAME.fullmatch(name)
            if m is None:
                continue
            folder, base = m.group(1), m.group(2)
            source = f"{folder}/{base}" if folder else base
            for el in self.tree(entry).iter():
                if _local(el.tag) != "Relationship":
                    continue
                rtype, target = el.get("Type"), el.get("Target")
                if rtype is None or target is None:
                    raise damaged()
                mode = (el.get("TargetMode") or "Internal").strip().casefold()
                external = mode != "internal" or "://" in target or target.startswith("\\\\")
                found.append(_Relationship(source, rtype.strip(), target.strip(), external))
        return found

    def main_part(self, rels: list[_Relationship]) -> str:
        """The content type of the part the package-level officeDocument relationship names."""
        mains = [
            r for r in rels if r.source == "" and r.type.casefold().endswith("/officedocument")
        ]
        if len(mains) != 1 or mains[0].external:
            raise damaged()
        # Part names are stored percent-encoded; a target may or may not be.
        names = [_resolve("", mains[0].target), _resolve("", unquote(mains[0].target))]
        name = next((n for n in names if n in self.parts), None)
        ctype = self.content_type(name) if name is not None else None
        if ctype is None:
            raise damaged()
        return ctype

    def check_kind(self, ctype: str) -> None:
        if ctype in _PLAIN_KINDS:
            if self.depth == 0:
                self.findings.facts["ooxml_kind"] = _PLAIN_KINDS[ctype]
            return
        low = ctype.casefold()
        if "macroenabled" in low or ".binary." in low:
            self.add("ooxml.macro_enabled")
        elif "template" in low:
            self.add("ooxml.template")
        elif "presentationml" in low or "powerpoint" in low:
            self.add("ooxml.other_kind", kind="PowerPoint (PPTX)")
        elif "visio" in low:
            self.add("ooxml.other_kind", kind="Visio (VSDX)")
        else:
            self.add("ooxml.other_kind", kind=ctype or "?")

    def check_relationship(self, rel: _Relationship) -> None:
        rtype = rel.type.casefold()
        codes = [code for key, code in _KIND_RULES if key in rtype]
        if (code := _LAST_SEGMENT_RULES.get(rtype.rsplit("/", 1)[-1])) is not None:
            codes.append(code)
        if rel.external and not codes:
            is_link = rtype.endswith("/hyperlink") and _WEB_TARGET.match(rel.target)
            if not is_link:
                codes.append("ooxml.external_link")
        for code in codes:
            self.add(code)

    def check_part(self, entry: Entry) -> None:
        name = entry.name.casefold()
        ctype = (self.content_type(name) or "").casefold()
        for key, code in _KIND_RULES:
            if key in ctype:
                self.add(code)
        if posixpath.basename(name).startswith("vbaproject"):
            self.add("ooxml.macros")
        for folder in name.split("/")[:-1]:
            if folder in _FOLDER_RULES:
                self.add(_FOLDER_RULES[folder])
        head = read_head(self.f, entry, _HEAD)
        if head.startswith(_OLE_MAGIC):
            self.add(self.ole_code(entry))
        elif head.startswith(b"MZ") and self.is_program(entry, head):
            self.add("ooxml.ole_object")
        elif head.startswith(_ZIP_MAGIC):
            self.check_embedded(entry)
        elif name.endswith(".vml") or "vmldrawing" in ctype:
            self.check_vml(entry)  # legacy VML is often not well-formed XML
        elif name.endswith((".xml", ".rels")) or ctype.endswith(("+xml", "/xml")):
            self.check_xml(entry, ctype)

    def check_xml(self, entry: Entry, ctype: str) -> None:
        try:
            if "wordprocessingml" in ctype or ctype.startswith("application/vnd.ms-word"):
                for code in _field_codes(self.xml_content(entry)):
                    self.add(code)
            elif "spreadsheetml.worksheet" in ctype:
                scan = _DdeFormulaScan()
                _well_formed(scan.watch(self.xml_content(entry)))
                if scan.found:
                    self.add("ooxml.dde")
            elif "externallink" in ctype:
                for el in self.tree(entry).iter():
                    if _local(el.tag) == "ddeLink":
                        self.add("ooxml.dde")
                    elif _local(el.tag) == "oleLink":
                        self.add("ooxml.ole_object")
            else:
                _well_formed(self.xml_content(entry))
        except _DtdFound:
            self.add("ooxml.dtd")
        except PackageError as exc:
            if exc.finding.code != "ooxml.dtd":
                raise
            self.add("ooxml.dtd")

    def check_vml(self, entry: Entry) -> None:
        data = read_content(self.f, entry, self.limits.xml_max_part_size, self.budget)
        if data[:2] in (b"\xff\xfe", b"<\x00"):
            found = _DTD_TEXT.search(data.decode("utf-16-le", "replace")) is not None
        elif data[:2] in (b"\xfe\xff", b"\x00<"):
            found = _DTD_TEXT.search(data.decode("utf-16-be", "replace")) is not None
        else:
            found = _DTD_BYTES.search(data) is not None
        if found:
            self.add("ooxml.dtd")

    def is_program(self, entry: Entry, head: bytes) -> bool:
        """A Windows program: "MZ" alone starts one in 65536 random blobs (e.g. fonts)."""
        if len(head) < 64:
            return False
        offset = struct.unpack_from("<I", head, 0x3C)[0]
        if offset > _MAX_PE_OFFSET:
            return False
        return read_head(self.f, entry, offset + 4)[offset:] == b"PE\0\0"

    def ole_code(self, entry: Entry) -> str:
        """A VBA project in disguise is macros; any other OLE storage is an OLE object."""
        data = read_content(self.f, entry, self.limits.xml_max_part_size, self.budget)
        try:
            with olefile.OleFileIO(io.BytesIO(data)) as ole:
                paths = ole.listdir(streams=True, storages=True)
        except (MemoryError, RecursionError):
            raise
        except Exception:  # noqa: BLE001 - olefile fails in many ways on hostile input
            return "ooxml.macros"  # unreadable OLE data: assume the worst it could hold
        folders = {part.casefold() for path in paths for part in path}
        return "ooxml.macros" if folders & _VBA_STORAGES else "ooxml.ole_object"

    def check_embedded(self, entry: Entry) -> None:
        if self.depth >= self.limits.ooxml_max_nesting:
            self.add("file.too_complex")
            return
        data = read_content(self.f, entry, self.limits.xml_max_part_size, self.budget)
        nested = _inspect(io.BytesIO(data), len(data), self.limits, self.budget, self.depth + 1)
        for item in nested.items:
            code = _NESTED.get(item.code, item.code)
            self.add(code, **(item.params if code == item.code else {}))


def _check_package(
    f: BinaryIO, size: int, limits: Limits, budget: Budget, *, depth: int, findings: Findings
) -> None:
    entries, problems = read_directory(f, size, limits)
    if depth == 0:
        findings.facts["parts"] = len(entries)
        findings.facts["unpacked_size"] = sum(e.size for e in entries)
    for p in problems:
        findings.add(p.code, **p.params)
    if problems:
        return  # nothing is inflated from a container that failed its hygiene
    parts = {e.name.casefold(): e for e in entries if not e.is_dir}
    content_types = parts.get("[content_types].xml")
    if content_types is None:
        findings.add("archive.zip")
        return
    pkg = _Package(f, limits, budget, depth, findings, parts)
    pkg.read_content_types(content_types)
    rels = pkg.relationships()
    pkg.check_kind(pkg.main_part(rels))
    for rel in rels:
        pkg.check_relationship(rel)
    for name, entry in parts.items():
        if entry is not content_types and _RELS_NAME.fullmatch(name) is None:
            pkg.check_part(entry)


def _resolve(source: str, target: str) -> str:
    target = target.split("#", 1)[0]
    if target.startswith("/"):
        return posixpath.normpath(target[1:]).casefold()
    path = posixpath.join(posixpath.dirname(source), target)
    return posixpath.normpath(path).casefold()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(attrs: dict[str, str], name: str) -> str:
    for key, value in attrs.items():
        if _local(key) == name:
            return value
    return ""


def _check_encoding(head: bytes) -> None:
    if head.startswith((b"\xff\xfe", b"<\x00")):
        text = head[:400].decode("utf-16-le", "replace")
    elif head.startswith((b"\xfe\xff", b"\x00<")):
        text = head[:400].decode("utf-16-be", "replace")
    else:
        text = head.removeprefix(b"\xef\xbb\xbf")[:200].decode("latin-1")
    m = _DECLARED_ENCODING.match(text.lstrip("\ufeff"))
    if m is not None and m.group(1).strip().casefold() not in _OPC_ENCODINGS:
        raise damaged()


def _expat() -> expat.XMLParserType:
    """A bare expat parser with the DTD handlers defusedxml sets: any DOCTYPE raises.

    defusedxml's own parsers call back into Python for every element, which
    makes large parts ~6x slower; bare expat keeps the parsing in C.
    """
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    parser.UnparsedEntityDeclHandler = _forbid
    parser.ExternalEntityRefHandler = _forbid
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def _parse(parser: expat.XMLParserType, chunks: Iterable[bytes]) -> None:
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except LookupError:  # the XML declaration names an encoding Python does not know
        raise damaged() from None


class _DdeFormulaScan:
    """Finds DDE calls written straight into cell formulas (``=cmd|' /c calc'!A1``).

    Excel runs ``application|topic!item`` formulas as DDE requests. A regex
    over the streamed bytes is enough: such a formula needs no markup inside
    ``<f>``, and the carried tail covers formulas split between chunks.
    """

    _FORMULA: Final = re.compile(rb"<(?:\w+:)?f\b[^>]*>[^<]*?[\w.\-]+\|[^<]*?![^<]*<")
    _CARRY: Final = 16 * 1024  # Excel formulas are at most 8,192 characters

    def __init__(self) -> None:
        self.found = False

    def watch(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        tail = b""
        for chunk in chunks:
            # The bar is in every DDE formula: most sheets have none, and looking for
            # it (memchr) spares them the regex and the copy of a window.
            if not self.found and (b"|" in chunk or b"|" in tail):
                window = tail + chunk
                self.found = self._FORMULA.search(window) is not None
                tail = window[-self._CARRY :]
            else:
                tail = (
                    chunk[-self._CARRY :]
                    if len(chunk) >= self._CARRY
                    else (tail + chunk)[-self._CARRY :]
                )
            yield chunk


def _well_formed(chunks: Iterable[bytes]) -> None:
    """Parse without building anything: the part must be well-formed and free of DTDs."""
    _parse(_expat(), chunks)


@dataclass(slots=True)
class _Field:
    text: list[str] = field(default_factory=list)
    done: bool = False
    dynamic: bool = False


class _FieldScanner:
    """Finds dangerous Word fields while the part streams through expat.

    Complex fields spread their instruction over several ``instrText`` runs
    between ``fldChar`` begin and separate/end; they are joined before judging.
    A field whose name is produced by a nested field (``{ {QUOTE 68 68 69} }``)
    cannot be judged by its text, so it counts as DDE.
    """

    def __init__(self, parser: expat.XMLParserType) -> None:
        self.parser = parser
        self.codes: set[str] = set()
        self.fields: list[_Field] = []
        self.depth = 0  # > 0 inside instrText; children's text counts too
        self.text: list[str] = []
        parser.StartElementHandler = self.start

    def judge(self, instruction: str, dynamic: bool = False) -> None:
        if m := _FIELD.match(instruction):
            self.codes.add(_FIELD_CODES.get(m.group(1).casefold(), "ooxml.dde"))
        elif dynamic:
            self.codes.add("ooxml.dde")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.depth:
            self.depth += 1
            return
        tag = _local(name)
        if tag == "instrText":
            # Text and end events are only wanted inside instrText; elsewhere
            # they would cost a Python call per element.
            self.depth, self.text = 1, []
            self.parser.CharacterDataHandler = self.text.append
            self.parser.EndElementHandler = self.end
        elif tag == "fldSimple":
            self.judge(_attr(attrs, "instr"))
        elif tag == "fldChar":
            kind = _attr(attrs, "fldCharType")
            top = self.fields[-1] if self.fields else None
            if kind == "begin":
                if top is not None and not top.done and not "".join(top.text).strip():
                    top.dynamic = True
                self.fields.append(_Field())
            elif kind in ("separate", "end") and top is not None:
                if not top.done:
                    self.judge("".join(top.text), top.dynamic)
                    top.done = True
                if kind == "end":
                    self.fields.pop()

    def end(self, _name: str) -> None:
        self.depth -= 1
        if self.depth:
            return
        self.parser.CharacterDataHandler = None
        self.parser.EndElementHandler = None
        if self.fields:
            self.fields[-1].text.extend(self.text)
        else:
            self.judge("".join(self.text))

    def finish(self) -> set[str]:
        for unfinished in self.fields:
            if not unfinished.done:
                self.judge("".join(unfinished.text), unfinished.dynamic)
        return self.codes


def _field_codes(chunks: Iterable[bytes]) -> set[str]:
    """Reason codes for the dangerous Word fields of a part (DDE, INCLUDE*, LINK)."""
    parser = _expat()
    scanner = _FieldScanner(parser)
    _parse(parser, chunks)
    return scanner.finish()
