"""Domain errors of the accounts layer; each carries a message for the person."""

from __future__ import annotations


class AccountsError(Exception):
    """Base: ``str(error)`` is a user-facing, translated message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvitationInvalidError(AccountsError):
    pass


class ActivationCodeInvalidError(AccountsError):
    pass


class RateLimitedError(AccountsError):
    pass


class PermissionDeniedError(AccountsError):
    pass
