"""The PDF rules (policy.md 1.2) on the corpus of tests/corpus/pdfs.py."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kammerpost.inspection.pdf import check
from kammerpost.inspection.policy import Limits
from kammerpost.inspection.report import Findings
from tests.corpus import pdfs


@pytest.fixture
def inspect(tmp_path: Path) -> Callable[..., Findings]:
    """Write the bytes to a file and run the PDF check on it, as the worker does."""

    def run(data: bytes, limits: Limits | None = None, name: str = "bescheid.pdf") -> Findings:
        path = tmp_path / name
        path.write_bytes(data)
        return check(str(path), limits or Limits())

    return run


# --- accepted ------------------------------------------------------------------


def test_clean_document_is_accepted_with_its_facts(inspect: Callable[..., Findings]) -> None:
    findings = inspect(pdfs.clean())
    assert findings.codes() == []
    assert findings.facts["pdf_version"] == "1.7"
    assert findings.facts["pages"] == 1
    assert findings.facts["signed"] is False
    assert findings.facts["encrypted"] is False
    assert isinstance(findings.facts["objects"], int)
    assert findings.facts["objects"] > 0


def test_pdf_1_4_is_accepted(inspect: Callable[..., Findings]) -> None:
    data = pdfs.pdf_1_4()
    assert data.startswith(b"%PDF-1.4")
    findings = inspect(data)
    assert findings.codes() == []
    assert findings.facts["pdf_version"] == "1.4"


def test_pdf_1_7_with_object_streams_and_xref_stream_is_accepted(
    inspect: Callable[..., Findings],
) -> None:
    data = pdfs.pdf_1_7_object_streams()
    assert b"/ObjStm" in data
    assert b"/XRef" in data
    findings = inspect(data)
    assert findings.codes() == []
    assert findings.facts["pages"] == 6


def test_uri_links_are_accepted(inspect: Callable[..., Findings]) -> None:
    assert inspect(pdfs.uri_links()).codes() == []


def test_owner_password_only_pdf_is_opened_and_accepted(inspect: Callable[..., Findings]) -> None:
    findings = inspect(pdfs.owner_password_only())
    assert findings.codes() == []
    assert findings.facts["encrypted"] is True


def test_owner_password_only_pdf_is_checked_like_any_other(
    inspect: Callable[..., Findings],
) -> None:
    assert "pdf.javascript" in inspect(pdfs.owner_password_javascript()).codes()


def test_signature_dictionary_is_accepted_and_reported_as_signed(
    inspect: Callable[..., Findings],
) -> None:
    findings = inspect(pdfs.signature_field())
    assert findings.codes() == []
    assert findings.facts["signed"] is True


def test_hand_written_pdf_is_accepted(inspect: Callable[..., Findings]) -> None:
    # The base of the byte-level cases must be clean, or they prove nothing.
    assert inspect(pdfs.hand_written()).codes() == []


def test_wrong_size_in_the_trailer_is_no_damage(inspect: Callable[..., Findings]) -> None:
    assert inspect(pdfs.wrong_size_in_trailer()).codes() == []


def test_catalog_version_counts_when_newer_than_the_header(
    inspect: Callable[..., Findings],
) -> None:
    findings = inspect(pdfs.catalog_version_above_header())
    assert findings.codes() == []
    assert findings.facts["pdf_version"] == "1.4"


def test_open_action_that_is_a_destination_is_accepted(inspect: Callable[..., Findings]) -> None:
    assert inspect(pdfs.open_action_destination()).codes() == []


def test_whitespace_after_the_last_eof_is_accepted(inspect: Callable[..., Findings]) -> None:
    assert inspect(pdfs.clean() + b"\r\n \t\f\x00\n").codes() == []


# --- rejected --------------------------------------------------------------------


def test_pdf_1_2_is_rejected_as_too_old(inspect: Callable[..., Findings]) -> None:
    findings = inspect(pdfs.pdf_1_2())
    assert findings.codes() == ["pdf.version_too_old"]
    assert findings.items[0].params == {"version": "1.2"}
    assert findings.facts["pdf_version"] == "1.2"


def test_open_action_javascript_is_rejected(inspect: Callable[..., Findings]) -> None:
    codes = inspect(pdfs.open_action_javascript()).codes()
    assert "pdf.javascript" in codes
    assert "pdf.automatic_action" in codes


def test_open_action_with_a_harmless_action_is_rejected_as_automatic(
    inspect: Callable[..., Findings],
) -> None:
    assert inspect(pdfs.open_action_uri()).codes() == ["pdf.automatic_action"]


def test_pikepdf_reads_hex_escaped_names_decoded() -> None:
    # The check relies on this: qpdf decodes #xx in names while parsing.
    with pikepdf.open(io.BytesIO(pdfs.hex_escaped_javascript())) as pdf:
        action = pdf.pages[0].obj.Annots[0].A
        assert str(action.S) == "/JavaScript"
        assert "/JS" in action
        assert "/J#53" not in action


def test_hex_escaped_javascript_name_is_rejected(inspect: Callable[..., Findings]) -> None:
    data = pdfs.hex_escaped_javascript()
    assert pdfs.HEX_ESCAPED_ACTION in data
    assert b"JavaScript" not in data
    assert b"/JS" not in data
    assert inspect(data).codes() == ["pdf.javascript"]


def test_javascript_inside_a_compressed_object_stream_is_rejected(
    inspect: Callable[..., Findings],
) -> None:
    data = pdfs.javascript_in_object_stream()
    assert b"/ObjStm" in data
    assert b"JavaScript" not in data  # invisible to a keyword scan
    assert inspect(data).codes() == ["pdf.javascript"]


def test_incremental_update_adding_javascript_to_a_clean_pdf_is_rejected(
    inspect: Callable[..., Findings],
) -> None:
    base = pdfs.clean_for_update()
    assert inspect(base).codes() == []
    data = pdfs.incremental_update_javascript()
    assert data.startswith(base)
    assert data.count(b"%%EOF") == 2
    assert b"/Prev" in data[len(base) :]
    assert inspect(data).codes() == ["pdf.javascript"]


def test_launch_action_is_rejected(inspect: Callable[..., Findings]) -> None:
    assert inspect(pdfs.launch_action()).codes() == ["pdf.launch"]


def test_action_type_given_as_an_indirect_name_is_recognised(
    inspect: Callable[..., Findings],
) -> None:
    assert inspect(pdfs.indirect_action_type()).codes() == ["pdf.launch"]


def test_embedded_file_is_rejected(inspect: Callable[..., Findings]) -> None:
    assert inspect(pdfs.embedded_file()).codes() == ["pdf.embedded_file"]


def test_file_attachment_annotation_is_rejected(inspect: Callable[..., Findings]) -> None:
    assert inspect(pdfs.file_attachment_annotation()).codes() == ["pdf.embedded_file"]


def test_xfa_form_is_rejected(inspect: Callable[..., Findings]) -> None:
    assert inspect(pdfs.xfa_form()).codes() == ["pdf.xfa"]


def test_page_additional_actions_are_rejected(inspect: Callable[..., Findings]) -> None:
    assert inspect(pdfs.page_additional_actions()).codes() == ["pdf.automatic_action"]


def test_rich_media_annotation_is_rejected(inspect: Callable[..., Findings]) -> None:
    assert inspect(pdfs.rich_media()).codes() == ["pdf.rich_media"]


def test_link_to_another_file_is_rejected(inspect: Callable[..., Findings]) -> None:
    assert inspect(pdfs.remote_goto()).codes() == ["pdf.remote_action"]


def test_form_submission_is_rejected(inspect: Callable[..., Findings]) -> None:
    assert inspect(pdfs.submit_form()).codes() == ["pdf.form_submission"]


def test_nesting_deeper_than_the_limit_is_too_complex(inspect: Callable[..., Findings]) -> None:
    limits = Limits()
    assert inspect(pdfs.deep_nesting(limits.pdf_max_depth + 10)).codes() == ["file.too_complex"]
    assert inspect(pdfs.deep_nesting(limits.pdf_max_depth - 10)).codes() == []


def test_more_objects_than_the_limit_is_too_complex(inspect: Callable[..., Findings]) -> None:
    findings = inspect(pdfs.clean(), Limits(pdf_max_objects=3))
    assert findings.codes() == ["file.too_complex"]


def test_aes256_user_password_pdf_is_rejected_as_encrypted(
    inspect: Callable[..., Findings],
) -> None:
    findings = inspect(pdfs.aes256_user_password())
    assert findings.codes() == ["pdf.encrypted"]
    assert findings.facts["encrypted"] is True


def test_certificate_encrypted_pdf_is_rejected_as_encrypted(
    inspect: Callable[..., Findings],
) -> None:
    findings = inspect(pdfs.certificate_encryption(), name="encrypt-damaged.pdf")
    assert findings.codes() == ["pdf.encrypted"]


def test_damaged_pdf_is_not_called_encrypted_because_of_its_file_name(
    inspect: Callable[..., Findings],
) -> None:
    assert inspect(pdfs.truncated(), name="encrypted.pdf").codes() == ["pdf.damaged"]


def test_truncated_pdf_is_rejected_as_damaged(inspect: Callable[..., Findings]) -> None:
    assert inspect(pdfs.truncated()).codes() == ["pdf.damaged"]


def test_missing_eof_marker_is_rejected_as_damaged(inspect: Callable[..., Findings]) -> None:
    data = pdfs.clean()
    assert data.endswith(b"%%EOF\n")
    assert "pdf.damaged" in inspect(data[: -len(b"%%EOF\n")]).codes()


def test_appended_zip_is_rejected_as_trailing_payload(inspect: Callable[..., Findings]) -> None:
    data = pdfs.appended_zip()
    zip_size = len(data) - len(pdfs.clean())
    findings = inspect(data)
    assert findings.codes() == ["payload.trailing"]
    assert findings.items[0].params == {"format": "PDF", "extra": zip_size}


def test_eof_marker_after_a_payload_does_not_hide_it(inspect: Callable[..., Findings]) -> None:
    # "%%EOF" alone is no end of a revision; only "startxref <n> %%EOF" is.
    findings = inspect(pdfs.appended_zip() + b"\n%%EOF\n")
    assert "payload.trailing" in findings.codes()


def test_html_after_a_pdf_header_is_rejected_as_damaged(inspect: Callable[..., Findings]) -> None:
    assert inspect(pdfs.html_after_header()).codes() == ["pdf.damaged"]


# --- the catalogue as a whole --------------------------------------------------------

_PDF_CASES = {name: case for name, case in pdfs.CASES.items() if case[0]().startswith(b"%PDF-")}


@pytest.mark.parametrize("name", sorted(_PDF_CASES))
def test_every_pdf_case_gets_its_expected_verdict(
    name: str, inspect: Callable[..., Findings]
) -> None:
    build, filename, expected = _PDF_CASES[name]
    codes = inspect(build(), name=filename).codes()
    if expected is None:
        assert codes == []
    else:
        assert expected in codes


def test_cases_decided_before_the_pdf_rules_do_not_start_with_a_pdf_header() -> None:
    # These reach detect.py's verdict, never pdf.check; the engine tests cover them.
    others = {name for name in pdfs.CASES if name not in _PDF_CASES}
    assert others == {"junk_before_pdf", "exe_renamed_pdf", "pe_pdf_polyglot"}
    assert pdfs.pe_pdf_polyglot().index(b"%PDF-") == 300
    assert pdfs.junk_before_pdf().index(b"%PDF-") == 600


def test_large_pdf_is_clean_and_about_the_requested_size(
    inspect: Callable[..., Findings],
) -> None:
    size = 5 * 1024 * 1024
    data = pdfs.large_pdf(size)
    assert abs(len(data) - size) < size // 50
    findings = inspect(data)
    assert findings.codes() == []
    assert findings.facts["pages"] == 2


# --- robustness ---------------------------------------------------------------------

_CLEAN = pdfs.clean()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Only the final end-of-line may go: a file that ends in "%%EOF" is complete.
@given(cut=st.integers(min_value=len(b"%PDF-1.7"), max_value=len(_CLEAN) - 2))
def test_a_cut_off_pdf_is_never_accepted_and_never_raises(
    cut: int, inspect: Callable[..., Findings]
) -> None:
    assert inspect(_CLEAN[:cut]).codes() != []


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    position=st.integers(min_value=len(b"%PDF-"), max_value=len(_CLEAN) - 1),
    value=st.integers(min_value=0, max_value=255),
)
def test_a_changed_byte_never_makes_the_check_raise(
    position: int, value: int, inspect: Callable[..., Findings]
) -> None:
    data = bytearray(_CLEAN)
    data[position] = value
    findings = inspect(bytes(data))
    # Whatever the verdict, the codes are from the catalogue (Findings.add checks).
    assert all(re.fullmatch(r"[a-z]+\.[a-z_]+", code) for code in findings.codes())
