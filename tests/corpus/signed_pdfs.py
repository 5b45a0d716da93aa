"""Signed PDFs for the signature tests, built with pyHanko from the test PKI.

Helpers sign, timestamp, add /DSS revocation data, append pages, fill form
fields and flip signed bytes; the catalogue at the end caches one PDF per
case for the session (the benchmark uses it too).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Sequence
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID
from pikepdf import Array, Dictionary, Name, String
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers, validation
from pyhanko.sign.ades.api import CAdESSignedAttrSpec
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tests.corpus import pdfs
from tests.corpus.pki import NOW, Identity, crl, issue, ocsp_response, test_pki


def document(text: str = "Antrag auf Eintragung in die Handwerksrolle") -> bytes:
    """An unsigned one-page PDF whose text stays readable in the bytes (see :func:`tamper`)."""
    return pdfs._save(pdfs._new_document(text), force_version="1.7", compress_streams=False)


def form_document(amount: str = "100 Euro") -> bytes:
    """A one-page form with one text field, "Betrag", already filled in."""
    pdf = pdfs._new_document("Antrag auf Förderung")
    widget = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=String("Betrag"),
            V=String(amount),
            Rect=Array([72, 600, 300, 620]),
            P=pdf.pages[0].obj,
        )
    )
    pdf.pages[0].obj.Annots = Array([widget])
    pdf.Root.AcroForm = Dictionary(Fields=Array([widget]))
    return pdfs._save(pdf, force_version="1.7", compress_streams=False)


def fill_field(data: bytes, value: str) -> bytes:
    """Change the first form field's value in an incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    reference = writer.root["/AcroForm"]["/Fields"].raw_get(0)
    reference.get_object()[generic.pdf_name("/V")] = generic.TextStringObject(value)
    writer.mark_update(reference)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign(
    data: bytes,
    signer: Identity,
    chain: Sequence[Identity] = (),
    *,
    field: str = "Signatur1",
    timestamp: bool = False,
    timestamp_at: dt.datetime | None = None,
    tsa: Identity | None = None,
    long_term: bool = False,
    validation: tuple[Sequence[bytes], Sequence[bytes]] | None = None,
    content_timestamp: bool = False,
) -> bytes:
    """Sign ``data`` (a PDF) with a PAdES signature as an incremental update.

    ``timestamp`` adds a signature timestamp (B-T); ``long_term`` also the
    validation data and a document timestamp (B-LTA); ``validation`` (OCSP
    answers, CRLs) has pyHanko collect the validation data from them while
    signing and put it into a /DSS update without a document timestamp (B-LT);
    ``content_timestamp`` adds a content timestamp (a signed attribute) as well.
    """
    pki = test_pki()
    out = io.BytesIO()
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    pdf_signer = signers.SimpleSigner(
        signing_cert=signer.asn1_cert,
        signing_key=signer.asn1_key,
        cert_registry=SimpleCertificateStore.from_certs([c.asn1_cert for c in chain]),
    )
    tsa = tsa or pki.tsa
    timestamper = (
        DummyTimeStamper(
            tsa_cert=tsa.asn1_cert,
            tsa_key=tsa.asn1_key,
            certs_to_embed=SimpleCertificateStore.from_certs([tsa.asn1_cert]),
            fixed_dt=timestamp_at,
        )
        if timestamp or long_term or validation or content_timestamp or timestamp_at
        else None
    )
    long_term_options: dict[str, Any] = {}
    if validation is not None:
        long_term_options = {
            "embed_validation_info": True,
            "validation_context": validation_context(*validation),
        }
    if long_term:
        long_term_options = {
            "embed_validation_info": True,
            "use_pades_lta": True,
            "validation_context": ValidationContext(
                trust_roots=[c.asn1_cert for c in chain[-1:]],
                allow_fetching=False,
                revocation_mode="soft-fail",
            ),
        }
    if content_timestamp:
        long_term_options["cades_signed_attr_spec"] = CAdESSignedAttrSpec(timestamp_content=True)
    signers.sign_pdf(
        writer,
        signers.PdfSignatureMetadata(
            field_name=field, subfilter=SigSeedSubFilter.PADES, **long_term_options
        ),
        signer=pdf_signer,
        timestamper=timestamper,
        output=out,
    )
    return out.getvalue()


def add_dss(
    data: bytes,
    *,
    ocsps: Sequence[bytes] = (),
    crls: Sequence[bytes] = (),
    certs: Sequence[Identity] = (),
) -> bytes:
    """Append a /DSS update with revocation data (no /VRI), as a PAdES-LT upgrade does."""
    buffer = io.BytesIO(data)
    DocumentSecurityStore.add_dss(
        buffer,
        sig_contents=None,
        certs=[c.asn1_cert for c in certs],
        ocsps=[asn1_ocsp.OCSPResponse.load(r) for r in ocsps],
        crls=[asn1_crl.CertificateList.load(c) for c in crls],
        force_write=True,
    )
    return buffer.getvalue()


def add_vri_only_dss(
    data: bytes, *, ocsps: Sequence[bytes] = (), crls: Sequence[bytes] = (), junk: bool = False
) -> bytes:
    """Append a /DSS whose revocation data sits only in a /VRI entry, as some producers write.

    ``junk`` also lists an unreadable OCSP stream and CRL stream in the /DSS arrays.
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(data))

    def streams(items: Sequence[bytes]) -> generic.ArrayObject:
        return generic.ArrayObject(
            [writer.add_object(generic.StreamObject(stream_data=item)) for item in items]
        )

    garbage = [b"\x30\x03\x0a\x01\x00", b"not a CRL"] if junk else []
    vri = generic.DictionaryObject(
        {generic.pdf_name("/OCSP"): streams(ocsps), generic.pdf_name("/CRL"): streams(crls)}
    )
    dss = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/DSS"),
            generic.pdf_name("/OCSPs"): streams(garbage[:1]),
            generic.pdf_name("/CRLs"): streams(garbage[1:]),
            generic.pdf_name("/VRI"): generic.DictionaryObject(
                {generic.pdf_name("/" + "A" * 40): writer.add_object(vri)}
            ),
        }
    )
    writer.root[generic.pdf_name("/DSS")] = writer.add_object(dss)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def validation_context(ocsps: Sequence[bytes], crls: Sequence[bytes]) -> ValidationContext:
    """What a signing service knows offline: the test QTSP's anchor and its answers."""
    pki = test_pki()
    return ValidationContext(
        trust_roots=[pki.qualified_ca.asn1_cert],
        other_certs=[pki.ocsp_responder.asn1_cert],
        ocsps=[asn1_ocsp.OCSPResponse.load(r) for r in ocsps],
        crls=[asn1_crl.CertificateList.load(c) for c in crls],
        allow_fetching=False,
        revocation_mode="hard-fail",
    )


def add_validation_info(data: bytes, *, ocsps: Sequence[bytes], crls: Sequence[bytes]) -> bytes:
    """Have pyHanko add the validation data of the last signature and its timestamp, with /VRI."""
    reader = PdfFileReader(io.BytesIO(data))
    out = validation.add_validation_info(
        reader.embedded_signatures[-1], validation_context(ocsps, crls)
    )
    return bytes(out.getvalue())


def add_page(data: bytes, text: str = "Nachtrag: Der Betrag erhöht sich auf 9.999 Euro.") -> bytes:
    """Append a page in an incremental update, as an editor saving "incrementally" would."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    font = writer.add_object(
        generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Font"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
                generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
            }
        )
    )
    content = generic.StreamObject(
        stream_data=b"BT /F1 12 Tf 72 770 Td (" + text.encode("cp1252") + b") Tj ET"
    )
    page = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Page"),
            generic.pdf_name("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (0, 0, 595, 842)]
            ),
            generic.pdf_name("/Resources"): generic.DictionaryObject(
                {
                    generic.pdf_name("/Font"): generic.DictionaryObject(
                        {generic.pdf_name("/F1"): font}
                    )
                }
            ),
            generic.pdf_name("/Contents"): writer.add_object(content),
        }
    )
    writer.insert_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def tamper(data: bytes, old: bytes = b"Handwerksrolle", new: bytes = b"Handwerksrecht") -> bytes:
    """Change signed bytes in place (same length, so offsets stay right)."""
    assert len(old) == len(new)
    assert data.count(old) == 1, "the text to change must occur exactly once"
    return data.replace(old, new)


# --- the catalogue: one cached PDF per case ------------------------------------------


@functools.cache
def qes() -> bytes:
    """A qualified electronic signature (QcCompliance, QcSSCD, QcType esign)."""
    pki = test_pki()
    return sign(document(), pki.qes_signer, [pki.qualified_ca])


@functools.cache
def qes_with_timestamp() -> bytes:
    """A qualified signature with a signature timestamp from the listed QTST (PAdES-B-T)."""
    pki = test_pki()
    return sign(document(), pki.qes_signer, [pki.qualified_ca], timestamp=True)


@functools.cache
def qes_long_term() -> bytes:
    """A qualified signature as PAdES-B-LTA: timestamp, /DSS and a document timestamp."""
    pki = test_pki()
    return sign(document(), pki.qes_signer, [pki.qualified_ca], long_term=True)


@functools.cache
def advanced() -> bytes:
    """A signature under the extra root, no QC statements."""
    pki = test_pki()
    return sign(document(), pki.advanced_signer, [pki.advanced_root])


@functools.cache
def eseal() -> bytes:
    """A qualified electronic seal of a Betrieb."""
    pki = test_pki()
    return sign(document(), pki.eseal, [pki.qualified_ca])


@functools.cache
def qc_without_qscd() -> bytes:
    """A qualified certificate whose key is not confirmed to sit in a QSCD."""
    pki = test_pki()
    return sign(document(), pki.qc_no_qscd_signer, [pki.qualified_ca])


@functools.cache
def unknown_root() -> bytes:
    """QC statements, but under a root nobody trusts."""
    pki = test_pki()
    return sign(document(), pki.unknown_signer, [pki.unknown_root])


@functools.cache
def revoked() -> bytes:
    """Signed with a certificate revoked yesterday, no timestamp; the OCSP answer in the /DSS."""
    pki = test_pki()
    signed = sign(document(), pki.revoked_signer, [pki.qualified_ca])
    answer = ocsp_response(
        pki.revoked_signer, ocsp.OCSPCertStatus.REVOKED, NOW - dt.timedelta(days=1)
    )
    return add_dss(signed, ocsps=[answer])


@functools.cache
def revocation_unknown() -> bytes:
    """The certificate names an OCSP responder; the file carries no answer from it."""
    pki = test_pki()
    return sign(document(), pki.unreachable_status_signer, [pki.qualified_ca])


@functools.cache
def good_status_in_dss() -> bytes:
    """As :func:`revocation_unknown`, with a "good" OCSP answer added in a /DSS update."""
    pki = test_pki()
    answer = ocsp_response(pki.unreachable_status_signer, ocsp.OCSPCertStatus.GOOD)
    return add_dss(revocation_unknown(), ocsps=[answer])


def _timestamped_days_ago(
    status: ocsp.OCSPCertStatus, revoked_at: dt.datetime | None, tsa: Identity | None = None
) -> bytes:
    pki = test_pki()
    signer = pki.unreachable_status_signer
    signed = sign(
        document(), signer, [pki.qualified_ca], timestamp_at=NOW - dt.timedelta(days=10), tsa=tsa
    )
    # Fetched a day after signing and long out of date now, as in an old PAdES-B-LT file.
    answer = ocsp_response(
        signer,
        status,
        revoked_at,
        issued=NOW - dt.timedelta(days=9),
        valid_for=dt.timedelta(days=1),
    )
    return add_dss(signed, ocsps=[answer])


@functools.cache
def old_long_term_good() -> bytes:
    """Timestamped ten days ago; a "good" OCSP answer from the day after, stale today."""
    return _timestamped_days_ago(ocsp.OCSPCertStatus.GOOD, None)


@functools.cache
def revoked_after_timestamp() -> bytes:
    """Timestamped ten days ago; the certificate was revoked five days ago."""
    return _timestamped_days_ago(ocsp.OCSPCertStatus.REVOKED, NOW - dt.timedelta(days=5))


@functools.cache
def backdated_by_an_untrusted_tsa() -> bytes:
    """As :func:`old_long_term_good`, but the timestamp comes from a TSA nobody trusts."""
    forger = issue(
        "Backdating TSA",
        test_pki().unknown_root,
        key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        eku=[ExtendedKeyUsageOID.TIME_STAMPING],
        organization="Nobody",
    )
    return _timestamped_days_ago(ocsp.OCSPCertStatus.GOOD, None, tsa=forger)


@functools.cache
def tampered() -> bytes:
    """A qualified signature whose signed bytes were changed afterwards."""
    return tamper(qes())


@functools.cache
def page_added() -> bytes:
    """A qualified signature, then a page appended by an incremental update."""
    return add_page(qes())


@functools.cache
def field_filled_after_signing() -> bytes:
    """A signed form whose amount was changed in an update after signing."""
    pki = test_pki()
    return fill_field(sign(form_document(), pki.qes_signer, [pki.qualified_ca]), "9999 Euro")


@functools.cache
def countersigned() -> bytes:
    """A qualified signature, then a qualified seal as a second signature."""
    pki = test_pki()
    return sign(qes(), pki.eseal, [pki.qualified_ca], field="Signatur2")


@functools.cache
def second_broken() -> bytes:
    """Two signatures; the second one's signed bytes were changed afterwards."""
    return tamper(countersigned(), b"/T (Signatur2)", b"/T (Signatur9)")


# --- PAdES-B-LT as German QTSPs deliver it: signature timestamp from a listed QTST,
# revocation data for the signer and the time-stamping unit in a /DSS update ------------


def _stamped(signer: Identity, at: dt.datetime | None = None, tsa: Identity | None = None) -> bytes:
    """Signed and timestamped (B-T) by a qualified TSU (default: OCSP and CRL declared)."""
    pki = test_pki()
    return sign(
        document(),
        signer,
        [pki.qualified_ca],
        timestamp=True,
        timestamp_at=at,
        tsa=tsa or pki.qualified_tsa,
    )


def _good(subject: Identity, **kwargs: Any) -> bytes:
    return ocsp_response(subject, ocsp.OCSPCertStatus.GOOD, **kwargs)


def _just_now() -> dt.datetime:
    """After the signature just made: when a service fetches its OCSP answers."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=2)


@functools.cache
def lt_ocsp() -> bytes:
    """B-LT: OCSP answers for signer and TSU fetched after signing, responder certificate too."""
    pki = test_pki()
    signed = _stamped(pki.lt_signer)
    issued = _just_now()
    return add_dss(
        signed,
        ocsps=[_good(pki.lt_signer, issued=issued), _good(pki.qualified_tsa, issued=issued)],
        certs=[pki.ocsp_responder, pki.qualified_ca],
    )


@functools.cache
def lt_crl() -> bytes:
    """B-LT with the CA's CRL only, published the day before signing and current for a week."""
    pki = test_pki()
    return add_dss(_stamped(pki.lt_signer), crls=[crl(issued=NOW - dt.timedelta(days=1))])


@functools.cache
def lt_ocsp_and_crl_with_vri() -> bytes:
    """B-LT upgraded by pyHanko's add_validation_info: OCSP and CRL, with a /VRI entry."""
    pki = test_pki()
    issued = _just_now()
    return add_validation_info(
        _stamped(pki.lt_signer),
        ocsps=[_good(pki.lt_signer, issued=issued), _good(pki.qualified_tsa, issued=issued)],
        crls=[crl(issued=NOW - dt.timedelta(hours=6))],
    )


@functools.cache
def lt_embedded_while_signing() -> bytes:
    """B-LT made in one go: pyHanko signs, timestamps and adds the validation data it collects."""
    pki = test_pki()
    answers = [_good(pki.lt_signer), _good(pki.qualified_tsa)]  # fetched just before signing
    return sign(
        document(),
        pki.lt_signer,
        [pki.qualified_ca],
        tsa=pki.qualified_tsa,
        validation=(answers, [crl()]),
    )


@functools.cache
def lt_old_ocsp() -> bytes:
    """Timestamped ten days ago; OCSP answers from an hour before, current for a day, stale now."""
    pki = test_pki()
    stamped = NOW - dt.timedelta(days=10)
    window = {"issued": stamped - dt.timedelta(hours=1), "valid_for": dt.timedelta(days=1)}
    return add_dss(
        _stamped(pki.lt_signer, stamped),
        ocsps=[_good(pki.lt_signer, **window), _good(pki.qualified_tsa, **window)],
    )


def lt_open_ended_ocsp(before: dt.timedelta) -> bytes:
    """Timestamped ten days ago; OCSP answers without nextUpdate, fetched ``before`` that."""
    pki = test_pki()
    stamped = NOW - dt.timedelta(days=10)
    answers = [
        _good(subject, issued=stamped - before, valid_for=None)
        for subject in (pki.lt_signer, pki.qualified_tsa)
    ]
    return add_dss(_stamped(pki.lt_signer, stamped), ocsps=answers)


@functools.cache
def lt_old_crl() -> bytes:
    """Timestamped ten days ago; the CRL current then (published six hours earlier), stale now."""
    pki = test_pki()
    stamped = NOW - dt.timedelta(days=10)
    return add_dss(
        _stamped(pki.lt_signer, stamped),
        crls=[crl(issued=stamped - dt.timedelta(hours=6), valid_for=dt.timedelta(days=1))],
    )


@functools.cache
def lt_tsu_under_listed_tsa_ca() -> bytes:
    """B-LT whose TSU is not listed itself but its CA is (TSA/QTST); the CA's CRLs in the /DSS."""
    pki = test_pki()
    signed = _stamped(pki.lt_signer, tsa=pki.tsa_under_tsa_ca)
    return add_dss(signed, crls=[crl(), crl(issuer=pki.tsa_ca)])


@functools.cache
def lt_tsu_under_listed_tsa_ca_without_its_crl() -> bytes:
    """As :func:`lt_tsu_under_listed_tsa_ca`, but the TSU's CRL is missing."""
    pki = test_pki()
    return add_dss(_stamped(pki.lt_signer, tsa=pki.tsa_under_tsa_ca), crls=[crl()])


@functools.cache
def lt_tsu_revoked_since() -> bytes:
    """Timestamped ten days ago by a TSU whose certificate was revoked five days ago.

    The /DSS holds the TSA CA's CRL from the day of the timestamp (TSU good)
    and today's (TSU revoked), and a current CRL for the signer.
    """
    pki = test_pki()
    stamped = NOW - dt.timedelta(days=10)
    signed = _stamped(pki.lt_signer, stamped, tsa=pki.tsa_under_tsa_ca)
    then = crl(issuer=pki.tsa_ca, issued=stamped - dt.timedelta(hours=1), number=1)
    now = crl([(pki.tsa_under_tsa_ca, NOW - dt.timedelta(days=5))], issuer=pki.tsa_ca, number=2)
    return add_dss(signed, crls=[then, now, crl()])


@functools.cache
def lt_data_only_in_vri() -> bytes:
    """B-LT whose OCSP answers and CRL are listed only in a /VRI entry, beside broken items."""
    pki = test_pki()
    issued = _just_now()
    return add_vri_only_dss(
        _stamped(pki.lt_signer),
        ocsps=[_good(pki.lt_signer, issued=issued)],
        crls=[crl()],
        junk=True,
    )


@functools.cache
def lt_without_tsu_status() -> bytes:
    """B-LT with an OCSP answer for the signer only; the list names the TSU's own certificate."""
    pki = test_pki()
    return add_dss(_stamped(pki.lt_signer), ocsps=[_good(pki.lt_signer, issued=_just_now())])


# --- revoked signers: only a timestamp proves when the signature was made -------------


@functools.cache
def revoked_timestamped_after_revocation() -> bytes:
    """Revoked yesterday, the signature timestamped today; the OCSP answer in the /DSS."""
    pki = test_pki()
    signed = sign(document(), pki.revoked_signer, [pki.qualified_ca], timestamp=True)
    answer = ocsp_response(
        pki.revoked_signer, ocsp.OCSPCertStatus.REVOKED, NOW - dt.timedelta(days=1)
    )
    return add_dss(signed, ocsps=[answer])


@functools.cache
def revoked_with_content_timestamp_after_revocation() -> bytes:
    """Revoked yesterday; a content timestamp from today, which the signature itself covers."""
    pki = test_pki()
    signed = sign(document(), pki.revoked_signer, [pki.qualified_ca], content_timestamp=True)
    answer = ocsp_response(
        pki.revoked_signer, ocsp.OCSPCertStatus.REVOKED, NOW - dt.timedelta(days=1)
    )
    return add_dss(signed, ocsps=[answer])


@functools.cache
def lt_ocsp_signed_by_the_ca() -> bytes:
    """B-LT whose OCSP answers the CA signed itself (no delegated responder)."""
    pki = test_pki()
    issued = _just_now()
    answers = [
        _good(subject, issued=issued, responder=pki.qualified_ca)
        for subject in (pki.lt_signer, pki.qualified_tsa)
    ]
    return add_dss(_stamped(pki.lt_signer), ocsps=answers)


@functools.cache
def revoked_in_crl_without_timestamp() -> bytes:
    """The CA's CRL lists the signer as revoked yesterday; no timestamp."""
    pki = test_pki()
    signed = sign(document(), pki.lt_signer, [pki.qualified_ca])
    return add_dss(signed, crls=[crl([(pki.lt_signer, NOW - dt.timedelta(days=1))])])


@functools.cache
def revoked_in_crl_after_timestamp() -> bytes:
    """Timestamped ten days ago by the qualified TSU; a current CRL: revoked five days ago."""
    pki = test_pki()
    signed = _stamped(pki.lt_signer, NOW - dt.timedelta(days=10))
    return add_dss(signed, crls=[crl([(pki.lt_signer, NOW - dt.timedelta(days=5))])])


@functools.cache
def revoked_in_crl_before_timestamp() -> bytes:
    """Timestamped now by the qualified TSU; the CRL lists the signer as revoked yesterday."""
    pki = test_pki()
    signed = _stamped(pki.lt_signer)
    return add_dss(signed, crls=[crl([(pki.lt_signer, NOW - dt.timedelta(days=1))])])
