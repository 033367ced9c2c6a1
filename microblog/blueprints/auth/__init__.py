"""The auth blueprint: register, log in, log out."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from microblog.blueprints.auth import routes  # noqa: E402,F401  (registers the views)
