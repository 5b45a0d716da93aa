"""The DOCX/XLSX rules on packages built in code and on real Office-made samples."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from kammerpost.inspection import ooxml as rules
from kammerpost.inspection.policy import MB, Limits
from kammerpost.inspection.report import Findings
from tests.corpus import ooxml as corpus

REALWORLD = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "realworld"

# What ooxml.check decides; the other cases are refused by their first bytes before it runs.
DECIDED_HERE = {
    name: case
    for name, case in corpus.CASES.items()
    if case[2] is None
    or case[2] == "name.mismatch"
    or case[2].startswith("ooxml.")
    or case[2] in ("archive.zip", "file.too_complex")
}

# Real samples that are ZIP packages, with the codes their README's reason implies.
REALWORLD_CODES = {
    "msodde_harmless-clean.docx": set(),
    "msodde_harmless-clean.docm": {"ooxml.macro_enabled"},
    "msodde_dde-test.docx": {"ooxml.dde"},
    "msodde_dde-test.docm": {"ooxml.macro_enabled", "ooxml.dde"},
    "msodde_dde-test.xlsx": {"ooxml.dde"},
    "oleform_oleform-PR314.docm": {"ooxml.macro_enabled", "ooxml.macros"},
    "oleobj_embedded-simple-2007.docx": {"ooxml.ole_object"},
    "oleobj_embedded-simple-2007.docm": {"ooxml.macro_enabled", "ooxml.ole_object"},
    "oleobj_embedded-simple-2007.xlsx": {"ooxml.ole_object"},
    "oleobj_external_link_sample_with_external_link_to_doc.docx": {"ooxml.ole_object"},
    "excel4-macros_excel4_sample_macro.xlsm": {"ooxml.macro_enabled", "ooxml.xlm_macros"},
}


def _check(tmp_path: Path, data: bytes, limits: Limits | None = None) -> Findings:
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    return rules.check(str(path), limits or Limits())


@pytest.mark.parametrize("case", sorted(DECIDED_HERE))
def test_corpus_package_gets_its_expected_findings(case: str, tmp_path: Path) -> None:
    build, name, expected = DECIDED_HERE[case]
    data = build()
    assert data.startswith(b"PK\x03\x04")
    findings = _check(tmp_path, data)
    if expected is None or expected == "name.mismatch":
        assert findings.codes() == []
        kind, suffix = findings.facts.get("ooxml_kind"), Path(name).suffix.lstrip(".")
        assert kind in ("docx", "xlsx")
        # Accepted files are named after their kind; a mismatch is accepted under the real one.
        assert (kind == suffix) == (expected is None)
    else:
        assert expected in findings.codes()


def test_cases_decided_elsewhere_do_not_start_like_a_zip() -> None:
    for name, (build, _, expected) in corpus.CASES.items():
        if name not in DECIDED_HERE:
            assert not build().startswith(b"PK\x03\x04"), (name, expected)


def test_the_kind_comes_from_the_content_type_not_the_file_name(tmp_path: Path) -> None:
    findings = _check(tmp_path, corpus.xlsx())
    assert findings.codes() == []
    assert findings.facts["ooxml_kind"] == "xlsx"


def test_a_clean_docx_reports_its_parts_and_unpacked_size(tmp_path: Path) -> None:
    parts = corpus.docx_parts()
    findings = _check(tmp_path, corpus.zip_parts(parts))
    assert findings.facts["parts"] == len(parts)
    assert findings.facts["unpacked_size"] == sum(len(p) for p in parts.values())
    assert findings.facts["ooxml_kind"] == "docx"


def test_a_rejected_main_kind_sets_no_ooxml_kind(tmp_path: Path) -> None:
    findings = _check(tmp_path, corpus.docx(main_type=corpus.DOCM_MAIN))
    assert "ooxml_kind" not in findings.facts


def test_unsafe_zip_findings_describe_the_problem_in_both_languages(tmp_path: Path) -> None:
    findings = _check(tmp_path, corpus.evil_entry_name("../../tmp/evil.sh"))
    (finding,) = (f for f in findings.items if f.code == "ooxml.unsafe_zip")
    assert finding.params == {
        "detail_de": "unzulässige Pfade in Dateinamen",
        "detail_en": "unsafe paths in entry names",
    }


def test_a_package_nested_as_deep_as_allowed_is_accepted(tmp_path: Path) -> None:
    findings = _check(tmp_path, corpus.nested_docx(Limits().ooxml_max_nesting))
    assert findings.codes() == []


def test_too_many_entries_are_refused_before_reading_them(tmp_path: Path) -> None:
    findings = _check(tmp_path, corpus.docx(), replace(Limits(), zip_max_entries=5))
    assert findings.codes() == ["ooxml.too_large_unpacked"]


def test_declared_sizes_above_the_unpacked_limit_are_refused(tmp_path: Path) -> None:
    data = corpus.large_docx(2 * MB)
    findings = _check(tmp_path, data, replace(Limits(), zip_max_unpacked=1 * MB))
    assert findings.codes() == ["ooxml.too_large_unpacked"]


def test_an_xml_part_above_the_part_limit_is_refused(tmp_path: Path) -> None:
    big = corpus.document_xml(corpus.PARAGRAPH * 20_000)
    data = corpus.zip_parts({**corpus.docx_parts(), "word/document.xml": big})
    findings = _check(tmp_path, data, replace(Limits(), xml_max_part_size=1 * MB))
    assert findings.codes() == ["ooxml.too_large_unpacked"]


def test_a_ratio_above_the_limit_is_refused_even_for_a_small_part(tmp_path: Path) -> None:
    data = corpus.zip_parts({**corpus.docx_parts(), "customXml/item1.xml": b" " * 200_000})
    findings = _check(tmp_path, data, replace(Limits(), zip_max_ratio=50))
    assert "ooxml.unsafe_zip" in findings.codes()


def test_bytes_that_are_no_zip_at_all_are_damaged_not_an_exception(tmp_path: Path) -> None:
    findings = _check(tmp_path, b"PK\x03\x04" + b"\0" * 100)
    assert findings.codes() == ["ooxml.damaged"]


@pytest.mark.parametrize("cut", [30, 200, 1000, 3000])
def test_a_package_cut_anywhere_is_damaged_or_unsafe(cut: int, tmp_path: Path) -> None:
    data = corpus.docx()
    findings = _check(tmp_path, data[:cut] + data[-22:])
    assert findings.codes()
    assert set(findings.codes()) <= {"ooxml.damaged", "ooxml.unsafe_zip"}


def test_xml_in_an_encoding_opc_does_not_allow_is_damaged(tmp_path: Path) -> None:
    xml = corpus.document_xml().replace(b"UTF-8", b"windows-1252")
    data = corpus.zip_parts({**corpus.docx_parts(), "word/document.xml": xml})
    assert _check(tmp_path, data).codes() == ["ooxml.damaged"]


def test_a_dtd_in_a_relationships_part_is_refused(tmp_path: Path) -> None:
    rels = corpus.relationships([corpus.Rel(corpus.R + "styles", "styles.xml")])
    rels = rels.replace(b"?>\n", b'?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n')
    data = corpus.zip_parts({**corpus.docx_parts(), "word/_rels/document.xml.rels": rels})
    assert "ooxml.dtd" in _check(tmp_path, data).codes()


def test_a_dtd_in_a_legacy_vml_drawing_is_refused(tmp_path: Path) -> None:
    vml = '<!DOCTYPE x [<!ENTITY a "b">]><xml xmlns:v="urn:schemas-microsoft-com:vml"><br></xml>'
    parts = {**corpus.docx_parts(), "word/drawings/vmlDrawing1.vml": vml.encode("utf-16")}
    assert "ooxml.dtd" in _check(tmp_path, corpus.zip_parts(parts)).codes()


def test_legacy_vml_need_not_be_well_formed(tmp_path: Path) -> None:
    vml = b'<xml xmlns:v="urn:schemas-microsoft-com:vml"><v:shape><br></v:shape></xml>'
    parts = {**corpus.docx_parts(), "word/drawings/vmlDrawing1.vml": vml}
    assert _check(tmp_path, corpus.zip_parts(parts)).codes() == []


def test_a_docx_with_zip64_records_is_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Lower zipfile's thresholds so it writes ZIP64 extras and end records for a small file.
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 1000)
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 3)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in corpus.docx_parts().items():
            with zf.open(name, "w", force_zip64=True) as part:
                part.write(data)
    assert b"PK\x06\x06" in out.getvalue()
    findings = _check(tmp_path, out.getvalue())
    assert findings.codes() == []
    assert findings.facts["ooxml_kind"] == "docx"


def test_media_that_merely_starts_with_mz_is_no_program(tmp_path: Path) -> None:
    font = b"MZ" + bytes(range(256)) * 40  # obfuscated fonts start with random bytes
    parts = {**corpus.docx_parts(), "word/fonts/font1.odttf": font}
    assert _check(tmp_path, corpus.zip_parts(parts)).codes() == []


def test_large_clean_docx_for_benchmarks_has_about_the_asked_size(tmp_path: Path) -> None:
    data = corpus.large_docx(3 * MB)
    assert 2.9 * MB < len(data) < 3.3 * MB
    findings = _check(tmp_path, data)
    assert findings.codes() == []
    assert findings.facts["ooxml_kind"] == "docx"


def test_large_clean_xlsx_for_benchmarks_has_about_the_asked_size(tmp_path: Path) -> None:
    data = corpus.large_xlsx(3 * MB)
    assert 2.5 * MB < len(data) < 6 * MB
    findings = _check(tmp_path, data)
    assert findings.codes() == []
    assert findings.facts["ooxml_kind"] == "xlsx"


def test_every_zip_sample_of_the_realworld_readme_has_expected_codes() -> None:
    if not REALWORLD.exists():
        pytest.skip("../shared/corpus/realworld is not present on this machine")
    readme = (REALWORLD / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| (\S+\.\w+) \| (?:accepted|rejected) \|", readme, re.MULTILINE)
    zips = {n for n in listed if (REALWORLD / n).read_bytes()[:4] == b"PK\x03\x04"}
    assert zips == set(REALWORLD_CODES)


@pytest.mark.parametrize("name", sorted(REALWORLD_CODES))
def test_realworld_sample_gets_the_verdict_of_its_readme(name: str) -> None:
    if not REALWORLD.exists():
        pytest.skip("../shared/corpus/realworld is not present on this machine")
    readme = (REALWORLD / "README.md").read_text(encoding="utf-8")
    m = re.search(rf"^\| {re.escape(name)} \| (accepted|rejected) \|", readme, re.MULTILINE)
    assert m is not None
    findings = rules.check(str(REALWORLD / name), Limits())
    if m.group(1) == "accepted":
        assert findings.codes() == []
    else:
        assert findings.codes()
        assert REALWORLD_CODES[name] <= set(findings.codes())


def test_a_dde_formula_is_found_wherever_the_stream_is_cut() -> None:
    from kammerpost.inspection.ooxml import _DdeFormulaScan

    sheet = (
        b"<row><c r='A1'><v>1</v></c>" + b"x" * 20_000 + b"<c><f>cmd|' /c calc'!A1</f></c></row>"
    )
    for cut in range(20_000, len(sheet)):
        scan = _DdeFormulaScan()
        assert b"".join(scan.watch([sheet[:cut], sheet[cut:]])) == sheet
        assert scan.found, cut
    harmless = _DdeFormulaScan()
    list(harmless.watch([b"<c><f>SUM(A1:A3)</f><v>a|b</v></c>"]))
    assert not harmless.found
