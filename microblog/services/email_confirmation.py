"""Proving that a person reads mail at an address: on sign-up and on changing it.

One kind of link serves both: it names the account and the address it was
sent to. If that address is the account's email, clicking confirms it; if it
is the pending new address, clicking makes it the account's email. Until then
the old address keeps working, so a typo can never lock anyone out.
"""

from __future__ import annotations

from enum import Enum

from flask import current_app
from flask_babel import _

from microblog import audit, tokens
from microblog.errors import InvalidLink, ValidationError
from microblog.extensions import db
from microblog.models.base import utcnow
from microblog.models.user import User
from microblog.services import account_mail
from microblog.services.accounts import commit_unique, normalise_email, validate_new_email


class Confirmed(Enum):
    EMAIL = "email"  # the account's address is confirmed now
    ALREADY = "already"  # it was confirmed before; nothing changed
    CHANGED = "changed"  # the pending address replaced the old one


def resend(user: User) -> None:
    """Send the account's confirmation link again (the first may be lost or expired)."""
    if user.email_confirmed:
        raise ValidationError(_("Your email address is already confirmed."))
    account_mail.send_confirmation(user, user.email)


def link_target(token: str) -> tuple[User, str]:
    """The account and address a confirmation link is for, if it can still be used."""
    payload = tokens.read(tokens.CONFIRM_EMAIL, token,
                          current_app.config["EMAIL_CONFIRMATION_MAX_AGE"])
    user = db.session.get(User, payload["user"])
    address = payload.get("email")
    if user is None or user.disabled or address not in (user.email, user.pending_email):
        raise InvalidLink(_("This link has already been used or is no longer valid."))
    return user, address


def confirm(token: str) -> tuple[User, Confirmed]:
    user, address = link_target(token)
    if address == user.email:
        if user.email_confirmed:
            return user, Confirmed.ALREADY
        user.email_confirmed_at = utcnow()
        db.session.commit()
        audit.record("email.confirm", user=user)
        return user, Confirmed.EMAIL
    old_address = user.email
    # Someone may have registered the address since the link was sent.
    validate_new_email(address)
    user.email, user.pending_email, user.email_confirmed_at = address, None, utcnow()
    commit_unique()
    audit.record("email.change", user=user, old_email=old_address, new_email=address)
    return user, Confirmed.CHANGED


def request_change(user: User, new_email: str, password: str) -> str:
    """Start moving the account to ``new_email``; returns the normalised address.

    The password is asked again because an unattended logged-in browser is not
    proof of being the owner. Nothing changes until the new address confirms.
    """
    errors = []
    address = None
    try:
        if normalise_email(new_email) == user.email:
            raise ValidationError(_("That is already your email address."), field="email")
        address = validate_new_email(new_email)
    except ValidationError as error:
        errors.append(error)
    if not user.check_password(password or ""):
        errors.append(ValidationError(_("That is not your password."), field="password"))
    if errors:
        raise ValidationError.combine(errors)
    user.pending_email = address
    db.session.commit()
    audit.record("email.change_request", user=user, new_email=address)
    account_mail.send_confirmation(user, address)
    account_mail.send_email_change_requested(user, address)
    return address


def cancel_change(user: User) -> None:
    """Forget the pending address; links already sent to it stop working."""
    if user.pending_email is None:
        return
    audit.record("email.change_cancel", user=user, new_email=user.pending_email)
    user.pending_email = None
    db.session.commit()
