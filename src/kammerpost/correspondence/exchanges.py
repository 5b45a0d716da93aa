"""The cloud area's mails: the invitation, the one-time code, the clerk's notices.

The exchange adapter calls these with plain values (the domain never imports
an adapter). The clerk's notices are contentless (requirements.md 1.3): they
name the exchange's number and where to look, never a person, a file or a text.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import formats, timezone

from .mail import mail_send

NOTICE_OPENED = "opened"
NOTICE_UPLOADED = "uploaded"


def exchange_invitation_send(
    *,
    to: str,
    guest_name: str,
    clerk_name: str,
    department: str,
    url: str,
    expires_at: datetime,
    files_waiting: bool = False,
) -> None:
    """The single-use link; with ``files_waiting`` it also says that files lie ready."""
    mail_send(
        template="exchange_invitation",
        context={
            "guest_name": guest_name,
            "clerk_name": clerk_name,
            "department": department,
            "url": url,
            "expires": formats.date_format(timezone.localtime(expires_at), "DATETIME_FORMAT"),
            "files_waiting": files_waiting,
        },
        to=to,
        from_email=settings.DEFAULT_FROM_EMAIL,
    )


def exchange_code_send(*, to: str, code: str) -> None:
    mail_send(
        template="exchange_code",
        context={"code": code, "minutes": settings.EXCHANGE_CODE_SECONDS // 60},
        to=to,
        from_email=settings.DEFAULT_FROM_EMAIL,
        headers={"Auto-Submitted": "auto-generated"},
    )


def exchange_notice_send(*, to: str, number: int, event: str, url: str) -> None:
    """Tell a clerk that something happened in exchange ``number`` (opened, files arrived)."""
    if event not in (NOTICE_OPENED, NOTICE_UPLOADED):
        raise ValueError(event)
    mail_send(
        template="exchange_notice",
        context={"number": number, "event": event, "url": url},
        to=to,
        from_email=settings.DEFAULT_FROM_EMAIL,
        headers={"Auto-Submitted": "auto-generated"},
    )
