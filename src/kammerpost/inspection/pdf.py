"""PDF format rules (policy.md 1.2): version, damage, encryption, active content.

The file is parsed with pikepdf (qpdf). Four things shape this module:

* Refuse damage, not imperfection. qpdf repairs broken files silently and
  says so in warnings; every warning is accounted for (:func:`_judge_warnings`).
  What every reader repairs the same way (a cross-reference table rebuilt
  while every object is intact, a stream /Length recovered from
  ``endstream``, a duplicated key) is accepted with the note
  ``pdf.repaired``; anything else qpdf warns about, a broken page tree, a
  missing /Root, a stream that does not decode is ``pdf.damaged``.
* A repaired file may show different objects to different readers, so its
  raw bytes are searched for every object definition and each is judged
  (:func:`_check_raw`, :mod:`.pdf_raw`).
* Attackers hide active content where keyword scanners do not look: in
  hex-escaped names (``/J#61vaScript``), in compressed object streams, in
  incremental updates. Every indirect object of the newest revision is
  therefore examined in its parsed, decoded form.
* A large scan must be checked in less time than it takes to hash it, and
  with flat memory. Unfiltered stream data is never read, Flate data is
  inflated in slices and thrown away, and per-object Python work is kept
  small (see :func:`_walk`).
"""

from __future__ import annotations

import io
import os
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pikepdf
from pikepdf import Name, ObjectType

from . import pdf_raw
from .policy import Limits
from .report import Findings

# The end of a PDF sits in its last bytes; 4 KiB covers generous trailers.
_TAIL_SIZE: Final = 4096
# PDF white-space characters (ISO 32000-1, 7.2.2): all a writer may put after %%EOF.
_PDF_WHITESPACE: Final = b" \t\r\n\f\0"
# A revision ends with "startxref <offset> %%EOF". A %%EOF without the
# startxref before it is not the end of a revision, just bytes that look like one
# (for example a marker an attacker appended after a payload).
_REVISION_END: Final = re.compile(rb"startxref[ \t\r\n\f\0]+\d+[ \t\r\n\f\0]+%%EOF")
_HEADER: Final = re.compile(rb"%PDF-(\d{1,3})\.(\d{1,3})")
_CATALOG_VERSION: Final = re.compile(r"/(\d{1,3})\.(\d{1,3})")

# Keys whose mere presence is a finding, wherever they occur.
_KEY_RULES: Final[dict[str, str]] = {
    "/JavaScript": "pdf.javascript",  # name tree of document scripts
    "/JS": "pdf.javascript",  # the script of an action
    "/AA": "pdf.automatic_action",  # additional actions: run on events, unasked
    "/XFA": "pdf.xfa",
    "/EmbeddedFiles": "pdf.embedded_file",  # name tree of attachments
    "/EF": "pdf.embedded_file",  # a file specification that carries the file itself
    "/RichMediaContent": "pdf.rich_media",
    "/RichMediaSettings": "pdf.rich_media",
}

# Names that are findings as the value of /S (action type), /Subtype
# (annotation or stream kind) or /Type. Only these keys: elsewhere names are
# free text (a checkbox may well have an "on" state called /Launch).
_TYPE_KEYS: Final = frozenset({"/S", "/Subtype", "/Type"})
_TYPE_RULES: Final[dict[str, str]] = {
    "/JavaScript": "pdf.javascript",
    "/Launch": "pdf.launch",
    "/GoToR": "pdf.remote_action",
    "/GoToE": "pdf.remote_action",
    "/SubmitForm": "pdf.form_submission",
    "/ImportData": "pdf.form_submission",
    "/EmbeddedFile": "pdf.embedded_file",
    "/FileAttachment": "pdf.embedded_file",
    "/RichMedia": "pdf.rich_media",
    "/RichMediaExecute": "pdf.rich_media",
    "/Movie": "pdf.rich_media",
    "/Sound": "pdf.rich_media",
    "/3D": "pdf.rich_media",
    "/Screen": "pdf.rich_media",  # annotation that exists only to play media
    "/Rendition": "pdf.rich_media",  # action that plays media in a screen annotation
}

# qpdf warnings that note a deviation without repairing anything or changing
# how the file reads.
_HARMLESS_WARNINGS: Final = (
    # The trailer's /Size does not match the objects: common in the wild, and
    # qpdf reads the objects the xref lists either way.
    "reported number of objects",
    # startxref points a few bytes early, at white space before "xref".
    "extraneous whitespace seen before xref",
)
# qpdf warnings for imperfections every reader repairs the same way (policy.md
# 1.2): the file is accepted with a note, and its raw bytes are searched for
# what another reader's repair might show instead (see _check_raw).
_REPAIRED_WARNINGS: Final = (
    "object has offset 0",  # a table entry "0000000000 n": the object reads as null
    # A wrong or missing /Length: the data ends at "endstream", as in every reader.
    "expected endstream",
    "stream dictionary lacks /Length key",
    "attempting to recover stream length",
    "recovered stream length",
    "stream keyword followed by carriage return only",
    "stream keyword not followed by proper line terminator",
    "dictionary has duplicated key",
    "/Length key in stream dictionary is not an integer",  # e.g. a reference to nothing
    "expected endobj",  # an object not closed before the next begins
    "name with stray #",  # a "#" not starting an escape: kept as it is, by every reader
)
# qpdf rebuilt the cross-reference table by scanning for objects; see
# _judge_warnings for which warnings that explains.
_RECONSTRUCTED: Final = "Attempting to reconstruct cross-reference table"
_DAMAGED_FILE: Final = "file is damaged"
# The trailer qpdf recovered lacks /Root. In a linearised file whose table was
# rebuilt that is normal: /Root sits in the first-page trailer, and qpdf finds
# the catalog. It is a repair only if the file does name a /Root somewhere.
_RECOVERED_WITHOUT_ROOT: Final = "recovered trailer has no /Root entry"
# Even the rebuilt table misses an object that something refers to.
_LOST_OBJECT: Final = "not found in file after regenerating cross reference table"
# The page tree names something that is no page or page-tree node.
_BROKEN_PAGE_TREE: Final = ("non-dictionary object", "is not a dictionary")

# Filters whose data the check decodes in full: a stream that does not decode
# is truncated or damaged. Image codecs (DCT, JPX, JBIG2, CCITT) are left to
# the viewer's image decoder, which shows what is there either way.
_FLATE: Final = "/FlateDecode"
_GENERALIZED_FILTERS: Final = frozenset(
    {_FLATE, "/LZWDecode", "/ASCII85Decode", "/ASCIIHexDecode", "/RunLengthDecode"}
)
# Compressed input fed to zlib at a time: bounds the output of one call
# (deflate expands at most ~1:1032) while the budget counts the total.
_INFLATE_INPUT: Final = 64 * 1024

_OPEN_ACTION: Final = "/OpenAction"
_BYTE_RANGE: Final = "/ByteRange"  # present in every signature and timestamp dictionary
_EF: Final = "/EF"  # a file specification's embedded file streams
_THREAD: Final = "/Thread"  # an article-thread action; with /F it opens another file

# Every name the rules above look at. Objects whose serialisation contains
# none of them cannot trigger a rule, so Python never walks them (see _walk).
_INTERESTING: Final = re.compile(
    rb"(?:"
    + b"|".join(
        re.escape(name.encode())
        for name in sorted(
            {*_KEY_RULES, *_TYPE_RULES, _OPEN_ACTION, _BYTE_RANGE, _THREAD},
            key=len,
            reverse=True,
        )
    )
    + rb")(?=[\s/<>\[\]()%{}]|\Z)"
)

_DICT: Final = ObjectType.dictionary
_ARRAY: Final = ObjectType.array
_STREAM: Final = ObjectType.stream
_NAME: Final = ObjectType.name_


@dataclass(slots=True)
class _Walk:
    """What walking the objects found; findings go straight into ``findings``."""

    findings: Findings
    max_depth: int
    # Decoded stream bytes the file may still produce (Limits.pdf_max_decoded_bytes).
    decode_budget: int
    decode: bool = True
    signed: bool = False
    too_deep: bool = False
    undecodable: bool = False
    over_budget: bool = False


@dataclass(slots=True)
class _Repair:
    """How qpdf's warnings judge the file: as it is, repaired the usual way, or damaged."""

    repaired: bool = False
    damaged: bool = False
    # The recovered trailer had no /Root: check the raw bytes for one (see above).
    root_to_confirm: bool = False


def check(path: str, limits: Limits) -> Findings:
    """Check a PDF file against the PDF rules of policy.md section 1.2.

    The caller has verified that the file starts with ``%PDF-``. Returns the
    facts (``pdf_version``, ``pages``, ``signed``, ``encrypted``, ``objects``,
    ``repaired``; once ``signed`` is known also ``signatures`` and
    ``signature_summary``, see :mod:`.signatures`) as far as they could be
    established, and a finding for every rule the file breaks. Bad input
    never raises: whatever qpdf cannot read is ``pdf.damaged``.
    ``MemoryError`` and ``RecursionError`` propagate, the worker process maps
    them.
    """
    findings = Findings()
    header_version = _check_ends(path, findings)
    try:
        pdf = pikepdf.open(
            path,
            # qpdf may rebuild a broken table; its warnings say what it did,
            # and _judge_warnings decides whether that was repair or damage.
            attempt_recovery=True,
            # Pushing inherited page attributes rewrites pages at open (and
            # "repairs" a missing /Resources): nothing this check should do.
            inherit_page_attributes=False,
            # Read through a buffered stream: mapping a multi-gigabyte file
            # would count against the worker's address-space limit.
            access_mode=pikepdf.AccessMode.stream,
        )
    except pikepdf.PasswordError:
        findings.facts["encrypted"] = True
        findings.add("pdf.encrypted")
        return findings
    except RecursionError:
        raise
    except (pikepdf.PikepdfError, RuntimeError, ValueError, OverflowError) as exc:
        # qpdf's messages start with the file name, which must not decide anything.
        if "encrypt" in str(exc).replace(path, "").lower():
            # An encryption qpdf does not support (certificate-based, say):
            # unreadable for us just like a user password.
            findings.facts["encrypted"] = True
            findings.add("pdf.encrypted")
        else:
            findings.add("pdf.damaged")
        return findings
    with pdf:
        try:
            repair = _check_document(pdf, header_version, limits, findings)
        except RecursionError:
            raise
        except (pikepdf.PikepdfError, RuntimeError, ValueError, OverflowError):
            repair = _Repair(damaged=True)
    if repair.root_to_confirm and not repair.damaged:
        repair.damaged = not pdf_raw.names_root(path)
    findings.facts["repaired"] = repair.repaired and not repair.damaged
    if repair.damaged:
        findings.add("pdf.damaged")
    elif repair.repaired:
        findings.add("pdf.repaired")
        # Another reader may have repaired it differently: judge every
        # definition in the raw bytes, not only those qpdf chose.
        _check_raw(path, limits, findings)
    _check_signatures(path, findings)
    return findings


def _check_signatures(path: str, findings: Findings) -> None:
    """Judge the electronic signatures (policy.md 3): facts only, never a finding."""
    signed = findings.facts.get("signed")
    if signed is True:
        try:
            # Imported here: pyHanko takes a good half second to import, and
            # most workers never see a signed file.
            from . import signatures  # noqa: PLC0415

            signatures.check(path, findings.facts)
        except Exception:  # noqa: BLE001 - a signature must never make a file rejected
            findings.facts["signatures"] = []
            findings.facts["signature_summary"] = "indeterminate"
    elif signed is False:
        findings.facts["signatures"] = []
        findings.facts["signature_summary"] = "none"


def _check_ends(path: str, findings: Findings) -> tuple[int, int] | None:
    """Check the header version and that nothing follows the last revision.

    Reads only the first bytes and the last ``_TAIL_SIZE`` bytes of the file.
    Returns the header version, or None if the header does not state one.
    """
    with Path(path).open("rb") as f:
        head = f.read(32)
        size = f.seek(0, os.SEEK_END)
        f.seek(max(0, size - _TAIL_SIZE))
        tail = f.read(_TAIL_SIZE)
    header = _HEADER.match(head)
    if header is None:
        findings.add("pdf.damaged")
    ends = list(_REVISION_END.finditer(tail))
    if not ends:
        # Truncated, not a PDF after all, or more than the tail appended.
        findings.add("pdf.damaged")
    else:
        extra = len(tail[ends[-1].end() :].lstrip(_PDF_WHITESPACE))
        if extra:
            findings.add("payload.trailing", format="PDF", extra=extra)
    if header is None:
        return None
    return int(header[1]), int(header[2])


def _check_document(
    pdf: pikepdf.Pdf,
    header_version: tuple[int, int] | None,
    limits: Limits,
    findings: Findings,
) -> _Repair:
    facts = findings.facts
    facts["encrypted"] = pdf.is_encrypted  # owner-password-only files open and get here
    warnings = pdf.get_warnings()  # qpdf hands each warning out once, then forgets it

    version = header_version
    root = pdf.Root
    if root._type_code is not _DICT:
        return _Repair(damaged=True)
    catalog = _catalog_version(root)
    if catalog is not None and (version is None or catalog > version):
        version = catalog
    if version is not None:
        facts["pdf_version"] = f"{version[0]}.{version[1]}"
        if version < limits.pdf_min_version:
            findings.add("pdf.version_too_old", version=f"{version[0]}.{version[1]}")

    objects = pdf.objects
    count = len(objects)
    facts["objects"] = count
    if count > limits.pdf_max_objects:
        findings.add("file.too_complex")
        return _Repair()
    walk = _Walk(findings, limits.pdf_max_depth, limits.pdf_max_decoded_bytes)
    _walk(objects, walk)
    facts["signed"] = walk.signed
    if walk.too_deep or walk.over_budget:
        findings.add("file.too_complex")
    warnings += pdf.get_warnings()

    # A page tree without /Kids or with a loop raises here (the caller: damaged).
    facts["pages"] = len(pdf.pages)
    page_warnings = pdf.get_warnings()
    repair = _judge_warnings(warnings)
    if walk.undecodable or any(
        broken in warning for warning in page_warnings for broken in _BROKEN_PAGE_TREE
    ):
        repair.damaged = True
    return repair


def _judge_warnings(warnings: list[str]) -> _Repair:
    """Repair or damage? Every warning qpdf gave is accounted for, or the file is damaged.

    qpdf reports a table it cannot use as "file is damaged", then why (an
    offset that points elsewhere, a startxref that points nowhere), then
    that it rebuilds the table. Only the warnings of that run are explained
    by the rebuild; others, even when given before it (qpdf may rebuild in
    the middle of reading objects), are judged on their own.
    """
    repair = _Repair()
    rebuilt: set[int] = set()
    for index, warning in enumerate(warnings):
        if _RECONSTRUCTED in warning:
            start = index
            while start > 0 and _DAMAGED_FILE not in warnings[start]:
                start -= 1
            if _DAMAGED_FILE not in warnings[start]:
                start = index
            rebuilt.update(range(start, index + 1))
    for index, warning in enumerate(warnings):
        if _LOST_OBJECT in warning:
            repair.damaged = True
        elif _RECOVERED_WITHOUT_ROOT in warning:
            repair.repaired = repair.root_to_confirm = True
        elif index in rebuilt or any(known in warning for known in _REPAIRED_WARNINGS):
            repair.repaired = True
        elif not any(harmless in warning for harmless in _HARMLESS_WARNINGS):
            repair.damaged = True
    return repair


def _catalog_version(root: pikepdf.Object) -> tuple[int, int] | None:
    value = root.get("/Version")
    if not isinstance(value, pikepdf.Object) or value._type_code is not _NAME:
        return None
    match = _CATALOG_VERSION.fullmatch(str(value))
    if match is None:
        return None
    return int(match[1]), int(match[2])


def _walk(objects: Iterable[object], walk: _Walk) -> None:
    """Examine every indirect object of the newest revision.

    qpdf's object list holds each object once, in its newest revision,
    including those inside compressed object streams. Each one is first
    serialised by qpdf (in C++, without stream data; names come out decoded,
    ``/J#61vaScript`` as ``/JavaScript``), and only an object whose text
    names something a rule looks at, or that may nest deeper than allowed,
    is walked in Python. That keeps the cost per object close to qpdf's own.
    Filtered stream data is decoded to its end (see :func:`_decode`);
    unfiltered data was found intact by qpdf when it read ``endstream``.

    References to other indirect objects are not followed: those objects are
    examined in their own turn, which also makes a visited set unnecessary.
    """
    max_openers = walk.max_depth
    for obj in objects:
        if not isinstance(obj, pikepdf.Object):  # scalars come back as Python values
            continue
        kind = obj._type_code
        if kind is _STREAM:
            stream_dict = obj.stream_dict
            text = stream_dict.unparse()
            if walk.decode and "/Filter" in stream_dict:
                _decode(obj, stream_dict.Filter, walk)
        elif kind is _DICT or kind is _ARRAY:
            text = obj.unparse(resolved=True)
        elif kind is _NAME:
            # An indirect name, e.g. the target of "/S 7 0 R": judge it as a type name.
            code = _TYPE_RULES.get(str(obj))
            if code is not None:
                walk.findings.add(code)
            continue
        else:
            continue  # strings, numbers, booleans, null: nothing to find
        # Nesting depth is at most the number of "[" and "<<" in the text.
        if _INTERESTING.search(text) or text.count(b"[") + text.count(b"<<") > max_openers:
            _walk_object(obj, walk)
            if walk.too_deep:
                return


def _decode(stream: pikepdf.Object, filters: object, walk: _Walk) -> None:
    """Decode a stream's data with its general-purpose filters, within the budget.

    Flate (nearly every filtered stream) is inflated here in slices and the
    output thrown away, so a decompression bomb costs time up to the budget,
    not memory. Other general filters are rare and left to qpdf. Data that
    does not decode marks the file damaged; a Flate stream that merely lacks
    its end (no checksum) decodes the same in every reader and is fine.
    """
    names = (
        [str(f) for f in filters if isinstance(f, pikepdf.Object) and f._type_code is _NAME]
        if isinstance(filters, pikepdf.Object) and filters._type_code is _ARRAY
        else [str(filters)]
    )
    try:
        if names and names[0] == _FLATE:
            produced = _inflate(stream.read_raw_bytes(), walk.decode_budget)
        elif names and all(name in _GENERALIZED_FILTERS for name in names):
            produced = len(stream.read_bytes(pikepdf.StreamDecodeLevel.generalized))
        else:
            return
    except (zlib.error, pikepdf.PikepdfError, RuntimeError, ValueError):
        walk.undecodable = True
        return
    walk.decode_budget -= produced
    if walk.decode_budget < 0:
        walk.over_budget = True
        walk.decode = False


def _inflate(raw: bytes, budget: int) -> int:
    """Inflate ``raw`` to its end or to ``budget`` bytes; the output size.

    Raises zlib.error when the data does not decode (no zlib header, an
    invalid block) or ends before its last block (truncated). The trailing
    checksum is not asked for: some writers leave it out or get it wrong,
    and every reader shows the same data all the same. An empty stream is
    no damage either.
    """
    if not raw:
        return 0
    if len(raw) < 2 or raw[0] & 0x0F != 8 or (raw[0] << 8 | raw[1]) % 31:
        raise zlib.error("no zlib header")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # the deflate data after the header
    produced = 0
    view = memoryview(raw)[2:]
    for start in range(0, len(view), _INFLATE_INPUT):
        produced += len(inflater.decompress(view[start : start + _INFLATE_INPUT]))
        if produced > budget or inflater.eof:
            return produced
    produced += len(inflater.flush())
    if not inflater.eof:
        raise zlib.error("deflate data ends before its last block")
    return produced


def _walk_object(obj: pikepdf.Object, walk: _Walk) -> None:
    """Apply the rules to one indirect object and its direct children."""
    add = walk.findings.add
    stack: list[tuple[pikepdf.Object, int]] = [(obj, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > walk.max_depth:
            walk.too_deep = True
            return
        if node._type_code is _ARRAY:
            children: list[pikepdf.Object] = [
                v
                for v in node
                if isinstance(v, pikepdf.Object)
                and (v._type_code is _DICT or v._type_code is _ARRAY)
                and not v.is_indirect
            ]
        else:
            children = []
            action_type = None
            for key, value in node.items():
                code = _KEY_RULES.get(key)
                if code is not None and not (key == _EF and _is_permission_list(node, value)):
                    add(code)
                if not isinstance(value, pikepdf.Object):  # numbers, booleans, null
                    continue
                value_kind = value._type_code
                if key in _TYPE_KEYS and value_kind is _NAME:
                    # Compared resolved: "/S 7 0 R" naming /Launch is still /Launch.
                    name = str(value)
                    code = _TYPE_RULES.get(name)
                    if code is not None:
                        add(code)
                    if key == "/S":
                        action_type = name
                elif key == _OPEN_ACTION and value_kind is _DICT and not _is_local_goto(value):
                    # An action (also one given indirectly) runs on opening;
                    # a destination array only says which page to show first.
                    add("pdf.automatic_action")
                elif key == _BYTE_RANGE:
                    walk.signed = True
                if not value.is_indirect and (value_kind is _DICT or value_kind is _ARRAY):
                    children.append(value)
            if action_type == _THREAD and "/F" in node:
                add("pdf.remote_action")
        stack.extend((child, depth + 1) for child in children)


def _is_local_goto(action: pikepdf.Object) -> bool:
    """A /GoTo action to a page of this document, nothing chained: a destination in effect.

    Its destination is an explicit one whose first element is a page of the
    document, or a named one (names only ever point into the same
    document). The page objects themselves are judged in their own turn.
    """
    if action.get("/S") != Name.GoTo or "/Next" in action:
        return False
    destination = action.get("/D")
    if not isinstance(destination, pikepdf.Object):
        return False
    kind = destination._type_code
    if kind is _ARRAY:
        if len(destination) == 0:
            return False
        page = destination[0]
        return (
            isinstance(page, pikepdf.Object)
            and page._type_code is _DICT
            and page.get("/Type") == Name.Page
        )
    return kind is _NAME or kind is ObjectType.string


def _is_permission_list(node: pikepdf.Object, value: object) -> bool:
    """/EF in usage rights (/Perms /UR3 transform parameters) lists permissions, not files.

    There /EF is an array of names such as /Create and /Import (ISO 32000-1,
    table 255); a file specification's /EF is a dictionary of file streams.
    """
    return (
        node.get("/Type") == Name.TransformParams
        and isinstance(value, pikepdf.Object)
        and value._type_code is _ARRAY
        and all(isinstance(v, pikepdf.Object) and v._type_code is _NAME for v in value)
    )


# --- the raw definitions of a repaired file -----------------------------------------

# A name as a token: what a reader sees when it does not parse the object fully.
_NAME_TOKEN: Final = re.compile(rb"/([^\x00\t\n\f\r /<>\[\]()%{}]+)")
_TYPED_NAME: Final = re.compile(
    rb"/(?:S|Subtype|Type)[\x00\t\n\f\r ]*/([^\x00\t\n\f\r /<>\[\]()%{}]+)"
)
_WARNED_OBJECT: Final = re.compile(r"\(object (\d+) 0")


def _check_raw(path: str, limits: Limits, findings: Findings) -> None:
    """Judge every object definition in the raw bytes; refuse disagreeing ones.

    Active content in any definition is a finding as usual. Two definitions
    of one object number that the rules judge differently are
    ``pdf.ambiguous``: which one counts depends on the reader.
    """
    try:
        found = pdf_raw.definitions(path, limits.pdf_max_objects)
    except (OSError, ValueError, OverflowError):  # too large to map: cannot be checked
        found = None
    if found is None:
        findings.add("file.too_complex")
        return
    if not all(d.complete for d in found):
        # A definition that does not end: what a reader makes of it is anyone's guess.
        findings.add("pdf.damaged")
        return
    verdicts: dict[tuple[int, int], set[frozenset[str]]] = {}
    entries = [(d.number, d.generation, d.text, d.stream, d.is_stream) for d in found]
    members = _judge_definitions(entries, limits, findings, verdicts)
    if members is None:
        return
    if members:
        _judge_definitions(members, limits, findings, verdicts)
    if any(len(judged) > 1 for judged in verdicts.values()):
        findings.add("pdf.ambiguous")


_Entry = tuple[int, int, bytes, "bytes | None", bool]


def _judge_definitions(
    entries: list[_Entry],
    limits: Limits,
    findings: Findings,
    verdicts: dict[tuple[int, int], set[frozenset[str]]],
) -> list[_Entry] | None:
    """Judge each entry as an object of a PDF of its own; returns object-stream members.

    None means the definitions could not be judged at all (and the file is
    refused as damaged).
    """
    synthetic = pdf_raw.synthetic_pdf(
        [(text, stream, is_stream) for _, _, text, stream, is_stream in entries]
    )
    try:
        pdf = pikepdf.open(io.BytesIO(synthetic), attempt_recovery=True)
    except (pikepdf.PikepdfError, RuntimeError, ValueError, OverflowError):
        findings.add("pdf.damaged")
        return None
    members: list[_Entry] = []
    with pdf:
        judged = []
        for index, (number, generation, text, _, _) in enumerate(entries, 1):
            own = Findings()
            try:
                obj = pdf.get_object(index, 0)
                _walk([obj], _Walk(own, limits.pdf_max_depth, 0, decode=False))
            except (pikepdf.PikepdfError, RuntimeError, ValueError, OverflowError):
                own.items.clear()
                _keyword_rules(text, own)
            else:
                if _may_hold_objects(obj):
                    try:
                        members.extend(_members(obj))
                    except (pikepdf.PikepdfError, RuntimeError, ValueError, OverflowError):
                        # Objects we cannot read may be what another reader shows
                        # (also: the data of an encrypted file, which only qpdf's
                        # own view decrypts). Fail closed.
                        findings.add("pdf.damaged")
            judged.append((number, generation, text, own))
        # qpdf read these with trouble (a duplicated key, an unreadable
        # token): other readers may read more, so the names in their text count too.
        # (Not the /Length that synthetic_pdf itself appends to every stream.)
        troubled = {
            int(m[1])
            for w in pdf.get_warnings()
            if "duplicated key /Length" not in w and (m := _WARNED_OBJECT.search(w))
        }
    for index, (number, generation, text, own) in enumerate(judged, 1):
        if index in troubled:
            _keyword_rules(text, own)
        codes = frozenset(own.codes())
        verdicts.setdefault((number, generation), set()).add(codes)
        for code in sorted(codes):
            findings.add(code)
    return members


def _may_hold_objects(obj: object) -> bool:
    """An object stream, or a stream a reader might take for one (/N and /First, no /Type)."""
    if not isinstance(obj, pikepdf.Object) or obj._type_code is not _STREAM:
        return False
    stream_dict = obj.stream_dict
    return stream_dict.get("/Type") == Name.ObjStm or (
        "/N" in stream_dict and "/First" in stream_dict
    )


def _members(stream: pikepdf.Object) -> list[_Entry]:
    """The objects compressed in an object stream, as entries to judge."""
    data = stream.read_bytes()
    count, first = stream.stream_dict.get("/N"), stream.stream_dict.get("/First")
    if not isinstance(count, int) or not isinstance(first, int) or not 0 <= first <= len(data):
        # Unreadable header: its whole text is judged as one definition.
        return [(-1, 0, data, None, False)]
    return [
        (number, 0, body, None, False)
        for number, body in pdf_raw.object_stream_members(data, count, first)
    ]


def _keyword_rules(text: bytes, findings: Findings) -> None:
    """The rules applied to names in ``text`` as tokens, for text qpdf did not read cleanly."""
    decoded = pdf_raw.decoded_names(text)
    for match in _NAME_TOKEN.finditer(decoded):
        code = _KEY_RULES.get("/" + match[1].decode("latin-1"))
        if code is not None:
            findings.add(code)
    for match in _TYPED_NAME.finditer(decoded):
        code = _TYPE_RULES.get("/" + match[1].decode("latin-1"))
        if code is not None:
            findings.add(code)
