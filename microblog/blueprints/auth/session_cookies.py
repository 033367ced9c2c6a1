"""Signing a browser in and out: the sign-in session's token into Flask-Login's
cookies, a device cookie that outlives them (``microblog.known_devices``), and a
fresh CSRF secret each time.

The rules (what a session is, when it ends) are ``microblog.services.sessions``';
this is the part that touches the request and its cookies, shared by the views
that sign someone in or out.
"""

from flask import current_app, g, request, session
from flask_login import login_user, logout_user

from microblog import known_devices
from microblog.models.user import User
from microblog.services import sessions


def sign_in(user: User, remember: bool) -> None:
    """Start a sign-in session for ``user`` and hand its token to this browser, with a
    device cookie that makes the browser known to the account from now on."""
    sessions.start(user, request.remote_addr, request.user_agent.string)
    login_user(user, remember=remember)
    known_devices.remember(user)
    new_csrf_secret()


def sign_out() -> None:
    """Make this browser forget who it was: session keys, remember-me cookie, CSRF secret.

    The device cookie stays: the browser is still one its owner has signed in from.

    Ending the session on the server is the service's part (``accounts.log_out``).
    """
    logout_user()
    new_csrf_secret()


def new_csrf_secret() -> None:
    """Drop Flask-WTF's CSRF secret (kept in the session, cached in ``g``): the next
    form gets a new one, so a token read before the change is worth nothing after it."""
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(name, None)
    g.pop(name, None)
