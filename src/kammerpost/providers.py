"""The one provider of external services: vaults, the virus scanner, inspectors.

Code asks for a service instead of building or caching it itself (the idea
of Warehouse's ``find_service``)::

    vault = find_service(Vault)                      # the intake vault
    archive = find_service(Vault, name=MAIL_ARCHIVE)  # raw e-mails
    inspector = inspector_for("email")               # per policy, per thread

Each service is built lazily, once, from the settings and the environment
(``KAMMERPOST_VAULT_URL``, ``KAMMERPOST_VAULT_KEYS``, ``CLAMD_URL``, ...).

Tests configure the provider instead of clearing private caches: the
``services`` fixture (tests/conftest.py, used by every test) calls
:meth:`ServiceRegistry.reset` before and after each test, so whatever a test
sets up in its settings and environment is what gets built; a test that needs
a particular instance installs it with :meth:`ServiceRegistry.override`.
Changing ``CLAMD_URL``/``CLAMD_TIMEOUT``/``MAIL_ARCHIVE_URL`` through
Django's settings override also resets the provider.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.test.signals import setting_changed

from kammerpost.inspection import ClamdScanner, Inspector, policy_named
from kammerpost.vault import Vault, backend_from_url, default_url, vault_from_environment

DEFAULT = "default"
# The raw-message archive of the mail gateway: the intake vault's keys on a
# storage place of its own (the intake's orphan sweep would remove its blobs).
MAIL_ARCHIVE = "mail-archive"

# Settings whose change makes every built service stale.
_SETTINGS = frozenset(
    {"CLAMD_URL", "CLAMD_TIMEOUT", "CLAMD_STREAM_MAX_BYTES", "MAIL_ARCHIVE_URL", "VAR_DIR"}
)

Key = tuple[type, str]
Factory = Callable[["ServiceRegistry"], object]


class ServiceRegistry:
    """Factories by (kind, name), the services they built, and overrides for tests."""

    def __init__(self) -> None:
        self._factories: dict[Key, Factory] = {}
        self._built: dict[Key, object] = {}
        self._overrides: dict[Key, object] = {}
        self._lock = threading.RLock()
        self._local = threading.local()
        # Bumped by every reset/override: per-thread inspectors of an older
        # generation were built on a scanner that is no longer current.
        self.generation = 0

    def register(self, kind: type, factory: Factory, *, name: str = DEFAULT) -> None:
        with self._lock:
            self._factories[(kind, name)] = factory
            self._built.pop((kind, name), None)
            self.generation += 1

    def lookup[T](self, kind: type[T], *, name: str = DEFAULT) -> T | None:
        """The service, or None where "not configured" is a valid answer (no scanner)."""
        key = (kind, name)
        with self._lock:
            if key in self._overrides:
                return cast("T | None", self._overrides[key])
            if key not in self._built:
                factory = self._factories.get(key)
                if factory is None:
                    raise LookupError(f"no service {kind.__name__}/{name} is registered")
                self._built[key] = factory(self)
            return cast("T | None", self._built[key])

    def find[T](self, kind: type[T], *, name: str = DEFAULT) -> T:
        service = self.lookup(kind, name=name)
        if service is None:
            raise LookupError(f"the service {kind.__name__}/{name} is not configured")
        return service

    def override[T](self, kind: type[T], instance: T | None, *, name: str = DEFAULT) -> None:
        """Use ``instance`` for (kind, name) until the next :meth:`reset` (tests)."""
        with self._lock:
            self._overrides[(kind, name)] = instance
            self.generation += 1

    def reset(self, *, keep_overrides: bool = False) -> None:
        """Forget every built service (and override); the next request builds afresh."""
        with self._lock:
            self._built.clear()
            if not keep_overrides:
                self._overrides.clear()
            self.generation += 1

    def per_thread[T](self, key: Any, build: Callable[[], T]) -> T:
        """An object for this thread and this generation (an inspector's helper thread)."""
        cache: dict[Any, Any] = getattr(self._local, "cache", {})
        if getattr(self._local, "generation", None) != self.generation:
            cache = {}
            self._local.cache, self._local.generation = cache, self.generation
        if key not in cache:
            cache[key] = build()
        return cast("T", cache[key])


registry = ServiceRegistry()


def find_service[T](kind: type[T], *, name: str = DEFAULT) -> T:
    """The service of this kind (and name); built on first use."""
    return registry.find(kind, name=name)


def scanner() -> ClamdScanner | None:
    """The virus scanner, or None when ``CLAMD_URL`` is empty (files are then held)."""
    return registry.lookup(ClamdScanner)


def inspector_for(policy_name: str) -> Inspector:
    """The inspector for a policy, one per thread (its helper thread must not be shared)."""
    return registry.per_thread(
        ("inspector", policy_name), lambda: Inspector(policy_named(policy_name), scanner=scanner())
    )


def mail_archive_url() -> str:
    """Where raw messages live: ``KAMMERPOST_MAIL_ARCHIVE_URL`` or ``<vault URL>/mail-archive``."""
    if settings.MAIL_ARCHIVE_URL:
        return str(settings.MAIL_ARCHIVE_URL)
    base = urlsplit(os.environ.get("KAMMERPOST_VAULT_URL", "").strip() or default_url())
    return urlunsplit(base._replace(path=base.path.rstrip("/") + "/mail-archive"))


def _mail_archive(services: ServiceRegistry) -> Vault:
    return Vault(backend_from_url(mail_archive_url()), services.find(Vault).keyring)


def _scanner(_: ServiceRegistry) -> ClamdScanner | None:
    if not settings.CLAMD_URL:
        return None
    return ClamdScanner(
        settings.CLAMD_URL, settings.CLAMD_TIMEOUT, max_stream=settings.CLAMD_STREAM_MAX_BYTES
    )


registry.register(Vault, lambda _: vault_from_environment())
registry.register(Vault, _mail_archive, name=MAIL_ARCHIVE)
registry.register(ClamdScanner, _scanner)


def _settings_changed(*, setting: str, **_: object) -> None:
    if setting in _SETTINGS:
        registry.reset(keep_overrides=True)


setting_changed.connect(_settings_changed, dispatch_uid="kammerpost.providers")
