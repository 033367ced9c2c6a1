"""Roles and the permissions they grant.

A permission is one thing a person may do; a role is a named set of them.
Code asks "may this user MODERATE?", never "is this user a moderator?", so a
new role (say, an "author" who may write but not comment) needs no change to
any check. Roles live in code, not in a table: they change with the code that
checks them, and a typo is an error at import time, not a missing row.
"""

from __future__ import annotations

from enum import IntFlag, StrEnum

from flask_babel import lazy_gettext as _l


class Permission(IntFlag):
    FOLLOW = 1
    WRITE = 2
    COMMENT = 4
    MESSAGE = 8
    MODERATE = 16
    ADMIN = 32
    LIKE = 64


class Role(StrEnum):
    USER = "user"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def permissions(self) -> Permission:
        return ROLE_PERMISSIONS[self]

    @property
    def label(self) -> str:
        """The role's name for people, in their language (``value`` is the stored one)."""
        return ROLE_LABELS[self]


_MEMBER = (Permission.FOLLOW | Permission.LIKE | Permission.WRITE | Permission.COMMENT
           | Permission.MESSAGE)
ROLE_PERMISSIONS: dict[Role, Permission] = {
    Role.USER: _MEMBER,
    Role.MODERATOR: _MEMBER | Permission.MODERATE,
    Role.ADMIN: _MEMBER | Permission.MODERATE | Permission.ADMIN,
}
ROLE_LABELS = {
    Role.USER: _l("User"),
    Role.MODERATOR: _l("Moderator"),
    Role.ADMIN: _l("Administrator"),
}
# Granted only to accounts whose email address is confirmed (when the site
# requires confirmation): what a throwaway sign-up could use to spam others.
NEEDS_CONFIRMED_EMAIL = Permission.WRITE | Permission.COMMENT | Permission.MESSAGE
