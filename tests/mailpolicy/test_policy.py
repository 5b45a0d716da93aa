"""The mail policy without SMTP or a database: pre-scan, examination, answers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kammerpost.mailpolicy.answers import reflected, refusal_answer
from kammerpost.mailpolicy.examine import examine
from kammerpost.mailpolicy.html import html_read
from kammerpost.mailpolicy.links import link_only_host
from kammerpost.mailpolicy.mime import header_text, single_line
from kammerpost.mailpolicy.prescan import prescan
from kammerpost.mailpolicy.rules import RULES, MailLimits, Refusal
from kammerpost.mailpolicy.sandbox import MailParserPool
from tests.corpus import mails

LIMITS = MailLimits()
# Cases the examination decides alone; the others need the inspection engine.
ENGINE_DECIDES = {
    "zip renamed pdf",
    "zipped whole mail",
    "docm renamed docx",
    "program renamed pdf",
    "virus in docx",
    "right-to-left override in a name",
    "forwarded mail with a program",
}


@pytest.mark.parametrize(
    ("name", "build", "expected"),
    [c for c in mails.CASES if c[0] not in ENGINE_DECIDES],
    ids=[c[0] for c in mails.CASES if c[0] not in ENGINE_DECIDES],
)
def test_examination_applies_each_rule_of_the_published_table(
    tmp_path: Path, name: str, build: object, expected: mails.Expected | None
) -> None:
    result = examine(build(), tmp_path, LIMITS)  # type: ignore[operator]
    if expected is None:
        assert result.refusal is None, result.refusal
        return
    assert result.refusal is not None
    answer = refusal_answer(result.refusal, "https://portal.example/")
    assert (answer.code, answer.enhanced) == (expected.code, expected.enhanced)
    for word in expected.words:
        assert word in answer.line.lower(), (word, answer.line)


@pytest.mark.parametrize(
    "build",
    [
        lambda: mails.nested(1000),
        lambda: mails.many_parts(50_000),
        lambda: mails.encoded_words(8000),
    ],
    ids=["1000-level nesting", "50000 parts", "8000 encoded words"],
)
def test_known_parser_bombs_are_refused_by_the_prescan_in_milliseconds(build: object) -> None:
    raw = build()  # type: ignore[operator]
    started = time.perf_counter()
    refusal = prescan(raw, LIMITS)
    elapsed = time.perf_counter() - started
    assert refusal is not None
    assert refusal.rule.enhanced == "5.6.0"
    assert elapsed < 0.2


def test_a_19_9_mb_message_passes_the_prescan_quickly() -> None:
    raw = (
        b"From: a@example.org\r\nSubject: x\r\n\r\n"
        + b"A" * 76 * 0
        + (b"Q" * 76 + b"\r\n") * (int(19.9 * 1024 * 1024) // 78)
    )
    started = time.perf_counter()
    assert prescan(raw, LIMITS) is None
    assert time.perf_counter() - started < 1.0


def test_gmail_style_file_name_is_decoded(tmp_path: Path) -> None:
    result = examine(mails.gmail_encoded_filename(), tmp_path, LIMITS)
    assert [a.name for a in result.attachments] == ["Übersicht Prüfung.pdf"]


def test_iso_8859_1_label_is_read_as_windows_1252(tmp_path: Path) -> None:
    result = examine(mails.latin1_labelled_windows_1252(), tmp_path, LIMITS)
    assert "120 €" in result.text
    assert "„bezahlt“" in result.text


def test_html_is_turned_into_plain_text_without_markup(tmp_path: Path) -> None:
    result = examine(mails.safe_html(), tmp_path, LIMITS)
    assert "Mit freundlichen Grüßen" in result.text
    assert "<p>" not in result.text
    assert "https://www.tischlerei-mueller.example/" in result.text
    assert "color" not in result.text


def test_decoded_subject_keeps_no_line_break(tmp_path: Path) -> None:
    result = examine(mails.crlf_in_subject(), tmp_path, LIMITS)
    assert header_text("=?utf-8?q?a=0D=0Ab?=") == "a\r\nb"
    assert result.subject == "Antrag Bcc: opfer@example.com"
    assert single_line("x\r\nBcc: y\x00") == "x Bcc: y"


def test_forwarded_mail_text_is_kept_and_its_attachments_are_examined(tmp_path: Path) -> None:
    result = examine(mails.forwarded_with_program(), tmp_path, LIMITS)
    assert "Weitergeleitete Nachricht" in result.text
    assert [a.name for a in result.attachments] == ["rechnung.pdf"]


def test_auto_submitted_and_list_mail_are_recognised(tmp_path: Path) -> None:
    auto = examine(mails.message(headers={"Auto-Submitted": "auto-replied"}), tmp_path, LIMITS)
    listed = examine(mails.message(headers={"List-Id": "<foo.example.org>"}), tmp_path, LIMITS)
    bulk = examine(mails.message(headers={"Precedence": "bulk"}), tmp_path, LIMITS)
    plain = examine(mails.message(headers={"Auto-Submitted": "no"}), tmp_path, LIMITS)
    assert auto.auto_submitted and listed.list_mail and bulk.list_mail
    assert not plain.auto_submitted and not plain.list_mail


@pytest.mark.parametrize(
    "markup",
    [
        '<a href="&#106;avascript:x()">x</a>',
        '<a href=" JaVaScRiPt:x()">x</a>',
        '<img src="x" OnError="x()">',
        "<svg><script>x()</script></svg>",
        '<a href="vbscript:msgbox(1)">x</a>',
        '<object data="x.swf"></object>',
        '<embed src="x.swf">',
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        '<button formaction="https://evil.example/">x</button>',
        '<div style="width: expression(alert(1))">x</div>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    ],
)
def test_active_html_is_found_however_it_is_spelled(markup: str) -> None:
    problems, _, _ = html_read(markup)
    assert problems


def test_a_form_without_a_foreign_target_and_ordinary_links_are_not_active() -> None:
    problems, text, links = html_read(
        '<p>Hallo <a href="https://example.org/">Seite</a></p><form><input></form>'
    )
    assert problems == []
    assert links == ["https://example.org/"]
    assert "Seite <https://example.org/>" in text


def test_link_only_needs_a_file_host_no_attachment_and_little_text() -> None:
    short = "Hallo, hier: https://www.dropbox.com/s/x/a.pdf Gruß Max"
    assert link_only_host(text=short, links=[], sender_address="a@b.de", has_attachments=False)
    assert not link_only_host(text=short, links=[], sender_address="a@b.de", has_attachments=True)
    letter = mails.LETTER + "\nDie Fotos: https://www.dropbox.com/s/x/fotos\n"
    assert not link_only_host(text=letter, links=[], sender_address="a@b.de", has_attachments=False)
    website = "Hallo, unsere Seite: https://www.tischlerei.example/"
    assert not link_only_host(
        text=website, links=[], sender_address="a@b.de", has_attachments=False
    )


def test_reflected_values_are_short_printable_ascii_without_quotes_or_markup() -> None:
    hostile = 'evil"\r\n250 OK <script>\x00' + "ä" * 200
    shown = reflected(hostile)
    assert len(shown) <= 60
    assert all(32 <= ord(ch) < 127 for ch in shown)
    for bad in ('"', "<", ">", "\r", "\n"):
        assert bad not in shown


def test_every_answer_names_its_rule_and_the_portal_in_ascii_lines_of_legal_length() -> None:
    hostile_name = "a" * 300 + '"\r\n550 5.0.0 injected'
    refusal = Refusal(
        "attachment.rejected",
        {
            "file": hostile_name,
            "reason_de": "Grund ä",
            "reason_en": "reason",
            "hint_de": "",
            "hint_en": "",
        },
    )
    line = refusal_answer(refusal, "https://portal.example/").line
    lines = line.split("\r\n")
    assert all(len(entry) <= 512 for entry in lines)
    assert all(entry.startswith(("550-5.7.1 ", "550 5.7.1 ")) for entry in lines)
    assert line.isascii()
    assert "injected" not in line or '"\r\n550' not in line
    assert "https://portal.example/" in lines[-1]
    assert RULES["attachment"].label_en in line


def test_a_worker_that_runs_over_its_time_is_replaced_and_the_mail_refused(
    tmp_path: Path,
) -> None:
    pool = MailParserPool(size=1)
    raw_path = tmp_path / "m.eml"
    # Deep HTML: passes the pre-scan, keeps the parser busy far beyond a tiny budget.
    raw_path.write_bytes(mails.message(text=None, html="<b>" * 400_000))
    workdir = tmp_path / "w"
    workdir.mkdir()
    try:
        slow = pool.examine(raw_path, workdir, MailLimits(parse_timeout_s=0.05))
        assert slow.refusal is not None
        assert slow.refusal.code == "mime.too_complex"
        raw_path.write_bytes(mails.plain_letter())
        assert pool.examine(raw_path, workdir, LIMITS).refusal is None
    finally:
        pool.close()
