"""Virus scanning against a real clamd: fail closed whenever the scan is not complete."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kammerpost.inspection import ClamdScanner, Inspector, ParserPool, ScanStatus, Verdict
from tests.corpus import misc
from tests.support.clamd import EICAR, SIGNATURE_NAME, Clamd
from tests.support.hung_server import hung_server

pytestmark = pytest.mark.clamd


def _docx_with(media: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="png" ContentType="image/png"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        zf.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Nachweis</w:t></w:r></w:p></w:body></w:document>",
        )
        zf.writestr("word/media/image1.png", media)
    return out.getvalue()


def _inspect(clamd_url: str, tmp_path: Path, name: str, data: bytes, pool: ParserPool):  # type: ignore[no-untyped-def]
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    return Inspector(scanner=ClamdScanner(clamd_url, timeout=10), pool=pool).inspect(
        path, name=name
    )


def test_clean_file_scanned_by_clamd_is_accepted(
    clamd: Clamd, tmp_path: Path, parser_pool: ParserPool
) -> None:
    result = _inspect(clamd.unix_url, tmp_path, "foto.png", misc.png(), parser_pool)
    assert result.verdict == Verdict.ACCEPTED
    assert result.facts["av"] == {
        "scanned": True,
        "status": "clean",
        "engine": "clamd",
        "database": "demo",
    }


def test_the_scanner_knows_clamd_runs_on_the_demo_database(clamd: Clamd) -> None:
    version = clamd.scanner().version()
    assert version is not None
    assert version.engine.startswith("ClamAV 1.")
    assert version.demo
    assert version.database_version is None


def test_every_scan_under_the_demo_database_says_so_also_when_it_finds_something(
    clamd: Clamd, tmp_path: Path, parser_pool: ParserPool
) -> None:
    result = _inspect(clamd.unix_url, tmp_path, "rechnung.pdf", EICAR, parser_pool)
    assert result.facts["av"]["database"] == "demo"  # type: ignore[index]
    assert str(result.facts["av"]["signature"]).startswith(SIGNATURE_NAME)  # type: ignore[index]


def test_an_official_database_version_is_not_taken_for_the_demo() -> None:
    from kammerpost.inspection.antivirus import ClamdVersion

    official = ClamdVersion.parse("ClamAV 1.4.6/27500/Thu Dec  3 09:21:00 2026")
    assert official == ClamdVersion("ClamAV 1.4.6", 27500, "Thu Dec  3 09:21:00 2026")
    assert not official.demo
    assert official.database == "official"
    assert ClamdVersion.parse("ClamAV 1.4.6") == ClamdVersion("ClamAV 1.4.6")
    for garbage in ("", "PONG", "ClamAV 1.4.6/x/y", "UNKNOWN COMMAND"):
        assert ClamdVersion.parse(garbage) is None


def test_eicar_named_pdf_is_caught_by_the_scanner(
    clamd: Clamd, tmp_path: Path, parser_pool: ParserPool
) -> None:
    result = _inspect(clamd.tcp_url, tmp_path, "rechnung.pdf", EICAR, parser_pool)
    assert result.verdict == Verdict.REJECTED
    assert "av.infected" in result.codes


def test_eicar_inside_a_docx_media_part_is_caught_by_the_scanner(
    clamd: Clamd, tmp_path: Path, parser_pool: ParserPool
) -> None:
    result = _inspect(clamd.unix_url, tmp_path, "nachweis.docx", _docx_with(EICAR), parser_pool)
    assert result.verdict == Verdict.REJECTED
    assert result.codes == ["av.infected"]
    assert SIGNATURE_NAME in result.reasons[0].message_de


def test_with_clamd_stopped_a_clean_file_is_held_and_decided_once_it_is_back(
    tmp_path: Path, parser_pool: ParserPool
) -> None:
    daemon = Clamd(tmp_path / "own-clamd")
    daemon.start()
    daemon.stop()
    result = _inspect(daemon.unix_url, tmp_path, "foto.png", misc.png(), parser_pool)
    assert result.verdict == Verdict.HELD
    assert result.codes == ["av.unavailable"]
    assert result.facts["av"]["scanned"] is False  # type: ignore[index]
    daemon.start()
    try:
        again = _inspect(daemon.unix_url, tmp_path, "foto.png", misc.png(), parser_pool)
    finally:
        daemon.stop()
    assert again.verdict == Verdict.ACCEPTED


def test_size_limit_answer_from_clamd_means_held_not_accepted(tmp_path: Path) -> None:
    daemon = Clamd(tmp_path / "small-clamd")
    daemon.config.write_text(
        daemon.config.read_text().replace("StreamMaxLength 300M", "StreamMaxLength 1M")
    )
    daemon.start()
    try:
        result = daemon.scanner().scan_bytes(misc.noisy_png(1200, 1200))
    finally:
        daemon.stop()
    assert result.status == ScanStatus.UNAVAILABLE


@pytest.fixture
def silent_server() -> Iterator[str]:
    with hung_server() as url:
        yield url


def test_a_scanner_that_never_answers_times_out_into_held(silent_server: str) -> None:
    result = ClamdScanner(silent_server, timeout=0.5).scan_bytes(b"%PDF-1.4 hello")
    assert result.status == ScanStatus.UNAVAILABLE


def test_garbage_reply_from_the_scanner_is_never_taken_as_clean() -> None:
    from kammerpost.inspection.antivirus import _parse_reply

    assert _parse_reply("stream: OK").status == ScanStatus.CLEAN
    for reply in ("", "OK", "stream: ERROR", "INSTREAM size limit exceeded. ERROR", "stream: OKAY"):
        assert _parse_reply(reply).status == ScanStatus.UNAVAILABLE


@pytest.mark.parametrize("url", ["", "http://x", "unix://", "tcp://host", "clamd.sock"])
def test_malformed_scanner_address_is_refused_at_configuration(url: str) -> None:
    with pytest.raises(ValueError, match="KAMMERPOST_CLAMD"):
        ClamdScanner(url)


def test_the_private_clamd_runs_on_the_demo_database_and_a_dead_one_is_noticed_at_once(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys
    import time

    from kammerpost.inspection import localclamd

    config, demo = localclamd.prepare(tmp_path / "clamav", fetch=False)
    assert demo
    assert (
        (tmp_path / "clamav" / "db" / localclamd.DEMO_DATABASE_FILE)
        .read_text()
        .startswith(localclamd.DEMO_SIGNATURE + ":0:*:")
    )
    assert f"LocalSocket {localclamd.socket_path(tmp_path / 'clamav')}" in config.read_text()
    # A clamd that dies at start (here: no database at all) is reported within seconds.
    for database_file in (tmp_path / "clamav" / "db").iterdir():
        database_file.unlink()
    process = subprocess.Popen(
        [localclamd.clamd_binary(), "--config-file", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"unix://{localclamd.socket_path(tmp_path / 'clamav')}"
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kammerpost.inspection.localclamd",
            "wait",
            url,
            "--pid",
            str(process.pid),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    process.wait(timeout=10)
    assert done.returncode == 1
    assert "does not answer" in done.stderr
    assert time.monotonic() - started < 30
