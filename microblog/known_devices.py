"""Device cookies: a browser that has signed in to an account is known to it again.

The sign-in limit per account (:mod:`microblog.rate_limits`) keeps a botnet from
guessing Alice's password, but on its own it is a weapon too: anyone who fails
her password five times locks her out. OWASP's "device cookies" take the weapon
away. A successful sign-in (or password reset) leaves a long-lived signed cookie
in the browser; an attempt that carries one for the account typed in counts its
failures on their own, per account and device, and only attempts from browsers
the account does not know share the account's count. An attacker, who has never
signed in as Alice, fills only the shared count; Alice's laptop is not in it.

The cookie is a token signed with ``SECRET_KEY`` by itsdangerous (as the email
links of :mod:`microblog.tokens` are): the account's id, a random name for the
device, and a fingerprint of the password hash. Nothing is stored on the
server. Changing or resetting the password changes the fingerprint, so every
device cookie issued before stops being known: whoever once knew the old
password keeps no count of guesses of their own. The cookie is sent only to the
sign-in form (its path), and only the server can read it (HttpOnly).
"""

from __future__ import annotations

from secrets import token_urlsafe

from flask import after_this_request, current_app, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from microblog import tokens
from microblog.extensions import db
from microblog.models.user import User

COOKIE_NAME = "device"
# A cookie of ours is about 130 characters; anything much longer was not made here.
TOKEN_MAX_LENGTH = 512


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="microblog.device")


def token_for(user: User) -> str:
    """A new device token for ``user``: valid until the password changes or it expires."""
    return _serializer().dumps({
        "user": user.id, "device": token_urlsafe(12),
        "password": tokens.password_fingerprint(user),
    })


def device_of(token: str | None, username: str) -> str | None:
    """``"<user id>:<device>"`` when ``token`` is a genuine, unexpired device token of
    the account called ``username`` (lower-cased) with its current password; else None.

    A forged or altered token fails the signature before the database is asked; a
    genuine one for another account, or from before a password change, is unknown.
    """
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    try:
        payload = _serializer().loads(token, max_age=current_app.config["DEVICE_COOKIE_DURATION"])
    except BadSignature:  # also SignatureExpired
        return None
    if not (isinstance(payload, dict) and isinstance(payload.get("user"), int)
            and isinstance(payload.get("device"), str)):
        return None
    user = db.session.get(User, payload["user"])
    if (
        user is None
        or user.username.lower() != username
        or tokens.password_fingerprint(user) != payload.get("password")
    ):
        return None
    return f"{user.id}:{payload['device']}"


def recognised(username: str) -> str | None:
    """This request's device, when its cookie is one of the account ``username``'s."""
    return device_of(request.cookies.get(COOKIE_NAME), username)


def remember(user: User) -> None:
    """Give this browser a new device cookie for ``user`` with the response.

    HttpOnly, SameSite=Lax and (in production) Secure, like the session cookie;
    its path is the sign-in form's, the only page that reads it.
    """
    token = token_for(user)
    config = current_app.config

    @after_this_request
    def set_cookie(response):
        response.set_cookie(
            COOKIE_NAME, token, max_age=config["DEVICE_COOKIE_DURATION"],
            path=url_for("auth.login"), secure=config["DEVICE_COOKIE_SECURE"],
            httponly=True, samesite="Lax",
        )
        return response
