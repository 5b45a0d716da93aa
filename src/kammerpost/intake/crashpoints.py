"""Named points where the crash-safety tests kill this process on purpose.

Crash safety is a promise ("nothing acknowledged as received is ever lost"),
so the tests prove it by dying at the worst moments. A process dies at a
point only when ``KAMMERPOST_CRASHPOINT`` names it; nothing else reads it.
"""

from __future__ import annotations

import os
import signal


def crashpoint(name: str) -> None:
    if os.environ.get("KAMMERPOST_CRASHPOINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
