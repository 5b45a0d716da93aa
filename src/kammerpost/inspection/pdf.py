"""PDF format rules (policy.md 1.2): version, damage, encryption, active content.

The file is parsed with pikepdf (qpdf). Three things shape this module:

* qpdf repairs broken files silently. A file it had to repair is rejected as
  damaged, so the file is opened without xref reconstruction and every
  warning qpdf records while opening and while resolving objects counts.
* Attackers hide active content where keyword scanners do not look: in
  hex-escaped names (``/J#61vaScript``), in compressed object streams, in
  incremental updates. Every indirect object of the newest revision is
  therefore examined in its parsed, decoded form.
* A large scan must be checked in less time than it takes to hash it, and
  with flat memory. Stream data is never read, and per-object Python work is
  kept small (see :func:`_walk`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pikepdf
from pikepdf import ObjectType

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
# how the file reads; everything else qpdf warns about makes a file damaged.
# (Matched as substrings: should qpdf reword them, such files are rejected,
# which is the safe side.)
_HARMLESS_WARNINGS: Final = (
    # The trailer's /Size does not match the objects: common in the wild, and
    # qpdf reads the objects the xref lists either way.
    "reported number of objects",
    # startxref points a few bytes early, at white space before "xref".
    "extraneous whitespace seen before xref",
)

_OPEN_ACTION: Final = "/OpenAction"
_BYTE_RANGE: Final = "/ByteRange"  # present in every signature and timestamp dictionary
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
    signed: bool = False
    too_deep: bool = False


def check(path: str, limits: Limits) -> Findings:
    """Check a PDF file against the PDF rules of policy.md section 1.2.

    The caller has verified that the file starts with ``%PDF-``. Returns the
    facts (``pdf_version``, ``pages``, ``signed``, ``encrypted``, ``objects``;
    once ``signed`` is known also ``signatures`` and ``signature_summary``,
    see :mod:`.signatures`) as far as they could be established, and a
    finding for every rule the file breaks. Bad input never raises: whatever qpdf cannot read is
    ``pdf.damaged``. ``MemoryError`` and ``RecursionError`` propagate, the
    worker process maps them.
    """
    findings = Findings()
    header_version = _check_ends(path, findings)
    try:
        pdf = pikepdf.open(
            path,
            # A file qpdf would have to reconstruct is damaged, not repaired.
            attempt_recovery=False,
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
            _check_document(pdf, header_version, limits, findings)
        except RecursionError:
            raise
        except (pikepdf.PikepdfError, RuntimeError, ValueError, OverflowError):
            findings.add("pdf.damaged")
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
) -> None:
    facts = findings.facts
    facts["encrypted"] = pdf.is_encrypted  # owner-password-only files open and get here
    warnings = pdf.get_warnings()  # qpdf hands each warning out once, then forgets it

    version = header_version
    root = pdf.Root
    if root._type_code is _DICT:
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
        return
    walk = _Walk(findings, limits.pdf_max_depth)
    _walk(objects, walk)
    facts["signed"] = walk.signed
    if walk.too_deep:
        findings.add("file.too_complex")
    warnings += pdf.get_warnings()
    if any(not _harmless(warning) for warning in warnings):
        # Anything qpdf had to work around (a wrong offset, a stream length it
        # had to recover, a duplicated key) reads differently in other readers.
        findings.add("pdf.damaged")

    # The page tree is read last and its warnings are not counted: qpdf
    # "repairs" harmless omissions there (a page without /Resources), which
    # is not damage to the file's structure.
    facts["pages"] = len(pdf.pages)
    pdf.get_warnings()


def _harmless(warning: str) -> bool:
    return any(harmless in warning for harmless in _HARMLESS_WARNINGS)


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

    References to other indirect objects are not followed: those objects are
    examined in their own turn, which also makes a visited set unnecessary.
    """
    max_openers = walk.max_depth
    for obj in objects:
        if not isinstance(obj, pikepdf.Object):  # scalars come back as Python values
            continue
        kind = obj._type_code
        if kind is _STREAM:
            text = obj.stream_dict.unparse()
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
                if code is not None:
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
                elif key == _OPEN_ACTION and value_kind is _DICT:
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
