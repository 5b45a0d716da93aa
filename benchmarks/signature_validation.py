"""Signature validation time per signature, against pyHanko's own command-line validation.

Files (built in code with the test PKI of tests/corpus/, one signature
each): an advanced signature under a configured root, a qualified signature
(PAdES-B-B), a qualified signature with a timestamp (B-T) and a PAdES-B-LTA
one. Ours is :func:`kammerpost.inspection.signatures.validate_file` (reader,
/DSS, AdES engine, difference analysis, qualification against the test
trusted list), as the parser worker calls it.

The peer is ``pyhanko sign validate --trust <anchors.pem> FILE`` (pyhanko-cli).
A process start costs the CLI ~0.7 s of imports before it looks at the file,
which would drown the validation itself; three figures keep that apart:

* ``pyhanko CLI in-process``: the CLI's click command, called in this
  process (trust loading, reader, ``validate_pdf_signature``, printing), the
  same code a shell invocation runs after start-up;
* ``pyhanko API``: what the command calls, ``validate_pdf_signature`` with the
  validation context the CLI builds (hard-fail revocation, the same anchors),
  plus opening the reader: the fairest per-signature comparison, and the
  one the ratio target (within 1.2x) is checked against;
* ``pyhanko CLI process``: a real subprocess per file, and the bare process
  start (``pyhanko --version``) measured separately, for reference.

Medians of ``--repeats`` runs; trust lists are loaded once before timing, as
the worker does (the CLI has no trusted list to load here: ``--trust``).

Run: .venv/bin/python benchmarks/signature_validation.py [--repeats N] [--no-process]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pyhanko.cli import cli_root  # noqa: E402
from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: E402
from pyhanko.sign.validation import validate_pdf_signature  # noqa: E402
from pyhanko_certvalidator import ValidationContext  # noqa: E402
from tests.corpus import pki, signed_pdfs, trusted_lists  # noqa: E402

from kammerpost.inspection.signatures import validate_file  # noqa: E402
from kammerpost.inspection.trust import TrustConfig, load_trust  # noqa: E402

TARGET_RATIO = 1.2


def _median_ms(run: Callable[[], object], repeats: int) -> float:
    run()  # warm caches (imports, lazily built tables) outside the timing
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _pyhanko_api(path: Path, anchors: list[object]) -> bool:
    """What ``pyhanko sign validate --trust`` runs per signature, without click."""
    with path.open("rb") as stream:
        reader = PdfFileReader(stream)
        ok = True
        for embedded in reader.embedded_regular_signatures:
            context = ValidationContext(
                trust_roots=anchors, allow_fetching=True, revocation_mode="hard-fail"
            )
            status = validate_pdf_signature(embedded, signer_validation_context=context)
            ok &= status.bottom_line
        return ok


def _pyhanko_cli(path: Path, bundle: Path) -> None:
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        cli_root.main(
            ["sign", "validate", "--trust", str(bundle), str(path)],
            prog_name="pyhanko",
            standalone_mode=False,
        )


def _pyhanko_process(args: list[str]) -> None:
    subprocess.run(
        [str(Path(sys.executable).parent / "pyhanko"), *args],
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--no-process", action="store_true", help="skip the subprocess figures")
    args = parser.parse_args()

    keys = pki.test_pki()
    files = {
        "advanced (B-B, extra root)": signed_pdfs.advanced(),
        "qualified (B-B)": signed_pdfs.qes(),
        "qualified + timestamp (B-T)": signed_pdfs.qes_with_timestamp(),
        "qualified long-term (B-LTA)": signed_pdfs.qes_long_term(),
    }
    with tempfile.TemporaryDirectory(prefix="kammerpost-bench-") as tmp:
        base = Path(tmp)
        for name in ("lists", "signers", "roots"):
            (base / name).mkdir()
        (base / "lists" / "zz.xml").write_bytes(trusted_lists.trusted_list(keys))
        (base / "signers" / "tlso.pem").write_bytes(keys.scheme_operator.pem)
        (base / "roots" / "advanced.pem").write_bytes(keys.advanced_root.pem)
        bundle = base / "anchors.pem"
        bundle.write_bytes(keys.qualified_ca.pem + keys.advanced_root.pem)
        anchors = [keys.qualified_ca.asn1_cert, keys.advanced_root.asn1_cert]
        start = time.perf_counter()
        store = load_trust(TrustConfig(base / "lists", base / "signers", base / "roots"))
        load_ms = (time.perf_counter() - start) * 1000

        paths = {}
        for index, (name, data) in enumerate(files.items()):
            paths[name] = base / f"file-{index}.pdf"
            paths[name].write_bytes(data)

        print(f"trusted list load (once per worker): {load_ms:.1f} ms")
        print(
            f"{'file':30} {'verdict':8} {'ours':>8} {'pyhanko API':>12} "
            f"{'CLI in-proc':>12} {'ours/API':>9} {'ours/CLI':>9}"
        )
        ratios = []
        for name, path in paths.items():
            verdict = validate_file(path, store)[0]["verdict"]
            assert _pyhanko_api(path, anchors), f"pyHanko does not accept {name}"
            ours = _median_ms(lambda p=path: validate_file(p, store), args.repeats)
            api = _median_ms(lambda p=path: _pyhanko_api(p, anchors), args.repeats)
            cli = _median_ms(lambda p=path: _pyhanko_cli(p, bundle), args.repeats)
            ratios.append(ours / api)
            print(
                f"{name:30} {verdict:8} {ours:6.1f}ms {api:10.1f}ms {cli:10.1f}ms "
                f"{ours / api:8.2f}x {ours / cli:8.2f}x"
            )
        worst = max(ratios)
        met = "met" if worst <= TARGET_RATIO else "MISSED"
        print(f"worst ratio ours/pyHanko API: {worst:.2f}x (target <= {TARGET_RATIO}x: {met})")

        if not args.no_process:
            repeats = max(3, args.repeats // 5)
            start_ms = _median_ms(lambda: _pyhanko_process(["--version"]), repeats)
            path = paths["qualified + timestamp (B-T)"]
            full_ms = _median_ms(
                lambda: _pyhanko_process(["sign", "validate", "--trust", str(bundle), str(path)]),
                repeats,
            )
            print(
                f"pyhanko CLI process: start {start_ms:.0f} ms, validate B-T file {full_ms:.0f} ms "
                f"(validation share {full_ms - start_ms:.0f} ms)"
            )


if __name__ == "__main__":
    main()
