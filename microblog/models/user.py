"""A registered person: credentials, profile, and the follow graph around them."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from secrets import token_hex
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from microblog import avatars
from microblog.extensions import db, login
from microblog.models.base import utcnow
from microblog.models.follow import followers
from microblog.models.role import Permission, Role

if TYPE_CHECKING:
    from microblog.models.post import Post

USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 64
# Usernames appear in URLs (/user/<username>) and @mentions: keep them plain. The accounts
# service checks whole names against the pattern; microblog.markdown finds @mentions with it.
USERNAME_CHARACTER = r"[A-Za-z0-9_.-]"
USERNAME_PATTERN = re.compile(rf"^{USERNAME_CHARACTER}+$")
EMAIL_MAX_LENGTH = 254
ABOUT_ME_MAX_LENGTH = 140
AVATAR_FILE_MAX_LENGTH = 69  # an upload's name: models/upload.py
LANGUAGE_MAX_LENGTH = 16  # a language code: "es", "pt_BR"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    username: so.Mapped[str] = so.mapped_column(sa.String(USERNAME_MAX_LENGTH))
    # Stored lower-cased by the accounts service, so a plain unique index is
    # enough for case-insensitive uniqueness.
    email: so.Mapped[str] = so.mapped_column(sa.String(EMAIL_MAX_LENGTH), unique=True)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    about_me: so.Mapped[str | None] = so.mapped_column(sa.String(ABOUT_ME_MAX_LENGTH))
    last_seen: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # None until the person proves they read mail at ``email``.
    email_confirmed_at: so.Mapped[datetime | None]
    # A new address asked for on the settings page; ``email`` stays in use
    # until a link sent to this one is clicked.
    pending_email: so.Mapped[str | None] = so.mapped_column(sa.String(EMAIL_MAX_LENGTH))
    # The picture they uploaded (its name in the uploads storage, microblog/models/upload.py);
    # None shows the identicon drawn from their id.
    avatar_file: so.Mapped[str | None] = so.mapped_column(sa.String(AVATAR_FILE_MAX_LENGTH))
    role: so.Mapped[Role] = so.mapped_column(
        sa.Enum(Role, native_enum=False, length=16, validate_strings=True,
                values_callable=lambda roles: [role.value for role in roles]),
        default=Role.USER, server_default=Role.USER.value,
    )
    # A disabled (banned) account cannot log in and its open sessions end.
    disabled: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # Kept by the follows service from the followers rows (microblog/services/counts.py),
    # so a profile does not count thousands of rows on every view.
    follower_count: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    following_count: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    # Published posts, kept by the posts service the same way (the API shows it).
    post_count: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    # The navbar's badges, kept exact by services/messages.py (messages not yet read,
    # summed over the member's conversations) and services/notifications.py (unread
    # notifications), so no page counts rows to show them.
    unread_message_count: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    unread_notification_count: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    # Which kinds of notification are also sent by email (services/notifications.py has
    # the defaults); None until the person chooses.
    email_notifications: so.Mapped[dict[str, bool] | None] = so.mapped_column(sa.JSON)
    # The language of the interface and of emails to this person (a code of the config's
    # LANGUAGES); None follows the browser (microblog/languages.py).
    language: so.Mapped[str | None] = so.mapped_column(sa.String(LANGUAGE_MAX_LENGTH))
    # Whether the visitor follows this user, when the query that loaded it asked
    # (``services.accounts.get_user``); None when it did not ask.
    followed_by_viewer: so.Mapped[bool | None] = so.query_expression()
    # Whether the visitor blocked this user (``services.blocks``), asked the same way.
    blocked_by_viewer: so.Mapped[bool | None] = so.query_expression()

    posts: so.WriteOnlyMapped[Post] = so.relationship(
        back_populates="author", passive_deletes=True
    )
    following: so.WriteOnlyMapped[User] = so.relationship(
        secondary=followers,
        primaryjoin=lambda: followers.c.follower_id == User.id,
        secondaryjoin=lambda: followers.c.followed_id == User.id,
        back_populates="followers",
        passive_deletes=True,
    )
    followers: so.WriteOnlyMapped[User] = so.relationship(
        secondary=followers,
        primaryjoin=lambda: followers.c.followed_id == User.id,
        secondaryjoin=lambda: followers.c.follower_id == User.id,
        back_populates="following",
        passive_deletes=True,
    )

    __table_args__ = (
        # Usernames keep the case the person typed but are unique ignoring it.
        sa.Index("uq_users_username_lower", sa.func.lower(username), unique=True),
    )

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    # The sign-in session (microblog/models/login_session.py) this object was loaded
    # through or has just started: set by services.sessions, not a column.
    login_session = None
    # The API token pair (microblog/models/api_token.py) this object was loaded through.
    api_token = None

    def login_session_token(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie
        (``login.id_attribute``, below): the sign-in session's token, not the user's
        id, so ending that session ends every copy of both cookies."""
        return self.login_session.token

    @property
    def is_active(self) -> bool:
        return not self.disabled

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def has_permission(self, permission: Permission) -> bool:
        """What the role grants; ``services.permissions.can`` adds the account's state."""
        return permission in self.role.permissions

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def avatar(self, size: int = 80) -> str:
        """The URL of this user's picture: the one they uploaded, else our own identicon
        (or Gravatar when configured)."""
        return avatars.avatar_url(self.id, self.email, size, self.avatar_file)

    @staticmethod
    def username_matches(username: str | sa.BindParameter[str]) -> sa.ColumnElement[bool]:
        """SQL condition for a case-insensitive username lookup (uses the unique index).
        A parameter bound later must be given its value lower-cased."""
        return sa.func.lower(User.username) == (
            username.lower() if isinstance(username, str) else username)


def hash_password(password: str) -> str:
    """A salted hash of ``password`` with the configured method (scrypt outside tests)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_of_nobody(password: str) -> bool:
    """Spend what checking a real account's password costs, and fail.

    Signing in as a name nobody has would otherwise answer at once, and the
    time a wrong answer takes would tell who has an account here.
    """
    check_password_hash(_hash_of_nobody(current_app.config["PASSWORD_HASH_METHOD"]), password)
    return False


@cache
def _hash_of_nobody(method: str) -> str:
    """A hash made once per process (and method) for a password no one knows."""
    return generate_password_hash(token_hex(16), method=method)


# Flask-Login keeps ``User.login_session_token()`` in its cookies. Its default,
# ``get_id`` (the user's id), stays what compares two users (``UserMixin.__eq__``).
login.id_attribute = "login_session_token"
