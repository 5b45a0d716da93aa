"""Operations fixtures: the intake's (private vault, real clamd), captured JSON log lines."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kammerpost.operations.logs import JsonFormatter
from tests.intake.conftest import departments, intake_env

__all__ = ["departments", "intake_env"]


class CapturedLogs:
    """Every log record of this process while the fixture is active, as the JSON lines."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(JsonFormatter())

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def entries(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]


@pytest.fixture
def captured_logs() -> Iterator[CapturedLogs]:
    captured = CapturedLogs()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(captured.handler)
    root.setLevel(logging.INFO)
    yield captured
    root.removeHandler(captured.handler)
    root.setLevel(previous)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Prometheus text format -> {(sample name, sorted labels): value}."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def json_lines(text: str) -> list[dict[str, Any]]:
    """The JSON log lines of a process's output; anything else there fails the test."""
    entries = []
    for line in text.splitlines():
        if line.strip():
            entries.append(json.loads(line))
    return entries
