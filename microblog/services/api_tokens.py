"""API tokens: signing a client in, knowing it again from its bearer token, refreshing,
revoking.

A pair (``microblog/models/api_token.py``) is an access token that works for
``API_ACCESS_TOKEN_MINUTES`` (15) and a refresh token that works, once, for
``API_REFRESH_TOKEN_DAYS`` (7). Refreshing spends the refresh token and ends the
old access token: each step of a client's life has exactly one live pair. A refresh
token presented after it was spent can only be a copy (the client already has
the next one), so the whole family of pairs from that sign-in is revoked: the thief
and the owner both have to sign in again, and only the owner knows the password.

Everything that ends a person's sign-in sessions (a password change or reset, a
ban: :mod:`microblog.services.sessions`) revokes their API tokens too, through
:func:`revoke_all`; deleting the account deletes them (``ON DELETE CASCADE``).
"""

from __future__ import annotations

from datetime import timedelta
from secrets import token_hex, token_urlsafe

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, g, has_request_context
from flask_babel import _

from microblog import audit
from microblog.database import built_once
from microblog.errors import PermissionDenied
from microblog.extensions import db
from microblog.models.api_token import ApiToken
from microblog.models.base import utcnow
from microblog.models.login_session import hash_token
from microblog.models.user import User

# token_urlsafe(32) makes 43 characters; anything much longer is no token of ours.
TOKEN_MAX_LENGTH = 64


class InvalidToken(PermissionDenied):
    """A token that is unknown, expired, spent or revoked: a 401 for the API."""


def access_lifetime() -> timedelta:
    return timedelta(minutes=current_app.config["API_ACCESS_TOKEN_MINUTES"])


def refresh_lifetime() -> timedelta:
    return timedelta(days=current_app.config["API_REFRESH_TOKEN_DAYS"])


def issue(user: User, family: str | None = None) -> ApiToken:
    """A new pair for ``user`` (in ``family``, when refreshing), committed; its tokens are
    on ``access_token`` and ``refresh_token``, for this response only.

    A new sign-in also deletes the user's pairs that can never work again, so the
    table holds about one row per client in use.
    """
    now = utcnow()
    if family is None:
        db.session.execute(sa.delete(ApiToken).where(
            ApiToken.user_id == user.id,
            sa.or_(ApiToken.revoked_at.is_not(None), ApiToken.refresh_expires_at < now),
        ))
    access, refresh = token_urlsafe(32), token_urlsafe(32)
    pair = ApiToken(
        user_id=user.id, family=family or token_hex(16),
        access_token_hash=hash_token(access), access_expires_at=now + access_lifetime(),
        refresh_token_hash=hash_token(refresh), refresh_expires_at=now + refresh_lifetime(),
    )
    db.session.add(pair)
    db.session.commit()
    pair.access_token, pair.refresh_token = access, refresh
    return pair


def _by_access_token() -> sa.Select:
    """The live pair with an access token's hash, and its user, in one statement."""
    return (sa.select(ApiToken).join(ApiToken.user)
            .options(so.contains_eager(ApiToken.user))
            .where(ApiToken.access_token_hash == sa.bindparam("token_hash"),
                   ApiToken.revoked_at.is_(None),
                   ApiToken.access_expires_at > sa.bindparam("now")))


def user_for_token(token: str | None) -> User | None:
    """The user whose live access token ``token`` is, else None: one query.

    The one check of a bearer token, for every front end that takes one (the
    REST API, and a socket that authenticates with the same token). The user's
    ``api_token`` is set to the pair, so signing out knows which one to revoke.

    A request may ask twice: a per-account rate limit finds the token's account
    before the view checks the token. The answer is kept for the rest of the
    request (:func:`_forget_checked_tokens` drops it when tokens are revoked).
    """
    if not isinstance(token, str) or not 0 < len(token) <= TOKEN_MAX_LENGTH:
        return None
    token_hash = hash_token(token)
    if has_request_context() and token_hash in (checked := g.setdefault("checked_tokens", {})):
        return checked[token_hash]
    statement = built_once("api_token_by_access_token", _by_access_token)
    pair = db.session.scalars(statement, {
        "token_hash": token_hash, "now": utcnow(),
    }).one_or_none()
    user = None
    if pair is not None and not pair.user.disabled:
        user = pair.user
        user.api_token = pair
    if has_request_context():
        checked[token_hash] = user
    return user


def _forget_checked_tokens() -> None:
    """After a revocation, a token checked earlier in the request must be checked again."""
    if has_request_context():
        g.pop("checked_tokens", None)


def refresh(refresh_token: str | None) -> ApiToken:
    """Spend ``refresh_token`` for the next pair of its family.

    InvalidToken when it is unknown, expired or revoked; when it was already spent,
    also revoke its whole family first (a copy is in someone else's hands). The
    spending is one conditional UPDATE, so two requests racing with one token
    cannot both get a pair: the loser is treated as the reuse it is.
    """
    refused = InvalidToken(_("This refresh token is not valid. Please sign in again."))
    if not isinstance(refresh_token, str) or not 0 < len(refresh_token) <= TOKEN_MAX_LENGTH:
        raise refused
    pair = db.session.scalars(
        sa.select(ApiToken).join(ApiToken.user).options(so.contains_eager(ApiToken.user))
        .where(ApiToken.refresh_token_hash == hash_token(refresh_token))
    ).one_or_none()
    now = utcnow()
    if pair is None or pair.revoked_at is not None or pair.refresh_expires_at <= now \
            or pair.user.disabled:
        raise refused
    user, family = pair.user, pair.family
    spent = db.session.execute(
        sa.update(ApiToken).where(ApiToken.id == pair.id, ApiToken.refreshed_at.is_(None))
        .values(refreshed_at=now, access_expires_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent != 1:
        revoke_family(family)
        db.session.commit()
        audit.record("api_token.reuse", user=user)
        raise refused
    return issue(user, family=family)


def revoke(pair: ApiToken) -> None:
    """Sign a client out: its pair and every pair refreshed from the same sign-in."""
    revoke_family(pair.family)
    db.session.commit()


def revoke_family(family: str) -> None:
    """Revoke every pair of ``family``; the caller commits."""
    _forget_checked_tokens()
    db.session.execute(
        sa.update(ApiToken).where(ApiToken.family == family, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow()).execution_options(synchronize_session=False))


def revoke_all(user: User) -> None:
    """Revoke every pair of ``user``; the caller commits (with the new password, the ban)."""
    _forget_checked_tokens()
    db.session.execute(
        sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow()).execution_options(synchronize_session=False))
