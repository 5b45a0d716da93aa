"""Coverage-guided fuzzing of the engine's format checkers with atheris (libFuzzer).

Calls the very functions the parser worker runs (``worker.CHECKS``), in this
process, under the worker's address-space limit and with libFuzzer's per-input
timeout, on inputs that ``detect`` hands to that checker. A finding is any
exception that escapes a checker (they promise to turn bad input into a
reason), a crash, a hang or a memory blow-up; libFuzzer writes the input to
``--findings``. Seeds come from the tests/corpus builders, written to a
temporary corpus directory at start.

Run (not part of the test command; the machine is shared, so nice it):

  nice -n 10 .venv/bin/python benchmarks/fuzz_engine.py --target all --seconds 240

Each target runs in its own process (libFuzzer runs once per process) and
prints its executions per second at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

TARGETS = ("pdf", "ooxml", "jpeg", "png")
# The detector's candidate that reaches each checker.
_KIND = {"pdf": "pdf", "ooxml": "zip", "jpeg": "jpeg", "png": "png"}
# A checker that needs longer than this on a fuzzer-sized input (at most
# ``_MAX_LEN`` bytes) is a hang: the worker's own limit is for 100 MB files.
_TIMEOUT_S = 10
_MAX_LEN = 256 * 1024


def _seeds(target: str) -> list[bytes]:
    from tests.corpus import misc, ooxml, pdfs

    if target == "pdf":
        return [build() for build, _, _ in pdfs.CASES.values()]
    if target == "ooxml":
        return [build() for build, _, _ in ooxml.CASES.values()]
    seeds = [build() for build, _, _ in misc.CASES.values()]
    head = b"\xff\xd8\xff" if target == "jpeg" else b"\x89PNG\r\n\x1a\n"
    if target == "jpeg":
        seeds += [misc.jpeg(17, 9), misc.noisy_jpeg(40, 30)]
    else:
        seeds += [misc.png(17, 9), misc.noisy_png(40, 30)]
    return [s for s in seeds if s.startswith(head)]


def _write_seeds(target: str, directory: Path) -> int:
    count = 0
    for i, data in enumerate(_seeds(target)):
        if len(data) <= _MAX_LEN:
            (directory / f"seed-{i:03d}").write_bytes(data)
            count += 1
    return count


def _harness(target: str, findings: Path) -> Callable[[bytes], None]:
    import atheris

    # Before anything else imports them: only modules imported here get coverage.
    with atheris.instrument_imports(include=["kammerpost", "PIL", "olefile", "defusedxml"]):
        from kammerpost.inspection import detect as detect_module
        from kammerpost.inspection import worker
    from kammerpost.inspection.policy import Limits

    kind = _KIND[target]
    check = worker.CHECKS[kind]
    limits = Limits()
    # The checkers read paths (mmap, seek); tmpfs keeps that off the disk.
    scratch = Path("/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir())
    path = scratch / f"kp-fuzz-{target}-{os.getpid()}.bin"

    seen: set[str] = set()

    def one_input(data: bytes) -> None:
        if not data or detect_module.detect(data[: detect_module.HEAD_SIZE]).candidate != kind:
            return  # the engine never gives these bytes to this checker
        path.write_bytes(data)
        try:
            check(str(path), limits)
        except Exception as exc:  # noqa: BLE001 - every escaped exception is a finding
            # Kept (once per kind and place) and fuzzing goes on; libFuzzer itself
            # stops only at crashes, hangs and memory blow-ups.
            _record(exc, data, findings, target, seen)

    return one_input


def _record(exc: Exception, data: bytes, findings: Path, target: str, seen: set[str]) -> None:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "kammerpost" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    key = f"{type(exc).__name__}@{where}"
    if key in seen:
        return
    seen.add(key)
    name = f"{target}-exception-{len(seen):02d}"
    (findings / f"{name}.bin").write_bytes(data)
    (findings / f"{name}.txt").write_text(
        key + "\n" + "".join(traceback.format_exception(exc)), encoding="utf-8"
    )
    print(f"\n[{target}] ESCAPED {key} ({len(data)} bytes) -> {name}.bin", flush=True)


def _run_one(target: str, seconds: int, findings: Path) -> int:
    import atheris

    one_input = _harness(target, findings)
    from kammerpost.inspection.policy import Limits

    corpus = Path(tempfile.mkdtemp(prefix=f"kp-fuzz-{target}-"))
    seeded = _write_seeds(target, corpus)
    findings.mkdir(parents=True, exist_ok=True)
    print(f"[{target}] {seeded} seeds in {corpus}; findings go to {findings}", flush=True)
    _confine(Limits().parse_memory_bytes)
    argv = [
        sys.argv[0],
        str(corpus),
        f"-max_total_time={seconds}",
        f"-timeout={_TIMEOUT_S}",
        f"-max_len={_MAX_LEN}",
        "-rss_limit_mb=0",  # RLIMIT_AS above is the limit, as in the worker
        f"-artifact_prefix={findings}/{target}-",
        "-print_final_stats=1",
    ]
    atheris.Setup(argv, one_input)
    atheris.Fuzz()
    return 0


def _confine(memory_bytes: int) -> None:
    """The worker's address-space limit (its file-size limit would stop us saving findings)."""
    mapped = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    limit = mapped + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _execs_per_second(stderr: str) -> str:
    found = re.findall(r"stat::average_exec_per_sec:\s*(\d+)", stderr)
    return found[-1] if found else "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=(*TARGETS, "all"), default="all")
    parser.add_argument("--seconds", type=int, default=60, help="fuzzing time per target")
    parser.add_argument(
        "--findings", type=Path, default=REPO / "var" / "fuzz-findings", help="crash inputs"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _run_one(args.target, args.seconds, args.findings.resolve())
    targets = TARGETS if args.target == "all" else (args.target,)
    summary = []
    for target in targets:
        log = args.findings.resolve() / f"{target}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            __file__,
            "--child",
            "--target",
            target,
            "--seconds",
            str(args.seconds),
            "--findings",
            str(args.findings),
        ]
        with log.open("w") as out:
            done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
        text = log.read_text(errors="replace")
        escaped = len(re.findall(r"ESCAPED ", text))
        crashed = "==ERROR" in text or "Uncaught Python exception" in text or done.returncode
        verdict = f"{escaped} escaped exception(s)" if escaped else "no escaped exceptions"
        if crashed:
            verdict += f"; crash/hang (exit {done.returncode}), see {log}"
        summary.append(f"{target:<6} {_execs_per_second(text):>6} exec/s  {verdict}")
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
