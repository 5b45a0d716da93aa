"""Electronic signatures in PDFs: validated with pyHanko, judged by policy.md section 3.

For each signature field: integrity (hash and signature value), the chain to
a trust anchor (EU trusted lists or a configured root, see :mod:`.trust`),
revocation from what the file carries (/DSS, the CMS revocation attribute;
online only when configured), coverage and later changes (pyHanko's
difference analysis), the signing time and timestamp, and qualification from
the certificate's QC statements and the trusted list at signing time.

pyHanko is asked in :mod:`.signature_engines` (which AdES engine, which
trust, which revocation data); this module turns its answers into one of the
verdicts of policy.md 3. Qualification is assessed here
(``QualificationAssessor``) rather than enforced inside pyHanko, so that a
non-qualified signature is still judged on its own merits.

Nothing here raises for a hostile file: whatever cannot be judged is
``indeterminate`` (or ``invalid`` where the file itself proves it broken).
A signature never adds a finding, so it never makes a document rejected.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, cast

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESPassed, AdESSubIndic
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffResult, ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import EmbeddedPdfSignature, generic_cms
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
)
from pyhanko.sign.validation.qualified.assess import QualificationAssessor
from pyhanko.sign.validation.qualified.tsp import QTST_URI, QcCertType
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.path import ValidationPath

from .report import FactValue
from .signature_engines import (
    document_knowledge,
    passes_without_revocation,
    signature_knowledge,
    signature_timestamp,
    validate_at_level,
    validate_long_term,
    validation_spec,
)
from .signature_texts import SIGNATURE_REASON_TEXTS, weakest
from .trust import TrustStore, trust_store

_log = logging.getLogger(__name__)

# Signature formats PDF signatures come in; others (adbe.pkcs7.sha1, x509.rsa_sha1)
# are obsolete and pyHanko does not validate them.
_SUBFILTERS: Final = frozenset({"/adbe.pkcs7.detached", "/ETSI.CAdES.detached", "/PBAD.PAdES"})
# A real document has a handful of signatures; thousands only serve to exhaust us.
MAX_SIGNATURES: Final = 50
# AdES sub-indications (EN 319 102-1) -> our verdict and reason code.
_FAILURES: Final[dict[AdESSubIndic, tuple[str, str]]] = {
    AdESFailure.HASH_FAILURE: ("invalid", "hash_mismatch"),
    AdESFailure.SIG_CRYPTO_FAILURE: ("invalid", "signature_value_broken"),
    AdESFailure.FORMAT_FAILURE: ("invalid", "malformed_signature"),
    # Only a content timestamp after the revocation proves that (EN 319 102-1, 5.3.4).
    AdESFailure.REVOKED: ("invalid", "revoked_before_signing"),
    AdESFailure.NOT_YET_VALID: ("invalid", "certificate_out_of_validity"),
    AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND: ("indeterminate", "untrusted_chain"),
    AdESIndeterminate.REVOKED_NO_POE: ("indeterminate", "revoked_no_proof"),
    AdESIndeterminate.REVOKED_CA_NO_POE: ("indeterminate", "issuer_revoked"),
    AdESIndeterminate.TRY_LATER: ("indeterminate", "revocation_unknown"),
    AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE: ("indeterminate", "revocation_unknown"),
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE: ("indeterminate", "certificate_out_of_validity"),
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED: (
        "indeterminate",
        "certificate_out_of_validity",
    ),
    AdESIndeterminate.EXPIRED: ("indeterminate", "certificate_out_of_validity"),
    AdESIndeterminate.NOT_YET_VALID: ("indeterminate", "certificate_out_of_validity"),
    AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE: ("indeterminate", "certificate_not_for_signing"),
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE: ("indeterminate", "weak_algorithm"),
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE: ("indeterminate", "weak_algorithm"),
    AdESIndeterminate.TIMESTAMP_ORDER_FAILURE: ("indeterminate", "timestamp_problem"),
    AdESIndeterminate.NO_SIGNING_CERTIFICATE_FOUND: ("indeterminate", "unreadable_signature"),
    AdESIndeterminate.SIGNED_DATA_NOT_FOUND: ("indeterminate", "unreadable_signature"),
}
# Later changes that leave a signature's content alone: /DSS and timestamps only.
_HARMLESS: Final = frozenset({ModificationLevel.NONE, ModificationLevel.LTA_UPDATES})


def check(path: str, facts: dict[str, FactValue]) -> None:
    """Validate every signature of the PDF at ``path``; put the results into ``facts``.

    Sets ``signatures`` (one dict per signature field) and ``signature_summary``
    (the weakest verdict, ``none`` without signatures). Never raises for a
    bad file.
    """
    results = validate_file(path)
    facts["signatures"] = list(results)
    facts["signature_summary"] = weakest(r["verdict"] for r in results)


def validate_file(path: str | Path, store: TrustStore | None = None) -> list[dict[str, Any]]:
    """Judge each signature of one PDF; a list of JSON-ready dicts in document order."""
    try:
        store = store or trust_store()
    except Exception:  # noqa: BLE001 - broken trust configuration: no verdict, but no rejection
        _log.exception("trust configuration could not be loaded")
        return [_verdict(_Facts(), "indeterminate", "validation_error")]
    try:
        with Path(path).open("rb") as stream:
            return asyncio.run(_validate_document(PdfFileReader(stream), store))
    except (MemoryError, RecursionError):
        # The worker would turn these into "too complex", a rejection; a signature
        # must never reject a document.
        return [_verdict(_Facts(), "indeterminate", "validation_error")]
    except Exception:  # noqa: BLE001 - a file pyHanko cannot read has no judgeable signature
        return [_verdict(_Facts(), "indeterminate", "unreadable_signature")]


@dataclass(slots=True)
class _Facts:
    """What is known about one signature so far."""

    field: str | None = None
    signer: str | None = None
    organization: str | None = None
    issuer: str | None = None
    signing_time: dt.datetime | None = None
    timestamp: dt.datetime | None = None
    timestamp_valid: bool | None = None
    timestamp_qualified: bool | None = None
    revocation_time: dt.datetime | None = None
    covers_whole_document: bool = False
    coverage: str | None = None
    changes_after_signing: str | None = None
    engine: str | None = None
    qualified: bool | None = None
    qscd: bool | None = None
    certificate_type: str | None = None
    trusted_list_service: str | None = None


def _verdict(facts: _Facts, verdict: str, reason: str) -> dict[str, Any]:
    reason_de, reason_en = SIGNATURE_REASON_TEXTS[reason]
    return {
        "verdict": verdict,
        "reason": reason,
        "reason_de": reason_de,
        "reason_en": reason_en,
        "field": facts.field,
        "signer": facts.signer,
        "signer_organization": facts.organization,
        "issuer": facts.issuer,
        "signing_time": _iso(facts.signing_time),
        "timestamp": _iso(facts.timestamp),
        "timestamp_valid": facts.timestamp_valid,
        "timestamp_qualified": facts.timestamp_qualified,
        "revocation_time": _iso(facts.revocation_time),
        "covers_whole_document": facts.covers_whole_document,
        "coverage": facts.coverage,
        "changes_after_signing": facts.changes_after_signing,
        "qualified_certificate": facts.qualified,
        "qscd": facts.qscd,
        "certificate_type": facts.certificate_type,
        "trusted_list_service": facts.trusted_list_service,
        "validation": facts.engine,
    }


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


async def _validate_document(reader: PdfFileReader, store: TrustStore) -> list[dict[str, Any]]:
    fields = list(enumerate_sig_fields(reader, filled_status=True))
    signatures: list[tuple[str, EmbeddedPdfSignature | None]] = []
    timestamp_revisions: list[int] = []
    for name, value, sig_field in fields[: MAX_SIGNATURES + 1]:
        try:
            kind = value.get_object().get("/Type")
            embedded = EmbeddedPdfSignature(reader, sig_field, name)
        except Exception:  # noqa: BLE001 - one unreadable signature must not hide the others
            signatures.append((str(name), None))
            continue
        if kind == "/DocTimeStamp":
            timestamp_revisions.append(embedded.signed_revision)
        else:
            signatures.append((str(name), embedded))
    knowledge = document_knowledge(reader)
    names = {name for name, _, _ in fields}
    results = []
    for index, (name, signature) in enumerate(signatures):
        facts = _Facts(field=name)
        if index >= MAX_SIGNATURES:
            results.append(_verdict(facts, "indeterminate", "too_many_signatures"))
            break
        if signature is None:
            results.append(_verdict(facts, "indeterminate", "unreadable_signature"))
            continue
        archived = any(rev > signature.signed_revision for rev in timestamp_revisions)
        try:
            results.append(
                await _judge(
                    signature,
                    facts,
                    store=store,
                    knowledge=knowledge,
                    field_names=names,
                    archived=archived,
                )
            )
        except (MemoryError, RecursionError):
            results.append(_verdict(facts, "indeterminate", "validation_error"))
        except Exception:  # noqa: BLE001 - pyHanko on a hostile file: no verdict, no crash
            _log.info("signature %s could not be validated", name, exc_info=True)
            results.append(_verdict(facts, "indeterminate", "validation_error"))
    return results


def _describe_signer(embedded: EmbeddedPdfSignature, facts: _Facts) -> None:
    cert = embedded.signer_cert
    subject = cert.subject.native
    facts.signer = _first(subject.get("common_name")) or cert.subject.human_friendly
    facts.organization = _first(subject.get("organization_name"))
    facts.issuer = _first(cert.issuer.native.get("common_name")) or cert.issuer.human_friendly
    facts.signing_time = embedded.self_reported_timestamp


def _first(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return str(value) if value is not None else None


async def _judge(
    embedded: EmbeddedPdfSignature,
    facts: _Facts,
    *,
    store: TrustStore,
    knowledge: LocalKnowledge,
    field_names: set[str],
    archived: bool,
) -> dict[str, Any]:
    subfilter = embedded.sig_object.get("/SubFilter")
    if subfilter not in _SUBFILTERS:
        return _verdict(facts, "indeterminate", "unsupported_signature")
    _describe_signer(embedded, facts)
    embedded.compute_integrity_info(diff_policy=DEFAULT_DIFF_POLICY)  # type: ignore[no-untyped-call]
    changed = _coverage(embedded, facts, field_names)

    spec = validation_spec(store, signature_knowledge(embedded, knowledge))
    timing = ValidationTimingInfo.now()
    has_timestamp = (
        next(generic_cms.extract_tst_data_iter(embedded.signer_info, signed=False), None)
        is not None
    )
    outcome = await validate_at_level(embedded, spec, timing, has_timestamp=has_timestamp)
    if archived and isinstance(outcome.subindication, AdESIndeterminate):
        # A document timestamp follows: the long-term engine can prove a
        # signature whose certificate has expired or been revoked since.
        archival = await validate_long_term(embedded, spec, timing)
        if archival.subindication is AdESPassed.OK:
            outcome = archival
    facts.engine = outcome.engine
    subindication, status = outcome.subindication, outcome.status
    if outcome.timestamp_failed:
        facts.timestamp_valid = False
    elif has_timestamp:
        timestamp = outcome.timestamp
        if timestamp is None and subindication is not AdESPassed.OK:
            # The engine stopped at the signer's certificate before it looked at
            # the timestamp; what the timestamp proves still belongs in the report.
            timestamp = await signature_timestamp(embedded, spec, timing)
        _describe_timestamp(timestamp, facts, store)

    if subindication in (AdESFailure.HASH_FAILURE, AdESFailure.SIG_CRYPTO_FAILURE):
        return _verdict(facts, *_FAILURES[subindication])
    if changed is not None:
        return _verdict(facts, "modified", changed)
    if subindication is not AdESPassed.OK:
        if subindication is AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE and (
            await passes_without_revocation(embedded, spec, timing)
        ):
            return _verdict(facts, "indeterminate", "revocation_unknown")
        return _failure(subindication, status, facts)
    best_time = outcome.best_time if facts.timestamp_valid else None
    if status is None or status.validation_path is None:
        return _verdict(facts, "indeterminate", "chain_problem")
    return _qualification(status.validation_path, best_time, facts, store)


def _coverage(embedded: EmbeddedPdfSignature, facts: _Facts, field_names: set[str]) -> str | None:
    """Record what the signature covers; the reason code if the content changed since."""
    # pyHanko fills these in compute_integrity_info(); its annotations only know the None.
    coverage = cast("SignatureCoverageLevel | None", embedded.coverage)
    diff = embedded.diff_result
    level = diff.modification_level if isinstance(diff, DiffResult) else ModificationLevel.OTHER
    facts.coverage = (
        {
            SignatureCoverageLevel.ENTIRE_FILE: "entire_file",
            SignatureCoverageLevel.ENTIRE_REVISION: "entire_revision",
        }.get(coverage, "partial")
        if coverage is not None
        else None
    )
    facts.changes_after_signing = level.name.lower()
    if coverage is None or coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        return "partial_coverage"
    changed: str | None = None
    if level is ModificationLevel.OTHER:
        changed = "changed_after_signing"
    elif level not in _HARMLESS:
        # A later signature fills its own field; any other field filled is new content.
        only_signatures = (
            level is ModificationLevel.FORM_FILLING
            and isinstance(diff, DiffResult)
            and diff.changed_form_fields <= field_names
        )
        if not only_signatures:
            changed = "fields_changed_after_signing"
    integrity = embedded.summarise_integrity_info()
    if changed is None and integrity.get("docmdp_ok") is False:
        changed = "changed_after_signing"  # more than the certifying author permitted
    facts.covers_whole_document = changed is None
    return changed


def _describe_timestamp(ts_status: Any, facts: _Facts, store: TrustStore) -> None:
    """Record the signature timestamp's time and whether a listed QTST issued it."""
    if ts_status is None:
        return  # not reached: the signature failed before its timestamp was looked at
    if not (ts_status.intact and ts_status.valid and ts_status.trusted):
        facts.timestamp_valid = False
        return
    facts.timestamp_valid = True
    facts.timestamp = ts_status.timestamp
    path = ts_status.validation_path
    if path is not None:
        services = store.registry.applicable_tsps_on_path(path, ts_status.timestamp)
        facts.timestamp_qualified = any(s.base_info.service_type == QTST_URI for s in services)


def _failure(subindication: AdESSubIndic, status: Any, facts: _Facts) -> dict[str, Any]:
    if subindication is AdESIndeterminate.REVOKED_NO_POE:
        # EN 319 102-1: a revoked certificate is only "indeterminate" unless
        # something proves when the signature was made. The signing time in
        # the signature is the signer's own claim and proves nothing; a
        # timestamp before the revocation would have made it valid, one after
        # it still leaves room for a signature made earlier and stamped late.
        details = getattr(status, "revocation_details", None)
        if details is not None:
            facts.revocation_time = details.revocation_date
        stamped = facts.timestamp if facts.timestamp_valid else None
        if details is not None and stamped is not None and stamped >= details.revocation_date:
            return _verdict(facts, "indeterminate", "revoked_before_timestamp")
        return _verdict(facts, "indeterminate", "revoked_no_proof")
    verdict, reason = _FAILURES.get(subindication, ("indeterminate", "chain_problem"))
    return _verdict(facts, verdict, reason)


def _qualification(
    path: ValidationPath, moment: dt.datetime | None, facts: _Facts, store: TrustStore
) -> dict[str, Any]:
    """Classify a signature that validated: qes, qeseal, adesqc or ades.

    ``moment`` is the time a timestamp proves; without one, the time of
    validation (pyHanko's default), as EN 319 102-1 does.
    """
    for authority in path.iter_authorities():
        store.require(authority.name.hashable)  # lists naming the chain are verified by now
    try:
        assessment = QualificationAssessor(store.registry).check_entity_cert_qualified(path, moment)
    except NotImplementedError:  # several QC types in one certificate: nobody can say
        return _verdict(facts, "indeterminate", "validation_error")
    status = assessment.status
    facts.qualified = status.qualified
    if assessment.service_definition is not None:
        facts.trusted_list_service = assessment.service_definition.base_info.service_name
    if not status.qualified:
        at = moment or dt.datetime.now(dt.UTC)
        listed = any(True for _ in store.registry.applicable_tsps_on_path(path, at))
        reason = "certificate_not_qualified" if listed else "local_trust_anchor"
        return _verdict(facts, "ades", reason)
    facts.qscd = status.qc_key_security.is_qscd
    facts.certificate_type = {
        QcCertType.QC_ESIGN: "esign",
        QcCertType.QC_ESEAL: "eseal",
        QcCertType.QC_WEB: "web",
    }[status.qc_type]
    if status.qc_type is QcCertType.QC_WEB:
        return _verdict(facts, "adesqc", "qualified_for_websites")
    if not facts.qscd:
        return _verdict(facts, "adesqc", "qscd_not_confirmed")
    if status.qc_type is QcCertType.QC_ESEAL:
        return _verdict(facts, "qeseal", "qualified_seal")
    return _verdict(facts, "qes", "qualified_signature")
