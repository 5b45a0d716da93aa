"""Domain errors of the back office; each carries a message for the clerk."""

from __future__ import annotations


class BackofficeError(Exception):
    """Base: ``str(error)`` is a user-facing, translated message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ClerkNotInDepartmentError(BackofficeError):
    pass
