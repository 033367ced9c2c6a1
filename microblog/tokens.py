"""Signed, expiring tokens for the links we send by email.

A token is a small JSON payload plus a timestamp, signed with ``SECRET_KEY``
by itsdangerous: anyone can *read* it (it is only base64), nobody can *change*
it without the key, and the signature date lets us refuse old ones. The
``salt`` keeps purposes apart, so a confirmation token is never accepted as a
password-reset token.

Expiry is not enough for a reset link: it must also die once used. Instead of
a table of used tokens, the payload carries a fingerprint of the current
password hash. Setting a password (by this link or any other route) changes
the hash, so every reset link issued before stops matching.
"""

from __future__ import annotations

from hashlib import sha256
from typing import Any

from flask import current_app
from flask_babel import _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from microblog.errors import InvalidLink
from microblog.models.user import User

PASSWORD_RESET = "password-reset"
CONFIRM_EMAIL = "confirm-email"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"microblog.{purpose}")


def password_fingerprint(user: User) -> str:
    """Changes whenever the password does; reveals nothing usable about it."""
    return sha256(user.password_hash.encode("utf-8")).hexdigest()[:16]


def password_reset_token(user: User) -> str:
    return _serializer(PASSWORD_RESET).dumps(
        {"user": user.id, "email": user.email, "password": password_fingerprint(user)}
    )


def confirmation_token(user: User, address: str) -> str:
    """Proves that whoever holds it reads mail at ``address``."""
    return _serializer(CONFIRM_EMAIL).dumps({"user": user.id, "email": address})


def read(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    """The payload of a genuine, unexpired token; InvalidLink otherwise."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidLink(_("This link has expired."), expired=True) from None
    except BadSignature:
        raise InvalidLink(_("This link is not valid. Check that you copied all of it.")) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        raise InvalidLink(_("This link is not valid. Check that you copied all of it."))
    return payload
