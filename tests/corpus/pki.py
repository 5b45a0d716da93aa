"""A test PKI for qualified signatures, built in code at test time (nothing binary committed).

What it mirrors (ETSI EN 319 412): a QTSP with a root, a qualified CA and a
time-stamping unit; signers under the qualified CA with and without
QcCompliance / QcSSCD, an e-seal (QcType eseal), a signer revoked yesterday
and one whose status nobody can tell (an OCSP address on loopback that never
answers); an "advanced" root for ``KAMMERPOST_TRUST_ROOTS``, an unknown
root, and the operators who sign the trusted lists
(:mod:`tests.corpus.trusted_lists`).

EC P-256 keys keep building fast; the TSA has RSA because pyHanko's test
time-stamper signs with PKCS#1 v1.5. Everything is built once per session
(:func:`test_pki`).
"""

from __future__ import annotations

import datetime as dt
import functools
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
from pyhanko.sign.ades import qualified_asn1

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
# An address on loopback where nothing listens: revocation "declared but unreachable".
DEAD_OCSP_URL = "http://127.0.0.1:9/ocsp"
# Where the qualified CA publishes its CRL: also loopback, also silent. Files carry the CRL.
DEAD_CRL_URL = "http://127.0.0.1:9/qualified-ca.crl"
QC_STATEMENTS_OID = x509.ObjectIdentifier("1.3.6.1.5.5.7.1.3")


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


def issue(
    common_name: str,
    issuer: Identity | None,
    *,
    ca: bool = False,
    key: Any = None,
    qc: x509.Extension[Any] | None = None,
    eku: Sequence[x509.ObjectIdentifier] = (),
    ocsp_url: str | None = None,
    ocsp_no_check: bool = False,
    crl_url: str | None = None,
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
    if crl_url is not None:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
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
    # As German QTSPs issue them: OCSP and CRL declared for the signer and for the TSU.
    lt_signer: Identity
    qualified_tsa: Identity  # a time-stamping unit of its own, listed as TSA/QTST
    tsa_ca: Identity  # a CA for time-stamping units only, listed as TSA/QTST by its certificate
    tsa_under_tsa_ca: Identity  # a TSU issued by tsa_ca, not listed itself


@functools.cache
def test_pki() -> TestPKI:
    """Build the PKI once per test session."""
    qtsp_root = issue("Test QTSP Root", None, ca=True, organization="Test QTSP")
    qualified_ca = issue("Test Qualified CA", qtsp_root, ca=True, organization="Test QTSP")
    esign = _qc_statements(compliance=True, sscd=True, qc_type="qct_esign")
    advanced_root = issue("Kammerpost Test Advanced Root", None, ca=True)
    tsa_ca = issue("Test QTSP Time-Stamping CA", qtsp_root, ca=True, organization="Test QTSP")
    unknown_root = issue("Unknown Root", None, ca=True, organization="Nobody")
    return TestPKI(
        qtsp_root=qtsp_root,
        qualified_ca=qualified_ca,
        ocsp_responder=issue(
            "Test QTSP OCSP",
            qualified_ca,
            eku=[ExtendedKeyUsageOID.OCSP_SIGNING],
            ocsp_no_check=True,
            organization="Test QTSP",
        ),
        tsa=issue(
            "Test QTSP Time-Stamping Unit",
            qualified_ca,
            key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
            eku=[ExtendedKeyUsageOID.TIME_STAMPING],
            organization="Test QTSP",
        ),
        scheme_operator=issue("Test Trusted List Scheme Operator", None, organization="Test TLSO"),
        lotl_operator=issue("Test List of the Lists Operator", None, organization="Test LOTL"),
        advanced_root=advanced_root,
        unknown_root=unknown_root,
        qes_signer=issue("Erika Mustermann", qualified_ca, qc=esign),
        qc_no_qscd_signer=issue(
            "Max Mustermann",
            qualified_ca,
            qc=_qc_statements(compliance=True, sscd=False, qc_type="qct_esign"),
        ),
        eseal=issue(
            "Tischlerei Beispiel GmbH",
            qualified_ca,
            qc=_qc_statements(compliance=True, sscd=True, qc_type="qct_eseal"),
        ),
        advanced_signer=issue("Anna Advanced", advanced_root),
        unknown_signer=issue("Uwe Unbekannt", unknown_root, qc=esign),
        revoked_signer=issue("Rolf Widerrufen", qualified_ca, qc=esign, ocsp_url=DEAD_OCSP_URL),
        unreachable_status_signer=issue(
            "Ulla Ungewiss", qualified_ca, qc=esign, ocsp_url=DEAD_OCSP_URL
        ),
        lt_signer=issue(
            "Lena Langzeit", qualified_ca, qc=esign, ocsp_url=DEAD_OCSP_URL, crl_url=DEAD_CRL_URL
        ),
        qualified_tsa=issue(
            "Test QTSP Qualified Time-Stamping Unit",
            qualified_ca,
            key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
            eku=[ExtendedKeyUsageOID.TIME_STAMPING],
            ocsp_url=DEAD_OCSP_URL,
            crl_url=DEAD_CRL_URL,
            organization="Test QTSP",
        ),
        tsa_ca=tsa_ca,
        tsa_under_tsa_ca=issue(
            "Test QTSP Time-Stamping Unit 2",
            tsa_ca,
            key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
            eku=[ExtendedKeyUsageOID.TIME_STAMPING],
            crl_url="http://127.0.0.1:9/tsa-ca.crl",
            organization="Test QTSP",
        ),
    )


def ocsp_response(
    subject: Identity,
    status: ocsp.OCSPCertStatus,
    revoked_at: dt.datetime | None = None,
    *,
    issued: dt.datetime | None = None,
    valid_for: dt.timedelta | None = dt.timedelta(days=7),  # None: no nextUpdate
    reason: x509.ReasonFlags | None = x509.ReasonFlags.key_compromise,
    responder: Identity | None = None,
) -> bytes:
    """An OCSP response about ``subject`` from the qualified CA (default: delegated responder)."""
    issued = issued or NOW - dt.timedelta(minutes=5)
    pki = test_pki()
    responder = responder or pki.ocsp_responder
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=subject.cert,
            issuer=pki.qualified_ca.cert,
            algorithm=hashes.SHA256(),
            cert_status=status,
            this_update=issued,
            next_update=issued + valid_for if valid_for is not None else None,
            revocation_time=revoked_at,
            revocation_reason=reason if revoked_at else None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, responder.cert)
        .certificates([responder.cert])
    )
    response = builder.sign(responder.key, hashes.SHA256())
    return response.public_bytes(serialization.Encoding.DER)


def crl(
    revoked: Sequence[tuple[Identity, dt.datetime]] = (),
    *,
    issuer: Identity | None = None,
    issued: dt.datetime | None = None,
    valid_for: dt.timedelta = dt.timedelta(days=7),
    number: int = 1,
) -> bytes:
    """A CRL of ``issuer`` (default: the qualified CA) listing ``revoked`` (certificate, when)."""
    issuer = issuer or test_pki().qualified_ca
    issued = issued or NOW - dt.timedelta(minutes=5)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(issued)
        .next_update(issued + valid_for)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    )
    for subject, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(subject.cert.serial_number)
            .revocation_date(when)
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
