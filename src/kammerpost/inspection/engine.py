"""The inspection engine: the ordered checks of policy.md section 1 for one file.

1. limits, 2. name hygiene, 3. signature at byte 0, 4. hidden payload,
5. format rules (in a resource-limited worker), 6. virus scan, 7. name vs
content and the procedure's narrowing. The file is read once in this
process for hashing and scanning; the worker parses it meanwhile, so our
checks hide under the scanner's time.
"""

from __future__ import annotations

import hashlib
import os
import struct
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Final

from .antivirus import ClamdScanner, ScanResult, ScanSession, ScanStatus
from .detect import HEAD_SIZE, ZIP, detect
from .names import clean_name
from .policy import CHAMBER_DEFAULT, FORMATS, MB, Policy, format_for_extension
from .reasons import Severity
from .report import FactValue, Findings, Inspection, Reason, Verdict
from .sandbox import ParserPool, shared_pool

_READ_SIZE: Final = 1 * MB
# A ZIP end record is only found by readers within the last 64 KiB + 22 bytes.
_EOCD_WINDOW: Final = 65_535 + 22
_EOCD: Final = b"PK\x05\x06"


class Inspector:
    """Inspects files under one policy, with or without a virus scanner.

    ``scanner=None`` with ``scan=True`` means the scanner is missing: every
    file is then *held*. Only ``scan=False`` (an explicit opt-out, the CLI's
    ``--no-av``) decides without a scan, and the result says so.
    """

    def __init__(
        self,
        policy: Policy = CHAMBER_DEFAULT,
        *,
        scanner: ClamdScanner | None = None,
        scan: bool = True,
        pool: ParserPool | None = None,
    ) -> None:
        self.policy = policy
        self.scanner = scanner
        self.scan = scan
        self._pool = pool
        self._threads: ThreadPoolExecutor | None = None
        self._threads_lock = threading.Lock()

    @property
    def pool(self) -> ParserPool:
        return self._pool or shared_pool()

    def inspect(
        self,
        path: str | os.PathLike[str],
        *,
        name: str | None = None,
        label: str | None = None,
        sha256: str | None = None,
    ) -> Inspection:
        """Inspect the file at ``path``; ``name`` is the sender's file name if it differs.

        ``sha256`` is a digest of exactly these bytes that the caller has just
        verified (the vault checks it on every read); without a scan to feed,
        it saves a full pass over the file.
        """
        path = os.fspath(path)
        label = path if label is None else label
        findings = Findings()
        size = Path(path).stat().st_size
        limits = self.policy.limits
        file_name = clean_name(name if name is not None else Path(path).name)
        findings.facts["name"] = file_name.display
        if size == 0:
            findings.add("file.empty")
            return _conclude(label, findings, None, hashlib.sha256(b"").hexdigest(), size)
        if size > limits.max_file_size:
            findings.add("file.too_large", size_mb=_mb(size), limit_mb=_mb(limits.max_file_size))
            return _conclude(label, findings, None, None, size)
        if file_name.problem:
            findings.add(file_name.problem)

        with Path(path).open("rb") as fh:
            head = fh.read(HEAD_SIZE)
        detection = detect(head)
        if detection.finding is not None:
            findings.add(detection.finding.code, **detection.finding.params)

        parsed: Future[Findings] | None = None
        scanner_limit = self._scanner_limit(size)
        session = None if scanner_limit is not None else self._scan_session()
        if detection.candidate is not None:
            if session is not None:
                parsed = self._executor().submit(self.pool.check, detection.candidate, path, limits)
            else:
                findings.extend(self.pool.check(detection.candidate, path, limits))
        if session is not None or sha256 is None:
            sha256 = _hash_and_scan(path, session)
        if parsed is not None:
            findings.extend(parsed.result())
        scan = session.finish() if session is not None else None
        if scanner_limit is not None:
            # Never accepted unscanned: held, and the reason says why it cannot be scanned.
            findings.facts["av"] = {"scanned": False, "status": "too_large", "engine": "clamd"}
            findings.add("av.too_large", limit_mb=_mb(scanner_limit))
        else:
            self._record_scan(findings, scan)

        real = _real_format(detection.candidate, findings)
        if real is not None and detection.candidate != ZIP:
            _check_hidden_zip(path, size, FORMATS[real].short, findings)
        if real is not None:
            self._name_vs_content(real, file_name.extension, findings)
        return _conclude(label, findings, real, sha256, size)

    def inspect_many(self, paths: Sequence[str | os.PathLike[str]]) -> Iterator[Inspection]:
        """Inspect a batch on all cores: ``min(files, cpus)`` at a time; results in order.

        The parsing runs in the pool's processes and hashing and scanning
        release the GIL, so threads are enough to keep every core busy.
        """
        workers = min(len(paths), _cpus())
        if workers <= 1:
            yield from (self.inspect(path) for path in paths)
            return
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="batch") as batch:
            yield from batch.map(self.inspect, paths)

    def _scanner_limit(self, size: int) -> int | None:
        """The scanner's stream limit if this file exceeds it, else None."""
        if not self.scan or self.scanner is None or self.scanner.max_stream is None:
            return None
        return self.scanner.max_stream if size > self.scanner.max_stream else None

    def _scan_session(self) -> ScanSession | None:
        if self.scan and self.scanner is not None:
            return self.scanner.session()
        return None

    def _executor(self) -> ThreadPoolExecutor:
        with self._threads_lock:
            return self._executor_locked()

    def _executor_locked(self) -> ThreadPoolExecutor:
        if self._threads is None:
            # One parse in flight per file being inspected (a batch has one per core).
            self._threads = ThreadPoolExecutor(max_workers=_cpus(), thread_name_prefix="inspect")
        return self._threads

    def _record_scan(self, findings: Findings, scan: ScanResult | None) -> None:
        av: dict[str, FactValue]
        if not self.scan:
            av = {"scanned": False, "status": "skipped"}
        elif scan is None:
            av = {"scanned": False, "status": "not_configured"}
            findings.add("av.unavailable")
        else:
            av = {
                "scanned": scan.status != ScanStatus.UNAVAILABLE,
                "status": str(scan.status),
                "engine": "clamd",
            }
            if scan.version is not None:
                # "demo": the embedded setup's EICAR-only signatures, no virus protection.
                av["database"] = scan.version.database
                if scan.version.database_version is not None:
                    av["database_version"] = scan.version.database_version
            if scan.status == ScanStatus.INFECTED:
                av["signature"] = scan.signature
                findings.add("av.infected", signature=scan.signature)
            elif scan.status == ScanStatus.UNAVAILABLE:
                av["detail"] = scan.detail
                findings.add("av.unavailable")
        findings.facts["av"] = av

    def _name_vs_content(self, real: str, extension: str, findings: Findings) -> None:
        fmt = FORMATS[real]
        if not self.policy.allows(real):
            findings.add(
                "format.not_allowed",
                allowed_de=self.policy.allowed_list("de"),
                allowed_en=self.policy.allowed_list("en"),
                real_de=fmt.label_de,
                real_en=fmt.label_en,
            )
        elif extension and extension not in fmt.extensions:
            named = format_for_extension(extension)
            findings.facts["named_as"] = named
            findings.add(
                "name.mismatch",
                extension=extension,
                real_de=fmt.label_de,
                real_en=fmt.label_en,
                real_ext=fmt.extensions[0],
            )

    def close(self) -> None:
        if self._threads is not None:
            self._threads.shutdown()


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _hash_and_scan(path: str, session: ScanSession | None) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb", buffering=0) as fh:
        while chunk := fh.read(_READ_SIZE):
            digest.update(chunk)
            if session is not None:
                session.send(chunk)
    return digest.hexdigest()


def _real_format(candidate: str | None, findings: Findings) -> str | None:
    if candidate == ZIP:
        kind = findings.facts.get("ooxml_kind")
        return kind if isinstance(kind, str) else None
    if candidate in FORMATS:
        return candidate
    return None


def _check_hidden_zip(path: str, size: int, label: str, findings: Findings) -> None:
    """Refuse a ZIP end record in the tail of a non-ZIP file (a polyglot)."""
    window = min(size, _EOCD_WINDOW)
    with Path(path).open("rb") as fh:
        fh.seek(size - window)
        tail = fh.read(window)
    at = tail.find(_EOCD)
    while at != -1:
        record = tail[at : at + 22]
        if len(record) == 22:
            _, disk, cd_disk, here, total, cd_size, cd_offset, _ = struct.unpack(
                "<4sHHHHIIH", record
            )
            if disk == cd_disk == 0 and here == total and cd_offset + cd_size <= size:
                findings.add("payload.zip", format=label)
                return
        at = tail.find(_EOCD, at + 1)


def _conclude(
    label: str, findings: Findings, real: str | None, sha256: str | None, size: int
) -> Inspection:
    severities = {f.severity for f in findings.items}
    if Severity.REJECT in severities:
        verdict = Verdict.REJECTED
        # Once refused, "not scanned yet" is no longer news for the sender.
        items = [f for f in findings.items if f.severity != Severity.HOLD]
    elif Severity.HOLD in severities:
        verdict, items = Verdict.HELD, findings.items
    else:
        verdict, items = Verdict.ACCEPTED, findings.items
    return Inspection(
        file=label,
        verdict=verdict,
        format=real,
        sha256=sha256,
        size=size,
        facts=findings.facts,
        reasons=tuple(Reason.from_finding(f) for f in items),
    )


def _mb(size: int) -> str:
    return f"{size / MB:.1f}".removesuffix(".0")
