"""Trusted lists (ETSI TS 119 612) for the test PKI, signed with XAdES as the standard requires.

:func:`trusted_list` is a national list naming the test QTSP's qualified CA
(``CA/QC``) and time-stamping unit (``TSA/QTST``), signed by the test scheme
operator; :func:`list_of_lists` is a list of the lists pointing at such
lists. pyHanko reads and verifies both like the EU's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives import serialization
from lxml import etree
from signxml import SignatureMethod
from signxml.xades import XAdESSigner

from tests.corpus.pki import NOW, Identity, TestPKI

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
    ca: Identity | None = None,
    tsa: Identity | None = None,
) -> bytes:
    """A national trusted list (ETSI TS 119 612) naming the test QTSP's CA and TSUs.

    Signed with XAdES (enveloped), as the standard requires, by the scheme
    operator unless ``signer`` says otherwise; ``ca`` and ``tsa`` replace the
    listed services' certificates (``tsa`` both time-stamping units).
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
    _service(
        services, CA_QC, "Test Qualified CA", ca or pki.qualified_ca, (FOR_ESIGNATURES, FOR_ESEALS)
    )
    _service(services, QTST, "Test QTSP Time-Stamping Unit", tsa or pki.tsa)
    if tsa is None:
        _service(services, QTST, "Test QTSP Qualified Time-Stamping Unit", pki.qualified_tsa)
        _service(services, QTST, "Test QTSP Time-Stamping CA", pki.tsa_ca)
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
