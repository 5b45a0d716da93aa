"""The pyHanko side of signature validation: AdES engines, trust policy, local knowledge.

:mod:`.signatures` decides what a result means; this module only asks
pyHanko. The engine is picked by the signature's level because each refuses
what it was not made for: the basic engine (EN 319 102-1, 5.3) for a
signature without a timestamp, the with-time engine (5.5) for one with a
signature timestamp, and the long-term engine (5.6.3) only when a document
timestamp follows the signature, since it answers INDETERMINATE without one.
Revocation data comes from the file (/DSS and the CMS revocation attribute)
and, only when ``KAMMERPOST_TRUST_ONLINE`` is on, from the network.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Final

from asn1crypto.crl import CertificateList  # type: ignore[import-untyped]
from asn1crypto.ocsp import OCSPResponse  # type: ignore[import-untyped]
from asn1crypto.x509 import Certificate as X509Certificate  # type: ignore[import-untyped]
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESPassed, AdESSubIndic
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY
from pyhanko.sign.general import find_unique_cms_attribute
from pyhanko.sign.validation import EmbeddedPdfSignature, generic_cms
from pyhanko.sign.validation.ades import (
    ades_basic_validation,
    ades_lta_validation,
    ades_timestamp_validation,
    ades_with_time_validation,
)
from pyhanko.sign.validation.policy_decl import (
    CertificateFetchingRule,
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator.authority import AuthorityWithCert
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.path import ValidationPath
from pyhanko_certvalidator.policy_decl import (
    FRESHNESS_FALLBACK_VALIDITY_DEFAULT,
    NO_REVOCATION,
    CertRevTrustPolicy,
    FreshnessReqType,
    RevocationCheckingPolicy,
)
from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer
from pyhanko_certvalidator.util import get_declared_revinfo

from .trust import TrustStore
from .trusted_lists import Certificate

# A signer certificate must allow one of these (RFC 5280); no TLS keys signing contracts.
_KEY_USAGE: Final = KeyUsageConstraints(
    key_usage=frozenset({"digital_signature", "non_repudiation"}), match_all_key_usages=False
)
# "hard-fail": check revocation wherever a certificate names a source for it.
_REVOCATION: Final = CertRevTrustPolicy(RevocationCheckingPolicy.from_legacy("hard-fail"))


def _let_trust_anchors_sign_crls() -> None:
    """Teach pyHanko that a listed CA's own CRL is signed by the trust anchor itself.

    Trusted lists name the issuing CA, not its root, so the CA is the trust
    anchor and the CRL about its signers carries its signature. pyHanko
    (certvalidator 0.33) looks for that CA among the certificates below the
    anchor, finds none, and answers "the chain of trust for the CRL issuer
    could not be determined": every CRL-only PAdES-LT file of a German QTSP
    came out indeterminate. The path of such a CRL issuer is the anchor
    alone; every other case goes to pyHanko unchanged.
    """
    original = ValidationPath.truncate_to_issuer_and_append
    if getattr(original, "_kammerpost", False):
        return

    def truncate_to_issuer_and_append(self: ValidationPath, cert: Any) -> ValidationPath:
        anchor = self.trust_anchor.authority
        if isinstance(anchor, AuthorityWithCert) and anchor.certificate.sha256 == cert.sha256:
            return ValidationPath(self.trust_anchor, interm=[], leaf=None)
        path: ValidationPath = original(self, cert)
        return path

    truncate_to_issuer_and_append._kammerpost = True  # type: ignore[attr-defined]
    ValidationPath.truncate_to_issuer_and_append = truncate_to_issuer_and_append  # type: ignore[method-assign]


_let_trust_anchors_sign_crls()


# A /DSS holds a few dozen items; more than this per kind only serves to exhaust us.
MAX_DSS_ITEMS: Final = 1000


def document_knowledge(reader: PdfFileReader) -> LocalKnowledge:
    """Certificates and revocation data the document carries in its /DSS (PAdES-LT).

    Read item by item, from the /DSS arrays and from every /VRI entry (some
    producers list data only there): one unreadable item costs only itself,
    not the file's other revocation data.
    """
    try:
        dss = reader.root["/DSS"].get_object()
    except Exception:  # noqa: BLE001 - no (readable) /DSS: validate with what the CMS carries
        return LocalKnowledge()
    streams: dict[str, list[Any]] = {"cert": [], "ocsp": [], "crl": []}
    keys = {"cert": ("/Certs", "/Cert"), "ocsp": ("/OCSPs", "/OCSP"), "crl": ("/CRLs", "/CRL")}
    sources = [dss]
    with contextlib.suppress(Exception):
        vri = dss["/VRI"].get_object()
        sources += [vri.raw_get(key).get_object() for key in list(vri)[:MAX_DSS_ITEMS]]
    seen: set[tuple[int, int]] = set()
    for source in sources:
        for kind, names in keys.items():
            with contextlib.suppress(Exception):
                for ref in source.raw_get(names[0] if source is dss else names[1]):
                    if len(streams[kind]) >= MAX_DSS_ITEMS:
                        break
                    identity = (getattr(ref, "idnum", id(ref)), getattr(ref, "generation", 0))
                    if identity not in seen:
                        seen.add(identity)
                        streams[kind].append(ref)
    return LocalKnowledge(
        known_certs=_loaded(streams["cert"], DecodePurpose.CERTIFICATE, _certificate),
        known_ocsps=[
            c for r in _loaded(streams["ocsp"], DecodePurpose.OCSP_RESPONSE, _ocsp) for c in r
        ],
        known_crls=_loaded(streams["crl"], DecodePurpose.CRL, _crl),
    )


def _loaded(refs: list[Any], purpose: DecodePurpose, parse: Any) -> list[Any]:
    items = []
    for ref in refs:
        # A broken item is skipped; the others still count.
        with contextlib.suppress(Exception):
            items.append(parse(ref.get_object().read_data(purpose)))
    return items


def _certificate(data: bytes) -> Certificate:
    cert = X509Certificate.load(data)
    _ = cert.issuer_serial, cert.public_key  # parse now: a broken one fails here, not later
    return cert


def _ocsp(data: bytes) -> list[OCSPContainer]:
    containers = OCSPContainer.load_multi(OCSPResponse.load(data))
    for container in containers:
        _ = container.issuance_date
    return list(containers)


def _crl(data: bytes) -> CRLContainer:
    container = CRLContainer(CertificateList.load(data))
    _ = container.issuance_date, container.crl_data.issuer.hashable
    return container


def signature_knowledge(embedded: EmbeddedPdfSignature, base: LocalKnowledge) -> LocalKnowledge:
    """``base`` plus the revocation data in the signature's Adobe revocation attribute."""
    ocsps, crls = list(base.known_ocsps), list(base.known_crls)
    with contextlib.suppress(Exception):
        archival = find_unique_cms_attribute(
            embedded.signer_info["signed_attrs"], "adobe_revocation_info_archival"
        )
        crls += [CRLContainer(crl) for crl in archival["crl"]]
        ocsps += [OCSPContainer(response) for response in archival["ocsp"]]
    return LocalKnowledge(known_ocsps=ocsps, known_crls=crls, known_certs=list(base.known_certs))


def validation_spec(store: TrustStore, knowledge: LocalKnowledge) -> SignatureValidationSpec:
    """How to validate: our trust, revocation where declared, network only when allowed."""
    online = store.config.online
    knowledge = dataclasses.replace(
        knowledge, known_certs=[*knowledge.known_certs, *_listed_crl_issuers(store, knowledge)]
    )
    return SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=store.trust_manager, revinfo_policy=_REVOCATION
        ),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=(
                RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH
                if online
                else RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
            certificate_fetching_rule=(
                CertificateFetchingRule.FOLLOW_ONLINE_RULE
                if online
                else CertificateFetchingRule.NEVER_FETCH
            ),
        ),
        local_knowledge=knowledge,
        key_usage_settings=_KEY_USAGE,
    )


def _listed_crl_issuers(store: TrustStore, knowledge: LocalKnowledge) -> list[Certificate]:
    """The certificates of listed services that issued one of the known CRLs.

    pyHanko looks for a CRL's issuer among the certificates it was given, not
    among the trust anchors; a TSU's token rarely carries its CA, so a CRL
    signed by a CA that the trusted list names would find no issuer.
    """
    certs = []
    for crl in knowledge.known_crls:
        name = crl.crl_data.issuer.hashable
        store.require(name)
        certs += [
            authority.certificate
            for authority in store.authorities_named(name)
            if isinstance(authority, AuthorityWithCert)
        ]
    return certs


@dataclass(slots=True)
class Outcome:
    """One AdES engine's answer, in the terms the verdict needs."""

    engine: str
    subindication: AdESSubIndic
    status: Any  # pyHanko's status object (StandardCMSSignatureStatus or a subclass)
    best_time: dt.datetime | None = None
    timestamp: Any = None  # TimestampSignatureStatus of the signature timestamp
    timestamp_failed: bool = False  # judged without its timestamp, which did not hold


async def validate_at_level(
    embedded: EmbeddedPdfSignature,
    spec: SignatureValidationSpec,
    timing: ValidationTimingInfo,
    *,
    has_timestamp: bool,
) -> Outcome:
    """The engine the signature's own level calls for: with a timestamp, or basic."""
    if not has_timestamp:
        return await _basic(embedded, spec, timing)
    attempts: list[Outcome] = []
    claimed = claimed_timestamp_time(embedded)
    if claimed is not None and claimed <= timing.validation_time:
        # PAdES-B-LT: revocation data in the file shows the certificate was good
        # when the signature was timestamped. The time is only a claim here; the
        # engine verifies the timestamp, and if it does not hold, the signature
        # is judged again without it (no backdating).
        # 1. Judged at the signing time (EN 319 102-1, 5.2.5.4): a CRL or OCSP
        #    answer counts when it was current then or was issued later; one
        #    without nextUpdate, for pyHanko's default half hour from thisUpdate.
        at_signing = ValidationTimingInfo(claimed, claimed, point_in_time_validation=True)
        for at_signing_spec in _revocation_current_at_signing(spec):
            attempts.append(await _with_time(embedded, at_signing_spec, at_signing))
            if attempts[-1].subindication is AdESPassed.OK:
                if _tsu_revocable(attempts[-1].timestamp) and await _tsu_revoked_since(
                    embedded, spec, ValidationTimingInfo(timing.validation_time, claimed, False)
                ):
                    # Judged at its own time, a timestamp ignores a later revocation of
                    # its TSU; but whoever holds a compromised TSU key can stamp any time.
                    return dataclasses.replace(
                        await _basic(embedded, spec, timing), timestamp_failed=True
                    )
                break
            if _settled(attempts[-1]):
                break
        if not _settled(attempts[-1]):
            # 2. Judged today, but data issued after the signing time counts however
            #    old: an answer without nextUpdate, or one that names a revocation
            #    after the timestamp (pyHanko reads revocations only up to the time
            #    of validation, so this needs today's time).
            after = ValidationTimingInfo(timing.validation_time, claimed, False)
            attempts.append(await _with_time(embedded, _revocation_after_signing(spec), after))
    if not attempts or not _settled(attempts[-1]):
        # 3. Revocation data current today (fetched online, or just added).
        attempts.append(await _with_time(embedded, spec, timing))
    outcome = attempts[-1]
    if outcome.subindication is not AdESPassed.OK and any(
        signature_itself_holds(attempt.status) for attempt in attempts
    ):
        # Only the timestamp failed, an unsigned attribute anyone can add:
        # judge the signature without it, at the time of validation.
        return dataclasses.replace(await _basic(embedded, spec, timing), timestamp_failed=True)
    return outcome


# Answers no other revocation data can change: passed, failed, or the certificate
# revoked before the timestamp (every attempt finds the same revocation).
_SETTLED: Final = frozenset(
    {AdESPassed.OK, AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE}
)


def _settled(outcome: Outcome) -> bool:
    return (
        outcome.subindication in _SETTLED
        or isinstance(outcome.subindication, AdESFailure)
        or signature_itself_holds(outcome.status)  # the signer passed, the timestamp did not
    )


def claimed_timestamp_time(embedded: EmbeddedPdfSignature) -> dt.datetime | None:
    """The time in the first signature timestamp token, unverified; None if unreadable."""
    try:
        token = next(generic_cms.extract_tst_data_iter(embedded.signer_info, signed=False))
        moment = token["encap_content_info"]["content"].parsed["gen_time"].native
    except Exception:  # noqa: BLE001 - a garbled token has no time to offer
        return None
    return moment if isinstance(moment, dt.datetime) and moment.tzinfo is not None else None


def _revocation_current_at_signing(
    spec: SignatureValidationSpec,
) -> Generator[SignatureValidationSpec, None, None]:
    """The specs of step 1: every answer by its window, then undated answers on their own."""
    yield _revocation_current_at(spec)
    knowledge = spec.local_knowledge
    open_ended = LocalKnowledge(
        known_certs=knowledge.known_certs,
        known_ocsps=[o for o in knowledge.known_ocsps if _next_update(o) is None],
        known_crls=[c for c in knowledge.known_crls if _next_update(c) is None],
    )
    if open_ended.known_ocsps or open_ended.known_crls:
        yield dataclasses.replace(
            _revocation_current_at(spec, FRESHNESS_FALLBACK_VALIDITY_DEFAULT),
            local_knowledge=open_ended,
        )


def _next_update(item: OCSPContainer | CRLContainer) -> dt.datetime | None:
    try:
        if isinstance(item, OCSPContainer):
            single: Any = item.extract_single_response()
            moment = single["next_update"].native
        else:
            moment = item.crl_data["tbs_cert_list"]["next_update"].native
    except Exception:  # noqa: BLE001 - unreadable: treated as dated, so never in the grace run
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return moment if isinstance(moment, dt.datetime) else None


def _revocation_current_at(
    spec: SignatureValidationSpec, freshness: dt.timedelta | None = None
) -> SignatureValidationSpec:
    """``spec`` with revocation data fresh when current at the time of validation.

    Fresh when the time of validation lies before thisUpdate + ``freshness``
    (default nextUpdate - thisUpdate), i.e. the answer was current then or
    issued later.
    """
    return _with_revocation_policy(
        spec,
        CertRevTrustPolicy(
            _REVOCATION.revocation_checking_policy,
            freshness=freshness,
            freshness_req_type=FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION,
        ),
    )


def _revocation_after_signing(spec: SignatureValidationSpec) -> SignatureValidationSpec:
    """``spec`` with revocation data fresh when issued after the best signature time."""
    return _with_revocation_policy(
        spec,
        CertRevTrustPolicy(
            _REVOCATION.revocation_checking_policy,
            freshness=dt.timedelta(0),
            freshness_req_type=FreshnessReqType.TIME_AFTER_SIGNATURE,
        ),
    )


def _with_revocation_policy(
    spec: SignatureValidationSpec, policy: CertRevTrustPolicy
) -> SignatureValidationSpec:
    return dataclasses.replace(
        spec,
        cert_validation_policy=dataclasses.replace(
            spec.cert_validation_policy, revinfo_policy=policy
        ),
    )


async def signature_timestamp(
    embedded: EmbeddedPdfSignature, spec: SignatureValidationSpec, timing: ValidationTimingInfo
) -> Any:
    """The first signature timestamp judged on its own; its status, or None without one.

    For the report only, when the signature failed before its engine looked
    at the timestamp (a revoked signer): the time a timestamp proves tells
    "revoked after signing" from "no proof".
    """
    claimed = claimed_timestamp_time(embedded)
    at = (
        ValidationTimingInfo(claimed, claimed, point_in_time_validation=True)
        if claimed is not None and claimed <= timing.validation_time
        else timing
    )
    result = await _timestamp_token(embedded, _revocation_current_at(spec), at)
    if result is not None and result.ades_subindic is not AdESPassed.OK:
        after = ValidationTimingInfo(timing.validation_time, at.best_signature_time, False)
        result = await _timestamp_token(embedded, _revocation_after_signing(spec), after)
    return result.api_status if result is not None else None


def _tsu_revocable(ts_status: Any) -> bool:
    """Whether a certificate below the trust anchor on the TSU's path declares revocation.

    A TSU the trusted list names itself is an anchor: the list, not a CRL,
    withdraws it. Saves the second look for most timestamps.
    """
    path = getattr(ts_status, "validation_path", None)
    if path is None:
        return True
    return any(any(get_declared_revinfo(cert)) for cert in path.iter_certs(include_root=False))


async def _tsu_revoked_since(
    embedded: EmbeddedPdfSignature, spec: SignatureValidationSpec, timing: ValidationTimingInfo
) -> bool:
    """Whether the file's revocation data says the TSU's certificate has been revoked by now."""
    result = await _timestamp_token(embedded, _revocation_after_signing(spec), timing)
    return result is not None and result.ades_subindic in (
        AdESIndeterminate.REVOKED_NO_POE,
        AdESIndeterminate.REVOKED_CA_NO_POE,
        AdESFailure.REVOKED,
    )


async def _timestamp_token(
    embedded: EmbeddedPdfSignature, spec: SignatureValidationSpec, timing: ValidationTimingInfo
) -> Any:
    token = next(generic_cms.extract_tst_data_iter(embedded.signer_info, signed=False), None)
    if token is None:
        return None
    return await ades_timestamp_validation(
        token,
        spec,
        generic_cms.message_imprint_checker(embedded.signer_info),
        timing_info=timing,
    )


async def _with_time(
    embedded: EmbeddedPdfSignature, spec: SignatureValidationSpec, timing: ValidationTimingInfo
) -> Outcome:
    result = await ades_with_time_validation(
        embedded.signed_data, spec, timing_info=timing, raw_digest=embedded.compute_digest()
    )
    status = result.api_status
    return Outcome(
        "with_time",
        result.ades_subindic,
        status,
        result.best_signature_time,
        getattr(status, "timestamp_validity", None),
    )


async def _basic(
    embedded: EmbeddedPdfSignature, spec: SignatureValidationSpec, timing: ValidationTimingInfo
) -> Outcome:
    result = await ades_basic_validation(
        embedded.signed_data, spec, timing_info=timing, raw_digest=embedded.compute_digest()
    )
    return Outcome("basic", result.ades_subindic, result.api_status)


async def validate_long_term(
    embedded: EmbeddedPdfSignature, spec: SignatureValidationSpec, timing: ValidationTimingInfo
) -> Outcome:
    """PAdES-LTA: the document timestamps after the signature as proof of existence."""
    result = await ades_lta_validation(
        embedded, PdfSignatureValidationSpec(spec, DEFAULT_DIFF_POLICY), timing
    )
    timestamp = result.signature_timestamp_status
    return Outcome(
        "long_term",
        result.ades_subindic,
        result.api_status,
        result.best_signature_time,
        timestamp.api_status if timestamp is not None else None,
    )


async def passes_without_revocation(
    embedded: EmbeddedPdfSignature, spec: SignatureValidationSpec, timing: ValidationTimingInfo
) -> bool:
    """Whether a chain failure was only missing revocation data.

    pyHanko reports "no revocation information" as a general chain failure;
    validating once more without revocation checks tells the two apart. Runs
    only for signatures that already failed.
    """
    relaxed = dataclasses.replace(
        spec,
        cert_validation_policy=dataclasses.replace(
            spec.cert_validation_policy, revinfo_policy=CertRevTrustPolicy(NO_REVOCATION)
        ),
    )
    result = await ades_basic_validation(
        embedded.signed_data, relaxed, timing_info=timing, raw_digest=embedded.compute_digest()
    )
    return result.ades_subindic is AdESPassed.OK


def signature_itself_holds(status: Any) -> bool:
    """Whether a failed with-time validation failed on the timestamp, not the signature."""
    return (
        status is not None
        and status.intact
        and status.valid
        and status.trust_problem_indic is None
        and status.validation_path is not None
    )
