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


class Conflict(ValidationError):
    """The request is fine but clashes with the state things are in now (an export asked
    for while one is running): a 409 for the API; a form shows it as any refusal."""


class NotFound(ServiceError):
    """The thing asked for does not exist (or is not visible to this user)."""


class Moved(NotFound):
    """Nothing has this name now, but something had it: a renamed user or category.

    ``new`` is its name now. Still a NotFound to every caller that cannot send
    the visitor on (a form's POST, the CLI); the pages answer a GET with a
    permanent redirect to the same page under ``new``.
    """

    def __init__(self, message: str, *, old: str, new: str):
        super().__init__(message)
        self.old, self.new = old, new


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


class Blocked(PermissionDenied):
    """One of two people blocked the other, so this cannot happen between them
    (``microblog.services.blocks``): a 403, with a message that says who blocked whom."""


class TranslatorUnavailable(ServiceError):
    """The translator did not answer in time, or is being skipped after it did not
    (``microblog.translate``): a 503; trying again later may work."""


class TranslationFailed(ServiceError):
    """The translator answered, but with an error or with something that is not a
    translation: a 502."""
