"""Whose socket this is.

A browser's socket is its pages' visitor: the Socket.IO handshake is an HTTP request
that carries the session cookie, and Flask-Login reads it for every event as it does
for every page (``manage_session=False`` in :func:`microblog.realtime.init_app`), so
signing out, or ending the session from Settings, ends what the socket may do too.

An API client has no cookie; it will say who it is in the handshake's ``auth``
(``io(url, {auth: {token: "…"}})``). That is the seam for the REST API's bearer tokens
(issue 27): until they exist, a socket that offers a token is refused rather than
taken for an anonymous reader.
"""

from __future__ import annotations

from typing import Literal

from flask_login import current_user

from microblog.models.user import User


def socket_user(auth: object) -> User | None | Literal[False]:
    """The account the socket acts for: the session's (None for a visitor who is not
    signed in), or False when the handshake offers credentials that are not good."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if token is not None:
        return token_user(token) or False
    return current_user._get_current_object() if current_user.is_authenticated else None


def token_user(token: object) -> User | None:
    """The account an API token belongs to. The API's tokens (issue 27) plug in here:
    ``return api.auth.verify_token(token)``. None until then."""
    return None
