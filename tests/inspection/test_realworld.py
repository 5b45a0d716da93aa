"""Real Office-made samples (oletools test data) get the verdicts in their README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kammerpost.inspection import Inspector, ParserPool
from tests.conftest import REALWORLD


def _expected() -> dict[str, str]:
    readme = REALWORLD / "README.md"
    if not readme.exists():
        return {}
    rows = re.findall(r"^\| (\S+\.\w+) \| (accepted|rejected) \|", readme.read_text(), re.M)
    return dict(rows)


EXPECTED = _expected()


def test_the_realworld_table_is_read_when_the_folder_is_there() -> None:
    if not REALWORLD.exists():
        pytest.skip("../shared/corpus/realworld is not present on this machine")
    assert len(EXPECTED) >= 16


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_realworld_sample_gets_its_expected_verdict(name: str, parser_pool: ParserPool) -> None:
    result = Inspector(scan=False, pool=parser_pool).inspect(Path(REALWORLD / name))
    assert result.verdict == EXPECTED[name], result.codes
    if EXPECTED[name] == "rejected":
        assert result.codes
