"""Signatures of the mail itself: S/MIME verified, PGP/MIME recognised (policy.md 2.2).

A signature part is never a document and never a reason to refuse; the
clerk sees what it proves. S/MIME is checked with pyHanko's generic CMS
validator (``pyhanko.sign.validation.generic_cms``) and its certificate
path validator (pyhanko-certvalidator): the project already relies on both
for PDF signatures, they are maintained, and they do the whole job -
message digest over the signed bytes, the signed attributes, the signature
value, the path to a trust anchor, validity periods, key usage.
cryptography's ``pkcs7`` module only signs and loads certificates, it does
not verify, and asn1crypto alone would leave the path validation to us.
pyHanko is imported only when a mail is S/MIME signed (it costs ~0.2 s).

The trust store is a directory of CA certificates (PEM or DER) that the
operator names (``KAMMERPOST_MAIL_SMIME_TRUST_DIR``); no network is used.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

# (German, English) why a signature could not be checked or is not valid.
SIGNATURE_REASONS: Final[dict[str, tuple[str, str]]] = {
    "no_trust_store": ("keine Vertrauensanker eingerichtet", "no trust anchors configured"),
    "untrusted": (
        "Zertifikat nicht von einer vertrauenswürdigen Stelle",
        "certificate not from a trusted authority",
    ),
    "expired": (
        "Zertifikat abgelaufen oder noch nicht gültig",
        "certificate expired or not yet valid",
    ),
    "address": (
        "Zertifikat gehört nicht zur Absenderadresse",
        "certificate does not belong to the sender address",
    ),
    "broken": (
        "Signatur passt nicht zum Inhalt (verändert)",
        "signature does not match the content (altered)",
    ),
    "unreadable": ("Signatur nicht lesbar", "signature unreadable"),
    "pgp": ("PGP wird nicht geprüft", "PGP is not verified"),
}
_PEM_BEGIN: Final = b"-----BEGIN CERTIFICATE-----"
_PEM_END: Final = b"-----END CERTIFICATE-----"


@dataclass(frozen=True, slots=True)
class MailSignature:
    """What a signature of the mail proves; ``status``: valid, unverifiable, invalid, unchecked."""

    kind: str  # "smime" or "pgp"
    status: str
    signer: str = ""  # the certificate's e-mail address(es), for the badge
    reason: str = ""  # a key of SIGNATURE_REASONS, "" when valid
    signer_matches_from: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MailSignature:
        return cls(
            kind=str(data.get("kind", "")),
            status=str(data.get("status", "")),
            signer=str(data.get("signer", ""))[:254],
            reason=str(data.get("reason", "")) if data.get("reason") in SIGNATURE_REASONS else "",
            signer_matches_from=bool(data.get("signer_matches_from")),
        )


def pgp_signature() -> MailSignature:
    return MailSignature(kind="pgp", status="unchecked", reason="pgp")


def _trust_roots(directory: str) -> list[Any]:
    from asn1crypto import pem, x509  # type: ignore[import-untyped]  # noqa: PLC0415

    roots = []
    for path in sorted(Path(directory).iterdir()):
        if not path.is_file():
            continue
        data = path.read_bytes()
        blobs = (
            [der for _, _, der in pem.unarmor(data, multiple=True)]
            if _PEM_BEGIN in data and _PEM_END in data
            else [data]
        )
        for der in blobs:
            try:
                certificate = x509.Certificate.load(der)
                certificate.native  # noqa: B018 - parses now, so garbage is skipped here
            except ValueError:
                continue
            roots.append(certificate)
    return roots


def _addresses(certificate: Any) -> list[str]:
    found: list[str] = []
    try:
        names = certificate.subject_alt_name_value
        for name in names or []:
            if name.name == "rfc822_name":
                found.append(str(name.native).lower())
        email = certificate.subject.native.get("email_address")
        if email:
            found.extend(str(e).lower() for e in (email if isinstance(email, list) else [email]))
    except (ValueError, TypeError, KeyError):
        return found
    return list(dict.fromkeys(found))


def smime_verify(
    signature: bytes | None,
    content: bytes | Any,
    *,
    from_address: str,
    trust_dir: str | None,
    now: datetime | None = None,
) -> MailSignature:
    """Verify a CMS signed-data structure: detached over ``content``, or opaque (content None).

    ``signature`` is the DER of the ContentInfo (detached form) or None when
    ``content`` is the already loaded SignedData of the opaque form. Never
    raises: whatever a hostile structure makes the libraries do, the mail is
    still read, and its signature is "invalid (unreadable)".
    """
    try:
        return _verify(signature, content, from_address=from_address, trust_dir=trust_dir, now=now)
    except Exception:  # noqa: BLE001 - asn1crypto and pyHanko raise many kinds on garbage
        return MailSignature("smime", "invalid", reason="unreadable")


def _verify(
    signature: bytes | None,
    content: bytes | Any,
    *,
    from_address: str,
    trust_dir: str | None,
    now: datetime | None,
) -> MailSignature:
    from asn1crypto import cms  # noqa: PLC0415

    try:
        if signature is not None:
            info = cms.ContentInfo.load(signature)
            if info["content_type"].native != "signed_data":
                return MailSignature("smime", "invalid", reason="unreadable")
            signed_data = info["content"]
            data: Any = content
        else:
            signed_data = content
            data = None
        signer_cert = _signer_certificate(signed_data)
    except (ValueError, TypeError, KeyError, IndexError):
        return MailSignature("smime", "invalid", reason="unreadable")
    addresses = _addresses(signer_cert) if signer_cert is not None else []
    matches = from_address.lower() in addresses
    signer = ", ".join(addresses)[:254]
    try:
        intact, trusted = asyncio.run(_validate(data, signed_data, trust_dir))
    except Exception:  # noqa: BLE001 - a hostile structure is a broken signature, not a crash
        return MailSignature("smime", "invalid", signer=signer, reason="unreadable")
    if not intact:
        return MailSignature("smime", "invalid", signer=signer, reason="broken")
    moment = now or datetime.now(UTC)
    if signer_cert is not None and not (
        signer_cert["tbs_certificate"]["validity"]["not_before"].native
        <= moment
        <= signer_cert["tbs_certificate"]["validity"]["not_after"].native
    ):
        return MailSignature("smime", "unverifiable", signer=signer, reason="expired")
    if not trust_dir:
        return MailSignature("smime", "unverifiable", signer=signer, reason="no_trust_store")
    if not trusted:
        return MailSignature("smime", "unverifiable", signer=signer, reason="untrusted")
    if not matches:
        return MailSignature("smime", "invalid", signer=signer, reason="address")
    return MailSignature("smime", "valid", signer=signer, signer_matches_from=True)


def _signer_certificate(signed_data: Any) -> Any:
    from pyhanko.sign.general import extract_certificate_info  # noqa: PLC0415 - signed mail only

    return extract_certificate_info(signed_data).signer_cert


async def _validate(data: Any, signed_data: Any, trust_dir: str | None) -> tuple[bool, bool]:
    """(the signature value and digest are right, the signer chains to our trust anchors)."""
    from pyhanko.sign.validation.generic_cms import (  # noqa: PLC0415 - only for signed mail
        async_validate_cms_signature,
        async_validate_detached_cms,
    )
    from pyhanko.sign.validation.settings import KeyUsageConstraints  # noqa: PLC0415
    from pyhanko_certvalidator import ValidationContext  # noqa: PLC0415

    roots = _trust_roots(trust_dir) if trust_dir and Path(trust_dir).is_dir() else []
    context = ValidationContext(
        trust_roots=roots,
        allow_fetching=False,  # no network: the trust store is the operator's decision
        revocation_mode="soft-fail",
    )
    # S/MIME certificates carry digitalSignature (RFC 8550 4.4.2); either bit suffices.
    usage = KeyUsageConstraints(
        key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
    )
    if data is None:  # opaque: the signed content is encapsulated
        status: Any = await async_validate_cms_signature(
            signed_data, validation_context=context, key_usage_settings=usage
        )
    else:
        status = await async_validate_detached_cms(
            data, signed_data, signer_validation_context=context, key_usage_settings=usage
        )
    return bool(status.intact and status.valid), bool(status.trusted) and bool(roots)


__all__ = ["SIGNATURE_REASONS", "MailSignature", "pgp_signature", "smime_verify"]
