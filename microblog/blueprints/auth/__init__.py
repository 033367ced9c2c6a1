"""The auth blueprint: register, log in, log out, reset a password, confirm an email."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from microblog.blueprints.auth import (  # noqa: E402,F401  (register the views)
    confirmation,
    password_reset,
    routes,
)
