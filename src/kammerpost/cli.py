"""The ``kammerpost`` command.

``kammerpost inspect ...`` runs the inspection engine without Django; every
other subcommand is a Django management command (``kammerpost migrate``,
``kammerpost items list``, ...), so operators have one tool.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["inspect"]:
        from kammerpost.inspection.cli import main as inspect_main

        sys.exit(inspect_main(argv[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kammerpost.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kammerpost", *argv])


if __name__ == "__main__":
    main()
