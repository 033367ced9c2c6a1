"""Moderation: changing roles, disabling and enabling accounts, listing accounts.

The rules, checked here so the admin pages, the CLI and the coming API share them:

- changing a role needs ADMIN. Nobody changes their own role, and the last active
  administrator cannot be demoted or disabled (someone must be left to appoint the next);
- disabling or enabling an account needs MODERATE. Moderators act on plain members
  only; administrators on anyone except themselves.

Every change writes one audit line and commits once. Disabling an account also ends
its sign-in sessions (``services.sessions.end_all``), so re-enabling it later does not
revive them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import _

from microblog import audit
from microblog.database import built_once
from microblog.errors import PermissionDenied, ValidationError
from microblog.extensions import db
from microblog.models.role import Permission, Role
from microblog.models.user import User
from microblog.pagination import Page, paginate
from microblog.services import sessions
from microblog.services.accounts import get_user
from microblog.services.permissions import can, require


@dataclass(frozen=True)
class Operator:
    """Whoever runs ``flask user …`` on the server: no account, every permission.

    Anyone who can run commands there can already read the database and the
    secret key, so checking their role would protect nothing. The rules that
    keep the site usable (an active administrator remains) still apply.
    """

    username: str = "cli"
    id: None = None
    is_authenticated: bool = True
    disabled: bool = False
    email_confirmed: bool = True

    def has_permission(self, permission: Permission) -> bool:
        return True


COMMAND_LINE = Operator()
Actor = User | Operator


def parse_role(value: Role | str) -> Role:
    """The role called ``value`` ("Moderator" works too), or a ValidationError."""
    name = str(value).strip().lower()
    roles = ", ".join(role.value for role in Role)
    if not name:
        raise ValidationError(_("Choose a role: %(roles)s.", roles=roles), field="role")
    try:
        return Role(name)
    except ValueError:
        raise ValidationError(
            _("There is no role called %(role)s. Choose one of: %(roles)s.",
              role=value, roles=roles),
            field="role",
        ) from None


def set_role(actor: Actor, user: User | str, role: Role | str) -> User:
    """Give ``user`` (an account or its username) the role ``role``; returns the account.

    It is returned changed or not: a caller that wants to tell the two apart
    (the CLI says "already admin") looks the account up first and passes it in.
    """
    require(actor, Permission.ADMIN)
    new_role = parse_role(role)
    if not isinstance(user, User):
        user = get_user(user)
    if user.id == actor.id:
        raise ValidationError(_("You cannot change your own role."), field="role")
    if user.role == new_role:
        return user
    if new_role is not Role.ADMIN:
        _keep_an_active_admin(user)
    old_role = user.role
    user.role = new_role
    db.session.commit()
    audit.record("role.change", user=user, actor=actor.username,
                 old_role=old_role.value, new_role=new_role.value)
    return user


def may_moderate(actor: Actor, user: User) -> bool:
    """Whether ``actor`` may disable or enable ``user`` (what the admin page shows)."""
    if not can(actor, Permission.MODERATE):
        return False
    try:
        _check_may_moderate(actor, user)
    except (PermissionDenied, ValidationError):
        return False
    return True


def disable(actor: Actor, username: str) -> User:
    """Ban ``username``: they cannot log in, and their open sessions end on the next request."""
    require(actor, Permission.MODERATE)
    user = get_user(username)
    _check_may_moderate(actor, user)
    if user.disabled:
        return user
    _keep_an_active_admin(user)
    user.disabled = True
    sessions.end_all(user)  # commits the ban with it
    audit.record("account.disable", user=user, actor=actor.username)
    return user


def enable(actor: Actor, username: str) -> User:
    """Lift a ban: ``username`` may log in again (with their password; old sessions stay ended)."""
    require(actor, Permission.MODERATE)
    user = get_user(username)
    _check_may_moderate(actor, user)
    if not user.disabled:
        return user
    user.disabled = False
    db.session.commit()
    audit.record("account.enable", user=user, actor=actor.username)
    return user


def list_users(actor: Actor, page: int, per_page: int, query: str | None = None) -> Page[User]:
    """Accounts by username (email addresses included, so MODERATE is needed).

    ``query`` keeps the usernames that contain it, ignoring case; ``%`` and
    ``_`` in it are matched literally.
    """
    require(actor, Permission.MODERATE)
    query = (query or "").strip()
    if not query:
        everyone = built_once("users", lambda: sa.select(User).order_by(
            sa.func.lower(User.username), User.id))
        return paginate(everyone, page, per_page)
    literal = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    matching = built_once("users_matching", lambda: sa.select(User).where(
        User.username.ilike(sa.bindparam("pattern"), escape="\\"),
    ).order_by(sa.func.lower(User.username), User.id))
    return paginate(matching, page, per_page, values={"pattern": f"%{literal}%"})


def _check_may_moderate(actor: Actor, user: User) -> None:
    """The rules about whom ``actor`` (who holds MODERATE: checked first) may act on."""
    if user.id == actor.id:
        raise ValidationError(_("You cannot disable or enable your own account."))
    if user.has_permission(Permission.MODERATE) and not can(actor, Permission.ADMIN):
        raise PermissionDenied(
            _("Only administrators can disable or enable moderators and administrators.")
        )


def _keep_an_active_admin(user: User) -> None:
    """Refuse to take away the last active administrator.

    Every active administrator's row is locked (on PostgreSQL) until the commit,
    in id order, so two administrators demoting each other at the same moment
    take turns, and the second one sees the first one's change.
    """
    if user.role is not Role.ADMIN or user.disabled:
        return
    admins = db.session.scalars(
        sa.select(User.id)
        .where(User.role == Role.ADMIN, User.disabled.is_(False))
        .order_by(User.id)
        .with_for_update()
    ).all()
    if not set(admins) - {user.id}:
        raise ValidationError(
            _("%(username)s is the last active administrator. Make someone else an "
              "administrator first.", username=user.username),
            field="role",
        )
