"""``kammerpost exchange open|list|close``: cloud exchanges for operators."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kammerpost.accounts.models import User
from kammerpost.chamber.selectors import DepartmentNotFoundError, department_by_slug
from kammerpost.exchange import services
from kammerpost.exchange.exceptions import ExchangeError
from kammerpost.exchange.models import Exchange


class Command(BaseCommand):
    help = "Open, list and close cloud exchanges (HWK-Cloud)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        opened = sub.add_parser("open", help="open an exchange and mail the invitation")
        opened.add_argument("--department", required=True, metavar="SLUG")
        opened.add_argument("--clerk", required=True, metavar="EMAIL")
        opened.add_argument("--guest-name", required=True, metavar="NAME")
        opened.add_argument("--guest-email", required=True, metavar="EMAIL")
        opened.add_argument("--purpose", default="")
        opened.add_argument("--file-reference", default="", metavar="AKTENZEICHEN")
        opened.add_argument("--days", type=int)
        opened.add_argument("--quota-gb", type=int)
        opened.add_argument("--policy", default=services.BASE_POLICY, metavar="NAME")
        opened.add_argument("--deputy", action="append", default=[], metavar="EMAIL")
        opened.add_argument("--json", action="store_true")
        listed = sub.add_parser("list", help="list exchanges")
        listed.add_argument("--open", action="store_true", help="only open ones")
        listed.add_argument("--json", action="store_true")
        closed = sub.add_parser("close", help="close an exchange now")
        closed.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _user(self, email: str) -> User:
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"no active account with the address {email}")
        return user

    def _open(self, options: dict[str, Any]) -> None:
        try:
            department = department_by_slug(options["department"])
        except DepartmentNotFoundError:
            raise CommandError(f"no active department {options['department']!r}") from None
        quota = options["quota_gb"]
        try:
            opened = services.exchange_open(
                actor=self._user(options["clerk"]),
                department=department,
                guest_name=options["guest_name"],
                guest_email=options["guest_email"],
                purpose=options["purpose"],
                file_reference=options["file_reference"],
                days=options["days"],
                quota_bytes=None if quota is None else quota * 1000**3,
                policy_name=options["policy"],
                deputies=[self._user(email) for email in options["deputy"]],
            )
        except ExchangeError as refused:
            raise CommandError(refused.text) from None
        exchange = opened.exchange
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "id": exchange.pk,
                        "invitation_url": opened.invitation_url,
                        "expires_at": exchange.expires_at.isoformat(),
                    }
                )
            )
        else:
            self.stdout.write(f"exchange {exchange.pk}")
            self.stdout.write(f"invitation {opened.invitation_url}")

    def _list(self, options: dict[str, Any]) -> None:
        now = timezone.now()
        rows = []
        for exchange in Exchange.objects.select_related("department", "clerk"):
            is_open = exchange.is_open(now)
            if options["open"] and not is_open:
                continue
            rows.append(
                {
                    "id": exchange.pk,
                    "department": exchange.department.slug,
                    "clerk": exchange.clerk.email,
                    "guest": exchange.guest_email,
                    "expires_at": exchange.expires_at.isoformat(),
                    "state": "open" if is_open else "closed",
                    "shredded": exchange.shredded_at is not None,
                }
            )
        if options["json"]:
            self.stdout.write(json.dumps(rows))
            return
        for row in rows:
            self.stdout.write(
                f"{row['id']}\t{row['state']}\t{row['department']}\t{row['clerk']}\t"
                f"{row['guest']}\t{row['expires_at']}"
            )

    def _close(self, options: dict[str, Any]) -> None:
        exchange = Exchange.objects.filter(pk=options["id"]).first()
        if exchange is None:
            raise CommandError(f"no exchange {options['id']}")
        if services.exchange_close(exchange=exchange, actor_label="operator", reason="operator"):
            self.stdout.write(f"closed exchange {exchange.pk}")
        else:
            self.stdout.write(f"exchange {exchange.pk} was already closed")
