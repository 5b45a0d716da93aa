"""Receive + store + inspect throughput of the intake, against a plain copy to disk.

The floor is what any intake must do at least: copy the bytes to disk and
fsync them. Ours also encrypts into the vault, commits the item and runs the
inspection engine (without AV here: the scanner's own speed is measured in
inspection_throughput.py), once on the plaintext the receive handed over
(worker on the same host, intake/handover.py) and once reading the blob back,
verifying and decrypting it (worker on another host).

Target: >= 0.5x the plain copy for 20 MB files. Prints medians of repeats.
Peak memory for a 2 GB blob through the vault: benchmarks/vault_memory.py.

Run: .venv/bin/python benchmarks/intake_throughput.py [--repeats N] [--small N]
     [--database-url postgres://...]   (default: SQLite in a temporary directory)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
MB = 1024 * 1024


def _setup(workdir: Path, database_url: str | None) -> None:
    os.environ["KAMMERPOST_VAR_DIR"] = str(workdir / "var")
    os.environ["KAMMERPOST_DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["KAMMERPOST_CLAMD"] = ""
    os.environ.pop("KAMMERPOST_VAULT_URL", None)
    os.environ.pop("KAMMERPOST_VAULT_KEYS", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kammerpost.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def _paired_medians(runs: list[Callable[[], None]], repeats: int) -> list[float]:
    """Time all runs in turn, each after a sync, so all meet the same disk state.

    All fsync: measured one after the other, a later one would also wait for
    the write-back of everything an earlier one left dirty.
    """
    for run in runs[1:]:
        run()  # warm up: parser worker start, page cache
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeats):
        for run, measured in zip(runs, times, strict=True):
            os.sync()
            start = time.perf_counter()
            run()
            measured.append(time.perf_counter() - start)
    return [statistics.median(measured) for measured in times]


def _plain_copy(sources: list[Path], target_dir: Path) -> None:
    shutil.rmtree(target_dir, ignore_errors=True)
    target_dir.mkdir(parents=True)
    for source in sources:
        target = target_dir / source.name
        with source.open("rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, MB)
            dst.flush()
            os.fsync(dst.fileno())


def _intake(sources: list[Path], *, handover: bool) -> None:
    from django.test import override_settings

    from kammerpost.chamber.selectors import department_by_slug
    from kammerpost.intake import services
    from kammerpost.intake.models import Channel

    department = department_by_slug("verwaltung")
    sender = services.sender_for_address(email="bench@example.org")
    spool = os.environ["KAMMERPOST_VAR_DIR"] + "/handover" if handover else ""
    with override_settings(INTAKE_HANDOVER_DIR=spool):
        for source in sources:
            with source.open("rb") as fh:
                item = services.inbound_item_receive(
                    channel=Channel.OPERATOR,
                    department=department,
                    sender=sender,
                    files=[services.IncomingFile(source.name, fh)],
                )
            for document in item.documents.all():
                state = services.document_inspect(document_id=document.pk)
                # Without a scanner a clean file is held; anything else means the engine refused it.
                if state != "held":
                    raise SystemExit(f"{source.name}: unexpected state {state}: {document.reasons}")


def _report(title: str, sources: list[Path], times: list[float]) -> None:
    total = sum(p.stat().st_size for p in sources) / MB
    print(f"\n{title}: {len(sources)} files, {total:.1f} MB")
    labels = ("plain copy + fsync (floor)", "intake, hand-over, no AV", "intake, read-back, no AV")
    for label, seconds in zip(labels, times, strict=True):
        print(
            f"  {label:<28} {seconds * 1000:9.1f} ms  {total / seconds:8.1f} MB/s"
            f"  {len(sources) / seconds:8.1f} files/s"
        )
    copy_s, handed_s, read_back_s = times
    print(f"  ratio intake / plain copy throughput, hand-over: {copy_s / handed_s:.2f}x")
    print(f"  ratio intake / plain copy throughput, read-back: {copy_s / read_back_s:.2f}x")


def _measure(title: str, sources: list[Path], workdir: Path, repeats: int) -> None:
    times = _paired_medians(
        [
            lambda: _plain_copy(sources, workdir / "copy"),
            lambda: _intake(sources, handover=True),
            lambda: _intake(sources, handover=False),
        ],
        repeats,
    )
    _report(f"{title} (median of {repeats})", sources, times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kp-intake-bench-") as tmp:
        workdir = Path(tmp)
        _setup(workdir, args.database_url)
        from tests.corpus import misc, pdfs

        from kammerpost.chamber.services import departments_ensure_demo

        departments_ensure_demo()
        sources_dir = workdir / "sources"
        sources_dir.mkdir()
        large = []
        for i in range(5):
            path = sources_dir / f"scan-{i}.pdf"
            path.write_bytes(pdfs.large_pdf(20 * MB))
            large.append(path)
        _measure("20 MB PDFs", large, workdir, args.repeats)

        small = []
        for i in range(args.small):
            path = sources_dir / f"small-{i:04d}.png"
            path.write_bytes(misc.png(40 + i % 60, 30))
            small.append(path)
        _measure("small PNGs", small, workdir, args.repeats)


if __name__ == "__main__":
    main()
