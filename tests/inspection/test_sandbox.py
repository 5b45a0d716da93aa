"""The parser runs in a worker process that one hostile file cannot use to stall or kill us."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from kammerpost.inspection import Limits, ParserPool
from tests.corpus import misc, ooxml


def test_a_parse_that_runs_over_its_time_is_cut_off_and_the_pool_recovers(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(misc.noisy_png(3000, 3000))
    pool = ParserPool(size=1)
    try:
        stalled = pool.check("png", str(big), replace(Limits(), parse_timeout_s=0.01))
        assert stalled.codes() == ["file.too_complex"]
        small = tmp_path / "small.png"
        small.write_bytes(misc.png())
        assert pool.check("png", str(small), Limits()).codes() == []
    finally:
        pool.close()


def test_a_worker_that_runs_out_of_memory_refuses_the_file_instead_of_crashing_us(
    tmp_path: Path,
) -> None:
    # A legacy VML drawing of 48 MB (UTF-16, under the part limit), 2 MB on disk: the
    # DTD check holds it in memory, which a 64 MB worker cannot do. (Images no longer
    # need memory for their pixels: PNG data is checked streaming, JPEG at 1/8 scale.)
    shapes = "".join(f'<v:shape id="s{i:07d}"/>' for i in range(1_100_000)).encode("utf-16-le")
    drawing = tmp_path / "zeichnung.docx"
    drawing.write_bytes(
        ooxml.zip_parts(
            ooxml.docx_parts(parts={"word/drawings/vmlDrawing1.vml": b"\xff\xfe" + shapes}),
            level=1,
        )
    )
    pool = ParserPool(size=1)
    try:
        starved = pool.check("zip", str(drawing), replace(Limits(), parse_memory_bytes=64 * 2**20))
        assert starved.codes() == ["file.too_complex"]
        assert pool.check("zip", str(drawing), Limits()).codes() == []
    finally:
        pool.close()


def test_a_worker_killed_from_outside_mid_job_is_replaced(tmp_path: Path) -> None:
    import os
    import signal
    import threading

    big = tmp_path / "big.png"
    big.write_bytes(misc.noisy_png(3000, 3000))
    pool = ParserPool(size=1)
    try:
        pool.check("png", str(tmp_path / "missing.png"), Limits())  # start the worker
        worker = pool._idle.queue[0]
        assert worker is not None
        timer = threading.Timer(0.05, os.kill, (worker.process.pid, signal.SIGKILL))
        timer.start()
        assert pool.check("png", str(big), Limits()).codes() == ["file.too_complex"]
        timer.join()
        assert pool.check("png", str(big), Limits()).codes() == []
    finally:
        pool.close()
