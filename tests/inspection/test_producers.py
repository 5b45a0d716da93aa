"""Documents made by python-docx, openpyxl and LibreOffice are accepted as what they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from kammerpost.inspection import Inspector, ParserPool, Verdict
from tests.corpus import producers


@pytest.fixture(scope="module")
def libreoffice_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return producers.libreoffice_convert(tmp_path_factory.mktemp("libreoffice"))


def _inspect(tmp_path: Path, name: str, data: bytes, pool: ParserPool):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(data)
    return Inspector(scan=False, pool=pool).inspect(path)


def test_python_docx_document_is_accepted_as_docx(tmp_path: Path, parser_pool: ParserPool) -> None:
    result = _inspect(tmp_path, "antrag.docx", producers.python_docx_document(), parser_pool)
    assert (result.verdict, result.format, result.codes) == (Verdict.ACCEPTED, "docx", [])


def test_openpyxl_workbook_with_formula_chart_and_link_is_accepted_as_xlsx(
    tmp_path: Path, parser_pool: ParserPool
) -> None:
    result = _inspect(tmp_path, "liste.xlsx", producers.openpyxl_workbook(), parser_pool)
    assert (result.verdict, result.format, result.codes) == (Verdict.ACCEPTED, "xlsx", [])


@pytest.mark.parametrize(
    ("ext", "name"), [("docx", "brief.docx"), ("xlsx", "liste.xlsx"), ("pdf", "brief.pdf")]
)
def test_libreoffice_output_is_accepted(
    ext: str,
    name: str,
    libreoffice_files: dict[str, bytes],
    tmp_path: Path,
    parser_pool: ParserPool,
) -> None:
    result = _inspect(tmp_path, name, libreoffice_files[ext], parser_pool)
    assert (result.verdict, result.format, result.codes) == (Verdict.ACCEPTED, ext, [])
