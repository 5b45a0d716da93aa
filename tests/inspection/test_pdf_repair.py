"""Refuse damage, not imperfection (policy.md 1.2): repaired files, differential files, damage."""

from __future__ import annotations

import io
import os
import re
import zlib
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kammerpost.inspection import Inspector, ParserPool, Severity, Verdict
from kammerpost.inspection.pdf import check
from kammerpost.inspection.policy import Limits
from kammerpost.inspection.report import Findings
from tests.corpus import pdfs


@pytest.fixture
def inspect(tmp_path: Path) -> Callable[..., Findings]:
    def run(data: bytes, limits: Limits | None = None) -> Findings:
        path = tmp_path / "bescheid.pdf"
        path.write_bytes(data)
        return check(str(path), limits or Limits())

    return run


def _qpdf_warnings(data: bytes) -> list[str]:
    """What qpdf says while reading every object (the precondition of each repair case)."""
    with pikepdf.open(io.BytesIO(data), inherit_page_attributes=False) as pdf:
        for _ in pdf.objects:
            pass
        return pdf.get_warnings()


# --- imperfect files: accepted with a note -------------------------------------------

# The warning qpdf gives for each case: proof that each really is imperfect.
_EXPECTED_WARNING = {
    "broken_xref": "xref not found",
    "wrong_object_offset": "expected n n obj",
    "wrong_stream_length": "recovered stream length",
    "missing_stream_length": "lacks /Length key",
    "stream_keyword_cr_only": "carriage return only",
    "duplicated_key": "duplicated key",
    "line_endings_lf_to_crlf": "reconstruct cross-reference table",
    "line_endings_crlf_to_lf": "reconstruct cross-reference table",
    "bytes_inserted_before_object": "reconstruct cross-reference table",
    "offset_zero_entry": "offset 0",
}


def test_every_repaired_case_names_the_warning_that_makes_it_imperfect() -> None:
    assert set(_EXPECTED_WARNING) == set(pdfs.REPAIRED_CASES)


@pytest.mark.parametrize("name", sorted(pdfs.REPAIRED_CASES))
def test_imperfect_pdf_is_accepted_with_a_note(name: str, inspect: Callable[..., Findings]) -> None:
    data = pdfs.REPAIRED_CASES[name]()
    assert any(_EXPECTED_WARNING[name] in w for w in _qpdf_warnings(data))
    findings = inspect(data)
    assert findings.codes() == ["pdf.repaired"]
    assert findings.items[0].severity == Severity.NOTE
    assert findings.facts["repaired"] is True
    assert findings.facts["pages"] == 1


def test_clean_pdf_is_not_called_repaired(inspect: Callable[..., Findings]) -> None:
    findings = inspect(pdfs.clean())
    assert findings.codes() == []
    assert findings.facts["repaired"] is False


def test_imperfect_pdf_is_accepted_by_the_engine_and_the_sender_reads_the_note(
    tmp_path: Path, parser_pool: ParserPool
) -> None:
    path = tmp_path / "upload"
    path.write_bytes(pdfs.line_endings_lf_to_crlf())
    result = Inspector(scan=False, pool=parser_pool).inspect(path, name="bescheid.pdf")
    assert result.verdict == Verdict.ACCEPTED
    (note,) = result.reasons
    assert note.code == "pdf.repaired"
    assert "Formfehler" in note.message_de and "repairs" in note.message_en
    assert note.hint_de and note.hint_en


def test_repair_does_not_lift_a_rule(inspect: Callable[..., Findings]) -> None:
    # A script in a file with a broken table is refused like any script.
    data = pdfs.bytes_inserted_before_object(pdfs.open_action_javascript(), number=1)
    assert "pdf.javascript" in inspect(data).codes()


# --- differential files: every raw definition counts ---------------------------------


def test_script_in_a_definition_the_rebuilt_table_does_not_choose_is_refused(
    inspect: Callable[..., Findings],
) -> None:
    data = pdfs.two_definitions_script_hidden()
    # qpdf, rebuilding the table, sees only the link: the raw scan must find the script.
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert str(pdf.pages[0].obj.Annots[0].A.S) == "/URI"
    codes = inspect(data).codes()
    assert "pdf.javascript" in codes
    assert "pdf.ambiguous" in codes


def test_script_in_the_definition_the_rebuilt_table_chooses_is_refused(
    inspect: Callable[..., Findings],
) -> None:
    data = pdfs.two_definitions_script_chosen()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert str(pdf.pages[0].obj.Annots[0].A.S) == "/JavaScript"
    codes = inspect(data).codes()
    assert "pdf.javascript" in codes
    assert "pdf.ambiguous" in codes


def test_script_only_the_broken_table_points_to_is_refused(
    inspect: Callable[..., Findings],
) -> None:
    data = pdfs.script_only_where_the_broken_table_points()
    assert data.count(b"5 0 obj") == 2
    assert "pdf.javascript" in inspect(data).codes()


def test_script_in_an_object_no_table_names_is_refused(inspect: Callable[..., Findings]) -> None:
    assert "pdf.javascript" in inspect(pdfs.script_in_an_object_no_table_names()).codes()


def test_script_after_endobj_in_a_string_of_a_hidden_definition_is_refused(
    inspect: Callable[..., Findings],
) -> None:
    data = pdfs.script_after_endobj_in_a_string()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/Next" not in pdf.pages[0].obj.Annots[0].A  # qpdf chose the other one
    codes = inspect(data).codes()
    assert "pdf.javascript" in codes
    assert "pdf.ambiguous" in codes


def test_a_definition_that_never_ends_is_damage(inspect: Callable[..., Findings]) -> None:
    # An unterminated string: no reader can say where this object ends.
    data = pdfs._with_second_definition(
        b"<< /S /URI /URI (https://example.org >>", pdfs._URI_ACTION
    )
    assert "pdf.damaged" in inspect(data).codes()


def test_hex_escaped_script_in_a_hidden_definition_is_refused(
    inspect: Callable[..., Findings],
) -> None:
    data = pdfs.hex_escaped_script_in_a_second_definition()
    assert b"JavaScript" not in data
    codes = inspect(data).codes()
    assert "pdf.javascript" in codes
    assert "pdf.ambiguous" in codes


def test_launch_behind_a_duplicated_key_is_refused(inspect: Callable[..., Findings]) -> None:
    # qpdf keeps the last /S (the link); a reader that keeps the first starts a program.
    data = pdfs.launch_behind_a_duplicated_key()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert str(pdf.pages[0].obj.Annots[0].A.S) == "/URI"
    assert "pdf.launch" in inspect(data).codes()


@pytest.mark.parametrize("typed", [True, False], ids=["ObjStm", "untyped"])
def test_script_in_a_hidden_object_stream_is_refused(
    typed: bool, inspect: Callable[..., Findings]
) -> None:
    # The object stream holding a script, copied from another file into a clean one
    # whose table is then broken: only a decoded raw object stream shows the script.
    script_file = pdfs.javascript_in_object_stream()
    with pikepdf.open(io.BytesIO(script_file)) as pdf:
        (number,) = {
            o.objgen[0]
            for o in pdf.objects
            if isinstance(o, pikepdf.Object)
            and o._type_code is pikepdf.ObjectType.stream
            and o.stream_dict.get("/Type") == pikepdf.Name.ObjStm
        }
    start = script_file.index(b"\n%d 0 obj" % number) + 1
    stream_object = script_file[start : script_file.index(b"endobj", start) + len(b"endobj\n")]
    if not typed:
        # Readers that follow a table do not ask for /Type: /N and /First suffice.
        assert stream_object.count(b"/Type /ObjStm") == 1
        stream_object = stream_object.replace(b"/Type /ObjStm", b" " * len(b"/Type /ObjStm"))
    clean = pdfs.pdf_1_7_object_streams()
    # Put before the clean file's own definition, which a rebuilt table prefers.
    header_end = clean.index(b"\n", clean.index(b"\n") + 1) + 1  # after the binary comment
    data = clean[:header_end] + stream_object + clean[header_end:]
    assert b"JavaScript" not in data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert not any("/JS" in o for o in pdf.objects if isinstance(o, pikepdf.Dictionary))
    codes = inspect(data).codes()
    assert "pdf.javascript" in codes


def test_a_clean_file_is_never_scanned_raw(
    inspect: Callable[..., Findings], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The raw scan is for repaired files only: clean ones keep their speed.
    from kammerpost.inspection import pdf_raw

    def refuse(*args: object) -> None:
        raise AssertionError("raw scan on a clean file")

    monkeypatch.setattr(pdf_raw, "definitions", refuse)
    assert inspect(pdfs.pdf_1_7_object_streams()).codes() == []


# --- /OpenAction /GoTo and usage rights ------------------------------------------------


def test_open_action_goto_to_a_page_is_accepted(inspect: Callable[..., Findings]) -> None:
    assert inspect(pdfs.open_action_goto()).codes() == []


def test_open_action_goto_with_a_next_chain_is_refused(inspect: Callable[..., Findings]) -> None:
    assert "pdf.automatic_action" in inspect(pdfs.open_action_goto_then_link()).codes()
    codes = inspect(pdfs.open_action_goto_then_script()).codes()
    assert {"pdf.automatic_action", "pdf.javascript"} <= set(codes)


def test_open_action_goto_to_something_else_than_a_page_is_refused(
    inspect: Callable[..., Findings],
) -> None:
    def goto_nowhere(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = pikepdf.Dictionary(
            S=pikepdf.Name.GoTo, D=pikepdf.Array([pdf.Root.Pages, pikepdf.Name.Fit])
        )

    assert inspect(pdfs._document_bytes(goto_nowhere)).codes() == ["pdf.automatic_action"]


def test_filled_form_with_usage_rights_is_accepted(inspect: Callable[..., Findings]) -> None:
    data = pdfs.usage_rights_form()
    assert b"/UR3" in data and b"/EF [" in data
    findings = inspect(data)
    assert findings.codes() == []
    assert findings.facts["signed"] is True


def test_certified_form_is_accepted(inspect: Callable[..., Findings]) -> None:
    assert inspect(pdfs.certified_form()).codes() == []


def test_a_file_under_usage_rights_is_still_a_file(inspect: Callable[..., Findings]) -> None:
    assert "pdf.embedded_file" in inspect(pdfs.embedded_file_posing_as_permissions()).codes()


# --- damage: refused --------------------------------------------------------------------

_DAMAGED = [
    "truncated",
    "truncated_then_closed",
    "stream_not_decoding",
    "stream_corrupt",
    "missing_root",
    "missing_kids",
    "page_tree_loop",
    "lost_object",
]


@pytest.mark.parametrize("name", _DAMAGED)
def test_damaged_pdf_is_refused(name: str, inspect: Callable[..., Findings]) -> None:
    findings = inspect(getattr(pdfs, name)())
    assert "pdf.damaged" in findings.codes()
    assert "pdf.repaired" not in findings.codes()


@pytest.mark.parametrize("checksum", ["missing", "wrong"])
def test_a_flate_stream_with_a_bad_checksum_is_no_damage(
    checksum: str, inspect: Callable[..., Findings]
) -> None:
    packed = zlib.compress(pdfs.PAGE_TEXT)[:-4]  # the deflate data is complete
    if checksum == "wrong":
        packed += b"\x00\x00\x00\x00"
    data = pdfs._content_stream_document(
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(packed), packed)
    )
    assert inspect(data).codes() == []


def test_decoded_data_beyond_the_budget_is_too_complex(inspect: Callable[..., Findings]) -> None:
    packed = zlib.compress(bytes(4 * 1024 * 1024))
    data = pdfs._content_stream_document(
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(packed), packed)
    )
    assert inspect(data).codes() == []
    assert inspect(data, Limits(pdf_max_decoded_bytes=1024 * 1024)).codes() == ["file.too_complex"]


def test_only_the_warnings_that_led_to_the_rebuild_are_explained_by_it() -> None:
    # qpdf may rebuild the table in the middle of reading objects; a syntax
    # problem it reported before that is damage all the same.
    from kammerpost.inspection.pdf import _judge_warnings

    rebuild = [
        "f.pdf: file is damaged",
        "f.pdf (object 7 0, offset 900): expected n n obj",
        "f.pdf: Attempting to reconstruct cross-reference table",
    ]
    syntax = "f.pdf (object 3 0, offset 120): unexpected dictionary close token"
    assert _judge_warnings(rebuild).repaired
    assert not _judge_warnings(rebuild).damaged
    assert _judge_warnings([syntax, *rebuild]).damaged
    assert _judge_warnings([*rebuild, syntax]).damaged
    assert _judge_warnings(["f.pdf: Attempting to reconstruct cross-reference table"]).repaired


def test_owner_password_pdf_with_a_broken_table_is_checked_like_any_other(
    inspect: Callable[..., Findings],
) -> None:
    # Only qpdf's view is decrypted; names (what the rules read) never are encrypted.
    clean = pdfs.bytes_inserted_before_object(pdfs.owner_password_only(), number=2)
    findings = inspect(clean)
    assert findings.codes() == ["pdf.repaired"]
    assert findings.facts["encrypted"] is True
    script = pdfs.bytes_inserted_before_object(pdfs.owner_password_javascript(), number=2)
    assert "pdf.javascript" in inspect(script).codes()


_DIFFERENTIAL = pdfs.two_definitions_script_hidden()
# The hidden definition: object 5 with the script, the first of its two.
_SCRIPT_START = _DIFFERENTIAL.index(b"5 0 obj")
_SCRIPT_END = _DIFFERENTIAL.index(b"endobj", _SCRIPT_START) + len(b"endobj")


@settings(
    max_examples=int(os.environ.get("KAMMERPOST_PDF_MUTANTS", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    position=st.integers(min_value=len(b"%PDF-"), max_value=len(_DIFFERENTIAL) - 1),
    value=st.integers(min_value=0, max_value=255),
)
def test_a_changed_byte_in_a_repaired_file_never_makes_the_check_raise(
    position: int, value: int, inspect: Callable[..., Findings]
) -> None:
    data = bytearray(_DIFFERENTIAL)
    data[position] = value
    codes = inspect(bytes(data)).codes()
    assert all(re.fullmatch(r"[a-z]+\.[a-z_]+", code) for code in codes)
    # Whatever else the byte did: while the script's definition is intact, it is refused.
    if not _SCRIPT_START <= position < _SCRIPT_END:
        assert set(codes) - {"pdf.repaired"}, codes  # a reason to refuse


def test_more_raw_definitions_than_the_object_limit_is_too_complex(
    inspect: Callable[..., Findings],
) -> None:
    data = pdfs.two_definitions_script_hidden()  # five objects, six definitions
    assert data.count(b" 0 obj") == 6
    findings = inspect(data, Limits(pdf_max_objects=5))
    assert findings.facts["objects"] == 5
    assert "file.too_complex" in findings.codes()
