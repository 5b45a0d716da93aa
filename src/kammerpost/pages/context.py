"""Template context every page needs: who the chamber is."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def chamber(request: HttpRequest) -> dict[str, str]:
    return {"chamber_name": settings.CHAMBER_NAME}
