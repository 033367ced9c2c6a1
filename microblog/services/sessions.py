"""Sign-in sessions: starting one, knowing it again from its cookie, ending it.

Every sign-in gets a row (``microblog/models/login_session.py``) whose random
token is all the session and remember-me cookies hold. A cookie opens the
account only while its row is live, so the server can take back what it
handed out:

- logging out ends this browser's session, and with it every copy of its cookies;
- the owner can end any other session from Settings → Sessions, or all of them;
- changing the password ends every session but the one that changed it;
  resetting it (by a link, from a signed-out browser) ends them all, as a ban
  does (``services.moderation.disable``): whoever held the old password or a
  stolen cookie is out. The same steps revoke the account's API tokens
  (``services.api_tokens.revoke_all``).

A session not seen for ``REMEMBER_COOKIE_DURATION`` is over too: no cookie of
it can still exist. Each new sign-in deletes the account's sessions that are
over, so the table holds about one row per browser in use.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from secrets import token_urlsafe

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import _

from microblog.database import built_once
from microblog.errors import NotFound
from microblog.extensions import db, login
from microblog.models.base import utcnow
from microblog.models.login_session import (
    IP_ADDRESS_MAX_LENGTH,
    USER_AGENT_MAX_LENGTH,
    LoginSession,
    hash_token,
)
from microblog.models.user import User
from microblog.services import api_tokens

# token_urlsafe(32) makes 43 characters; anything much longer is no token of ours.
TOKEN_MAX_LENGTH = 64
# Row ids are 64-bit on PostgreSQL; a larger number from a URL can name no session.
ID_MAX = 2**63 - 1


def lifetime() -> timedelta:
    """How long a session lives unseen: as long as its remember-me cookie."""
    duration = current_app.config["REMEMBER_COOKIE_DURATION"]
    return duration if isinstance(duration, timedelta) else timedelta(seconds=duration)


def start(user: User, ip_address: str | None, user_agent: str | None) -> LoginSession:
    """A new live session for ``user``, who has just proved who they are.

    The row is committed and ``user.login_session`` is set to it, with its token
    (``login_session.token``), which the caller hands to Flask-Login.
    """
    now = utcnow()
    db.session.execute(sa.delete(LoginSession).where(
        LoginSession.user_id == user.id,
        sa.or_(LoginSession.ended_at.is_not(None), LoginSession.last_seen_at < now - lifetime()),
    ))
    token = token_urlsafe(32)
    login_session = LoginSession(
        user_id=user.id, token_hash=hash_token(token), last_seen_at=now,
        ip_address=(ip_address or "")[:IP_ADDRESS_MAX_LENGTH] or None,
        user_agent=(user_agent or "")[:USER_AGENT_MAX_LENGTH] or None,
    )
    db.session.add(login_session)
    db.session.commit()
    login_session.token = token
    user.login_session = login_session
    return login_session


def _live() -> sa.ColumnElement[bool]:
    """SQL: the session is not ended and was seen since ``:oldest``."""
    return sa.and_(LoginSession.ended_at.is_(None),
                   LoginSession.last_seen_at >= sa.bindparam("oldest"))


def _by_token() -> sa.Select:
    """The live session with a token's hash, and its user, in one statement."""
    return (sa.select(LoginSession).join(LoginSession.user)
            .options(so.contains_eager(LoginSession.user))
            .where(LoginSession.token_hash == sa.bindparam("token_hash"), _live()))


@login.user_loader
def load_user(token: str) -> User | None:
    """Flask-Login calls this once per request with the token from the session
    (or the remember-me cookie): its user while the session is live, else None,
    which logs the visitor out however old the cookie.

    Registered with Flask-Login when this module is first imported, which the
    auth blueprint's views do.
    """
    if not isinstance(token, str) or not 0 < len(token) <= TOKEN_MAX_LENGTH:
        return None
    statement = built_once("login_session_by_token", _by_token)
    login_session = db.session.scalars(statement, {
        "token_hash": hash_token(token), "oldest": utcnow() - lifetime(),
    }).one_or_none()
    if login_session is None or login_session.user.disabled:
        return None
    login_session.token = token
    user = login_session.user
    user.login_session = login_session
    return user


def active(user: User) -> list[LoginSession]:
    """``user``'s live sessions, the most recently seen first (one query)."""
    return list(db.session.scalars(
        sa.select(LoginSession).where(LoginSession.user_id == user.id, _live())
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc()),
        {"oldest": utcnow() - lifetime()},
    ))


def touch(login_session: LoginSession | None, now: datetime, interval: timedelta) -> bool:
    """Note that ``login_session`` is in use, at most once per ``interval``; the caller
    commits. Returns whether anything changed."""
    if login_session is None or now - login_session.last_seen_at < interval:
        return False
    login_session.last_seen_at = now
    return True


def end(login_session: LoginSession | None) -> None:
    """End one session (logging out): its cookies, and every copy of them, stop working."""
    if login_session is None or login_session.ended_at is not None:
        return
    login_session.ended_at = utcnow()
    db.session.commit()


def end_one(user: User, session_id: int) -> LoginSession:
    """End ``user``'s session ``session_id`` (from the list on their settings page).

    NotFound when it is not theirs, or not live: the page they clicked on was old.
    """
    login_session = None
    if 0 < session_id <= ID_MAX:
        login_session = db.session.scalar(
            sa.select(LoginSession).where(LoginSession.id == session_id,
                                          LoginSession.user_id == user.id, _live()),
            {"oldest": utcnow() - lifetime()},
        )
    if login_session is None:
        raise NotFound(_("That session has already ended."))
    end(login_session)
    return login_session


def end_others(user: User, keep: LoginSession | None) -> int:
    """End every session of ``user`` but ``keep``, committing with whatever the caller
    changed (a new password). Returns how many were live. Every API token of ``user``
    is revoked too (:mod:`microblog.services.api_tokens`): a client holding one signed
    in elsewhere, as a browser does."""
    if keep is None:
        return end_all(user)
    api_tokens.revoke_all(user)
    return _end_where(LoginSession.user_id == user.id, LoginSession.id != keep.id)


def end_all(user: User) -> int:
    """End every session of ``user`` (a password reset, a ban), committing with whatever
    the caller changed, and revoke every API token of theirs. Returns how many
    sessions there were."""
    api_tokens.revoke_all(user)
    return _end_where(LoginSession.user_id == user.id)


def _end_where(*conditions: sa.ColumnElement[bool]) -> int:
    ended = db.session.execute(
        sa.update(LoginSession).where(LoginSession.ended_at.is_(None), *conditions)
        .values(ended_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return ended
