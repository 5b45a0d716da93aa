"""What coverage-guided fuzzing (benchmarks/fuzz_engine.py, atheris) found, kept as cases.

Each input is the minimised finding, rebuilt in code from a clean corpus
file. The checker must answer with a clear reason (fail closed), both when
called directly, as the fuzzer calls it, and through the engine.
"""

from __future__ import annotations

import struct
from pathlib import Path

from kammerpost.inspection import Inspector, ParserPool, Verdict
from kammerpost.inspection.images import check_png
from kammerpost.inspection.policy import Limits
from tests.corpus import misc


def _png_with_huge_iend() -> bytes:
    """A clean PNG whose IEND declares 0x5b000000 bytes (1.5 GB) of data it does not have.

    The chunk walk took the declared end for the logical end of the file, so
    the image-data pass read 1.5 GB and ran out of memory (MemoryError).
    """
    data = bytearray(misc.png(17, 9))
    iend = data.rindex(b"IEND") - 4
    data[iend : iend + 4] = struct.pack(">I", 0x5B000000)
    return bytes(data)


def test_png_chunk_declaring_more_bytes_than_the_file_has_is_damaged(tmp_path: Path) -> None:
    path = tmp_path / "bild.png"
    path.write_bytes(_png_with_huge_iend())
    findings = check_png(str(path), Limits())
    assert [f.code for f in findings.items] == ["image.damaged"]


def test_png_chunk_declaring_more_bytes_is_refused_by_the_engine(
    tmp_path: Path, parser_pool: ParserPool
) -> None:
    path = tmp_path / "bild.png"
    path.write_bytes(_png_with_huge_iend())
    result = Inspector(scan=False, pool=parser_pool).inspect(path)
    assert result.verdict == Verdict.REJECTED
    assert result.codes == ["image.damaged"]
    assert "PNG" in result.reasons[0].message_de
