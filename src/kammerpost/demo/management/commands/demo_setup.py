"""Demo data for the embedded system (``make run``): accounts, printed with their logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from kammerpost.accounts.services import DemoLogin, demo_accounts_ensure
from kammerpost.chamber.services import departments_ensure_demo
from kammerpost.exchange.services import DEMO_GUEST_EMAIL, demo_exchange_ensure


def _describe(login: DemoLogin) -> str:
    lines = [f"{login.role}: {login.email} / {login.password}"]
    if login.totp_secret:
        lines.append(f"  TOTP-Schlüssel / secret (Authenticator-App): {login.totp_secret}")
    if login.recovery_codes:
        lines.append(
            "  Wiederherstellungscodes / recovery codes: " + " ".join(login.recovery_codes)
        )
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Create the demo data once and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        for department in departments_ensure_demo():
            self.stdout.write(f"Bereich / department: {department.name} <{department.email}>")
        login_file = settings.VAR_DIR / "demo-logins.txt"
        logins = demo_accounts_ensure()
        if logins:
            # Written once, readable only by the operator: the passwords exist nowhere else.
            login_file.parent.mkdir(parents=True, exist_ok=True)
            login_file.touch(mode=0o600)
            login_file.chmod(0o600)
            with login_file.open("a") as out:
                out.write("".join(_describe(login) for login in logins))
        self.stdout.write("Demo-Zugänge / demo logins (Anmeldung mit E-Mail-Adresse):")
        self.stdout.write(login_file.read_text() if login_file.exists() else "(none)\n")
        self._demo_exchange()

    def _demo_exchange(self) -> None:
        """The demo clerk's cloud exchange; its single-use link is kept like the passwords."""
        link_file = settings.VAR_DIR / "demo-exchange.txt"
        issued = demo_exchange_ensure()
        if issued is not None:
            exchange, url = issued
            link_file.parent.mkdir(parents=True, exist_ok=True)
            link_file.touch(mode=0o600)
            link_file.chmod(0o600)
            link_file.write_text(
                f"Cloud-Austausch / cloud exchange {exchange.pk} ({exchange.clerk.email} -> "
                f"{DEMO_GUEST_EMAIL}):\n  Einladung / invitation (einmal / once): {url}\n"
                f"  Einmalcode / one-time code: {settings.MAIL_OUTBOX_DIR}/*.eml\n"
            )
        if link_file.exists():
            self.stdout.write(link_file.read_text())
