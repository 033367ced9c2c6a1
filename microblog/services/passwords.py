"""Passwords: the reset-by-email flow and changing one's password.

Both end in ``User.set_password``, so every reset link issued before stops
working (it carries a fingerprint of the old hash, ``microblog.tokens``), and
both end sign-in sessions (``microblog.services.sessions``), as GitHub does:
a change ends every session but the one that made it; a reset, made from a
signed-out browser, ends them all. Whoever knew the old password or copied a
cookie is out either way.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import _

from microblog import audit, tokens
from microblog.errors import InvalidLink, ValidationError
from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.user import User
from microblog.services import account_mail, sessions
from microblog.services.accounts import new_password_errors, normalise_email


def request_reset(email: str) -> None:
    """Email a reset link if ``email`` belongs to an active account; silent either way.

    The caller shows the same answer whatever happened, so the form cannot be
    used to find out who has an account here.
    """
    address = normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == address)) if address else None
    if user is None or user.disabled:
        audit.record("password.reset_request", email=address, known=False)
        return
    account_mail.send_password_reset(user)
    audit.record("password.reset_request", user=user, known=True)


def user_for_reset(token: str) -> User:
    """The account a reset link is for; InvalidLink if it expired, was used or was forged."""
    payload = tokens.read(tokens.PASSWORD_RESET, token,
                          current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = db.session.get(User, payload["user"])
    if (
        user is None
        or user.disabled
        or user.email != payload.get("email")
        or tokens.password_fingerprint(user) != payload.get("password")
    ):
        raise InvalidLink(_("This link has already been used or is no longer valid."))
    return user


def reset_password(token: str, password: str, password_confirmation: str) -> User:
    """Set a new password from a reset link. The link dies with the old password."""
    user = user_for_reset(token)
    # The repetition is always asked for here; a missing one does not match.
    if errors := new_password_errors(password, password_confirmation or ""):
        raise ValidationError.combine(errors)
    user.set_password(password)
    # Only the owner of the address could open the link: that confirms it too.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    sessions.end_all(user)  # commits the new password with it
    audit.record("password.reset", user=user)
    return user


def change_password(
    user: User, current_password: str, password: str, password_confirmation: str
) -> None:
    """Change the password of a logged-in person, who must know the current one.

    Everything is checked before anything changes, so a refusal leaves the
    account (and its sessions) exactly as it was. The session ``user`` came with
    (``user.login_session``) stays signed in; every other one ends.
    """
    errors = []
    if not user.check_password(current_password or ""):
        errors.append(ValidationError(_("That is not your current password."),
                                      field="current_password"))
    errors += new_password_errors(password, password_confirmation or "")
    if errors:
        raise ValidationError.combine(errors)
    user.set_password(password)
    sessions.end_others(user, keep=user.login_session)  # commits the new password with it
    audit.record("password.change", user=user)
    account_mail.send_password_changed(user)
