"""Errors the services raise; each carries a sentence a person can act on."""


class PracticeError(Exception):
    """Base of every error shown to a person: `str(err)` is a plain sentence."""


class NotFound(PracticeError):
    pass


class PermissionDenied(PracticeError):
    def __init__(self, message: str = "You do not have permission to do that. Ask the firm's owner or an admin."):
        super().__init__(message)


class InvalidInput(PracticeError):
    """Bad input from a form or a file; `field` names where, when known."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Conflict(PracticeError):
    pass
