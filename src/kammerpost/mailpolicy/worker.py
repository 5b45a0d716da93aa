"""The mail parser process: runs ``examine`` on one raw message at a time, under limits.

Started by :class:`kammerpost.mailpolicy.sandbox.MailParserPool` as
``python -m kammerpost.mailpolicy.worker MEMORY FILESIZE``. One JSON request
per line on stdin (``{"path", "workdir", "limits"}``), one JSON answer per
line on stdout. JSON, never pickle: a process taken over by a hostile
message can only send data back.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path
from typing import Any

from .examine import examine
from .rules import MAIL_LIMITS, MailLimits


def _confine(memory_bytes: int, file_bytes: int) -> None:
    """Limit this process to what it has mapped after start-up plus ``memory_bytes``."""
    with Path("/proc/self/statm").open() as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    limit = mapped + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # It writes decoded attachments, none larger than a whole message.
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))


def _limit_cpu(seconds: float) -> None:
    """A CPU budget for the next job: SIGXCPU ends this process past it."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime + seconds) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def run_job(request: dict[str, Any]) -> dict[str, Any]:
    limits = MailLimits(**request["limits"])
    raw = Path(request["path"]).read_bytes()
    try:
        trust_dir = request.get("trust_dir")
        return examine(
            raw,
            Path(request["workdir"]),
            limits,
            trust_dir=str(trust_dir) if trust_dir else None,
        ).as_dict()
    except MemoryError:
        return {"error": "memory"}
    except RecursionError:
        return {"error": "recursion"}
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which answers 451
        return {"error": "exception", "type": type(exc).__name__}


def main() -> None:
    memory = int(sys.argv[1]) if len(sys.argv) > 1 else MAIL_LIMITS.parse_memory_bytes
    file_size = int(sys.argv[2]) if len(sys.argv) > 2 else MAIL_LIMITS.max_message_bytes
    _confine(memory, file_size)
    for line in sys.stdin.buffer:
        request = json.loads(line)
        _limit_cpu(float(request["limits"]["parse_timeout_s"]))
        reply = run_job(request)
        sys.stdout.buffer.write(json.dumps(reply).encode() + b"\n")
        sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
