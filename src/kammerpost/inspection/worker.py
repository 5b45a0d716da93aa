"""The parser process: runs the format rules on untrusted files under limits.

Started by :class:`kammerpost.inspection.sandbox.ParserPool` as
``python -m kammerpost.inspection.worker``. It reads one request per line on
stdin and answers with one JSON line on stdout. JSON rather than pickle in
both directions: should a hostile file ever take over this process through a
parser bug, what it sends back is still only data to the parent.
"""

from __future__ import annotations

import json
import resource
import sys
from collections.abc import Callable
from typing import Any

from . import images, ole, ooxml, pdf
from .policy import Limits
from .report import Findings

CHECKS: dict[str, Callable[[str, Limits], Findings]] = {
    "pdf": pdf.check,
    "jpeg": images.check_jpeg,
    "png": images.check_png,
    "zip": ooxml.check,
    "ole": ole.check,
}


def _limit_cpu(seconds: float) -> None:
    """Arm a CPU-time budget for the next job: SIGXCPU ends this process past it."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    soft = int(used + seconds) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _confine(memory_bytes: int) -> None:
    """Limit this process to what it has mapped after start-up plus ``memory_bytes``."""
    with open("/proc/self/statm") as statm:  # noqa: PTH123 - a proc file, read once
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    limit = mapped + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # The worker only reads; a parser tricked into writing gets EFBIG.
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def run_job(request: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in request["limits"].items()
    }
    limits = Limits(**fields)
    try:
        findings = CHECKS[request["kind"]](request["path"], limits)
    except MemoryError:
        return {"error": "memory"}
    except RecursionError:
        return {"error": "recursion"}
    except Exception as exc:  # noqa: BLE001 - a check that cannot decide must not accept
        return {"error": "exception", "type": type(exc).__name__}
    return {
        "facts": findings.facts,
        "findings": [[f.code, f.params] for f in findings.items],
    }


def main() -> None:
    memory = int(sys.argv[1]) if len(sys.argv) > 1 else Limits().parse_memory_bytes
    _confine(memory)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    for line in stdin:
        request = json.loads(line)
        _limit_cpu(float(request["limits"]["parse_timeout_s"]))
        reply = run_job(request)
        stdout.write(json.dumps(reply).encode() + b"\n")
        stdout.flush()


if __name__ == "__main__":
    main()
