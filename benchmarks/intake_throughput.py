"""Receive + store + inspect throughput of the intake, against a plain copy to disk.

The floor is what any intake must do at least: copy the bytes to disk and
fsync them. Ours also encrypts into the vault, commits the item, reads the
blob back, verifies and decrypts it, and runs the inspection engine (without
AV here: the scanner's own speed is measured in inspection_throughput.py).

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


def _paired_medians(
    floor: Callable[[], None], ours: Callable[[], None], repeats: int
) -> tuple[float, float]:
    """Time both alternately, each after a sync, so both meet the same disk state.

    Both fsync: measured one after the other, the second would also wait for
    the write-back of everything the first left dirty.
    """
    ours()  # warm up: parser worker start, page cache
    floor_times, our_times = [], []
    for _ in range(repeats):
        for run, times in ((floor, floor_times), (ours, our_times)):
            os.sync()
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
    return statistics.median(floor_times), statistics.median(our_times)


def _plain_copy(sources: list[Path], target_dir: Path) -> None:
    shutil.rmtree(target_dir, ignore_errors=True)
    target_dir.mkdir(parents=True)
    for source in sources:
        target = target_dir / source.name
        with source.open("rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, MB)
            dst.flush()
            os.fsync(dst.fileno())


def _intake(sources: list[Path]) -> None:
    from kammerpost.chamber.selectors import department_by_slug
    from kammerpost.intake import services
    from kammerpost.intake.models import Channel

    department = department_by_slug("verwaltung")
    sender = services.sender_for_address(email="bench@example.org")
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


def _report(title: str, sources: list[Path], copy_s: float, intake_s: float) -> None:
    total = sum(p.stat().st_size for p in sources) / MB
    print(f"\n{title}: {len(sources)} files, {total:.1f} MB")
    for label, seconds in (("plain copy + fsync (floor)", copy_s), ("intake, no AV", intake_s)):
        print(
            f"  {label:<28} {seconds * 1000:9.1f} ms  {total / seconds:8.1f} MB/s"
            f"  {len(sources) / seconds:8.1f} files/s"
        )
    print(f"  ratio intake / plain copy throughput: {copy_s / intake_s:.2f}x")


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
        copy_s, intake_s = _paired_medians(
            lambda: _plain_copy(large, workdir / "copy"), lambda: _intake(large), args.repeats
        )
        _report(f"20 MB PDFs (median of {args.repeats})", large, copy_s, intake_s)

        small = []
        for i in range(args.small):
            path = sources_dir / f"small-{i:04d}.png"
            path.write_bytes(misc.png(40 + i % 60, 30))
            small.append(path)
        copy_s, intake_s = _paired_medians(
            lambda: _plain_copy(small, workdir / "copy"), lambda: _intake(small), args.repeats
        )
        _report(f"small PNGs (median of {args.repeats})", small, copy_s, intake_s)


if __name__ == "__main__":
    main()
