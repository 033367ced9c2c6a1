"""Whose socket this is.

A browser's socket is its pages' visitor: the Socket.IO handshake is an HTTP request
that carries the session cookie, and Flask-Login reads it for every event as it does
for every page (``manage_session=False`` in :func:`microblog.realtime.init_app`), so
signing out, or ending the session from Settings, ends what the socket may do too.

An API client has no cookie: it says who it is in the handshake's ``auth``, with the
access token the REST API gave it (``io(url, {auth: {token: "…"}})``). The token is
checked by the API's own check (:func:`microblog.services.api_tokens.user_for_token`)
when the socket connects, and again at every event, as every API request checks it: a
token that expired or was revoked (signed out, password changed) stops acting for its
account at once, though its socket stays open as a visitor's. A token that is not good
at connection gets no socket.
"""

from __future__ import annotations

from typing import Literal

from flask import current_app, request
from flask_login import current_user

from microblog.models.user import User
from microblog.services import api_tokens

# The sockets that said who they are with a token, by Socket.IO session id: the token,
# checked again at each event. Each socket lives in one process, so this is its own.
_token_sockets: dict[str, str] = {}


def socket_user(auth: object) -> User | None | Literal[False]:
    """The account the socket acts for, at connection: the token's, the session's (None
    for a visitor who is not signed in), or False when the handshake offers a token
    that is not good."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if token is not None:
        user = api_tokens.user_for_token(token)
        if user is None:
            return False
        _token_sockets[request.sid] = token
        return user
    return current_user._get_current_object() if current_user.is_authenticated else None


def acting_user() -> User:
    """Who this event comes from: a token socket's account while its token works (else
    a visitor), or the session's person, as on every page."""
    token = _token_sockets.get(request.sid)
    if token is None:
        return current_user._get_current_object()
    return api_tokens.user_for_token(token) or current_app.login_manager.anonymous_user()


def forget() -> None:
    """The socket closed: its token is no longer needed."""
    _token_sockets.pop(request.sid, None)
