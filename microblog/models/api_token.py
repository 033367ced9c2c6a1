"""An API token pair: a short-lived access token and the refresh token that renews it.

A client of the REST API (``microblog/api/``) signs in once with its username and
password and gets two random strings. The *access token* goes in every request's
``Authorization: Bearer …`` header and works for 15 minutes; the *refresh token*
is spent, once, to get a new pair (``PUT /api/tokens``). Every pair made by
refreshing belongs to the *family* of the sign-in it came from: a refresh token
spent twice means someone copied it, and the whole family is revoked (the theft
detection of OAuth 2.1 and microblog-api). The rules are in
``microblog/services/api_tokens.py``.

As for sign-in sessions (``login_session.py``), only SHA-256 hashes of the tokens
are stored: a copy of the table holds nothing anyone could use.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from microblog.extensions import db

if TYPE_CHECKING:
    from microblog.models.user import User

FAMILY_LENGTH = 32  # token_hex(16)


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # Every pair refreshed from one sign-in shares its family.
    family: so.Mapped[str] = so.mapped_column(sa.String(FAMILY_LENGTH), index=True)
    access_token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    access_expires_at: so.Mapped[datetime]
    refresh_token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    refresh_expires_at: so.Mapped[datetime]
    # When its refresh token was spent for the next pair: spending it again is theft.
    refreshed_at: so.Mapped[datetime | None]
    # Signed out (DELETE /api/tokens), a stolen refresh token seen, a password
    # changed or reset, the account disabled: the pair works no more.
    revoked_at: so.Mapped[datetime | None]

    user: so.Mapped[User] = so.relationship(lazy="raise")

    # The tokens themselves, known only to the request that has just made them.
    access_token = None
    refresh_token = None

    __table_args__ = (sa.Index("ix_api_tokens_user_id", "user_id"),)

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} of user {self.user_id}>"
