"""The ``kammerpost`` command.

The engines' commands run without Django: ``kammerpost inspect`` (the
inspection engine), ``kammerpost trust`` (its signature trust lists) and
``kammerpost vault`` (the encrypted store). Every other subcommand is a
Django management command (``kammerpost migrate``, ``kammerpost items list``,
...), so operators have one tool.
"""

from __future__ import annotations

import importlib
import os
import sys

# subcommand -> module whose main(argv) -> int implements it
_ENGINE_COMMANDS = {
    "inspect": "kammerpost.inspection.cli",
    "trust": "kammerpost.inspection.trust_cli",
    "vault": "kammerpost.vault.cli",
}


def main() -> None:
    argv = sys.argv[1:]
    if argv and argv[0] in _ENGINE_COMMANDS:
        module = importlib.import_module(_ENGINE_COMMANDS[argv[0]])
        sys.exit(module.main(argv[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kammerpost.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kammerpost", *argv])


if __name__ == "__main__":
    main()
