class PortalError(Exception):
    """A refusal with a user-facing message."""
