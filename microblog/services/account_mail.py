"""The emails the accounts services send, one function each.

Services decide *when* to send; these functions decide *what* the message
says (``templates/email/<name>.txt`` and ``.html``) and where its link points.
Links are absolute, on ``SITE_URL`` (``microblog.mailer:link``): the reader is
in a mail client. Each speaks its reader's language (``microblog.mailer:send_template``),
so subjects are lazy (``_l``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from microblog import tokens
from microblog.mailer import link as site_link
from microblog.mailer import send_template
from microblog.models.role import Role
from microblog.models.user import User


def send_confirmation(user: User, address: str) -> None:
    """Ask ``address`` (the account's email, or a new one awaiting confirmation) to confirm.

    A new administrator (the site's first account) is told so in the same message.
    """
    link = site_link("auth.confirm_email", token=tokens.confirmation_token(user, address))
    changing = address != user.email
    send_template("confirm_email", _l("Confirm your email address"), [address],
                  user=user, link=link, changing=changing,
                  administrator=user.role is Role.ADMIN,
                  admin_link=site_link("admin.users"))


def send_password_reset(user: User) -> None:
    link = site_link("auth.reset_password", token=tokens.password_reset_token(user))
    send_template("reset_password", _l("Reset your password"), [user.email], user=user, link=link)


def send_password_changed(user: User) -> None:
    """Tell the owner, in case it was not them."""
    link = site_link("auth.reset_password_request")
    send_template("password_changed", _l("Your password was changed"), [user.email],
                  user=user, link=link)


def send_email_change_requested(user: User, new_address: str) -> None:
    """Tell the current address that someone asked to move the account elsewhere."""
    link = site_link("settings.email")
    send_template("email_change_requested", _l("Your email address is being changed"),
                  [user.email], user=user, new_address=new_address, link=link)


def send_registration_attempt(user: User) -> None:
    """Tell the owner that someone tried to register with their address. The sign-up
    page answered as for a new address, so only the address's owner learns it is taken."""
    send_template("registration_attempt", _l("Someone tried to register with your address"),
                  [user.email], user=user, login_link=site_link("auth.login"),
                  reset_link=site_link("auth.reset_password_request"))
