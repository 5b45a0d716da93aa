"""The whole engine on the corpus built in code: every hard case of policy.md 1.4."""

from __future__ import annotations

from pathlib import Path

import pytest

from kammerpost.inspection import Inspector, ParserPool, Verdict, policy_named
from kammerpost.inspection.policy import Limits, Policy
from tests.corpus import misc, ooxml, pdfs

ALL_CASES = {
    **{f"pdf: {k}": v for k, v in pdfs.CASES.items()},
    **{f"ooxml: {k}": v for k, v in ooxml.CASES.items()},
    **{f"misc: {k}": v for k, v in misc.CASES.items()},
}


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    # The sender's name is passed separately: it never becomes a path.
    path = tmp_path / "upload"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", sorted(ALL_CASES))
def test_corpus_case_gets_its_expected_verdict_and_reason(
    case: str, tmp_path: Path, parser_pool: ParserPool
) -> None:
    build, name, expected = ALL_CASES[case]
    path = _write(tmp_path, name, build())
    result = Inspector(scan=False, pool=parser_pool).inspect(path, name=name)
    if expected is None:
        assert result.verdict == Verdict.ACCEPTED, result.codes
        assert result.codes == []
    elif expected == "name.mismatch":
        assert result.verdict == Verdict.ACCEPTED, result.codes
        assert result.codes == ["name.mismatch"]
    else:
        assert result.verdict == Verdict.REJECTED
        assert expected in result.codes, result.codes
    for reason in result.reasons:
        assert reason.message_de and reason.message_en and reason.hint_de and reason.hint_en
        assert "{" not in reason.message_de + reason.message_en + reason.hint_de + reason.hint_en


def test_png_named_jpg_is_accepted_as_png_and_the_sender_is_told(
    tmp_path: Path, parser_pool: ParserPool
) -> None:
    path = _write(tmp_path, "foto.jpg", misc.png())
    result = Inspector(scan=False, pool=parser_pool).inspect(path, name="foto.jpg")
    assert result.format == "png"
    (note,) = result.reasons
    assert ".jpg" in note.message_de and "PNG" in note.message_de
    assert "PNG" in note.message_en


def test_pdf_only_procedure_refuses_a_photo_with_the_allowed_formats_named(
    tmp_path: Path, parser_pool: ParserPool
) -> None:
    path = _write(tmp_path, "vertrag.jpg", misc.jpeg())
    result = Inspector(policy_named("pdf-only"), scan=False, pool=parser_pool).inspect(
        path, name="vertrag.jpg"
    )
    assert result.verdict == Verdict.REJECTED
    assert result.codes == ["format.not_allowed"]
    assert "nur PDF" in result.reasons[0].message_de


def test_file_above_the_limit_is_refused_without_reading_it(
    tmp_path: Path, parser_pool: ParserPool
) -> None:
    path = _write(tmp_path, "scan.pdf", b"%PDF-1.4\n" + b"0" * 5000)
    small = Policy("tiny", ("pdf",), Limits(max_file_size=4096))
    result = Inspector(small, scan=False, pool=parser_pool).inspect(path)
    assert result.verdict == Verdict.REJECTED
    assert result.codes == ["file.too_large"]
    assert result.sha256 is None


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("rechnung\u202efdp.exe", "name.bidi_override"),
        ("rech\x07nung.png", "name.control_characters"),
    ],
)
def test_deceptive_file_names_are_refused(
    name: str, code: str, tmp_path: Path, parser_pool: ParserPool
) -> None:
    path = _write(tmp_path, "x", misc.png())
    result = Inspector(scan=False, pool=parser_pool).inspect(path, name=name)
    assert result.verdict == Verdict.REJECTED
    assert code in result.codes


def test_path_components_of_a_sender_name_are_dropped(
    tmp_path: Path, parser_pool: ParserPool
) -> None:
    path = _write(tmp_path, "x", misc.png())
    result = Inspector(scan=False, pool=parser_pool).inspect(path, name="..\\..\\windows\\bild.png")
    assert result.facts["name"] == "bild.png"
    assert result.verdict == Verdict.ACCEPTED


def test_without_a_configured_scanner_files_are_held_and_say_no_scan_was_made(
    tmp_path: Path, parser_pool: ParserPool
) -> None:
    path = _write(tmp_path, "scan.png", misc.png())
    result = Inspector(scanner=None, pool=parser_pool).inspect(path)
    assert result.verdict == Verdict.HELD
    assert result.codes == ["av.unavailable"]
    assert result.facts["av"] == {"scanned": False, "status": "not_configured"}


def test_opting_out_of_the_scan_is_recorded_in_the_result(
    tmp_path: Path, parser_pool: ParserPool
) -> None:
    path = _write(tmp_path, "scan.png", misc.png())
    result = Inspector(scan=False, pool=parser_pool).inspect(path)
    assert result.verdict == Verdict.ACCEPTED
    assert result.facts["av"] == {"scanned": False, "status": "skipped"}


def test_sha256_and_size_describe_the_bytes_received(
    tmp_path: Path, parser_pool: ParserPool
) -> None:
    import hashlib

    data = misc.jpeg()
    path = _write(tmp_path, "foto.jpg", data)
    result = Inspector(scan=False, pool=parser_pool).inspect(path)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.size == len(data)


def test_a_batch_is_inspected_on_all_cores_with_the_same_verdicts_in_order(
    tmp_path: Path, parser_pool: ParserPool
) -> None:
    files = {
        "a.pdf": pdfs.small_pdf("Nachweis"),
        "b.png": misc.png(),
        "c.docx": ooxml.small_docx("Antrag"),
        "d.pdf": misc.CASES["exe renamed .pdf"][0](),
        "e.xlsx": ooxml.small_xlsx(1),
        "f.jpg": misc.jpeg(),
    }
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    inspector = Inspector(scan=False, pool=parser_pool)
    one_by_one = [inspector.inspect(p) for p in paths]
    batch = list(inspector.inspect_many(paths))
    assert [r.file for r in batch] == [str(p) for p in paths]
    assert [(r.verdict, r.codes, r.sha256) for r in batch] == [
        (r.verdict, r.codes, r.sha256) for r in one_by_one
    ]
    assert [r.verdict for r in batch].count(Verdict.REJECTED) == 1
