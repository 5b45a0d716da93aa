"""CPython's test_email messages: each gets 250 or a 5xx with a reason, never 4xx or a crash.

They are odd on purpose (broken boundaries, odd charsets, nested rfc822,
missing headers): a fair sample of what the engine must never trip over.
They are read as they would arrive by SMTP, with CRLF line ends.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

from kammerpost.mailpolicy import MAIL_LIMITS, MailParserPool, refusal_answer

DATA = Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_email" / "data"
MESSAGES = sorted(DATA.glob("msg_*.txt"))


def test_the_cpython_messages_are_installed() -> None:
    # A missing corpus must fail, not silently test nothing.
    assert len(MESSAGES) >= 48, DATA


@pytest.fixture(scope="module")
def pool() -> MailParserPool:
    parsers = MailParserPool(size=1)
    yield parsers  # type: ignore[misc]
    parsers.close()


@pytest.mark.parametrize("path", MESSAGES, ids=[p.name for p in MESSAGES])
def test_each_cpython_message_is_accepted_or_refused_with_a_reason(
    tmp_path: Path, pool: MailParserPool, path: Path
) -> None:
    raw = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    raw_path = tmp_path / "message.eml"
    raw_path.write_bytes(raw)
    workdir = tmp_path / "parts"
    workdir.mkdir()
    examination = pool.examine(raw_path, workdir, MAIL_LIMITS)  # MailParserError = a crash
    if examination.refusal is None:
        return
    answer = refusal_answer(examination.refusal, "https://portal.example/")
    assert answer.code >= 500, answer.line
    assert "Refused under the rule" in answer.line
    assert "?" not in examination.refusal.text.message_en.format_map(
        {k: str(v) for k, v in examination.refusal.params.items()}
    )
