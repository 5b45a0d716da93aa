"""The engine as a package: its layer rule, its one table of limits, its worker's confinement."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kammerpost.inspection.policy import MB, policy_named
from kammerpost.mailpolicy import (
    MAIL_LIMITS,
    RULES,
    MailLimits,
    MailParserError,
    MailParserPool,
    Refusal,
    prescan,
    refusal_answer,
    size_answer,
)
from kammerpost.mailpolicy.sandbox import _examination_from
from tests.corpus import mails


def test_the_engine_and_its_worker_import_no_django_and_no_other_kammerpost_package() -> None:
    probe = (
        "import json, sys\n"
        "import kammerpost.mailpolicy, kammerpost.mailpolicy.worker\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = json.loads(done.stdout)
    assert "kammerpost.mailpolicy.examine" in loaded  # the probe really loaded the engine
    assert [m for m in loaded if m == "django" or m.startswith("django.")] == []
    foreign = [
        m
        for m in loaded
        if m.startswith("kammerpost.") and m.split(".")[1] not in {"inspection", "mailpolicy"}
    ]
    assert foreign == []


def test_the_message_limit_is_the_email_policys_and_the_rule_names_it() -> None:
    assert MAIL_LIMITS.max_message_bytes == 20 * MB  # the published rule (policy.md 2.2)
    assert policy_named("email").limits.max_file_size == MAIL_LIMITS.max_message_bytes
    assert RULES["size"].label_en == "size limit (20 MB)"
    answer = size_answer("https://portal.example/", MAIL_LIMITS.max_message_bytes)
    assert (answer.code, answer.enhanced) == (552, "5.3.4")
    assert "larger than 20 MB" in answer.line


def test_the_prescan_refuses_one_byte_over_the_message_limit_and_not_at_it() -> None:
    limits = MailLimits(max_message_bytes=4096)
    head = b"From: a@example.org\r\nSubject: x\r\n\r\n"
    at_limit = head + b"A" * (4096 - len(head))
    assert prescan(at_limit, limits) is None
    refusal = prescan(at_limit + b"A", limits)
    assert refusal is not None
    assert refusal.code == "size.too_large"


def test_a_worker_over_its_memory_budget_costs_only_itself_and_the_mail_is_refused(
    tmp_path: Path,
) -> None:
    pool = MailParserPool(size=1)
    raw_path = tmp_path / "m.eml"
    # Decoding a 6 MB attachment needs far more than 1 MB of address space.
    raw_path.write_bytes(mails.sized(6 * MB))
    workdir = tmp_path / "w"
    workdir.mkdir()
    try:
        starved = pool.examine(raw_path, workdir, MailLimits(parse_memory_bytes=1 * MB))
        assert starved.refusal is not None
        assert starved.refusal.code == "mime.too_complex"
        answer = refusal_answer(starved.refusal, "https://portal.example/")
        assert (answer.code, answer.enhanced) == (550, "5.6.0")
        raw_path.write_bytes(mails.plain_letter())
        assert pool.examine(raw_path, workdir, MAIL_LIMITS).refusal is None
    finally:
        pool.close()


@pytest.mark.parametrize(
    "path",
    ["/etc/passwd", "{workdir}/../part-001", "{workdir}/message.eml", "{workdir}/link"],
)
def test_a_worker_naming_a_file_outside_its_directory_is_not_believed(
    tmp_path: Path, path: str
) -> None:
    (tmp_path / "link").symlink_to("/etc/passwd")
    reply = {
        "subject": "x",
        "from_address": "a@example.org",
        "attachments": [
            {
                "name": "a.pdf",
                "content_type": "application/pdf",
                "path": path.format(workdir=tmp_path),
                "size": 1,
            }
        ],
    }
    with pytest.raises(MailParserError):
        _examination_from(reply, MAIL_LIMITS, tmp_path)


def test_a_garbled_reply_is_a_parser_error_not_a_verdict(tmp_path: Path) -> None:
    for reply in (
        {"refusal": {"code": "no.such.rule"}},
        {"refusal": {"code": "mime.too_deep", "params": ["x"]}},
        {"error": "exception", "type": "KeyError"},
    ):
        with pytest.raises(MailParserError):
            _examination_from(reply, MAIL_LIMITS, tmp_path)
    ok = _examination_from(
        {"refusal": Refusal("mime.too_deep", {"limit": 10}).as_dict()}, MAIL_LIMITS, tmp_path
    )
    assert ok.refusal == Refusal("mime.too_deep", {"limit": 10})
