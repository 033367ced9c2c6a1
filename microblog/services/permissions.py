"""Who may do what: the one place every front end asks.

The role grants permissions (``microblog.models.role``); the account's state
can take some away: a disabled account may do nothing, and an unconfirmed
email address withholds what a throwaway sign-up could abuse (writing,
commenting, messaging) while ``REQUIRE_EMAIL_CONFIRMATION`` is on.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import _

from microblog.models.role import NEEDS_CONFIRMED_EMAIL, Permission
from microblog.models.user import User
from microblog.services.errors import PermissionDenied


def can(user: User | None, permission: Permission) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or user.disabled:
        return False
    if not user.has_permission(permission):
        return False
    return not (
        permission & NEEDS_CONFIRMED_EMAIL
        and current_app.config["REQUIRE_EMAIL_CONFIRMATION"]
        and not user.email_confirmed
    )


def require(user: User | None, permission: Permission) -> None:
    """Raise PermissionDenied (a 403 in every front end) unless ``user`` may."""
    if can(user, permission):
        return
    if (
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.has_permission(permission)
        and not user.disabled
    ):
        raise PermissionDenied(_("Please confirm your email address first."))
    raise PermissionDenied(_("You are not allowed to do that."))
