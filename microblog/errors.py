"""Domain errors raised by services and mapped once by each front end.

The HTML blueprints turn them into form errors or flash messages, the error
handlers into the shared error page; none of them know about HTTP themselves.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base class: something the user asked for cannot be done."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationError(ServiceError):
    """The input breaks one or more rules.

    ``errors`` maps a field name (or None for the input as a whole) to its
    message, so a form can show every problem next to its field at once.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.errors: dict[str | None, str] = {field: message}

    @classmethod
    def combine(cls, errors: list[ValidationError]) -> ValidationError:
        combined = cls(errors[0].message)
        combined.errors = {k: v for error in errors for k, v in error.errors.items()}
        return combined


class NotFound(ServiceError):
    """The thing asked for does not exist (or is not visible to this user)."""


class PermissionDenied(ServiceError):
    """The thing exists but this user may not do that to it."""


class InvalidLink(ServiceError):
    """A link sent by email that was tampered with, has expired, or was already used.

    ``expired`` tells the two apart so the page can say which; either way the
    person is offered a fresh link.
    """

    def __init__(self, message: str, *, expired: bool = False):
        super().__init__(message)
        self.expired = expired
