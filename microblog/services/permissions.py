"""Who may do what: the one place every front end asks.

The role grants permissions (``microblog.models.role``); the account's state
can take some away: a disabled account may do nothing, and an unconfirmed
email address withholds what a throwaway sign-up could abuse (writing,
commenting, messaging) while ``REQUIRE_EMAIL_CONFIRMATION`` is on.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from microblog.errors import PermissionDenied
from microblog.models.role import NEEDS_CONFIRMED_EMAIL, Permission
from microblog.models.user import User

NOT_ALLOWED = _l("You are not allowed to do that.")
CONFIRM_EMAIL_FIRST = _l("Please confirm your email address first.")


def is_member(user: User | None) -> bool:
    """Logged in, on an account that is not disabled: what every permission needs first."""
    return user is not None and getattr(user, "is_authenticated", False) and not user.disabled


def can(user: User | None, permission: Permission) -> bool:
    return _refusal(user, permission) is None


def require(user: User | None, permission: Permission) -> None:
    """Raise PermissionDenied (a 403 in every front end) unless ``user`` may."""
    if (reason := _refusal(user, permission)) is not None:
        raise PermissionDenied(str(reason))


def needs_email_confirmation(user: User | None) -> bool:
    """Whether ``user`` is held back until they confirm their email address."""
    return bool(
        getattr(user, "is_authenticated", False)
        and current_app.config["REQUIRE_EMAIL_CONFIRMATION"]
        and not user.email_confirmed
    )


def _refusal(user: User | None, permission: Permission) -> LazyString | None:
    """Why ``user`` may not use ``permission``, or None if they may: the one rule."""
    if not is_member(user) or not user.has_permission(permission):
        return NOT_ALLOWED
    if permission & NEEDS_CONFIRMED_EMAIL and needs_email_confirmation(user):
        return CONFIRM_EMAIL_FIRST
    return None
