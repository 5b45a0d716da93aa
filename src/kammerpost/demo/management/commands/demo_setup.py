"""Demo data for the embedded system (``make run``): accounts, printed with their logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from kammerpost.accounts.services import demo_administrator_ensure
from kammerpost.chamber.services import departments_ensure_demo


class Command(BaseCommand):
    help = "Create the demo data once and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        for department in departments_ensure_demo():
            self.stdout.write(f"Bereich / department: {department.name} <{department.email}>")
        login_file = settings.VAR_DIR / "demo-logins.txt"
        _, password = demo_administrator_ensure()
        if password is not None:
            login_file.write_text(f"Administrator: admin / {password}\n")
            login_file.chmod(0o600)
        self.stdout.write("Demo-Zugänge / demo logins:")
        self.stdout.write(login_file.read_text() if login_file.exists() else "(none)\n")
