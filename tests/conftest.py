from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kammerpost import providers
from kammerpost.inspection import ParserPool
from tests.support.clamd import Clamd

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "realworld"


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # WhiteNoise warns (an error here) when collectstatic has not run yet.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clamd]:
    """The real ClamAV daemon, started once for the session."""
    daemon = Clamd(tmp_path_factory.mktemp("clamd"))
    daemon.start()
    yield daemon
    daemon.stop()


@pytest.fixture(scope="session")
def parser_pool() -> Iterator[ParserPool]:
    pool = ParserPool(size=2)
    yield pool
    pool.close()


@pytest.fixture(autouse=True)
def services() -> Iterator[providers.ServiceRegistry]:
    """The provider of external services, fresh for every test (see kammerpost.providers).

    What a test puts into its settings and environment is what gets built; a
    test that needs a particular service calls ``services.override(...)``.
    """
    providers.registry.reset()
    yield providers.registry
    providers.registry.reset()


@pytest.fixture(autouse=True)
def _german_again_after_each_test() -> Iterator[None]:
    """A request in English leaves English active in this thread; the next test starts German."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
