"""Trusted-list files (ETSI TS 119 612): what they say, and whether their signature holds.

Two steps with very different costs. :func:`scan_list` reads a file's scheme
information and the subject names of the certificates its services name:
one C-speed XML parse, milliseconds per megabyte. :func:`load_national_list`
verifies the XAdES signature and has pyHanko turn the services into
qualified-service definitions: about a second per megabyte, which is why
:mod:`.trust` does it only for the lists a signature's chain actually
reaches. What the scan finds decides nothing about trust: it only says which
list to verify next.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from asn1crypto import x509  # type: ignore[import-untyped]
from defusedxml import ElementTree
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.qualified import eutl_parse
from pyhanko.sign.validation.qualified.tsp import (
    CAServiceInformation,
    QTSTServiceInformation,
    QualifiedServiceInformation,
    TSPRegistry,
)

_TSL: Final = "{http://uri.etsi.org/02231/v2#}"
_LOTL_SUFFIX: Final = "EUlistofthelists"
# A national list is a few MB, the whole EU set well under 100 MB. More is not a list.
MAX_LIST_BYTES: Final = 64 * 1024 * 1024

type Certificate = Any  # asn1crypto.x509.Certificate (asn1crypto ships no type hints)


@dataclass(frozen=True, slots=True)
class ListStatus:
    """One trusted-list file: its scheme information and whether it counts."""

    file: str
    kind: str  # "lotl" (list of the lists), "national" or "unknown"
    territory: str | None
    sequence: int | None
    issued: dt.datetime | None
    next_update: dt.datetime | None
    verified: bool = False
    loaded: bool = False  # False: not needed by any signature in this process yet
    qualified_services: int = 0
    refused: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def expired(self) -> bool:
        return self.next_update is not None and self.next_update < dt.datetime.now(dt.UTC)

    def as_dict(self) -> dict[str, Any]:
        """The status as JSON-ready values."""
        return {
            "file": self.file,
            "kind": self.kind,
            "territory": self.territory,
            "sequence": self.sequence,
            "issued": _iso(self.issued),
            "next_update": _iso(self.next_update),
            "expired": self.expired,
            "verified": self.verified,
            "loaded": self.loaded,
            "qualified_services": self.qualified_services,
            "refused": self.refused,
            "warnings": list(self.warnings),
        }


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


@dataclass(frozen=True, slots=True)
class ListFile:
    """A scanned list file: its status so far and the certificate names it mentions."""

    path: Path
    status: ListStatus
    names: frozenset[Any] = frozenset()  # asn1crypto Name.hashable of service certificates


def parse_datetime(text: str | None) -> dt.datetime | None:
    """An xsd:dateTime as an aware datetime (UTC if it names no zone); None if unreadable."""
    if not text:
        return None
    with contextlib.suppress(ValueError):
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return None


def _unknown(path: Path, refused: str) -> ListStatus:
    return ListStatus(path.name, "unknown", None, None, None, None, loaded=True, refused=refused)


def scan_list(path: Path) -> ListFile:
    """Read a list's scheme information and the subjects of its service certificates.

    Parsed with defusedxml: entity tricks in a list file must not reach us
    before its signature is checked. Never raises; an unreadable file comes
    back refused.
    """
    try:
        if path.stat().st_size > MAX_LIST_BYTES:
            raise ValueError("too large for a trusted list")
        root = ElementTree.fromstring(path.read_bytes())
    except (OSError, ValueError, ElementTree.ParseError) as exc:
        return ListFile(
            path,
            ListStatus(path.name, "unknown", None, None, None, None, refused=f"unreadable: {exc}"),
        )
    info = root.find(f"{_TSL}SchemeInformation")
    if info is None:
        status = ListStatus(
            path.name, "unknown", None, None, None, None, refused="not a trusted list"
        )
        return ListFile(path, status)
    tsl_type = (info.findtext(f"{_TSL}TSLType") or "").strip()
    rules = [(u.text or "").strip() for u in info.iterfind(f"{_TSL}SchemeTypeCommunityRules/*")]
    lotl = tsl_type.endswith(_LOTL_SUFFIX) or any(r.endswith(_LOTL_SUFFIX) for r in rules)
    sequence = (info.findtext(f"{_TSL}TSLSequenceNumber") or "").strip()
    status = ListStatus(
        file=path.name,
        kind="lotl" if lotl else "national",
        territory=(info.findtext(f"{_TSL}SchemeTerritory") or "").strip().upper() or None,
        sequence=int(sequence) if sequence.isdigit() else None,
        issued=parse_datetime(info.findtext(f"{_TSL}ListIssueDateTime")),
        next_update=parse_datetime(info.findtext(f"{_TSL}NextUpdate/{_TSL}dateTime")),
    )
    names = set()
    providers = root.find(f"{_TSL}TrustServiceProviderList")
    for element in providers.iter(f"{_TSL}X509Certificate") if providers is not None else ():
        with contextlib.suppress(ValueError, binascii.Error, TypeError):
            der = base64.b64decode("".join((element.text or "").split()), validate=True)
            names.add(x509.Certificate.load(der).subject.hashable)
    return ListFile(path, status, frozenset(names))


def load_lotl(
    entry: ListFile, signers: list[Certificate], by_territory: dict[str, list[Certificate]]
) -> ListStatus:
    """Verify a list of the lists; record the list signers it names per territory."""
    try:
        lotl = eutl_parse.validate_and_parse_lotl(_text(entry.path), signers)
    except SignatureValidationError as exc:
        return replace(entry.status, loaded=True, refused=_not_verified(exc))
    except Exception as exc:  # noqa: BLE001 - a list we cannot parse is refused, not fatal
        return replace(entry.status, loaded=True, refused=f"unreadable: {type(exc).__name__}")
    for ref in lotl.references:
        if eutl_parse.LOTL_RULE not in ref.scheme_rules:
            by_territory.setdefault(ref.territory.upper(), []).extend(ref.tlso_certs)
    warnings = tuple(str(e) for e in lotl.errors)
    return replace(entry.status, verified=True, loaded=True, warnings=warnings)


def load_national_list(
    entry: ListFile, candidates: list[Certificate], into: TSPRegistry
) -> ListStatus:
    """Verify a national list against ``candidates``; add its services to ``into``.

    A list that does not verify adds nothing: it is parsed into a registry of
    its own first and merged only once it is whole.
    """
    if not candidates:
        return replace(
            entry.status, loaded=True, refused="no trusted signer for this list is configured"
        )
    try:
        own, errors = eutl_parse.trust_list_to_registry(_text(entry.path), candidates)
    except SignatureValidationError as exc:
        return replace(entry.status, loaded=True, refused=_not_verified(exc))
    except Exception as exc:  # noqa: BLE001 - a list we cannot parse is refused, not fatal
        return replace(entry.status, loaded=True, refused=f"unreadable: {type(exc).__name__}")
    services = _services(own)
    for service in services:
        if isinstance(service, CAServiceInformation):
            into.register_ca(service)
        elif isinstance(service, QTSTServiceInformation):
            into.register_tst(service)
    return replace(
        entry.status,
        verified=True,
        loaded=True,
        qualified_services=len(services),
        warnings=tuple(str(e) for e in errors),
    )


def _text(path: Path) -> str:
    return path.read_bytes()[: MAX_LIST_BYTES + 1].decode("utf-8", errors="replace")


def _not_verified(exc: SignatureValidationError) -> str:
    detail = str(exc.failure_message).splitlines()[0]
    return f"signature does not verify against a trusted list signer: {detail}"


def _services(registry: TSPRegistry) -> set[QualifiedServiceInformation]:
    authorities = [*registry.known_certificate_authorities, *registry.known_timestamp_authorities]
    return {
        service
        for authority in authorities
        for service in registry.applicable_service_definitions(authority, None)
    }
