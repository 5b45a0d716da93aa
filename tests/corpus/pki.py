"""A test PKI for qualified signatures, built in code at test time (nothing binary committed).

What it mirrors (ETSI EN 319 412, TS 119 612):

* a QTSP with a root and a qualified CA; the qualified CA is listed as a
  ``CA/QC`` service in a trusted list, the QTSP's time-stamping unit as a
  ``TSA/QTST`` service;
* the trusted list is an XAdES enveloped XML signature by a test scheme
  operator, whose certificate goes into ``KAMMERPOST_TRUST_LIST_SIGNERS``;
* signers under the qualified CA with and without QcCompliance / QcSSCD, an
  e-seal (QcType eseal), a signer revoked yesterday and one whose status
  nobody can tell (an OCSP address on loopback that never answers);
* an "advanced" root for ``KAMMERPOST_TRUST_ROOTS`` and an unknown root.

EC P-256 keys keep building fast; the TSA has RSA because pyHanko's test
time-stamper signs with PKCS#1 v1.5. Everything is built once per session
(:func:`test_pki`); the signing helpers return the bytes of a PDF.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from lxml import etree
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.ades import qualified_asn1
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from signxml import SignatureMethod
from signxml.xades import XAdESSigner

from tests.corpus import pdfs

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
# An address on loopback where nothing listens: revocation "declared but unreachable".
DEAD_OCSP_URL = "http://127.0.0.1:9/ocsp"
QC_STATEMENTS_OID = x509.ObjectIdentifier("1.3.6.1.5.5.7.1.3")

TSL_NS = "http://uri.etsi.org/02231/v2#"
SIE_NS = "http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#"
ADDITIONAL_NS = "http://uri.etsi.org/02231/v2/additionaltypes#"
LOTL_TYPE = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists"
LOTL_RULE = "http://uri.etsi.org/TrstSvc/TrustedList/schemerules/EUlistofthelists"
TSL_MIME = "application/vnd.etsi.tsl+xml"
CA_QC = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC"
QTST = "http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST"
GRANTED = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted"
FOR_ESIGNATURES = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSignatures"
FOR_ESEALS = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSeals"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Identity:
    """A certificate with its private key, in the forms pyHanko and cryptography want."""

    cert: x509.Certificate
    key: Any  # ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

    @property
    def asn1_cert(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.cert.public_bytes(serialization.Encoding.DER))

    @property
    def asn1_key(self) -> asn1_keys.PrivateKeyInfo:
        return asn1_keys.PrivateKeyInfo.load(
            self.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def _qc_statements(*, compliance: bool, sscd: bool, qc_type: str | None) -> x509.Extension[Any]:
    statements = []
    if compliance:
        statements.append(qualified_asn1.QcStatement({"statement_id": "qc_compliance"}))
    if sscd:
        statements.append(qualified_asn1.QcStatement({"statement_id": "qc_sscd"}))
    if qc_type is not None:
        statements.append(
            qualified_asn1.QcStatement(
                {
                    "statement_id": "qc_type",
                    "statement_info": qualified_asn1.QcCertificateType([qc_type]),
                }
            )
        )
    value = qualified_asn1.QcStatements(statements).dump()
    return x509.Extension(
        QC_STATEMENTS_OID, False, x509.UnrecognizedExtension(QC_STATEMENTS_OID, value)
    )


def _issue(
    common_name: str,
    issuer: Identity | None,
    *,
    ca: bool = False,
    key: Any = None,
    qc: x509.Extension[Any] | None = None,
    eku: Sequence[x509.ObjectIdentifier] = (),
    ocsp_url: str | None = None,
    ocsp_no_check: bool = False,
    organization: str = "Kammerpost Test",
    not_before: dt.datetime | None = None,
) -> Identity:
    key = key or ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    issuer_name = issuer.cert.subject if issuer else name
    signing_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - dt.timedelta(days=30))
        .not_valid_after(NOW + dt.timedelta(days=365 * (10 if ca else 2)))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    usage = dict.fromkeys(
        [
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ],
        False,
    )
    if ca:
        usage.update(key_cert_sign=True, crl_sign=True)
    else:
        usage.update(digital_signature=True, content_commitment=not eku)
    builder = builder.add_extension(x509.KeyUsage(**usage), critical=True)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=True)
    if qc is not None:
        builder = builder.add_extension(qc.value, critical=qc.critical)
    if ocsp_url is not None:
        builder = builder.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier(ocsp_url),
                    )
                ]
            ),
            critical=False,
        )
    if ocsp_no_check:
        builder = builder.add_extension(x509.OCSPNoCheck(), critical=False)
    cert = builder.sign(signing_key, hashes.SHA256())
    return Identity(cert, key)


@dataclass(frozen=True)
class TestPKI:
    """Every identity the signature tests need."""

    qtsp_root: Identity
    qualified_ca: Identity
    ocsp_responder: Identity
    tsa: Identity
    scheme_operator: Identity  # signs the national test list
    lotl_operator: Identity  # signs the test list of the lists
    advanced_root: Identity
    unknown_root: Identity
    qes_signer: Identity  # QcCompliance + QcSSCD + QcType esign
    qc_no_qscd_signer: Identity  # QcCompliance only
    eseal: Identity  # QcCompliance + QcSSCD + QcType eseal
    advanced_signer: Identity  # under advanced_root, no QC statements
    unknown_signer: Identity  # QC statements, but under nobody's root
    revoked_signer: Identity  # qualified, revoked yesterday
    unreachable_status_signer: Identity  # qualified, OCSP declared, no answer anywhere


@functools.cache
def test_pki() -> TestPKI:
    """Build the PKI once per test session."""
    qtsp_root = _issue("Test QTSP Root", None, ca=True, organization="Test QTSP")
    qualified_ca = _issue("Test Qualified CA", qtsp_root, ca=True, organization="Test QTSP")
    esign = _qc_statements(compliance=True, sscd=True, qc_type="qct_esign")
    advanced_root = _issue("Kammerpost Test Advanced Root", None, ca=True)
    unknown_root = _issue("Unknown Root", None, ca=True, organization="Nobody")
    return TestPKI(
        qtsp_root=qtsp_root,
        qualified_ca=qualified_ca,
        ocsp_responder=_issue(
            "Test QTSP OCSP",
            qualified_ca,
            eku=[ExtendedKeyUsageOID.OCSP_SIGNING],
            ocsp_no_check=True,
            organization="Test QTSP",
        ),
        tsa=_issue(
            "Test QTSP Time-Stamping Unit",
            qualified_ca,
            key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
            eku=[ExtendedKeyUsageOID.TIME_STAMPING],
            organization="Test QTSP",
        ),
        scheme_operator=_issue("Test Trusted List Scheme Operator", None, organization="Test TLSO"),
        lotl_operator=_issue("Test List of the Lists Operator", None, organization="Test LOTL"),
        advanced_root=advanced_root,
        unknown_root=unknown_root,
        qes_signer=_issue("Erika Mustermann", qualified_ca, qc=esign),
        qc_no_qscd_signer=_issue(
            "Max Mustermann",
            qualified_ca,
            qc=_qc_statements(compliance=True, sscd=False, qc_type="qct_esign"),
        ),
        eseal=_issue(
            "Tischlerei Beispiel GmbH",
            qualified_ca,
            qc=_qc_statements(compliance=True, sscd=True, qc_type="qct_eseal"),
        ),
        advanced_signer=_issue("Anna Advanced", advanced_root),
        unknown_signer=_issue("Uwe Unbekannt", unknown_root, qc=esign),
        revoked_signer=_issue("Rolf Widerrufen", qualified_ca, qc=esign, ocsp_url=DEAD_OCSP_URL),
        unreachable_status_signer=_issue(
            "Ulla Ungewiss", qualified_ca, qc=esign, ocsp_url=DEAD_OCSP_URL
        ),
    )


# --- trusted lists -------------------------------------------------------------------


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> Any:
    ns, _, local = tag.rpartition(":")
    uri = {"q": SIE_NS, "a": ADDITIONAL_NS, "": TSL_NS}[ns]
    element = etree.SubElement(parent, f"{{{uri}}}{local}", attrib)
    if text is not None:
        element.text = text
    return element


def _names(parent: etree._Element, tag: str, text: str) -> None:
    names = _el(parent, tag)
    _el(names, "Name", text, **{_XML_LANG: "en"})


def _xml_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _service(
    services: etree._Element,
    service_type: str,
    name: str,
    identity: Identity,
    cert_type_uris: Sequence[str] = (),
) -> None:
    info = _el(_el(services, "TSPService"), "ServiceInformation")
    _el(info, "ServiceTypeIdentifier", service_type)
    _names(info, "ServiceName", name)
    digital_id = _el(_el(info, "ServiceDigitalIdentity"), "DigitalId")
    _el(digital_id, "X509Certificate", _b64(identity.cert.public_bytes(serialization.Encoding.DER)))
    _el(info, "ServiceStatus", GRANTED)
    _el(info, "StatusStartingTime", _xml_time(NOW - dt.timedelta(days=365)))
    if cert_type_uris:
        # The service issues qualified certificates for these uses (TS 119 612, 5.5.9.4).
        extensions = _el(info, "ServiceInformationExtensions")
        for uri in cert_type_uris:
            extension = _el(extensions, "Extension", Critical="false")
            additional = _el(extension, "AdditionalServiceInformation")
            _el(additional, "URI", uri, **{_XML_LANG: "en"})


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def _scheme(
    root: etree._Element, *, territory: str, sequence: int, tsl_type: str, issued: dt.datetime
) -> Any:
    scheme = _el(root, "SchemeInformation")
    _el(scheme, "TSLVersionIdentifier", "5")
    _el(scheme, "TSLSequenceNumber", str(sequence))
    _el(scheme, "TSLType", tsl_type)
    _names(scheme, "SchemeOperatorName", "Kammerpost Test Scheme Operator")
    _names(scheme, "SchemeName", f"{territory}: Trusted list for tests")
    _el(
        _el(scheme, "SchemeInformationURI"),
        "URI",
        "https://example.invalid/tl",
        **{_XML_LANG: "en"},
    )
    _el(scheme, "SchemeTerritory", territory)
    return scheme


def _finish(scheme: etree._Element, issued: dt.datetime) -> None:
    _el(scheme, "ListIssueDateTime", _xml_time(issued))
    _el(_el(scheme, "NextUpdate"), "dateTime", _xml_time(issued + dt.timedelta(days=180)))


def _sign_list(root: etree._Element, signer: Identity) -> bytes:
    signed = XAdESSigner(signature_algorithm=SignatureMethod.ECDSA_SHA256).sign(
        root, key=signer.key, cert=[signer.cert]
    )
    return bytes(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))


def _list_root() -> Any:
    return etree.Element(
        f"{{{TSL_NS}}}TrustServiceStatusList",
        nsmap={None: TSL_NS},
        TSLTag="http://uri.etsi.org/19612/TSLTag",
        Id="tsl",
    )


def trusted_list(
    pki: TestPKI,
    *,
    territory: str = "ZZ",
    sequence: int = 7,
    signer: Identity | None = None,
    issued: dt.datetime | None = None,
) -> bytes:
    """A national trusted list (ETSI TS 119 612) naming the test QTSP's CA and TSA.

    Signed with XAdES (enveloped), as the standard requires, by the scheme
    operator unless ``signer`` says otherwise.
    """
    issued = issued or NOW - dt.timedelta(days=1)
    root = _list_root()
    scheme = _scheme(
        root,
        territory=territory,
        sequence=sequence,
        tsl_type="http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric",
        issued=issued,
    )
    _finish(scheme, issued)
    provider = _el(_el(root, "TrustServiceProviderList"), "TrustServiceProvider")
    _names(_el(provider, "TSPInformation"), "TSPName", "Test QTSP")
    services = _el(provider, "TSPServices")
    _service(services, CA_QC, "Test Qualified CA", pki.qualified_ca, (FOR_ESIGNATURES, FOR_ESEALS))
    _service(services, QTST, "Test QTSP Time-Stamping Unit", pki.tsa)
    return _sign_list(root, signer or pki.scheme_operator)


def list_of_lists(pki: TestPKI, pointers: Sequence[tuple[str, str, Identity]]) -> bytes:
    """A list of the lists pointing at national lists: (territory, address, list signer)."""
    issued = NOW - dt.timedelta(days=1)
    root = _list_root()
    scheme = _scheme(root, territory="EU", sequence=300, tsl_type=LOTL_TYPE, issued=issued)
    rules = _el(scheme, "SchemeTypeCommunityRules")
    _el(rules, "URI", LOTL_RULE, **{_XML_LANG: "en"})
    others = _el(scheme, "PointersToOtherTSL")
    for territory, location, list_signer in pointers:
        pointer = _el(others, "OtherTSLPointer")
        identities = _el(pointer, "ServiceDigitalIdentities")
        digital_id = _el(_el(identities, "ServiceDigitalIdentity"), "DigitalId")
        _el(
            digital_id,
            "X509Certificate",
            _b64(list_signer.cert.public_bytes(serialization.Encoding.DER)),
        )
        _el(pointer, "TSLLocation", location)
        info = _el(_el(pointer, "AdditionalInformation"), "OtherInformation")
        _el(info, "SchemeTerritory", territory)
        info = _el(pointer.find(f"{{{TSL_NS}}}AdditionalInformation"), "OtherInformation")
        _el(info, "a:MimeType", TSL_MIME)
    _finish(scheme, issued)
    return _sign_list(root, pki.lotl_operator)


# --- signed PDFs ---------------------------------------------------------------------


def document(text: str = "Antrag auf Eintragung in die Handwerksrolle") -> bytes:
    """An unsigned one-page PDF whose text stays readable in the bytes (see :func:`tamper`)."""
    return pdfs._save(pdfs._new_document(text), force_version="1.7", compress_streams=False)


def sign(
    data: bytes,
    signer: Identity,
    chain: Sequence[Identity] = (),
    *,
    field: str = "Signatur1",
    timestamp: bool = False,
    long_term: bool = False,
) -> bytes:
    """Sign ``data`` (a PDF) with a PAdES signature as an incremental update.

    ``timestamp`` adds a signature timestamp (B-T); ``long_term`` also the
    validation data and a document timestamp (B-LTA).
    """
    pki = test_pki()
    out = io.BytesIO()
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    pdf_signer = signers.SimpleSigner(
        signing_cert=signer.asn1_cert,
        signing_key=signer.asn1_key,
        cert_registry=SimpleCertificateStore.from_certs([c.asn1_cert for c in chain]),
    )
    timestamper = (
        DummyTimeStamper(
            tsa_cert=pki.tsa.asn1_cert,
            tsa_key=pki.tsa.asn1_key,
            certs_to_embed=SimpleCertificateStore.from_certs([pki.tsa.asn1_cert]),
        )
        if timestamp or long_term
        else None
    )
    long_term_options: dict[str, Any] = {}
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


def ocsp_response(
    subject: Identity, status: ocsp.OCSPCertStatus, revoked_at: dt.datetime | None = None
) -> bytes:
    """An OCSP response about ``subject`` from the qualified CA's delegated responder."""
    pki = test_pki()
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=subject.cert,
            issuer=pki.qualified_ca.cert,
            algorithm=hashes.SHA256(),
            cert_status=status,
            this_update=NOW - dt.timedelta(minutes=5),
            next_update=NOW + dt.timedelta(days=7),
            revocation_time=revoked_at,
            revocation_reason=x509.ReasonFlags.key_compromise if revoked_at else None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, pki.ocsp_responder.cert)
        .certificates([pki.ocsp_responder.cert])
    )
    response = builder.sign(pki.ocsp_responder.key, hashes.SHA256())
    return response.public_bytes(serialization.Encoding.DER)


def add_dss(data: bytes, *, ocsps: Sequence[bytes] = (), certs: Sequence[Identity] = ()) -> bytes:
    """Append a /DSS update with revocation data, as a PAdES-LT upgrade does."""
    from asn1crypto import ocsp as asn1_ocsp

    buffer = io.BytesIO(data)
    DocumentSecurityStore.add_dss(
        buffer,
        sig_contents=None,
        certs=[c.asn1_cert for c in certs],
        ocsps=[asn1_ocsp.OCSPResponse.load(r) for r in ocsps],
        force_write=True,
    )
    return buffer.getvalue()


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
    """Signed with a certificate revoked yesterday; the OCSP answer sits in the /DSS."""
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


@functools.cache
def tampered() -> bytes:
    """A qualified signature whose signed bytes were changed afterwards."""
    return tamper(qes())


@functools.cache
def page_added() -> bytes:
    """A qualified signature, then a page appended by an incremental update."""
    return add_page(qes())


@functools.cache
def countersigned() -> bytes:
    """A qualified signature, then a qualified seal as a second signature."""
    pki = test_pki()
    return sign(qes(), pki.eseal, [pki.qualified_ca], field="Signatur2")


@functools.cache
def second_broken() -> bytes:
    """Two signatures; the second one's signed bytes were changed afterwards."""
    return tamper(countersigned(), b"/T (Signatur2)", b"/T (Signatur9)")
