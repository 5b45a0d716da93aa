"""System check: the configured reply backends load and name distinct methods."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.utils.module_loading import import_string


@register()
def reply_backends_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    seen: dict[str, str] = {}
    for path in settings.CORRESPONDENCE_REPLY_BACKENDS:
        try:
            backend = import_string(path)
        except ImportError as error:
            errors.append(Error(f"{path}: {error}", obj=path, id="correspondence.E001"))
            continue
        method = getattr(backend, "method", "")
        if not method or method in seen:
            errors.append(
                Error(
                    f"{path}: method {method!r} is empty or also {seen.get(method, '')!r}'s",
                    hint="Each way of answering needs its own method name.",
                    obj=path,
                    id="correspondence.E002",
                )
            )
        seen[method] = path
    return errors
