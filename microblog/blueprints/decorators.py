"""View decorators that guard a whole page by permission.

They answer the question "may this person open this page at all?" before the
view runs: anonymous visitors are sent to the login page (as with
``login_required``), logged-in people without the permission get the 403 page.
They do not replace the checks in the services: a decorator guards one URL,
a service guards the action from every front end (HTML, API, CLI).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask_login import current_user, login_required

from microblog.models.role import Permission
from microblog.services import permissions


def permission_required(permission: Permission) -> Callable[[Callable], Callable]:
    """Only people who ``can(permission)`` reach the view; others get 403, or log in first."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            # PermissionDenied becomes the 403 page (or a problem body for JSON
            # clients) in microblog/blueprints/errors/handlers.py.
            permissions.require(current_user, permission)
            return view(*args, **kwargs)

        # login_required runs first, so ``require`` only ever sees a logged-in user.
        return login_required(guarded)

    return decorator


def admin_required(view: Callable) -> Callable:
    """Shorthand for ``permission_required(Permission.ADMIN)``."""
    return permission_required(Permission.ADMIN)(view)
