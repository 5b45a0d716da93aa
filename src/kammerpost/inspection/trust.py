"""Whom signatures are checked against: EU trusted lists plus locally configured roots.

Three directories, each from the environment with an embedded default:

``KAMMERPOST_TRUST_LISTS``
    ETSI TS 119 612 trusted lists (``*.xml``): the EU list of the lists (LOTL)
    and national lists. Default ``<var dir>/trust/lists``. ``kammerpost
    trust refresh`` writes here.
``KAMMERPOST_TRUST_LIST_SIGNERS``
    PEM certificates trusted to sign such lists. Default: the LOTL signing
    certificates pyHanko ships. A national list is also accepted when it
    verifies against a certificate that a verified LOTL names for its
    territory: that is how the EU hands trust down to the member states.
``KAMMERPOST_TRUST_ROOTS``
    extra PEM anchors, trusted for signatures but never making one qualified.

A list whose XAdES signature does not verify is refused, and ``kammerpost
trust status`` says why. What is loaded is cached per process and reloaded
when a file in the directories changes, so a long-lived parser worker picks
up a refresh without a restart.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import threading
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from defusedxml import ElementTree
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.qualified import eutl_parse
from pyhanko.sign.validation.qualified.tsp import (
    CAServiceInformation,
    QTSTServiceInformation,
    QualifiedServiceInformation,
    TSPRegistry,
    TSPTrustManager,
)
from pyhanko_certvalidator.authority import Authority, TrustAnchor
from pyhanko_certvalidator.registry import SimpleTrustManager

_TSL: Final = "{http://uri.etsi.org/02231/v2#}"
_LOTL_TYPE_SUFFIX: Final = "EUlistofthelists"
# A national list is a few MB; the whole EU set is under 100 MB. More is not a list.
_MAX_LIST_BYTES: Final = 64 * 1024 * 1024
_CERT_SUFFIXES: Final = (".pem", ".crt", ".cer", ".der")
MANIFEST: Final = "snapshot.json"

type Certificate = Any  # asn1crypto.x509.Certificate (asn1crypto ships no type hints)


def var_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """The state directory, computed as ``kammerpost.settings`` does (without Django)."""
    default = Path(__file__).resolve().parents[3] / "var"
    return Path(environ.get("KAMMERPOST_VAR_DIR", default)).resolve()


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _optional_dir(value: str | None) -> Path | None:
    return Path(value).resolve() if value and value.strip() else None


@dataclass(frozen=True, slots=True)
class TrustConfig:
    """Where trust comes from; ``None`` directories mean the embedded default."""

    lists_dir: Path
    signers_dir: Path | None = None
    roots_dir: Path | None = None
    online: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> TrustConfig:
        """Read ``KAMMERPOST_TRUST_*`` (see the README's configuration table)."""
        lists = _optional_dir(environ.get("KAMMERPOST_TRUST_LISTS"))
        return cls(
            lists_dir=lists or var_dir(environ) / "trust" / "lists",
            signers_dir=_optional_dir(environ.get("KAMMERPOST_TRUST_LIST_SIGNERS")),
            roots_dir=_optional_dir(environ.get("KAMMERPOST_TRUST_ROOTS")),
            # Off by default: revocation look-ups tell a CA which documents we see.
            online=_flag(environ.get("KAMMERPOST_TRUST_ONLINE")),
        )


@dataclass(frozen=True, slots=True)
class ListStatus:
    """One trusted-list file as loaded: its scheme information and whether it counts."""

    file: str
    kind: str  # "lotl" (list of the lists) or "national"
    territory: str | None
    sequence: int | None
    issued: dt.datetime | None
    next_update: dt.datetime | None
    verified: bool
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
            "qualified_services": self.qualified_services,
            "refused": self.refused,
            "warnings": list(self.warnings),
        }


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


class ListsAndRootsTrustManager(TSPTrustManager):
    """Trusted-list services plus extra roots, as one trust manager.

    pyHanko assesses qualification only when the trust manager is a
    :class:`TSPTrustManager`; the extra roots sit beside the registry and
    never appear in it, so a chain to them can be trusted but never qualified.
    """

    def __init__(self, registry: TSPRegistry, extra_roots: tuple[Certificate, ...]) -> None:
        super().__init__(registry)
        self.extra_roots = SimpleTrustManager.build(trust_roots=list(extra_roots))
        # The EU lists name thousands of CAs; pyHanko's manager tries each of them
        # for every certificate. An index by subject name makes that one look-up.
        self._by_name: dict[Any, list[Authority]] = {}
        for authority in registry.known_certificate_authorities:
            self._by_name.setdefault(authority.name.hashable, []).append(authority)

    def as_trust_anchor(self, authority: Authority) -> TrustAnchor | None:
        anchor = super().as_trust_anchor(authority)
        return anchor if anchor is not None else self.extra_roots.as_trust_anchor(authority)

    def find_potential_issuers(self, cert: Certificate) -> Generator[TrustAnchor, None, None]:
        for authority in self._by_name.get(cert.issuer.hashable, ()):
            anchor = super().as_trust_anchor(authority)
            if anchor is not None and authority.is_potential_issuer_of(cert):
                yield anchor
        yield from self.extra_roots.find_potential_issuers(cert)


@dataclass(frozen=True, slots=True)
class TrustStore:
    """Everything loaded for one :class:`TrustConfig`."""

    config: TrustConfig
    registry: TSPRegistry
    trust_manager: ListsAndRootsTrustManager
    lists: tuple[ListStatus, ...]
    extra_roots: int = 0
    problems: tuple[str, ...] = ()  # unreadable certificate files
    loaded_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def _certificate_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix.lower() in _CERT_SUFFIXES)


def _load_certificates(directory: Path | None, problems: list[str]) -> list[Certificate]:
    if directory is None or not directory.is_dir():
        if directory is not None:
            problems.append(f"{directory}: not a directory")
        return []
    certs: list[Certificate] = []
    for path in _certificate_files(directory):
        try:
            certs.extend(load_certs_from_pemder_data(path.read_bytes()))
        except (OSError, ValueError) as exc:
            problems.append(f"{path.name}: {exc}")
    return certs


def list_signers(config: TrustConfig, problems: list[str]) -> list[Certificate]:
    """The certificates trusted to sign lists: configured, or pyHanko's LOTL signers."""
    if config.signers_dir is None:
        return list(eutl_parse.latest_known_lotl_tlso_certs())
    return _load_certificates(config.signers_dir, problems)


@dataclass(slots=True)
class _Scheme:
    kind: str = "national"
    territory: str | None = None
    sequence: int | None = None
    issued: dt.datetime | None = None
    next_update: dt.datetime | None = None


def _datetime(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    with contextlib.suppress(ValueError):
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return None


def read_scheme(xml: bytes) -> _Scheme:
    """The scheme information of a trusted list, for display (trust comes from pyHanko).

    Parsed with defusedxml: entity tricks in a list file must not reach us
    even before its signature is checked.
    """
    root = ElementTree.fromstring(xml)
    info = root.find(f"{_TSL}SchemeInformation")
    scheme = _Scheme()
    if info is None:
        return scheme
    tsl_type = (info.findtext(f"{_TSL}TSLType") or "").strip()
    rules = [(uri.text or "").strip() for uri in info.iterfind(f"{_TSL}SchemeTypeCommunityRules/*")]
    if tsl_type.endswith(_LOTL_TYPE_SUFFIX) or any(r.endswith(_LOTL_TYPE_SUFFIX) for r in rules):
        scheme.kind = "lotl"
    territory = (info.findtext(f"{_TSL}SchemeTerritory") or "").strip()
    scheme.territory = territory or None
    sequence = (info.findtext(f"{_TSL}TSLSequenceNumber") or "").strip()
    scheme.sequence = int(sequence) if sequence.isdigit() else None
    scheme.issued = _datetime(info.findtext(f"{_TSL}ListIssueDateTime"))
    scheme.next_update = _datetime(info.findtext(f"{_TSL}NextUpdate/{_TSL}dateTime"))
    return scheme


def _services(registry: TSPRegistry) -> set[QualifiedServiceInformation]:
    authorities = [
        *registry.known_certificate_authorities,
        *registry.known_timestamp_authorities,
    ]
    return {
        service
        for authority in authorities
        for service in registry.applicable_service_definitions(authority, None)
    }


def _merge(services: set[QualifiedServiceInformation], into: TSPRegistry) -> None:
    for service in services:
        if isinstance(service, CAServiceInformation):
            into.register_ca(service)
        elif isinstance(service, QTSTServiceInformation):
            into.register_tst(service)


def load_trust(config: TrustConfig) -> TrustStore:
    """Read, verify and parse the trusted lists and roots of ``config``."""
    problems: list[str] = []
    signers = list_signers(config, problems)
    roots = tuple(_load_certificates(config.roots_dir, problems))
    files = sorted(config.lists_dir.glob("*.xml")) if config.lists_dir.is_dir() else []
    loaded: list[tuple[Path, bytes, _Scheme | None, str | None]] = []
    for path in files:
        try:
            if path.stat().st_size > _MAX_LIST_BYTES:
                raise ValueError("file too large for a trusted list")
            data = path.read_bytes()
            loaded.append((path, data, read_scheme(data), None))
        except (OSError, ValueError, ElementTree.ParseError) as exc:
            loaded.append((path, b"", None, f"unreadable: {exc}"))
    # Lists of the lists first: they name the signers of the national lists.
    loaded.sort(key=lambda item: (item[2] is None or item[2].kind != "lotl", item[0].name))
    by_territory: dict[str, list[Certificate]] = {}
    registry = TSPRegistry()
    statuses = []
    for path, data, scheme, error in loaded:
        if scheme is None:
            statuses.append(
                ListStatus(path.name, "unknown", None, None, None, None, False, 0, error)
            )
            continue
        statuses.append(
            _load_list(
                path.name,
                data,
                scheme,
                signers=signers,
                by_territory=by_territory,
                registry=registry,
            )
        )
    return TrustStore(
        config,
        registry,
        ListsAndRootsTrustManager(registry, roots),
        tuple(statuses),
        len(roots),
        tuple(problems),
    )


def _load_list(
    name: str,
    data: bytes,
    scheme: _Scheme,
    *,
    signers: list[Certificate],
    by_territory: dict[str, list[Certificate]],
    registry: TSPRegistry,
) -> ListStatus:
    status = ListStatus(
        name, scheme.kind, scheme.territory, scheme.sequence, scheme.issued,
        scheme.next_update, verified=False,
    )  # fmt: skip
    text = data.decode("utf-8", errors="replace")
    try:
        if scheme.kind == "lotl":
            lotl = eutl_parse.validate_and_parse_lotl(text, signers)
            for ref in lotl.references:
                if eutl_parse.LOTL_RULE not in ref.scheme_rules:
                    by_territory.setdefault(ref.territory.upper(), []).extend(ref.tlso_certs)
            return _replace(status, verified=True, warnings=tuple(map(str, lotl.errors)))
        candidates = signers + by_territory.get((scheme.territory or "").upper(), [])
        if not candidates:
            return _replace(status, refused="no trusted signer for this list is configured")
        own, errors = eutl_parse.trust_list_to_registry(text, candidates)
    except SignatureValidationError as exc:
        return _replace(
            status,
            refused="signature does not verify against a trusted list signer: "
            + str(exc.failure_message).splitlines()[0],
        )
    except Exception as exc:  # noqa: BLE001 - a list we cannot parse is refused, not fatal
        return _replace(status, refused=f"unreadable: {type(exc).__name__}: {exc}")
    services = _services(own)
    _merge(services, registry)
    return _replace(
        status,
        verified=True,
        qualified_services=len(services),
        warnings=tuple(str(e) for e in errors),
    )


def _replace(status: ListStatus, **changes: Any) -> ListStatus:
    values = {name: getattr(status, name) for name in ListStatus.__slots__}
    values.update(changes)
    return ListStatus(**values)


def _fingerprint(config: TrustConfig) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of every file trust is read from."""
    entries = []
    for directory in (config.lists_dir, config.signers_dir, config.roots_dir):
        if directory is None or not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            with contextlib.suppress(OSError):
                stat = path.stat()
                entries.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


_cache: dict[TrustConfig, tuple[tuple[tuple[str, int, int], ...], TrustStore]] = {}
_cache_lock = threading.Lock()


def trust_store(config: TrustConfig | None = None) -> TrustStore:
    """The loaded trust for ``config`` (default: from the environment), cached per process."""
    config = config or TrustConfig.from_env()
    fingerprint = _fingerprint(config)
    with _cache_lock:
        cached = _cache.get(config)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        store = load_trust(config)
        _cache[config] = (fingerprint, store)
        return store


def snapshot_info(config: TrustConfig) -> dict[str, Any]:
    """When the lists in use were fetched: from the refresh's manifest, else file times."""
    manifest = config.lists_dir / MANIFEST
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            fetched = _datetime(str(data.get("fetched_at", "")))
            if fetched is not None:
                return {**data, "fetched_at": fetched.isoformat(), "source": "manifest"}
    files = list(config.lists_dir.glob("*.xml")) if config.lists_dir.is_dir() else []
    if not files:
        return {"fetched_at": None, "source": None}
    newest = max(p.stat().st_mtime for p in files)
    return {
        "fetched_at": dt.datetime.fromtimestamp(newest, dt.UTC).isoformat(),
        "source": "file times",
    }
