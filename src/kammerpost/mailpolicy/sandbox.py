"""Parser processes for whole messages: a hostile mail costs one worker, never the gateway.

Like the inspection engine's pool (``inspection/sandbox.py``): a fixed
number of long-lived processes with an address-space limit, a CPU budget
per message and a wall-clock timeout. A worker that runs over, dies or
answers nonsense is killed and replaced; the message is then refused as too
complex (550 5.6.0). An exception inside the policy code is not the
sender's fault: it comes back as ``MailParserError`` and the gateway
answers 451.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any, Final

from kammerpost.inspection.sandbox import WorkerPool

from .examine import Examination
from .rules import MailLimits, Refusal

_MAX_REPLY: Final = 16 * 1024 * 1024
_PART_NAME: Final = re.compile(r"part-\d{3}")


class MailParserError(Exception):
    """The policy code failed on a message (a bug, not a verdict)."""


class MailParserPool(WorkerPool):
    """``size`` message parser processes (``kammerpost.mailpolicy.worker``)."""

    def __init__(self, size: int = 2) -> None:
        super().__init__(size, max_reply=_MAX_REPLY)

    def examine(
        self, raw_path: Path, workdir: Path, limits: MailLimits, *, trust_dir: str | None = None
    ) -> Examination:
        """The examination of the message stored at ``raw_path``; attachments land in workdir.

        ``trust_dir``: the CA certificates S/MIME signatures are checked against.
        """
        command = (
            "kammerpost.mailpolicy.worker",
            str(limits.parse_memory_bytes),
            str(limits.max_message_bytes),
        )
        request = {
            "path": str(raw_path),
            "workdir": str(workdir),
            "limits": dataclasses.asdict(limits),
            "trust_dir": trust_dir,
        }
        reply = self.ask(command, request, limits.parse_timeout_s)
        if reply is None:
            return Examination(refusal=Refusal("mime.too_complex"))
        return _examination_from(reply, limits, workdir)


def _examination_from(reply: dict[str, Any], limits: MailLimits, workdir: Path) -> Examination:
    error = reply.get("error")
    if error == "memory":
        return Examination(refusal=Refusal("mime.too_complex"))
    if error == "recursion":
        return Examination(refusal=Refusal("mime.too_deep", {"limit": limits.max_depth}))
    if error is not None:
        raise MailParserError(str(reply.get("type", error)))
    try:
        examination = Examination.from_dict(reply)
    except (TypeError, ValueError, KeyError) as exc:
        raise MailParserError("garbled examination") from exc
    # The worker only names files it wrote into our directory; anything else is a lie.
    for attachment in examination.attachments:
        path = Path(attachment.path)
        if path.parent != workdir or not _PART_NAME.fullmatch(path.name) or path.is_symlink():
            raise MailParserError("attachment outside the work directory")
    return examination
