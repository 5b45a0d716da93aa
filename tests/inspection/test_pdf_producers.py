"""The producer matrix (tests/corpus/pdf_producers.py): real writers' PDFs, transfer damage, damage.

Every producer's file is accepted as it is; with an imperfection of transfer
or hand-editing it is accepted with the note ``pdf.repaired``; with real
damage it is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kammerpost.inspection import Inspector, ParserPool, Verdict
from kammerpost.inspection.pdf import check
from kammerpost.inspection.policy import Limits
from kammerpost.inspection.report import Findings
from tests.corpus import pdf_producers

PRODUCERS = [
    "chromium",
    "libreoffice_writer",
    "libreoffice_calc",
    "libreoffice_writer_pdfa",
    "libreoffice_calc_pdfa",
    "ghostscript_ps2pdf",
    "ghostscript_pdfwrite",
    "reportlab",
    "img2pdf_jpeg",
    "img2pdf_png",
    "qpdf_linearized",
    "qpdf_object_streams",
    "incremental_update",
    "form_filled_incrementally",
    "signed_then_updated",
]
# Offsets in a cross-reference stream are binary: no text-mode transfer or
# table edit of these kinds applies (bytes inserted and startxref shifted do).
XREF_STREAM_PRODUCERS = {"qpdf_object_streams"}
CLASSIC_TABLE_ONLY = {"crlf_to_lf", "offset_zero_entry"}


@pytest.fixture(scope="session")
def produced() -> dict[str, bytes]:
    return pdf_producers.produced()


@pytest.fixture
def inspect(tmp_path: Path) -> Callable[[bytes], Findings]:
    def run(data: bytes) -> Findings:
        path = tmp_path / "eingang.pdf"
        path.write_bytes(data)
        return check(str(path), Limits())

    return run


def test_the_matrix_has_every_producer(produced: dict[str, bytes]) -> None:
    assert sorted(produced) == sorted(PRODUCERS)
    assert produced["libreoffice_writer_pdfa"].count(b"pdfaid:part") >= 1
    assert b"/Linearized" in produced["qpdf_linearized"]
    assert b"/ObjStm" in produced["qpdf_object_streams"]
    for name in ("incremental_update", "form_filled_incrementally", "signed_then_updated"):
        assert produced[name].count(b"%%EOF") >= 2, name
    assert b"/ByteRange" in produced["signed_then_updated"]
    assert b"Skia" in produced["chromium"]
    assert b"Ghostscript" in produced["ghostscript_ps2pdf"]


@pytest.mark.parametrize("producer", PRODUCERS)
def test_producer_output_is_accepted(
    producer: str, produced: dict[str, bytes], inspect: Callable[[bytes], Findings]
) -> None:
    findings = inspect(produced[producer])
    assert findings.codes() == []
    assert findings.facts["repaired"] is False
    assert isinstance(findings.facts["pages"], int) and findings.facts["pages"] >= 1


def test_producer_output_is_accepted_by_the_whole_engine(
    produced: dict[str, bytes], tmp_path: Path, parser_pool: ParserPool
) -> None:
    inspector = Inspector(scan=False, pool=parser_pool)
    for producer in PRODUCERS:
        path = tmp_path / producer
        path.write_bytes(produced[producer])
        result = inspector.inspect(path, name=f"{producer}.pdf")
        assert (result.verdict, result.format, result.codes) == (Verdict.ACCEPTED, "pdf", []), (
            producer
        )


def test_signed_and_updated_pdf_keeps_its_signature_facts(
    produced: dict[str, bytes], inspect: Callable[[bytes], Findings]
) -> None:
    findings = inspect(produced["signed_then_updated"])
    assert findings.facts["signed"] is True
    signatures = findings.facts["signatures"]
    assert isinstance(signatures, list) and len(signatures) == 1


_IMPERFECT = [
    (producer, imperfection)
    for producer in PRODUCERS
    for imperfection in pdf_producers.IMPERFECTIONS
    if not (producer in XREF_STREAM_PRODUCERS and imperfection in CLASSIC_TABLE_ONLY)
]


@pytest.mark.parametrize(("producer", "imperfection"), _IMPERFECT)
def test_imperfect_transfer_is_accepted_with_a_note(
    producer: str,
    imperfection: str,
    produced: dict[str, bytes],
    inspect: Callable[[bytes], Findings],
) -> None:
    original = produced[producer]
    data = pdf_producers.IMPERFECTIONS[imperfection](original)
    assert data is not None and data != original
    findings = inspect(data)
    assert findings.codes() == ["pdf.repaired"]
    assert findings.facts["pages"] == inspect(original).facts["pages"]


@pytest.mark.parametrize("producer", sorted(XREF_STREAM_PRODUCERS))
def test_table_edits_do_not_apply_to_cross_reference_streams(
    producer: str, produced: dict[str, bytes]
) -> None:
    for imperfection in CLASSIC_TABLE_ONLY:
        assert pdf_producers.IMPERFECTIONS[imperfection](produced[producer]) is None


def test_a_correctly_written_crlf_file_needs_no_repair(
    produced: dict[str, bytes], inspect: Callable[[bytes], Findings]
) -> None:
    # The base of crlf_to_lf: CRLF line ends with right offsets are no imperfection.
    data = pdf_producers.crlf_written(produced["libreoffice_writer"])
    assert data is not None and b"\r\n" in data
    assert inspect(data).codes() == []


def test_text_mode_transfer_that_rewrites_compressed_data_is_damage(
    produced: dict[str, bytes], inspect: Callable[[bytes], Findings]
) -> None:
    # Every LF made CRLF, inside Flate data too: the streams no longer decode.
    data = produced["libreoffice_writer"].replace(b"\n", b"\r\n")
    assert inspect(data).codes() == ["pdf.damaged"]


_DAMAGED = [(p, d) for p in PRODUCERS for d in pdf_producers.DAMAGES]


@pytest.mark.parametrize(("producer", "damage"), _DAMAGED)
def test_real_damage_is_refused(
    producer: str, damage: str, produced: dict[str, bytes], inspect: Callable[[bytes], Findings]
) -> None:
    data = pdf_producers.DAMAGES[damage](produced[producer])
    codes = inspect(data).codes()
    if damage in ("truncated_at_95_percent", "truncated_before_eof") and codes == [
        "payload.trailing"
    ]:
        # Cut inside an incremental update: the earlier revision is complete, and
        # what follows it is refused as bytes after the end of the document.
        assert producer in (
            "incremental_update",
            "form_filled_incrementally",
            "signed_then_updated",
        )
    else:
        assert "pdf.damaged" in codes
    assert "pdf.repaired" not in codes
