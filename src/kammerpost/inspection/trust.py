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
trust status`` says why. A parser worker verifies a national list only when
a signature's chain reaches it (the whole EU set takes tens of seconds to
parse, one country's list about one); the store is cached per process and
built anew when a file in the directories changes, so long-lived workers
pick up a refresh without a restart.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import threading
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.sign.validation.qualified import eutl_parse
from pyhanko.sign.validation.qualified.tsp import TSPRegistry, TSPTrustManager
from pyhanko_certvalidator.authority import Authority, TrustAnchor
from pyhanko_certvalidator.registry import SimpleTrustManager

from .trusted_lists import (
    Certificate,
    ListFile,
    ListStatus,
    load_lotl,
    load_national_list,
    parse_datetime,
    scan_list,
)

__all__ = ["ListStatus", "TrustConfig", "TrustStore", "load_trust", "trust_store"]

_CERT_SUFFIXES: Final = (".pem", ".crt", ".cer", ".der")
MANIFEST: Final = "snapshot.json"  # written by ``trust refresh`` next to the lists


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


class ListsAndRootsTrustManager(TSPTrustManager):
    """Trusted-list services plus extra roots, as one trust manager.

    pyHanko assesses qualification only when the trust manager is a
    :class:`TSPTrustManager`; the extra roots sit beside the registry and
    never appear in it, so a chain to them can be trusted but never
    qualified. Each question about a name first has the store verify the
    lists that mention that name (see :meth:`TrustStore.require`).
    """

    def __init__(self, store: TrustStore, extra_roots: list[Certificate]) -> None:
        super().__init__(store.registry)
        self._store = store
        self.extra_roots = SimpleTrustManager.build(trust_roots=extra_roots)

    def as_trust_anchor(self, authority: Authority) -> TrustAnchor | None:
        self._store.require(authority.name.hashable)
        anchor = super().as_trust_anchor(authority)
        return anchor if anchor is not None else self.extra_roots.as_trust_anchor(authority)

    def find_potential_issuers(self, cert: Certificate) -> Generator[TrustAnchor, None, None]:
        # pyHanko's own version tries every listed CA for every certificate
        # (thousands with the EU lists); the store's index by name is one look-up.
        self._store.require(cert.issuer.hashable)
        for authority in self._store.authorities_named(cert.issuer.hashable):
            anchor = super().as_trust_anchor(authority)
            if anchor is not None and authority.is_potential_issuer_of(cert):
                yield anchor
        yield from self.extra_roots.find_potential_issuers(cert)


class TrustStore:
    """The trust of one :class:`TrustConfig`, verified list by list as signatures need it.

    Lists of the lists are verified at once (they name the signers of the
    national lists). A national list is verified and parsed the first time a
    certificate chain reaches a name it mentions, so a worker that sees a
    German signature pays for the German list only, not for all of the EU's.
    """

    def __init__(
        self,
        config: TrustConfig,
        *,
        signers: list[Certificate],
        files: list[ListFile],
        extra_roots: list[Certificate],
        problems: list[str],
    ) -> None:
        self.config = config
        self.registry = TSPRegistry()
        self.extra_roots = len(extra_roots)
        self.problems = tuple(problems)
        self.loaded_at = dt.datetime.now(dt.UTC)
        self._signers = signers
        self._by_territory: dict[str, list[Certificate]] = {}
        self._files = files
        self._status = {entry.path.name: entry.status for entry in files}
        self._index: dict[Any, list[ListFile]] = {}
        self._authorities: dict[Any, list[Authority]] = {}
        self._lock = threading.RLock()
        for entry in files:
            if entry.status.kind == "lotl" and entry.status.refused is None:
                self._status[entry.path.name] = load_lotl(entry, signers, self._by_territory)
            elif entry.status.kind == "national":
                for name in entry.names:
                    self._index.setdefault(name, []).append(entry)
        self.trust_manager = ListsAndRootsTrustManager(self, extra_roots)

    @property
    def lists(self) -> tuple[ListStatus, ...]:
        """Every list file as far as it has been looked at, in file-name order."""
        return tuple(self._status[entry.path.name] for entry in self._files)

    def require(self, name: Any) -> None:
        """Verify and load every list that names a certificate with subject ``name``."""
        with self._lock:
            for entry in self._index.pop(name, ()):
                self._load(entry)

    def load_all(self) -> TrustStore:
        """Verify and load every list (for ``trust status``); returns the store."""
        with self._lock:
            for entry in self._files:
                if entry.status.kind == "national":
                    self._load(entry)
            self._index.clear()
        return self

    def authorities_named(self, name: Any) -> list[Authority]:
        """The listed CAs with subject ``name``."""
        return self._authorities.get(name, [])

    def _load(self, entry: ListFile) -> None:
        if self._status[entry.path.name].loaded or entry.status.refused is not None:
            return
        territory = entry.status.territory or ""
        candidates = self._signers + self._by_territory.get(territory, [])
        known = self._listed_authorities()
        self._status[entry.path.name] = load_national_list(entry, candidates, self.registry)
        for authority in self._listed_authorities() - known:
            self._authorities.setdefault(authority.name.hashable, []).append(authority)

    def _listed_authorities(self) -> set[Authority]:
        # Time-stamping services too: a QTST listed by its CA's certificate must
        # be found as the issuer of a TSU certificate the token does not carry.
        return {
            *self.registry.known_certificate_authorities,
            *self.registry.known_timestamp_authorities,
        }


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


def load_trust(config: TrustConfig, *, eager: bool = True) -> TrustStore:
    """Read the trust of ``config``; ``eager`` verifies every list now, else on demand."""
    problems: list[str] = []
    signers = list_signers(config, problems)
    roots = _load_certificates(config.roots_dir, problems)
    paths = sorted(config.lists_dir.glob("*.xml")) if config.lists_dir.is_dir() else []
    # Lists of the lists first: they name the signers of the national lists.
    files = sorted(
        (scan_list(path) for path in paths),
        key=lambda entry: (entry.status.kind != "lotl", entry.path.name),
    )
    store = TrustStore(config, signers=signers, files=files, extra_roots=roots, problems=problems)
    return store.load_all() if eager else store


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
    """The trust for ``config`` (default: from the environment), cached per process.

    Lists are verified on demand; the store is built anew when a file in the
    trust directories changes (a refresh), so long-lived workers follow.
    """
    config = config or TrustConfig.from_env()
    fingerprint = _fingerprint(config)
    with _cache_lock:
        cached = _cache.get(config)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        store = load_trust(config, eager=False)
        _cache[config] = (fingerprint, store)
        return store


def snapshot_info(config: TrustConfig) -> dict[str, Any]:
    """When the lists in use were fetched: from the refresh's manifest, else file times."""
    manifest = config.lists_dir / MANIFEST
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            fetched = parse_datetime(str(data.get("fetched_at", "")))
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
