"""A sign-in session: one browser (or device) signed in to an account.

Flask keeps its session in a signed cookie, so the server alone cannot take a
cookie back: a copy made before logging out would keep working. Each sign-in
therefore gets a row here, and the cookies (the session and the remember-me
cookie) hold only its random token. A cookie counts while its row is live:
not ended (logging out, "end this session", a password change or reset, a
ban) and seen within ``REMEMBER_COOKIE_DURATION``. The rules are in
``microblog/services/sessions.py``.

Only a SHA-256 hash of the token is stored, as for a password: a copy of the
table (a backup, a leaked dump) holds no cookie anyone could use.
"""

from __future__ import annotations

from datetime import datetime
from hashlib import sha256
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from microblog import devices
from microblog.extensions import db
from microblog.models.base import utcnow

if TYPE_CHECKING:
    from microblog.models.user import User

USER_AGENT_MAX_LENGTH = 512
# The longest IPv6 address in text, with an IPv4 tail: 45 characters.
IP_ADDRESS_MAX_LENGTH = 45


def hash_token(token: str) -> str:
    return sha256(token.encode("utf-8")).hexdigest()


class LoginSession(db.Model):
    __tablename__ = "login_sessions"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    # Written at most once per LAST_SEEN_INTERVAL_SECONDS (services.accounts.touch_last_seen).
    last_seen_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # Where and with what it signed in, for the owner's list of sessions.
    ip_address: so.Mapped[str | None] = so.mapped_column(sa.String(IP_ADDRESS_MAX_LENGTH))
    user_agent: so.Mapped[str | None] = so.mapped_column(sa.String(USER_AGENT_MAX_LENGTH))
    # When it was logged out or ended; None while it is in use.
    ended_at: so.Mapped[datetime | None]

    user: so.Mapped[User] = so.relationship(lazy="raise")

    # The token itself (not a column: never stored), known only while serving a
    # request that carries it in a cookie or has just made it.
    token = None

    __table_args__ = (
        # The owner's list of sessions, newest activity first, and the foreign key's cascade.
        sa.Index("ix_login_sessions_user_id_last_seen_at", "user_id", "last_seen_at"),
    )

    @property
    def device(self) -> str:
        """The browser and system in plain words (``microblog.devices.describe``)."""
        return devices.describe(self.user_agent)

    def __repr__(self) -> str:
        return f"<LoginSession {self.id} of user {self.user_id}>"
