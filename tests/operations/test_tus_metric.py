"""The cloud area's tus endpoint counts the bytes it stores (``kammerpost_tus_bytes_received``)."""

from __future__ import annotations

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from tests.exchange.conftest import tus_env
from tests.exchange.test_tus_protocol import create, patch

__all__ = ["tus_env"]

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.exchange.tus_app")]


def _counted() -> float:
    return REGISTRY.get_sample_value("kammerpost_tus_bytes_received_total") or 0.0


def test_stored_chunks_are_counted_refused_ones_are_not(tus_env: dict[str, str]) -> None:
    client = Client()
    url = create(client, 3000)
    before = _counted()
    assert patch(client, url, 0, b"a" * 1000).status_code == 204  # type: ignore[attr-defined]
    assert patch(client, url, 1000, b"b" * 1500).status_code == 204  # type: ignore[attr-defined]
    # A chunk at the wrong offset is refused (409) and stores nothing.
    assert patch(client, url, 0, b"c" * 500).status_code == 409  # type: ignore[attr-defined]
    assert _counted() - before == 2500
